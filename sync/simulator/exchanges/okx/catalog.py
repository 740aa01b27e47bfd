"""OKX instruments as ``/api/v5/public/instruments`` describes them, and its currencies.

OKX counts derivatives in contracts: ``BTC-USDT-SWAP`` is 0.01 BTC a contract (``ctVal``), the
inverse ``BTC-USD-SWAP`` 100 USD, the option ``BTC-USD-250328-90000-C`` 0.01 BTC (``ctVal`` 1 x
``ctMult`` 0.01). The core keeps linear and option amounts in the base coin, so every contract
market here carries its contract value and the wire converts (``contracts()``). Amount steps
are the base-coin equivalent of ``lotSz`` x ``ctVal``. Spot lot sizes are coarser than OKX's
1e-8 where the core needs price x amount to stay exact at 8 decimals.

Options are coin-settled and priced in the coin per coin of underlying: a fill of 3 contracts
at 0.0125 costs 3 x 0.01 x 0.0125 = 0.000375 BTC.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sync.simulator.instruments import (
    Instrument,
    inverse_perpetual,
    linear_perpetual,
    option,
    spot,
)
from sync.simulator.prices import DAY_MS, PriceOracle

HOST = "www.okx.com"
LISTED_MS = 1_606_468_572_000
# OKX delivers futures and options at 08:00 UTC
DELIVERY_HOUR = 8


@dataclass(frozen=True)
class Contract:
    """What OKX adds to a core instrument: contract value, lot and minimum size, alias."""

    ct_val: Decimal
    ct_val_ccy: str
    lot_sz: str
    min_sz: str
    lever: str
    alias: str = ""
    expiry_ms: int | None = None


def _last_friday(year: int, month: int) -> datetime:
    last_day = calendar.monthrange(year, month)[1]
    day = datetime(year, month, last_day, DELIVERY_HOUR, tzinfo=UTC)
    return day - timedelta(days=(day.weekday() - calendar.FRIDAY) % 7)


def quarterly_expiries(now_ms: int) -> tuple[int, int]:
    """The "quarter" and "next_quarter" delivery times: last Fridays of Mar/Jun/Sep/Dec.

    OKX rolls "quarter" to the next contract two weeks before delivery.
    """
    now = datetime.fromtimestamp(now_ms / 1000, tz=UTC)
    found: list[int] = []
    year, month = now.year, now.month
    while len(found) < 2:
        if month % 3 == 0:
            delivery = _last_friday(year, month)
            if delivery - now > timedelta(days=14):
                found.append(int(delivery.timestamp() * 1000))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return found[0], found[1]


def yymmdd(timestamp_ms: int) -> str:
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC).strftime("%y%m%d")


def _future(
    base: str, quote: str, price_decimals: int, amount_decimals: int, expiry_ms: int
) -> Instrument:
    """A delivery future; inverse when quoted in USD (settled in the base coin)."""
    inverse = quote == "USD"
    settle = base if inverse else quote
    return Instrument(
        f"{base}/{quote}:{settle}-{yymmdd(expiry_ms)}",
        f"{base}-{quote}-{yymmdd(expiry_ms)}",
        "future",
        base,
        quote,
        price_decimals,
        0 if inverse else amount_decimals,
        settle=settle,
        contract_size=Decimal(100 if base == "BTC" else 10) if inverse else None,
    )


# Computed once, at import: the futures listed while this process runs.
QUARTER_MS, NEXT_QUARTER_MS = quarterly_expiries(int(time.time() * 1000))

_SPOT = (
    spot("BTC", "USDT", "BTC-USDT", 1, 7),
    spot("ETH", "USDT", "ETH-USDT", 2, 6),
    spot("SOL", "USDT", "SOL-USDT", 2, 6),
    spot("XRP", "USDT", "XRP-USDT", 4, 4),
    spot("DOGE", "USDT", "DOGE-USDT", 5, 3),
)
_SWAPS = (
    (
        linear_perpetual("BTC", "USDT", "BTC-USDT-SWAP", 1, 4),
        Contract(Decimal("0.01"), "BTC", "0.01", "0.01", "100"),
    ),
    (
        linear_perpetual("ETH", "USDT", "ETH-USDT-SWAP", 2, 3),
        Contract(Decimal("0.1"), "ETH", "0.01", "0.01", "100"),
    ),
    (
        linear_perpetual("SOL", "USDT", "SOL-USDT-SWAP", 2, 2),
        Contract(Decimal("1"), "SOL", "0.01", "0.01", "50"),
    ),
    (
        linear_perpetual("XRP", "USDT", "XRP-USDT-SWAP", 4, 0),
        Contract(Decimal("100"), "XRP", "0.01", "0.01", "75"),
    ),
    # 1000 DOGE a contract and lots of 0.01: the base-coin step is 10 DOGE
    (
        linear_perpetual("DOGE", "USDT", "DOGE-USDT-SWAP", 5, -1),
        Contract(Decimal("1000"), "DOGE", "0.01", "0.01", "75"),
    ),
    (
        inverse_perpetual("BTC", "USD", "BTC-USD-SWAP", 1, "100"),
        Contract(Decimal("100"), "USD", "1", "1", "100"),
    ),
    (
        inverse_perpetual("ETH", "USD", "ETH-USD-SWAP", 2, "10"),
        Contract(Decimal("10"), "USD", "1", "1", "100"),
    ),
)


def _futures() -> tuple[tuple[Instrument, Contract], ...]:
    rows = []
    for alias, expiry in (("quarter", QUARTER_MS), ("next_quarter", NEXT_QUARTER_MS)):
        for base, price_decimals, linear_decimals, ct_val in (
            ("BTC", 1, 3, "0.01"),
            ("ETH", 2, 2, "0.1"),
        ):
            linear = _future(base, "USDT", price_decimals, linear_decimals, expiry)
            rows.append(
                (linear, Contract(Decimal(ct_val), base, "0.1", "0.1", "100", alias, expiry))
            )
            inverse = _future(base, "USD", price_decimals, 0, expiry)
            assert inverse.contract_size is not None
            rows.append(
                (inverse, Contract(inverse.contract_size, "USD", "1", "1", "100", alias, expiry))
            )
    return tuple(rows)


_FUTURES = _futures()
CONTRACTS: dict[str, Contract] = {item.id: spec for item, spec in (*_SWAPS, *_FUTURES)}
INSTRUMENTS: tuple[Instrument, ...] = (
    *_SPOT,
    *(item for item, _ in _SWAPS),
    *(item for item, _ in _FUTURES),
)
BY_ID: dict[str, Instrument] = {item.id: item for item in INSTRUMENTS}
# the instrument's place in INSTRUMENTS: its instIdCode, and its place in bill ids, where the
# simulator's options follow them (see trades.bill_id)
INDEX: dict[str, int] = {item.id: index for index, item in enumerate(INSTRUMENTS)}

INST_TYPES = ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION")
OPTION_FAMILIES = ("BTC-USD", "ETH-USD")
# per underlying: contracts' ctMult (ctVal is 1 coin) and the strike grid
OPTION_MULTIPLIERS = {"BTC": "0.01", "ETH": "0.1"}
OPTION_STRIKE_STEPS = {"BTC": 1000, "ETH": 100}
OPTION_PRICE_DECIMALS = 4
# quarterly options are listed half a year ahead, weekly ones two weeks
QUARTERLY_LISTING_MS = 180 * DAY_MS
WEEKLY_LISTING_MS = 14 * DAY_MS
# bill ids keep five bits for the instrument's place (see trades.bill_id)
MAX_INSTRUMENTS = 32


def inst_type(instrument: Instrument) -> str:
    return {"spot": "SPOT", "swap": "SWAP", "future": "FUTURES", "option": "OPTION"}[
        instrument.market_type
    ]


def contracts(instrument: Instrument, amount: Decimal) -> Decimal:
    """An amount in the core's units as OKX prints it: contracts for derivatives."""
    if instrument.option:
        assert instrument.multiplier is not None
        return amount / instrument.multiplier
    if not instrument.contract or instrument.inverse:
        return amount
    return amount / CONTRACTS[instrument.id].ct_val


