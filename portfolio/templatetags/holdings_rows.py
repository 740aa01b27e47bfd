"""The holdings page's long tables, written in Python: an asset's rows, and the figures left
out of the total. They grow with the balances: the workspace of issue 12's benchmark (5,000
balance rows, 250 assets) spent 34 ms of CPU on its asset rows as a template loop, 14 ms
here. The markup is what a template would write, and every value goes through format_html.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from journal.templatetags.numbers import amount

from ..holdings import FAILING, AssetHolding, Placement
from .money import change, money, percent, utc

register = template.Library()

STALE_BADGE = SafeString(' <span class="badge stale">not up to date</span>')


@register.simple_tag(takes_context=True)
def holding_rows(context: template.Context, holdings: Iterable[AssetHolding]) -> SafeString:
    """One <tbody> per asset. Where it sits is fetched by htmx when the asset is first opened
    (CSS then shows and hides it); without JavaScript, the noscript link asks for the page
    with ?open=<asset>, which writes that asset's rows in place."""
    return SafeString(
        "".join(_holding(context, holding, number) for number, holding in enumerate(holdings, 1))
    )


def _holding(context: template.Context, holding: AssetHolding, number: int) -> str:
    badge = STALE_BADGE if holding.marked else ""
    if holding.is_open:
        head = format_html(
            '<details open><summary>{}{}</summary></details><noscript><a class="where-link" '
            'href="{}#holding-{}">Close</a></noscript>',
            holding.asset, badge, context["close_url"], number,
        )  # fmt: skip
        placements = render_to_string(
            "portfolio/_placements.html", {"placements": context["opened_placements"]}
        )
    else:
        head = format_html(
            '<details hx-get="{}{}" hx-trigger="toggle once" hx-target="closest tbody" '
            'hx-swap="beforeend"><summary>{}{}</summary></details><noscript>'
            '<a class="where-link" href="{}{}#holding-{}">Where</a></noscript>',
            context["rows_prefix"], holding.quoted, holding.asset, badge,
            context["open_prefix"], holding.quoted, number,
        )  # fmt: skip
        placements = ""
    price = holding.price
    if price is None:
        cells = format_html(
            '<td class="num no-price" data-label="Value">not counted</td><td class="num"></td>'
            '<td class="num mono" data-label="Quantity">{}</td>'
            '<td class="num no-price" data-label="Price">no price</td><td class="num"></td>',
            amount(holding.quantity),
        )
    else:
        cells = format_html(
            '<td class="num mono" data-label="Value">{}</td>'
            '<td class="num mono" data-label="Share">{}</td>'
            '<td class="num mono" data-label="Quantity">{}</td>'
            '<td class="num mono" data-label="Price"><span title="{}">{}</span></td>'
            '<td class="num mono" data-label="24 h">{}</td>',
            money(holding.value), percent(holding.share_pct), amount(holding.quantity),
            price.origin, amount(price.usd), change(price.change_24h_pct),
        )  # fmt: skip
    return format_html(
        '<tbody class="holding" id="holding-{}"><tr class="asset-row"><th scope="row">{}</th>{}'
        "</tr>{}</tbody>",
        number, head, cells, placements,
    )  # fmt: skip


@register.simple_tag
def left_out_rows(rows: Iterable[Placement]) -> SafeString:
    """Figures of connections that are not up to date: where, what, and when last read."""
    return format_html_join(
        "",
        '<tr><td class="cell-title">{} · {}{}</td><td data-label="Account">{}{}</td>'
        '<td data-label="Asset or market">{}</td><td class="num mono" data-label="Total">{}</td>'
        '<td class="num mono" data-label="Value today">{}</td>'
        '<td class="mono" data-label="Last known (UTC)">{}</td></tr>',
        (_left_out(row) for row in rows),
    )


def _left_out(row: Placement) -> tuple:
    failing = row.standing is not None and row.standing.kind == FAILING
    return (
        row.exchange,
        row.connection,
        format_html(' <span class="badge stale">{}</span>', row.standing.reason) if failing else "",
        row.account_type,
        format_html(' <span class="help">{}</span>', row.account) if row.account != "main" else "",
        row.item,
        amount(row.quantity),
        money(row.value),
        utc(row.as_of),
    )
