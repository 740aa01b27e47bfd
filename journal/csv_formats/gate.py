"""Gate's spot trade history export and its account book ("Billing Details").

Gate's help page says where the trade history is (Orders → Spot Orders → Trade History,
https://www.gate.io/help/trade/spot/16559) but not its columns. Those come from open-source
tools that read real files:

- Spot trade history, one row per fill: `No,Order id,Time,Trade type,Maker/Taker,Pair,Price,
  Amount,Fee,Total` (Aussul_Average's README, https://github.com/Aussul/Aussul_Average/blob/HEAD/
  README.md; some files have no Maker/Taker). The pair is written "BTC/USDT" and the amounts
  carry their coin ("0.5ETH", "1270.275USDT"); the fee is taken in what the trade brought in.
  Only the order's id is given, not the fill's. A later importer warns that this export can
  leave out partial fills (https://github.com/gfargo/daybook/blob/HEAD/README.md); the account
  book below has them all, but as separate legs.
- Account book: `no,time,action_desc,action_data,type,change_amount,amount,total`, one row per
  balance change (BittyTax's Gate parser, https://github.com/BittyTax/BittyTax/blob/master/src/
  bittytax/conv/parsers/gateio.py). Deposits, withdrawals, interest, airdrops and referral
  rebates become ledger entries. A trade is two or three rows sharing `action_data` (the coin
  paid, the coin received, the fee): those rows are left to the trade history export.

Neither export says its time zone: the person chooses.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

from .base import (
    CsvFormat,
    Parsed,
    ParsedEntry,
    ParsedTrade,
    RowError,
    amount_and_unit,
    decimal_of,
    side_of,
    split_pair,
    time_of,
)

TRADES_SOURCE = "https://github.com/Aussul/Aussul_Average/blob/HEAD/README.md"
BOOK_SOURCE = "https://github.com/BittyTax/BittyTax/blob/master/src/bittytax/conv/parsers/gateio.py"

# action_desc → ledger kind. Gate spells some actions more than one way over the years,
# "Order Fullfilled" among them.
ENTRY_KINDS = {
    "deposit": "deposit",
    "deposits": "deposit",
    "withdraw": "withdrawal",
    "withdrawal": "withdrawal",
    "withdrawals": "withdrawal",
    "airdrop": "airdrop",
    "airdrop bonus": "airdrop",
    "hodl interest": "interest",
    "interest income": "interest",
    "referral superior rebate": "reward",
}
TRADE_LEGS = {"order placed", "order filled", "order fullfilled", "trading fees", "trade fee"}
DUST_SWAPS = {"dust swap-small balances deducted", "dust swap-gt added"}


def _quantity(
    row: Mapping[str, str], column: str, *, what: str, pair: tuple[str, str], coin: str = ""
) -> tuple[Decimal, str]:
    """A cell like "0.5ETH": its number, not negative, and its coin, which must be `coin` when
    both are known."""
    raw = row.get(column, "").strip()
    value, unit = amount_and_unit(raw, what=what)
    if value < 0:
        raise RowError(f"{what} is negative ({raw}).")
    if coin and unit and unit != coin:
        raise RowError(f"{what} is in {unit}, but the pair is {pair[0]}/{pair[1]}.")
    return value, unit


def parse_trade(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    base, quote = split_pair(row.get("pair"))
    side = side_of(row.get("trade type"))
    pair = (base, quote)
    amount, _ = _quantity(row, "amount", what="The amount", pair=pair, coin=base)
    if amount == 0:
        raise RowError("The amount is zero.")
    price, _ = _quantity(row, "price", what="The price", pair=pair, coin=quote)
    total, _ = _quantity(row, "total", what="The total", pair=pair, coin=quote)
    # The fee may be paid in GT, Gate's own coin, as well as in either side of the pair.
    fee, fee_unit = _quantity(row, "fee", what="The fee", pair=pair)
    return ParsedTrade(
        executed_at=time_of(row.get("time"), zone),
        symbol=f"{base}/{quote}",
        market_type="spot",
        base=base,
        quote=quote,
        settle="",
        side=side,
        price=price,
        amount=amount,
        cost=total,
        fee=fee,
        # A fee written without its coin was taken from what the trade brought in.
        fee_currency=fee_unit or (base if side == "buy" else quote),
        trade_id="",
        order_id=row.get("order id", "").strip(),
    )


def parse_book(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    action = row.get("action_desc", "").strip()
    if action.lower() in TRADE_LEGS:
        return None  # one leg of a trade: the trade history export has the whole fill
    if action.lower() in DUST_SWAPS:
        raise RowError(
            f"“{action}” is one half of a small-balance swap into GT; enter that swap by hand "
            "as a trade."
        )
    kind = ENTRY_KINDS.get(action.lower())
    if kind is None:
        raise RowError(
            f"The action “{action}” is not one we import from this export: deposits, "
            "withdrawals, interest, airdrops and referral rebates are."
        )
    asset = row.get("type", "").strip().upper()
    if not asset:
        raise RowError("The coin (type) is missing.")
    change = decimal_of(row.get("change_amount"), what="The change amount", allow_negative=True)
    if kind == "withdrawal":
        change = -abs(change)
    elif change < 0:
        raise RowError(f"The {action} amount is negative ({row.get('change_amount', '').strip()}).")
    if change == 0:
        raise RowError("The change amount is zero.")
    return ParsedEntry(
        kind=kind,
        asset=asset,
        amount=change,
        occurred_at=time_of(row.get("time"), zone),
        # A deposit's or withdrawal's record id; interest and airdrops have none of their own
        # that we could be sure of, so those are not tied to an id.
        external_id=row.get("action_data", "").strip() if kind in {"deposit", "withdrawal"} else "",
        note=action,
    )


TRADE_COLUMNS = (
    "No", "Order id", "Time", "Trade type", "Pair", "Price", "Amount", "Fee", "Total",
)  # fmt: skip
BOOK_COLUMNS = (
    "no", "time", "action_desc", "action_data", "type", "change_amount", "amount", "total",
)  # fmt: skip

FORMATS = (
    CsvFormat(
        key="gate-spot-trade-history",
        exchange="gate",
        title="Gate · Spot trade history",
        source=TRADES_SOURCE,
        columns=TRADE_COLUMNS,
        parse=parse_trade,
        local_times=True,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="gate-account-book",
        exchange="gate",
        title="Gate · Account book (deposits, withdrawals, interest, airdrops; not trades)",
        source=BOOK_SOURCE,
        columns=BOOK_COLUMNS,
        parse=parse_book,
        local_times=True,
        has_trade_ids=False,
    ),
)
