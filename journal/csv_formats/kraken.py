"""Kraken's account history exports (History → Export): trades.csv and ledgers.csv.

Kraken documents both files field by field:
https://support.kraken.com/hc/en-us/articles/360001184886-How-to-interpret-Trades-history-fields
https://support.kraken.com/hc/en-us/articles/360001169383-How-to-interpret-Ledger-history-fields

- trades.csv, one row per fill: `txid` is the fill's id (the same id the API gives, so a synced
  fill and its CSV row are one trade), `ordertxid` its order's. `pair` is written the way Kraken
  names it (`XXBTZUSD`, `XETHZEUR`, `ADAUSD`, lately `BTC/USD`), `vol` in the base asset,
  `cost` = price times vol in the quote asset, and `fee` always in the quote asset, even when the
  account pays fees in the base asset (Kraken says so; the ledger has what was really taken).
  A row with a `margin` above zero is a spot-margin fill. Newer exports add position columns
  (`postxid`, `posstatus`, `cprice`… `net`); `net` is the closed position's profit or loss.
- ledgers.csv, one row per balance change. Its `trade` rows (and `margin`, `settled`) are the
  legs and fees of fills that trades.csv already carries, so they are skipped: import
  trades.csv for trades. (A `margin` row's amount is a closed position's profit or loss; only
  newer trades.csv exports carry it, as `net`.) Deposits, withdrawals, staking and earn
  rewards, transfers and rollover (margin borrowing) fees become ledger entries. `spend` and
  `receive` (Buy Crypto and app purchases) and `adjustment` (a conversion outside trading) are
  two-legged trades that trades.csv does not have and one row cannot describe: they are refused
  with a sentence pointing to the Thrive template. Newer exports add `wallet` and `subclass`.

Times are UTC (both pages say so), whatever zone is chosen on the import page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

from .base import (
    CsvFormat,
    Parsed,
    ParsedEntry,
    ParsedTrade,
    RowError,
    decimal_of,
    optional_decimal,
    side_of,
    time_of,
)

TRADES_SOURCE = "https://support.kraken.com/hc/en-us/articles/360001184886-How-to-interpret-Trades-history-fields"
LEDGERS_SOURCE = "https://support.kraken.com/hc/en-us/articles/360001169383-How-to-interpret-Ledger-history-fields"
UTC = ZoneInfo("UTC")

# Kraken's older asset codes: X-prefixed cryptocurrencies, Z-prefixed fiat ("XXBTZUSD").
LEGACY_ASSETS = {
    "XXBT": "BTC", "XETH": "ETH", "XXDG": "DOGE", "XLTC": "LTC", "XXRP": "XRP", "XXLM": "XLM",
    "XXMR": "XMR", "XETC": "ETC", "XZEC": "ZEC", "XMLN": "MLN", "XREP": "REP",
    "ZUSD": "USD", "ZEUR": "EUR", "ZGBP": "GBP", "ZCAD": "CAD", "ZJPY": "JPY", "ZAUD": "AUD",
}  # fmt: skip
# Kraken's own short names that differ from everyone else's.
RENAMED = {"XBT": "BTC", "XDG": "DOGE"}
# Quotes of Kraken's newer pair names ("ADAUSD", "DOTXBT"); the first that ends the pair wins,
# so longer ones come first (ETHPYUSD is ETH/PYUSD, not ETHPY/USD).
QUOTES = (
    "PYUSD", "RLUSD", "USDT", "USDC", "USD", "EUR", "GBP", "CAD", "JPY", "AUD", "CHF", "AED",
    "XBT", "ETH", "DOT", "DAI",
)  # fmt: skip
# Staked and earn balances ("DOT.S", "ETH2.S", "USDC.M", "KSM07.S", "USD.HOLD") are the asset
# itself held elsewhere on Kraken; the two digits are a lock-up period in days.
STAKED = re.compile(r"(?P<asset>[A-Z0-9]+?)(?:0[347]|14|21|28)?\.(?:S|M|P|F|B|HOLD)")


def kraken_asset(code: str) -> str:
    """The usual name of one of Kraken's asset codes: XXBT/XBT → BTC, ZEUR → EUR, DOT.S → DOT."""
    asset = code.strip().upper()
    staked = STAKED.fullmatch(asset)
    if staked:
        asset = staked.group("asset")
    asset = LEGACY_ASSETS.get(asset, asset)
    return RENAMED.get(asset, asset)


def kraken_pair(text: str | None) -> tuple[str, str]:
    """(base, quote) of a Kraken pair: XXBTZUSD → (BTC, USD), ADAUSD → (ADA, USD)."""
    raw = (text or "").strip().upper()
    if "/" in raw:
        base, _, quote = raw.partition("/")
    elif (
        len(raw) == 8
        and raw[4:] in LEGACY_ASSETS
        and (raw[:4] in LEGACY_ASSETS or raw[:4] == "USDT")
    ):
        base, quote = raw[:4], raw[4:]
    else:
        quote = next((q for q in QUOTES if raw.endswith(q) and len(raw) > len(q)), "")
        base = raw[: -len(quote)] if quote else ""
    if not (re.fullmatch(r"[A-Z0-9.]+", base) and re.fullmatch(r"[A-Z0-9.]+", quote)):
        raise RowError(f"The pair “{(text or '').strip()}” is not a Kraken pair we can read.")
    return kraken_asset(base), kraken_asset(quote)