def option_instrument(family: str, expiry_ms: int, strike: int, kind: str) -> Instrument:
    """A coin-settled OKX option, e.g. BTC-USD-250328-90000-C."""
    base, quote = family.split("-")
    return option(
        base,
        quote,
        f"{family}-{yymmdd(expiry_ms)}-{strike}-{kind}",
        settle=base,
        expiry_ms=expiry_ms,
        strike=Decimal(strike),
        option_type="call" if kind == "C" else "put",
        multiplier=OPTION_MULTIPLIERS[base],
        price_decimals=OPTION_PRICE_DECIMALS,
    )


def _at_the_money(base: str, price: float) -> int:
    step = OPTION_STRIKE_STEPS[base]
    return round(price / step) * step


def traded_options(oracle: PriceOracle, anchor_ms: int) -> tuple[Instrument, ...]:
    """The options accounts trade: the quarter's, listed before any history begins, struck
    at the money as the history ends (and, on BTC, two steps out of it either way). They
    depend on the seed's prices, so they belong to one simulator, not to the module."""
    expiry_ms = quarterly_expiries(anchor_ms)[0]
    chosen = []
    for family in OPTION_FAMILIES:
        base = family.split("-")[0]
        middle = _at_the_money(base, oracle.price(base, "USD", anchor_ms))
        strikes = [(middle, "C"), (middle, "P")]
        if base == "BTC":
            step = OPTION_STRIKE_STEPS[base]
            strikes += [(middle + 2 * step, "C"), (middle - 2 * step, "P")]
        chosen += [option_instrument(family, expiry_ms, strike, kind) for strike, kind in strikes]
    return tuple(chosen)


