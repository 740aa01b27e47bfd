"""What an exchange's website would hand a person as a CSV of their trades, made from the
simulator's own fills, so an import can be tried against the same account the API syncs.

Binance's spot "Trade History" export: `Date(UTC),Pair,Side,Price,Executed,Amount,Fee`, every
cell quoted, amounts with their asset glued on (as documented by BittyTax's wiki,
https://github.com/BittyTax/BittyTax/wiki/Exchange:-Binance, and read by
journal/csv_formats/binance.py). It names no fill id: an import recognises a fill by its values.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sync.simulator.accounts import Account

EXPORTS = {"binance": "binance-spot-trade-history"}


def trade_history_csv(account: Account, *, before_ms: int | None = None) -> str:
    """The account's spot fills, newest first as Binance lists them."""
    lines = ['"Date(UTC)","Pair","Side","Price","Executed","Amount","Fee"']
    fills = [
        fill
        for fill in account.fills()
        if fill.instrument.market_type == "spot"
        and (before_ms is None or fill.timestamp < before_ms)
    ]
    for fill in sorted(fills, key=lambda fill: (fill.timestamp, fill.id), reverse=True):
        instrument = fill.instrument
        at = datetime.fromtimestamp(fill.timestamp / 1000, tz=UTC)
        cells = (
            at.strftime("%Y-%m-%d %H:%M:%S"),
            f"{instrument.base}{instrument.quote}",
            fill.side.upper(),
            format(fill.price, "f"),
            f"{format(fill.amount, 'f')}{instrument.base}",
            f"{format(fill.cost, 'f')}{instrument.quote}",
            f"{format(fill.fee, 'f')}{fill.fee_currency}",
        )
        lines.append(",".join(f'"{cell}"' for cell in cells))
    return "\n".join(lines) + "\n"