def parse_trade(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    trade_id = row.get("txid", "").strip()
    if not trade_id:
        raise RowError("The txid (Kraken's id of the fill) is missing.")
    base, quote = kraken_pair(row.get("pair"))
    amount = decimal_of(row.get("vol"), what="The volume (vol)")
    if amount == 0:
        raise RowError("The volume (vol) is zero.")
    margin = optional_decimal(row.get("margin"), what="The margin") or Decimal(0)
    fee = optional_decimal(row.get("fee"), what="The fee")
    return ParsedTrade(
        executed_at=time_of(row.get("time"), UTC),
        symbol=f"{base}/{quote}",
        market_type="margin" if margin > 0 else "spot",
        base=base,
        quote=quote,
        settle="",
        side=side_of(row.get("type")),
        price=decimal_of(row.get("price"), what="The price"),
        amount=amount,
        cost=decimal_of(row.get("cost"), what="The cost"),
        fee=fee,
        # Kraken writes the fee in the quote asset even when it took it in the base asset.
        fee_currency=quote if fee is not None else "",
        trade_id=trade_id,
        order_id=row.get("ordertxid", "").strip(),
        realized_pnl=(
            optional_decimal(row.get("net"), what="The net result", allow_negative=True)
            if margin > 0
            else None
        ),
    )


# Ledger rows that are parts of fills trades.csv already has.
PARTS_OF_FILLS = {"trade", "margin", "margin trade", "settled"}
# Moves between Kraken's own wallets (spot, futures, staking).
OWN_WALLETS = {
    "spottofutures", "spotfromfutures", "spottostaking", "spotfromstaking", "stakingtospot",
    "stakingfromspot",
}  # fmt: skip
EARN_MOVES = {"allocation", "deallocation", "autoallocation", "autoallocate", "migration"}


def _ledger_kind(kind: str, subtype: str, amount: Decimal) -> tuple[str, str] | None:
    """(our kind, note) of a ledger row, or None for a part of a fill. Raises RowError."""
    if kind in PARTS_OF_FILLS:
        return None
    if kind in {"deposit", "withdrawal"}:
        return kind, ""
    if kind == "rollover":
        return "fee", "Margin rollover fee"
    if kind == "staking":
        return ("reward", "Staking reward") if amount > 0 else ("transfer", "Staking")
    if kind == "invite bonus":
        return "reward", "Invite bonus"
    if kind == "earn":
        if subtype == "reward":
            return "reward", "Earn reward"
        if subtype == "airdrop":
            return "airdrop", ""
        if subtype in EARN_MOVES:
            return "transfer", f"Earn {subtype}"
        raise RowError(f"The earn subtype “{subtype}” is not one we know.")
    if kind == "transfer":
        if subtype in OWN_WALLETS:
            return "transfer", f"Kraken {subtype}"
        if subtype == "airdrop" or (not subtype and amount > 0):
            # Kraken: a transfer without subtype credits an airdrop or fork (or OTC desk funds).
            return "airdrop", "Kraken transfer (airdrop, fork or OTC desk)"
        return "transfer", f"Kraken transfer {subtype}".strip()
    if kind in {"spend", "receive"}:
        raise RowError(
            f"This is one half ({kind}) of a Buy Crypto or Kraken app purchase, which Kraken "
            "leaves out of trades.csv; add that purchase with the Thrive template."
        )
    if kind == "adjustment":
        raise RowError(
            "Kraken converted one asset into another outside trading (an adjustment); add the "
            "conversion with the Thrive template."
        )
    raise RowError(f"The ledger type “{kind}” is not one we know.")


def parse_ledger(row: Mapping[str, str], zone: ZoneInfo) -> Parsed:
    occurred_at = time_of(row.get("time"), UTC)
    ledger_id = row.get("txid", "").strip()
    if not ledger_id:
        # Rows without a ledger id are ones Kraken did not carry out (BittyTax's Kraken
        # importer skips them the same way).
        return None
    amount = decimal_of(row.get("amount"), what="The amount", allow_negative=True)
    fee = optional_decimal(row.get("fee"), what="The fee") or None
    kind = row.get("type", "").strip().lower()
    known = _ledger_kind(kind, row.get("subtype", "").strip().lower(), amount)
    if known is None:
        return None
    entry_kind, note = known
    raw_asset = row.get("asset", "").strip()
    if not raw_asset:
        raise RowError("The asset is missing.")
    asset = kraken_asset(raw_asset)
    if entry_kind == "fee":
        # A rollover charges its fee column; the fee is the entry.
        amount, fee = amount - (fee or 0), None
    if amount == 0:
        raise RowError("The amount is zero.")
    return ParsedEntry(
        kind=entry_kind,
        asset=asset,
        amount=amount,
        occurred_at=occurred_at,
        external_id=ledger_id,
        fee=fee,
        fee_currency=asset if fee is not None else "",
        # A staked or earn balance ("DOT.S") is kept as its asset; the note says which.
        note=f"{note} ({raw_asset})".strip() if "." in raw_asset else note,
    )


TRADES_COLUMNS = (
    "txid", "ordertxid", "pair", "time", "type", "ordertype", "price", "cost", "fee", "vol",
    "margin", "misc", "ledgers",
)  # fmt: skip
# Newer exports add `wallet` (and `subclass`) after `asset`; neither is needed to tell the file.
LEDGERS_COLUMNS = (
    "txid", "refid", "time", "type", "subtype", "aclass", "asset", "amount", "fee", "balance",
)  # fmt: skip

FORMATS = (
    CsvFormat(
        key="kraken-trades",
        exchange="kraken",
        title="Kraken · trades.csv (History → Export → Trades)",
        source=TRADES_SOURCE,
        columns=TRADES_COLUMNS,
        parse=parse_trade,
    ),
    CsvFormat(
        key="kraken-ledgers",
        exchange="kraken",
        title="Kraken · ledgers.csv (History → Export → Ledgers): deposits, rewards, transfers",
        source=LEDGERS_SOURCE,
        columns=LEDGERS_COLUMNS,
        parse=parse_ledger,
        has_trade_ids=False,
    ),
)
