"""The analytics page's figures, from what selectors.py read: numbers, charts and, for each,
how it is calculated and what it could not include."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.safestring import SafeString

from connections.models import Exchange
from journal.selectors import MARKETS
from journal.templatetags.numbers import display
from portfolio.charts import bar_chart, donut_chart, line_chart

from .fifo import USD_GROUP, USD_LIKE, Day, moment, quote_group
from .selectors import DERIVATIVES, Analytics

ZERO = Decimal(0)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAILY_BARS_UP_TO = 62  # days; a longer range is drawn by month
USD_NAME = "USD, USDT and USDC"


def currency_name(group: str) -> str:
    return USD_NAME if group == USD_GROUP else group


def _group_order(group: str) -> tuple[bool, str]:
    return (group != USD_GROUP, group)


@dataclass
class Results:
    """One currency's realized figures over the range (a "trade" is one closing sell or one
    derivative fill with realized PnL)."""

    currency: str
    spot: Day = field(default_factory=Day)
    derivatives: Day = field(default_factory=Day)
    funding: Decimal = ZERO
    funding_entries: int = 0
    daily: dict[date, Decimal] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return currency_name(self.currency)

    @property
    def trades(self) -> Day:
        both = Day()
        both.merge(self.spot)
        both.merge(self.derivatives)
        return both

    @property
    def total(self) -> Decimal:
        return self.spot.pnl + self.derivatives.pnl + self.funding

    @property
    def win_rate(self) -> Decimal | None:
        trades = self.trades
        return Decimal(trades.wins * 100) / trades.closes if trades.closes else None

    @property
    def average_win(self) -> Decimal | None:
        trades = self.trades
        return trades.win_sum / trades.wins if trades.wins else None

    @property
    def average_loss(self) -> Decimal | None:
        trades = self.trades
        return trades.loss_sum / trades.losses if trades.losses else None

    @property
    def profit_factor(self) -> Decimal | None:
        """Gross wins over gross losses; None when there is no loss to divide by."""
        trades = self.trades
        return trades.win_sum / -trades.loss_sum if trades.loss_sum else None

    @property
    def largest_win(self) -> Decimal | None:
        best = self.trades.best
        return best if best is not None and best > 0 else None

    @property
    def largest_loss(self) -> Decimal | None:
        worst = self.trades.worst
        return worst if worst is not None and worst < 0 else None


@dataclass
class Figure:
    title: str
    how: str  # how it is calculated
    left_out: list[str] = field(default_factory=list)  # what it could not include
    charts: list[SafeString] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)


@dataclass
class Page:
    results: list[Results]
    pnl: Figure
    stats: Figure
    fees: Figure
    volume_by_month: Figure
    volume_by_market: Figure
    weekday: Figure
    hour: Figure
    trades: int
    coverage_from: date | None

    @property
    def is_empty(self) -> bool:
        return self.trades == 0 and not any(r.funding_entries for r in self.results)


def page_build(analytics: Analytics) -> Page:
    start, end = analytics.date_from, analytics.date_to
    fifo, tallies = analytics.fifo, analytics.tallies
    results: dict[str, Results] = {}

    def of(currency: str) -> Results:
        group = quote_group(currency)
        if group not in results:
            results[group] = Results(group)
        return results[group]

    for (day, group), figures in fifo.days.items():
        if start <= day <= end:
            result = of(group)
            result.spot.merge(figures)
            result.daily[day] = result.daily.get(day, ZERO) + figures.pnl
    for (day, currency), figures in tallies.derivatives.items():
        result = of(currency)
        result.derivatives.merge(figures)
        result.daily[day] = result.daily.get(day, ZERO) + figures.pnl
    for (day, asset), (entries, amount) in tallies.funding.items():
        result = of(asset)
        result.funding += amount
        result.funding_entries += entries
        result.daily[day] = result.daily.get(day, ZERO) + amount
    ordered = [results[group] for group in sorted(results, key=_group_order)]
    trades = sum(fills for fills, _, _ in tallies.volume.values())
    return Page(
        results=ordered,
        pnl=_pnl_figure(analytics, ordered),
        stats=_stats_figure(ordered),
        fees=_fees_figure(analytics),
        volume_by_month=_volume_by_month(analytics),
        volume_by_market=_volume_by_market(analytics),
        weekday=_weekday(analytics),
        hour=_hour(analytics),
        trades=trades,
        coverage_from=moment(fifo.first).date() if fifo.first is not None else None,
    )


# -- realized PnL ------------------------------------------------------------------------------


def _pnl_figure(analytics: Analytics, results: list[Results]) -> Figure:
    start, end = analytics.date_from, analytics.date_to
    fifo, tallies = analytics.fifo, analytics.tallies
    figure = Figure(
        title="Realized profit and loss",
        how=(
            "Spot trades are matched first in, first out, for each exchange account and coin, "
            "within one quote currency (coins bought with EUR are not matched against a sale "
            "for USDT): buys open lots and sells use them up, oldest first. A fee in the coin "
            "bought makes the lot smaller; a fee in the quote currency adds to the cost of a "
            "buy or comes off the proceeds of a sale; a fee in a third currency (BNB on "
            "BTC/USDT) is converted at the price of your last trade of that market (BNB/USDT), "
            "or through dollars (BNB/USDT over BTC/USDT for ETH/BTC), in the seven days "
            "before. A sale's profit counts on the day of the sale. Perpetuals, futures "
            "and options count the realized PnL the exchange reported on each fill, and "
            "funding fees count from the ledger's funding entries. Each currency is added up "
            "apart; USD, USDT and USDC count as one. Days are UTC days; the lots themselves go "
            "back to your first trade, before the range."
        ),
    )
    for result in results:
        if not result.daily:
            continue
        monthly = (end - start).days >= DAILY_BARS_UP_TO
        figure.charts.append(
            bar_chart(
                _bars(result.daily, start, end, monthly=monthly),
                title=f"Realized PnL by {'month' if monthly else 'day'}, {result.currency}",
                unit=result.currency,
            )
        )
        figure.charts.append(
            line_chart(
                _cumulative(result.daily, start, end),
                title=f"Cumulative realized PnL, {result.currency}",
                unit=result.currency,
            )
        )
    spot_days = [figures for (day, _), figures in fifo.days.items() if start <= day <= end]
    unmatched = sum(figures.unmatched_sells for figures in spot_days)
    if unmatched:
        proceeds = defaultdict(Decimal)
        for (day, group), figures in fifo.days.items():
            if start <= day <= end and figures.unmatched_sells:
                proceeds[group] += figures.unmatched_proceeds
        amounts = ", ".join(f"{_plain(total)} {group}" for group, total in sorted(proceeds.items()))
        figure.left_out.append(
            f"{_count(unmatched, 'sale')} sold more than the journal shows was bought before "
            f"(the coins were bought before {_since(fifo.first)}, or elsewhere): "
            f"{amounts} of proceeds have no known cost and are not counted as profit."
        )
    notes = fifo.fees
    left: dict[str, int] = defaultdict(int)
    for day, currencies in notes.left_out.items():
        if start <= day <= end:
            for currency, count in currencies.items():
                left[currency] += count
    if left:
        listed = ", ".join(f"{count:,} in {currency}" for currency, count in sorted(left.items()))
        figure.left_out.append(
            f"{_count(sum(left.values()), 'fee')} in a third currency could not be converted "
            f"(no trade of that market in the week before, and no price of it): {listed}. "
            "They are left out, so the profit is too high by their value."
        )
    latest = sum(count for day, count in notes.by_latest_price.items() if start <= day <= end)
    if latest:
        figure.left_out.append(
            f"{_count(latest, 'fee')} in a third currency had no trade of its market in the "
            "week before and were converted at the latest price we hold, not the price of "
            "that day."
        )
    margin = _fills(analytics, lambda market: market == "margin")
    if margin:
        figure.left_out.append(
            f"{_count(margin, 'margin fill')} are not matched: a margin sale can open a short, "
            "which first-in-first-out on owned coins cannot price."
        )
    missing = sum(values[2] for values in tallies.volume.values())
    if missing:
        figure.left_out.append(
            f"{_count(missing, 'derivative fill')} came without realized PnL from the "
            "exchange (opening fills, or a file that does not have it) and count as none."
        )
    has_derivatives = _fills(analytics, lambda market: market in DERIVATIVES)
    if has_derivatives and not tallies.funding:
        figure.left_out.append(
            "The ledger has no funding fees in this range: the perpetuals' funding is not "
            "included. Import the exchange's funding history to add it."
        )
    others = [r.currency for r in results if r.currency != USD_GROUP]
    if others:
        figure.left_out.append(
            f"Profit in {', '.join(others)} is shown in that currency and not converted, so "
            "it is not in the USD total."
        )
    return figure


def _bars(daily: dict[date, Decimal], start: date, end: date, *, monthly: bool):
    if not monthly:
        return [
            (f"{day:%b %d}", daily.get(day, ZERO))
            for day in (start + timedelta(days=n) for n in range((end - start).days + 1))
        ]
    months: dict[date, Decimal] = {month: ZERO for month in _months(start, end)}
    for day, pnl in daily.items():
        months[day.replace(day=1)] += pnl
    return [(f"{month:%b %Y}", pnl) for month, pnl in months.items()]


def _cumulative(daily: dict[date, Decimal], start: date, end: date):
    running, points = ZERO, [(start, ZERO)]
    for day in sorted(daily):
        running += daily[day]
        points.append((day, running))
    if points[-1][0] != end:
        points.append((end, running))
    return points


def _months(start: date, end: date) -> list[date]:
    month, months = start.replace(day=1), []
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


# -- results -----------------------------------------------------------------------------------


def _stats_figure(results: list[Results]) -> Figure:
    return Figure(
        title="Results per trade",
        how=(
            "A trade here is one sale that closed spot lots, or one derivative fill with "
            "realized PnL. Win rate: trades with a profit out of all of them (a trade at "
            "exactly zero counts as neither win nor loss, but counts in the total). Average "
            "win and loss: the mean profit of the winning and of the losing trades. Profit "
            "factor: all winning trades' profit divided by all losing trades' loss. Funding "
            "fees are not trades and are left out of these."
        ),
        rows=[result for result in results if result.trades.closes],
    )


# -- fees -------------------------------------------------------------------------------------


def _fees_figure(analytics: Analytics) -> Figure:
    fees: dict[tuple[str, str], list] = {}
    for (_, code, currency), (fills, total) in analytics.tallies.fees.items():
        # People read "Coinbase Advanced", not "coinbase"; a CSV row may name no exchange.
        exchange = Exchange(code).label if code in Exchange.values else code or "Other"
        kept = fees.setdefault((exchange, currency), [0, ZERO])
        kept[0] += fills
        kept[1] += total
    by_exchange: dict[str, Decimal] = defaultdict(Decimal)
    for (exchange, currency), (_, total) in fees.items():
        if currency.upper() in USD_LIKE:
            by_exchange[exchange] += total
    rows = [(exchange, currency, *values) for (exchange, currency), values in fees.items()]
    figure = Figure(
        title="Fees paid",
        how=(
            "The fee each fill reports, added up by exchange and by the currency it was paid "
            "in, for every market type. A negative total is a rebate (maker rebates)."
        ),
        rows=sorted(rows),
    )
    if by_exchange:
        figure.charts.append(
            bar_chart(
                sorted(by_exchange.items()),
                title="Fees paid in USD, USDT and USDC, by exchange",
                unit=USD_GROUP,
            )
        )
    figure.left_out.append(
        "Fills whose exchange or file reported no fee count as free. Fees are not converted "
        "between currencies: the chart shows the ones paid in dollars and stablecoins, the "
        "table all of them."
    )
    return figure


# -- volume -----------------------------------------------------------------------------------


def _volume_by_month(analytics: Analytics) -> Figure:
    start, end = analytics.date_from, analytics.date_to
    months: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for (day, _, _, quote), (_, cost, _) in analytics.tallies.volume.items():
        group, month = months[quote_group(quote)], day.replace(day=1)
        group[month] = group.get(month, ZERO) + cost
    figure = Figure(
        title="Volume by month",
        how=(
            "The cost of every fill (price times amount, in the quote currency; a "
            "derivative's notional as the exchange reports it), buys and sells alike, added "
            "up by calendar month (UTC)."
        ),
    )
    for group in sorted(months, key=_group_order):
        figure.charts.append(
            bar_chart(
                [(f"{m:%b %Y}", months[group].get(m, ZERO)) for m in _months(start, end)],
                title=f"Volume by month, {currency_name(group)}",
                unit=group,
            )
        )
    return figure


def _volume_by_market(analytics: Analytics) -> Figure:
    markets: dict[tuple[str, str], list] = {}
    for (_, market_type, symbol, quote), (fills, cost, _) in analytics.tallies.volume.items():
        kept = markets.setdefault((symbol, quote), [market_type, 0, ZERO])
        kept[1] += fills
        kept[2] += cost
    names = dict(MARKETS)
    rows = sorted(
        ((symbol, names.get(market_type, market_type), quote, fills, cost)
         for (symbol, quote), (market_type, fills, cost) in markets.items()),
        key=lambda row: (_group_order(quote_group(row[2])), -row[4]),
    )  # fmt: skip
    figure = Figure(
        title="Volume by market",
        how=(
            "The same costs as by month, added up per market. The chart shares out the "
            "markets quoted in USD, USDT and USDC; markets in other currencies are in the "
            "table only."
        ),
        rows=rows,
    )
    dollars = [(symbol, cost) for symbol, _, quote, _, cost in rows if quote.upper() in USD_LIKE]
    if dollars:
        figure.charts.append(donut_chart(dollars, title="Volume by market, USD, USDT and USDC"))
    return figure


def _weekday(analytics: Analytics) -> Figure:
    counts = [0] * 7
    for (day, _), fills in analytics.tallies.clock.items():
        counts[day.weekday()] += fills
    figure = Figure(
        title="Trades by weekday",
        how="Every fill of every market, counted by the weekday it happened on (UTC).",
    )
    if any(counts):
        figure.charts.append(
            bar_chart(
                [(name, Decimal(n)) for name, n in zip(WEEKDAYS, counts, strict=True)],
                title="Fills by weekday (UTC)",
                unit="",
            )
        )
    return figure


def _hour(analytics: Analytics) -> Figure:
    counts = [0] * 24
    for (_, hour), fills in analytics.tallies.clock.items():
        counts[hour] += fills
    figure = Figure(
        title="Trades by hour",
        how="Every fill of every market, counted by the hour of the day it happened in (UTC).",
    )
    if any(counts):
        figure.charts.append(
            bar_chart(
                [(f"{hour:02d}", Decimal(n)) for hour, n in enumerate(counts)],
                title="Fills by hour of the day (UTC)",
                unit="",
            )
        )
    return figure


# -- words ------------------------------------------------------------------------------------


def _fills(analytics: Analytics, market_is) -> int:
    return sum(
        fills
        for (_, market, _, _), (fills, _, _) in analytics.tallies.volume.items()
        if market_is(market)
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _since(first: int | None) -> str:
    if first is None:
        return "the journal starts"
    return f"{moment(first):%Y-%m-%d}, the journal's first spot trade"


def _plain(value: Decimal) -> str:
    return display(value)