def step(decimals: int) -> str:
    """``10**-decimals`` as OKX prints tick and lot sizes."""
    return format(Decimal(1).scaleb(-decimals), "f")


def _row(**fields: Any) -> dict[str, Any]:
    """An instrument row with every field OKX sends, blank unless given."""
    row: dict[str, Any] = dict.fromkeys(
        (
            "alias",
            "auctionEndTime",
            "baseCcy",
            "ctMult",
            "ctType",
            "ctVal",
            "ctValCcy",
            "contTdSwTime",
            "expTime",
            "instFamily",
            "lever",
            "maxStopSz",
            "maxTriggerSz",
            "maxTwapSz",
            "openType",
            "optType",
            "quoteCcy",
            "settleCcy",
            "stk",
            "uly",
        ),
        "",
    )
    row.update(
        {
            "category": "1",
            "futureSettlement": False,
            "listTime": str(LISTED_MS),
            "maxIcebergSz": "9999999999.0000000000000000",
            "maxLmtAmt": "20000000",
            "maxLmtSz": "9999999999",
            "maxMktAmt": "1000000",
            "maxMktSz": "1000000",
            "ruleType": "normal",
            "state": "live",
            "tradeQuoteCcyList": [],
        }
    )
    row.update(fields)
    return row


def spot_row(instrument: Instrument) -> dict[str, Any]:
    return _row(
        instType="SPOT",
        instId=instrument.id,
        instIdCode=1000 + INDEX[instrument.id],
        baseCcy=instrument.base,
        quoteCcy=instrument.quote,
        lever="10",
        tickSz=step(instrument.price_decimals),
        lotSz=step(instrument.amount_decimals),
        minSz=step(max(instrument.amount_decimals - 2, 0)),
        tradeQuoteCcyList=[instrument.quote],
    )


def contract_row(instrument: Instrument) -> dict[str, Any]:
    spec = CONTRACTS[instrument.id]
    family = f"{instrument.base}-{instrument.quote}"
    return _row(
        instType=inst_type(instrument),
        instId=instrument.id,
        instIdCode=1000 + INDEX[instrument.id],
        alias=spec.alias,
        ctMult="1",
        ctType="inverse" if instrument.inverse else "linear",
        ctVal=format(spec.ct_val, "f"),
        ctValCcy=spec.ct_val_ccy,
        expTime="" if spec.expiry_ms is None else str(spec.expiry_ms),
        instFamily=family,
        uly=family,
        lever=spec.lever,
        settleCcy=instrument.settle,
        tickSz=step(instrument.price_decimals),
        lotSz=spec.lot_sz,
        minSz=spec.min_sz,
        maxMktSz="5000",
        listTime=str(LISTED_MS if spec.expiry_ms is None else spec.expiry_ms - 180 * DAY_MS),
    )


