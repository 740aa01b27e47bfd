"""Settings → Profile: a person chooses their time zone, and every page they load is in it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from thrive.models import User

NOW = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)


def test_a_person_chooses_a_time_zone_in_their_profile_and_a_bad_one_is_refused_clearly(
    owner_client, owner
):
    page = owner_client.get("/settings/profile/").content.decode()
    assert '<option value="UTC" selected>UTC</option>' in page
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in page
    assert '<option value="America/New_York">America/New York</option>' in page
    assert 'href="/settings/profile/" aria-current="page">Profile</a>' in page  # the header's

    refused = owner_client.post("/settings/profile/", {"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 200
    assert "“Mars/Olympus_Mons” is not a time zone we know." in refused.content.decode()
    owner.refresh_from_db()
    assert owner.time_zone == "UTC"

    saved = owner_client.post("/settings/profile/", {"time_zone": "Asia/Tokyo"}, follow=True)
    assert "Times now show in Asia/Tokyo." in saved.content.decode()
    owner.refresh_from_db()
    assert owner.time_zone == "Asia/Tokyo"


def test_every_page_renders_in_the_persons_zone_and_the_next_person_gets_their_own(
    owner_client, owner, member, client
):
    owner.time_zone = "Asia/Tokyo"
    owner.save()
    client.force_login(member)
    with time_machine.travel(NOW, tick=False):
        mine = owner_client.get("/settings/profile/").content.decode()
        theirs = client.get("/settings/profile/").content.decode()
    assert "It is now 21:00 JST in Asia/Tokyo." in mine
    assert "It is now 12:00 UTC in UTC." in theirs


def test_a_zone_that_no_longer_exists_falls_back_to_utc_instead_of_failing(owner_client, owner):
    User.objects.filter(pk=owner.pk).update(time_zone="Nowhere/Atlantis")
    with time_machine.travel(NOW, tick=False):
        page = owner_client.get("/settings/profile/")
    assert page.status_code == 200
    assert "It is now 12:00 UTC" in page.content.decode()


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "", "utc+2"])
def test_the_model_refuses_a_zone_it_does_not_know(owner, value):
    owner.time_zone = value
    with pytest.raises(ValidationError):
        owner.full_clean()
