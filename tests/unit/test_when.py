"""`ago`: how long ago, never "0 minutes ago"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template

from thrive.templatetags.when import ago

NOW = datetime(2025, 6, 9, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "words"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(seconds=-30), "just now"),
        (timedelta(minutes=1), "1\xa0minute ago"),
        (timedelta(minutes=3, seconds=40), "3\xa0minutes ago"),
        (timedelta(hours=2, minutes=41), "2\xa0hours ago"),
        (timedelta(days=9, hours=5), "1\xa0week ago"),
    ],
)
def test_ago_says_just_now_under_a_minute_and_the_largest_unit_after(before, words):
    assert ago(NOW - before, NOW) == words


def test_ago_of_nothing_is_empty_so_a_default_can_follow():
    template = Template('{% load when %}{{ moment|ago|default:"never" }}')
    assert template.render(Context({"moment": None})) == "never"


def test_ago_in_a_template_reads_the_clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    template = Template("{% load when %}checked {{ moment|ago }}")
    assert template.render(Context({"moment": NOW - timedelta(seconds=5)})) == "checked just now"
    assert (
        template.render(Context({"moment": NOW - timedelta(minutes=41)}))
        == "checked 41\xa0minutes ago"
    )
