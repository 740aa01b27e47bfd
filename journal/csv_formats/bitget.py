"""Bitget's exports: futures position history, futures order history and futures transactions;
spot order details (fills) and spot order history. Bitget names each file after its history
("Exported USDT-M Futures position history <UID>-<time>.csv", "Export spot order details …")
and can bundle them all in one zip: upload the CSV wanted, not the bundle.

We found no Bitget page that documents a column, nor a tax service that does (cryptact only
lists what it supports, https://support.cryptact.com/hc/en-us/articles/30791524189721). The
headers below come from open-source importers written against real files; what each rests on
is said beside its format. Inferred (from those importers and Bitget's API documentation, not
from any Bitget page on the exports):

- Every export writes "YYYY-MM-DD HH:MM:SS" with no zone, in the account's own clock: one
  importer reads its owner's files as UTC-3, Cryptax as Europe/Berlin, a Chinese field map as
  UTC+8. So the person chooses the zone.
- Ids are written with a leading TAB (trimmed with every cell); the files start with a BOM.
- Futures symbols are "BTCUSDT" (USDT-M), "BTCPERP" or "BTCUSDC" (USDC-M) and "BTCUSD"
  (Coin-M, settled in the base coin). Bitget counts every futures size in the base coin, also
  for Coin-M, so amounts are coins, never contracts.
- The transactions export's types are the codes of Bitget's account-bill API
  (https://www.bitget.com/api-doc/contract/account/Get-Account-Bill); real files say
  "contract_main_settle_fee" where the API says "contract_settle_fee" for funding.

None of these exports carries a fill id, so fills are told apart by their content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .base import (
    CsvFormat,
    Parsed,
    ParsedEntry,
    ParsedTrade,
    RowError,
    decimal_of,
    first_cell,
    optional_decimal,
    side_of,
    split_pair,
    time_of,
)

# Reads the position history by column (futures, opening time, prices, "1645.2INJ" amounts,
# "-90.35USDT" PnL, opening and closing fees, closing time).
POSITIONS_SOURCE = (
    "https://github.com/ehjvfzekdalq/trading_journal_macos/blob/HEAD/"
    "src-tauri/src/commands/import.rs"
)
# Spot order details: header checked column by column; Fee in "Fee Coin", the coin received.
FILLS_SOURCE = (
    "https://github.com/titov-vv/jal/blob/HEAD/jal/data_import/broker_statements/bitget.py"
)
# "Actual headers from raw-bitget-exports/ files (verified against real CSVs)": spot order
# history, futures order history and futures transactions.
CRYPTAX_HEADERS = (
    "https://github.com/robin13901/Cryptax/blob/HEAD/packages/backend/src/import/"
    "detect-format.test.ts"
)
BILL_TYPES = "https://www.bitget.com/api-doc/contract/account/Get-Account-Bill"


def _time(row: Mapping[str, str], name: str, zone: ZoneInfo) -> datetime:
    return time_of(first_cell(row, name), zone)


def _coins(text: str, base: str, *, what: str) -> Decimal:
    """ "1645.2INJ", "3501000PEPE" (350 of 1000PEPE) or "0.5": an amount of `base`.

    The coin is cut off by name: a coin that starts with digits would otherwise run into the
    number.
    """
    raw = text.strip()
    if base and raw.upper().endswith(base) and len(raw) > len(base):
        raw = raw[: -len(base)]
    unit = re.search(r"[A-Za-z]{2,}$", raw)
    if unit:
        raise RowError(f"{what} is in {unit.group().upper()}, not in {base}.")
    return decimal_of(raw, what=what)


def _contract(text: str) -> tuple[str, str, str, str]:
    """(symbol, base, quote, settle) of a perpetual: BTCUSDT, BTCPERP (USDC), BTCUSD (Coin-M)."""
    raw = text.strip().upper()
    match = re.fullmatch(r"([A-Z0-9]+?)(USDT|USDC|PERP|USD)", raw)
    if match is None:
        raise RowError(f"“{text.strip()}” is not a Bitget perpetual we know.")
    base, suffix = match.groups()
    quote = "USDC" if suffix == "PERP" else suffix
    settle = base if quote == "USD" else quote
    return f"{base}/{quote}:{settle}", base, quote, settle


# -- futures position history ------------------------------------------------------------------

# Each file's column for each of our fields; the Chinese file is Bitget's own export in Chinese
# ("导出 U 本位合约历史仓位-*.csv"), the same columns in the same order.
ENGLISH = {
    "futures": "futures",
    "opened": "opening time",
    "entry": "average entry price",
    "exit": "average closing price",
    "amount": "closed amount",
    "pnl": "realized pnl",
    "funding": "fees",
    "opening fee": "opening fee",
    "closing fee": "closing fee",
    "closed": "closed time",
}
CHINESE = {
    "futures": "合约",
    "opened": "开仓时间",
    "entry": "开仓均价",
    "exit": "平仓均价",
    "amount": "平仓量",
    "pnl": "已实现盈亏",
    "funding": "资金费用",
    "opening fee": "开仓手续费",
    "closing fee": "平仓手续费",
    "closed": "全部平仓时间",
}
# "INJUSDT Short·Isolated": the contract, the direction and (after the dot) the margin mode.
POSITION = re.compile(r"(?P<contract>\S+)\s+(?P<direction>long|short)\W*(?P<mode>\w*)", re.I)


def _positions_parser(columns: dict[str, str]) -> Callable[[Mapping[str, str], ZoneInfo], Parsed]:
    def parse(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
        """A closed position as its opening fill (entry price, opening time, opening fee) and its
        closing fill (exit price, closing time, closing fee, realized PnL).

        Realized PnL is the price result alone; the fees and the funding ("Fees") are what set
        it apart from Position PnL. Funding is left to the transactions export, which has each
        payment, and named in the closing fill's note.
        """
        futures = first_cell(row, columns["futures"])
        position = POSITION.fullmatch(futures)
        if position is None:
            raise RowError(f"“{futures}” names no contract with Long or Short.")
        symbol, base, quote, settle = _contract(position["contract"])
        opened = _time(row, columns["opened"], zone)
        closed = _time(row, columns["closed"], zone)
        if closed < opened:
            raise RowError("The position closes before it opens.")
        amount = _coins(first_cell(row, columns["amount"]), base, what="The closed amount")
        if amount == 0:
            raise RowError("The closed amount is zero.")
        long = position["direction"].lower() == "long"
        mode = position["mode"].lower()
        what = f"Bitget {'long' if long else 'short'} position{f' ({mode})' if mode else ''}"
        funding = optional_decimal(
            first_cell(row, columns["funding"]), what="The funding", allow_negative=True
        )

        def fill(side: str, when: datetime, price_of: str, fee_of: str, **more: object):
            price = decimal_of(first_cell(row, columns[price_of]), what=f"The {price_of} price")
            # Bitget writes a fee charged as a negative number.
            fee = optional_decimal(
                first_cell(row, columns[fee_of]), what="The fee", allow_negative=True
            )
            return ParsedTrade(
                executed_at=when,
                symbol=symbol,
                market_type="swap",
                base=base,
                quote=quote,
                settle=settle,
                side=side,
                price=price,
                amount=amount,
                cost=price * amount,
                fee=-fee if fee is not None else None,
                fee_currency=settle if fee is not None else "",
                trade_id="",
                **more,
            )

        return (
            fill("buy" if long else "sell", opened, "entry", "opening fee", note=f"Opens {what}"),
            fill(
                "sell" if long else "buy",
                closed,
                "exit",
                "closing fee",
                realized_pnl=decimal_of(
                    first_cell(row, columns["pnl"]), what="The realized PnL", allow_negative=True
                ),
                note=f"Closes {what}" + (f"; funding {funding} {settle}" if funding else ""),
            ),
        )

    return parse


# -- futures order history ---------------------------------------------------------------------


def parse_futures_orders(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """One order: Direction "Open long" … "Close short", Executed in the base coin.

    The export has no fee column. The fee is taken as what separates Realized P/L from
    NetProfits (inferred: one importer in the code index reads it so, and Cryptax's samples,
    Realized P/L 12.5 beside NetProfits 12.0, agree).
    """
    executed_at = _time(row, "date", zone)
    symbol, base, quote, settle = _contract(first_cell(row, "futures"))
    direction = first_cell(row, "direction")
    side = side_of(direction)
    amount = _coins(first_cell(row, "executed"), base, what="The executed amount")
    if amount == 0:
        return None  # cancelled before anything filled
    volume = optional_decimal(first_cell(row, "trading volume"), what="The trading volume")
    price = optional_decimal(first_cell(row, "average price"), what="The average price")
    if not price:
        if not volume:
            raise RowError("The order has neither an average price nor a trading volume.")
        price = volume / amount
    realized = optional_decimal(
        first_cell(row, "realized p/l"), what="The realized P/L", allow_negative=True
    )
    net = optional_decimal(first_cell(row, "netprofits"), what="NetProfits", allow_negative=True)
    fee = (realized or Decimal(0)) - net if net is not None else None
    return ParsedTrade(
        executed_at=executed_at,
        symbol=symbol,
        market_type="swap",
        base=base,
        quote=quote,
        settle=settle,
        side=side,
        price=price,
        amount=amount,
        cost=volume or price * amount,
        fee=fee,
        fee_currency=settle if fee is not None else "",
        trade_id="",
        order_id=first_cell(row, "order id"),
        realized_pnl=realized if direction.lower().startswith("close") else None,
    )


# -- futures transactions ----------------------------------------------------------------------

# Types that are part of a fill (its realized PnL and fee): the order or position history has
# the fill whole, with its price.
FILL_PARTS = re.compile(
    r"(open|close|force_close|burst_close|offset_reduce_close|delivery)_(long|short)"
    r"|(force_|burst_)?(buy|sell)|burst_(long|short)_loss_query"
)
# Margin moved between the futures wallet and a position: nothing leaves the account.
MARGIN_MOVES = {
    "append_margin", "adjust_down_lever_append_margin", "reduce_margin", "auto_append_margin",
}  # fmt: skip
# Bitget's names in its account-bill documentation; cryptact counts an issued bonus as a bonus
# and a recycled or expired one as a loss.
KINDS = {
    "bonus_issue": ("reward", "Bitget bonus"),
    "cash_gift_issue": ("reward", "Bitget coupon"),
    "bonus_recycle": ("fee", "Bitget bonus recycled"),
    "bonus_expired": ("fee", "Bitget bonus expired"),
    "cash_gift_recycle": ("fee", "Bitget coupon recycled"),
    "tracking_trader_income": ("reward", "Copy trading income"),
    "tracking_follow_back": ("reward", "Copy trading refund"),
    "tracking_follow_pay": ("fee", "Copy trading profit share"),
    # Seen in real files (Cryptax's type map reads it as money coming in).
    "risk_captital_user_transfer": ("transfer", "Bitget risk capital transfer"),
}


def parse_futures_transactions(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """One change of the futures wallet: funding and transfers become ledger entries."""
    occurred_at = _time(row, "date", zone)
    kind_of = first_cell(row, "type").lower()
    if FILL_PARTS.fullmatch(kind_of) or kind_of in MARGIN_MOVES:
        return None
    if re.fullmatch(r"contract_\w*settle_fee", kind_of):
        kind, note = "funding", f"Funding {first_cell(row, 'futures')}".strip()
    elif re.fullmatch(r"trans(fer)?_(from|to)_\w+|transfer_(in|out)", kind_of):
        kind, note = "transfer", f"Bitget transfer ({kind_of})"
    elif kind_of in KINDS:
        kind, note = KINDS[kind_of]
    else:
        raise RowError(f"The type “{first_cell(row, 'type')}” is not one we know.")
    amount = decimal_of(first_cell(row, "amount"), what="The amount", allow_negative=True)
    fee = optional_decimal(first_cell(row, "fee"), what="The fee", allow_negative=True) or None
    if amount == 0 and fee is None:
        return None
    asset = first_cell(row, "coin").upper()
    if not asset:
        raise RowError("The coin is missing.")
    return ParsedEntry(
        kind=kind,
        asset=asset,
        amount=amount,
        occurred_at=occurred_at,
        external_id=first_cell(row, "order"),
        fee=-fee if fee is not None else None,
        fee_currency=asset if fee is not None else "",
        note=note,
    )


# -- spot --------------------------------------------------------------------------------------


def _pair(row: Mapping[str, str]) -> tuple[str, str]:
    base, quote = first_cell(row, "base asset").upper(), first_cell(row, "quote asset").upper()
    return (base, quote) if base and quote else split_pair(first_cell(row, "trading pair"))


def parse_spot_fills(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """One fill: Amount in the base coin, Total in the quote, the fee in the coin received (the
    file says which); Bitget has written it both signed and unsigned. Identical lines are
    separate fills."""
    executed_at = _time(row, "date", zone)
    base, quote = _pair(row)
    side = side_of(first_cell(row, "direction"))
    amount = decimal_of(first_cell(row, "amount"), what="The amount")
    if amount == 0:
        raise RowError("The amount is zero.")
    fee = optional_decimal(first_cell(row, "fee"), what="The fee", allow_negative=True)
    return ParsedTrade(
        executed_at=executed_at,
        symbol=f"{base}/{quote}",
        market_type="spot",
        base=base,
        quote=quote,
        settle="",
        side=side,
        price=decimal_of(first_cell(row, "price"), what="The price"),
        amount=amount,
        cost=decimal_of(first_cell(row, "total"), what="The total"),
        fee=abs(fee) if fee is not None else None,
        fee_currency=(
            (first_cell(row, "fee coin").upper() or (base if side == "buy" else quote))
            if fee is not None
            else ""
        ),
        trade_id="",
    )


def parse_spot_orders(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    """One order, without its fee: Executed in the base coin, Trading volume in the quote (a
    market buy's Order amount is in the quote, so it is not read).

    A "classic" variant puts each order's fills under it, after a line "Date,Trading Price,
    Executed,Trading volume,Fee" (seen only in one importer's tests in the code index, whose
    repository we could not name); those lines have no pair or direction and are skipped.
    """
    if first_cell(row, "date").lower() == "date" or not (
        first_cell(row, "direction") or first_cell(row, "quote asset") or first_cell(row, "status")
    ):
        return None
    executed_at = _time(row, "date", zone)
    base, quote = _pair(row)
    side = side_of(first_cell(row, "direction"))
    amount = decimal_of(first_cell(row, "executed"), what="The executed amount")
    if amount == 0:
        return None  # cancelled before anything filled
    volume = optional_decimal(first_cell(row, "trading volume"), what="The trading volume")
    price = optional_decimal(first_cell(row, "average price"), what="The average price")
    if not price:
        if not volume:
            raise RowError("The order has neither an average price nor a trading volume.")
        price = volume / amount
    return ParsedTrade(
        executed_at=executed_at,
        symbol=f"{base}/{quote}",
        market_type="spot",
        base=base,
        quote=quote,
        settle="",
        side=side,
        price=price,
        amount=amount,
        cost=volume or price * amount,
        fee=None,
        fee_currency="",
        trade_id="",
        order_id=first_cell(row, "order id"),
    )


POSITION_COLUMNS = (
    "Futures", "Opening time", "Average entry price", "Average closing price", "Closed amount",
    "Closed value", "Realized PnL", "Opening fee", "Closing fee", "Closed time",
)  # fmt: skip
FUTURES_ORDER_COLUMNS = (
    "Date", "Order ID", "Direction", "Coin", "Futures", "Average Price", "Executed",
    "Trading volume", "Realized P/L", "NetProfits", "Status",
)  # fmt: skip
FUTURES_TRANSACTION_COLUMNS = (
    "Order", "Date", "Coin", "Futures", "Type", "Amount", "Fee", "Wallet balance",
)  # fmt: skip
SPOT_FILL_COLUMNS = (
    "Date", "Trading pair", "Base Asset", "Quote Asset", "Direction", "Price", "Amount", "Total",
    "Fee", "Fee Coin",
)  # fmt: skip
SPOT_ORDER_COLUMNS = (
    "Date", "Order Id", "Trading pair", "Base Asset", "Quote Asset", "Direction", "Executed",
    "Average Price", "Trading volume", "Status",
)  # fmt: skip

FORMATS = (
    CsvFormat(
        key="bitget-futures-position-history",
        exchange="bitget",
        title="Bitget · Futures position history (each closed position as its two fills)",
        # The English header as written: a Python importer of "Exported USDT-M Futures position
        # history" files (May 2026) in the code index, whose repository we could not name.
        source=POSITIONS_SOURCE,
        columns=POSITION_COLUMNS,
        parse=_positions_parser(ENGLISH),
        local_times=True,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="bitget-futures-position-history-zh",
        exchange="bitget",
        title="Bitget · 合约历史仓位 (futures position history, Chinese)",
        # The Chinese header verbatim, with what each column means (已实现盈亏 is the price
        # result before fees, 资金费用 the funding): a field map written from a real export
        # (2026-06-08) in the code index, whose repository we could not name.
        source=POSITIONS_SOURCE,
        columns=tuple(CHINESE.values()),
        parse=_positions_parser(CHINESE),
        local_times=True,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="bitget-futures-order-history",
        exchange="bitget",
        title="Bitget · Futures order history (one row per order)",
        source=CRYPTAX_HEADERS,
        columns=FUTURES_ORDER_COLUMNS,
        parse=parse_futures_orders,
        local_times=True,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="bitget-futures-transactions",
        exchange="bitget",
        title="Bitget · Futures transactions: funding fees, transfers, bonuses",
        source=CRYPTAX_HEADERS,
        columns=FUTURES_TRANSACTION_COLUMNS,
        parse=parse_futures_transactions,
        local_times=True,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="bitget-spot-order-details",
        exchange="bitget",
        title="Bitget · Spot order details (one row per fill, with its fee)",
        source=FILLS_SOURCE,
        columns=SPOT_FILL_COLUMNS,
        parse=parse_spot_fills,
        local_times=True,
        has_trade_ids=False,
    ),
    CsvFormat(
        key="bitget-spot-order-history",
        exchange="bitget",
        title="Bitget · Spot order history (one row per order, without fees)",
        source=CRYPTAX_HEADERS,
        columns=SPOT_ORDER_COLUMNS,
        parse=parse_spot_orders,
        local_times=True,
        has_trade_ids=False,
    ),
)