def option_row(instrument: Instrument, listed_ms: int) -> dict[str, Any]:
    assert instrument.expiry_ms is not None and instrument.strike is not None
    assert instrument.multiplier is not None
    family = f"{instrument.base}-{instrument.quote}"
    return _row(
        instType="OPTION",
        instId=instrument.id,
        ctMult=format(instrument.multiplier, "f"),
        ctVal="1",
        ctValCcy=instrument.base,
        expTime=str(instrument.expiry_ms),
        instFamily=family,
        uly=family,
        optType="C" if instrument.option_type == "call" else "P",
        settleCcy=instrument.settle,
        stk=format(instrument.strike.normalize(), "f"),
        tickSz=step(instrument.price_decimals),
        lotSz="1",
        minSz="1",
        maxMktSz="5000",
        listTime=str(listed_ms),
    )


def option_rows(
    family: str, underlying_price: float, now_ms: int, traded: tuple[Instrument, ...]
) -> list[dict[str, Any]]:
    """Calls and puts on the two next weekly expiries, strikes around the current price, and
    the ``traded`` options of the family not expired yet."""
    base = family.split("-")[0]
    strike_step = OPTION_STRIKE_STEPS[base]
    middle = _at_the_money(base, underlying_price)
    today = datetime.fromtimestamp(now_ms / 1000, tz=UTC).replace(
        hour=DELIVERY_HOUR, minute=0, second=0, microsecond=0
    )
    friday = today + timedelta(days=(calendar.FRIDAY - today.weekday()) % 7 or 7)
    rows = {}
    for week in (0, 1):
        expiry_ms = int((friday + timedelta(weeks=week)).timestamp() * 1000)
        for offset in (-2, -1, 0, 1, 2):
            for kind in ("C", "P"):
                item = option_instrument(family, expiry_ms, middle + offset * strike_step, kind)
                rows[item.id] = option_row(item, expiry_ms - WEEKLY_LISTING_MS)
    for item in traded:
        assert item.expiry_ms is not None
        if f"{item.base}-{item.quote}" == family and item.expiry_ms > now_ms:
            rows[item.id] = option_row(item, item.expiry_ms - QUARTERLY_LISTING_MS)
    return list(rows.values())


# currency -> (name, [(chain, min withdrawal, fee, withdrawal decimals)])
CURRENCIES: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {
    "BTC": ("Bitcoin", [("BTC-Bitcoin", "0.0005", "0.0002", "8")]),
    "ETH": (
        "Ethereum",
        [("ETH-ERC20", "0.001", "0.00035", "8"), ("ETH-Arbitrum One", "0.0001", "0.0001", "8")],
    ),
    "SOL": ("Solana", [("SOL-Solana", "0.01", "0.008", "8")]),
    "XRP": ("Ripple", [("XRP-Ripple", "1", "0.2", "6")]),
    "DOGE": ("Dogecoin", [("DOGE-Dogecoin", "20", "4", "8")]),
    "USDT": (
        "Tether",
        [
            ("USDT-TRC20", "0.1", "1.5", "6"),
            ("USDT-ERC20", "2", "3.2", "6"),
            ("USDT-Solana", "1", "1", "6"),
        ],
    ),
    "USDC": ("USD Coin", [("USDC-ERC20", "2", "3", "6")]),
}


def currency_rows() -> list[dict[str, Any]]:
    """``/api/v5/asset/currencies``: one row per currency and chain."""
    rows = []
    for ccy, (name, chains) in CURRENCIES.items():
        for index, (chain, min_wd, fee, decimals) in enumerate(chains):
            rows.append(
                {
                    "ccy": ccy,
                    "chain": chain,
                    "name": name,
                    "logoLink": "",
                    "canDep": True,
                    "canWd": True,
                    "canInternal": True,
                    "depEstOpenTime": "",
                    "wdEstOpenTime": "",
                    "minDep": "0.00000001",
                    "minDepArrivalConfirm": "2",
                    "minWdUnlockConfirm": "6",
                    "minWd": min_wd,
                    "maxWd": "9999999999",
                    "minFee": fee,
                    "maxFee": fee,
                    "fee": fee,
                    "minInternal": "0.0001",
                    "maxInternal": "9999999999",
                    "mainNet": index == 0,
                    "needTag": ccy == "XRP",
                    "wdTickSz": decimals,
                    "wdQuota": "10000000",
                    "usedWdQuota": "0",
                    "usedDepQuotaFixed": "",
                    "depQuotaFixed": "",
                    "depQuoteDailyLayer2": "",
                    "burningFeeRate": "",
                    "ctAddr": "",
                }
            )
    return rows
