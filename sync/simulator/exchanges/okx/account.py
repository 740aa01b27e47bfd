"""The trading account (balance, positions, configuration), the funding account, savings and
currencies.

Most seeded accounts are unified trading accounts in "Spot and futures mode" (``acctLv`` 2):
spot and every derivative share one balance per currency, so a currency's ``cashBal`` is the
sum of the core's spot, linear, inverse and option wallets (option premiums are paid from
it), and ``eq`` adds the unrealized PnL of the positions settled in it. The label picks the
other modes (``common.account_level``): Spot mode (1) has no positions to ask for, and
Multi-currency margin mode (3) shows its (zero) borrowing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.okx import catalog
from sync.simulator.exchanges.okx.catalog import HOST
from sync.simulator.exchanges.okx.common import (
    MULTI_CURRENCY_MODE,
    account_level,
    ok,
    plain,
    require_derivatives,
    rounded,
    usd,
)
from sync.simulator.exchanges.okx.errors import invalid
from sync.simulator.holdings import INVERSE, LINEAR, OPTION, SPOT, OpenPosition
from sync.simulator.trades import decimal_units

if TYPE_CHECKING:
    from sync.simulator.exchanges.okx import OkxSimulator

router = Router()

MAINTENANCE_RATE = Decimal("0.005")
_ZERO = Decimal(0)
_WALLETS = (SPOT, LINEAR, INVERSE, OPTION)


def _wanted(call: Call) -> set[str] | None:
    """The ``ccy`` filter: comma-separated currencies, or everything."""
    raw = call.params.get("ccy")
    return set(raw.split(",")) if raw else None


def cash_balances(account: Account) -> dict[str, Decimal]:
    """Cash per currency in the trading account: every core wallet but funding, summed."""
    holdings = account.holdings()
    cash: dict[str, Decimal] = {}
    for wallet in _WALLETS:
        for ccy, units in holdings.wallet(wallet).items():
            cash[ccy] = cash.get(ccy, _ZERO) + decimal_units(units, 8)
    return cash


def settle_of(position: OpenPosition) -> str:
    instrument = position.instrument
    return instrument.settle or instrument.quote


def _eight(value: Decimal) -> Decimal:
    return Decimal(rounded(value))


def _detail(
    account: Account, ccy: str, cash: Decimal, positions: list[OpenPosition], now_ms: int
) -> dict[str, Any]:
    cross = [item for item in positions if not item.isolated]
    isolated = [item for item in positions if item.isolated]
    # The account's PnL is the sum of the positions' as each prints it (8 decimals), so the
    # two always agree to the last digit.
    upl = sum((_eight(item.unrealized_pnl) for item in positions), _ZERO)
    iso_upl = sum((_eight(item.unrealized_pnl) for item in isolated), _ZERO)
    imr = sum((item.initial_margin for item in cross), _ZERO)
    iso_margin = sum((item.initial_margin for item in isolated), _ZERO)
    mmr = sum((abs(item.notional) * MAINTENANCE_RATE for item in positions), _ZERO)
    equity = cash + upl
    frozen = imr + iso_margin
    equity_usd = equity * usd(account.oracle.usd(ccy, now_ms))
    holdings = account.holdings()
    # only Multi-currency margin borrows across currencies, so only it prints a liability
    liability = "0" if account_level(account) == MULTI_CURRENCY_MODE else ""
    updated = max(holdings.last_update_ms.get(wallet, account.anchor_ms) for wallet in _WALLETS)
    return {
        "accAvgPx": "",
        "autoLendStatus": "off",
        "availBal": rounded(max(cash - frozen, _ZERO)),
        "availEq": rounded(max(equity - frozen, _ZERO)),
        "borrowFroz": "",
        "cashBal": plain(cash),
        "ccy": ccy,
        "clSpotInUseAmt": "",
        "crossLiab": liability,
        "disEq": rounded(equity_usd),
        "eq": rounded(equity),
        "eqUsd": rounded(equity_usd),
        "fixedBal": "0",
        "frozenBal": rounded(frozen),
        "imr": rounded(imr) if positions else "",
        "interest": liability,
        "isoEq": rounded(iso_margin + iso_upl),
        "isoLiab": "",
        "isoUpl": rounded(iso_upl),
        "liab": liability,
        "maxLoan": "",
        "maxSpotInUse": "",
        "mgnRatio": "",
        "mmr": rounded(mmr) if positions else "",
        "notionalLever": "",
        "ordFrozen": "0",
        "rewardBal": "0",
        "smtSyncEq": "0",
        "spotBal": "",
        "spotInUseAmt": "",
        "spotIsoBal": "0",
        "spotUpl": "",
        "spotUplRatio": "",
        "stgyEq": "0",
        "totalPnl": "",
        "totalPnlRatio": "",
        "twap": "0",
        "uTime": str(updated),
        "upl": rounded(upl),
        "uplLiab": "",
    }


@router.get(HOST, "/api/v5/account/balance", pool="balance", signed=True)
def trading_balance(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    wanted = _wanted(call)
    positions = account.holdings().positions
    details = [
        _detail(
            account,
            ccy,
            cash,
            [item for item in positions if settle_of(item) == ccy],
            call.now_ms,
        )
        for ccy, cash in sorted(cash_balances(account).items())
        if wanted is None or ccy in wanted
    ]
    total_usd = sum((Decimal(row["eqUsd"]) for row in details), _ZERO)
    return ok(
        [
            {
                "adjEq": "",
                "availEq": "",
                "borrowFroz": "",
                "details": details,
                "imr": "",
                "isoEq": rounded(sum((Decimal(row["isoEq"]) for row in details), _ZERO)),
                "mgnRatio": "",
                "mmr": "",
                "notionalUsd": "",
                "notionalUsdForBorrow": "",
                "notionalUsdForFutures": "",
                "notionalUsdForOption": "",
                "notionalUsdForSwap": "",
                "ordFroz": "",
                "totalEq": rounded(total_usd),
                "uTime": str(call.now_ms),
                "upl": "",
            }
        ]
    )


@router.get(HOST, "/api/v5/asset/balances", pool="asset-balances", signed=True)
def funding_balances(call: Call) -> dict[str, Any]:
    wanted = _wanted(call)
    funding = call.signed_account().holdings().funding
    return ok(
        [
            {
                "availBal": plain(decimal_units(units, 8)),
                "bal": plain(decimal_units(units, 8)),
                "ccy": ccy,
                "frozenBal": "0",
            }
            for ccy, units in sorted(funding.items())
            if wanted is None or ccy in wanted
        ]
    )


@router.get(HOST, "/api/v5/finance/savings/balance", pool="savings", signed=True)
def savings_balance(call: Call) -> dict[str, Any]:
    """Simple Earn flexible: the core's flexible earn wallet, lent at a fixed 1% a year."""
    wanted = _wanted(call)
    flexible = call.signed_account().holdings().earn_flexible
    return ok(
        [
            {
                "amt": plain(decimal_units(units, 8)),
                "ccy": ccy,
                "earnings": rounded(decimal_units(units, 8) * Decimal("0.0025")),
                "loanAmt": plain(decimal_units(units, 8)),
                "pendingAmt": "0",
                "rate": "0.01",
                "redemptAmt": "",
            }
            for ccy, units in sorted(flexible.items())
            if wanted is None or ccy in wanted
        ]
    )


@router.get(HOST, "/api/v5/asset/currencies", pool="currencies", signed=True)
def currencies(call: Call) -> dict[str, Any]:
    wanted = _wanted(call)
    return ok([row for row in catalog.currency_rows() if wanted is None or row["ccy"] in wanted])


def position_id(account: Account, position: OpenPosition) -> str:
    place = cast("OkxSimulator", account.exchange).indexes[position.instrument.id]
    return str(600_000_000_000_000_000 + account.uid * 100 + place)


def position_row(account: Account, position: OpenPosition, now_ms: int) -> dict[str, Any]:
    """A one-way ("net") position as ``/api/v5/account/positions`` prints it."""
    instrument = position.instrument
    settle = settle_of(position)
    notional = abs(position.notional)
    margin = position.initial_margin
    upl = position.unrealized_pnl
    maintenance = notional * MAINTENANCE_RATE
    series = account.series()[instrument.symbol]
    notional_usd = notional * usd(account.oracle.usd(settle, now_ms))
    # an option's mark is its premium; its index is the underlying's, and it has a value
    # (optVal) rather than a liquidation price
    option = instrument.option
    index = usd(account.oracle.price(instrument.base, "USD", now_ms)) if option else None
    return {
        "adl": "2",
        "availPos": "",
        "avgPx": plain(position.entry_price),
        "baseBal": "",
        "baseBorrowed": "",
        "baseInterest": "",
        "bePx": plain(position.entry_price),
        "bizRefId": "",
        "bizRefType": "",
        "cTime": str(position.updated_ms),
        "ccy": settle,
        "clSpotInUseAmt": "",
        "closeOrderAlgo": [],
        "deltaBS": "",
        "deltaPA": "",
        "fee": "",
        "fundingFee": "",
        "gammaBS": "",
        "gammaPA": "",
        "idxPx": rounded(index) if index is not None else plain(position.mark_price),
        "imr": "" if position.isolated else rounded(margin),
        "instId": instrument.id,
        "instType": catalog.inst_type(instrument),
        "interest": "",
        "last": plain(position.mark_price),
        "lever": str(position.leverage),
        "liab": "",
        "liabCcy": "",
        "liqPenalty": "0",
        "liqPx": "" if option else rounded(position.liquidation_price),
        "margin": rounded(margin) if position.isolated else "",
        "markPx": plain(position.mark_price),
        "maxSpotInUseAmt": "",
        "mgnMode": "isolated" if position.isolated else "cross",
        "mgnRatio": rounded((margin + upl) / maintenance),
        "mmr": rounded(maintenance),
        "notionalUsd": rounded(notional_usd),
        "optVal": rounded(position.notional) if option else "",
        "pendingCloseOrdLiabVal": "",
        "pnl": "",
        "pos": plain(catalog.contracts(instrument, position.amount)),
        "posCcy": "",
        "posId": position_id(account, position),
        "posSide": "net",
        "quoteBal": "",
        "quoteBorrowed": "",
        "quoteInterest": "",
        "realizedPnl": "",
        "spotInUseAmt": "",
        "spotInUseCcy": "",
        "thetaBS": "",
        "thetaPA": "",
        "tradeId": str(series.ids[-1]),
        "uTime": str(position.updated_ms),
        "upl": rounded(upl),
        "uplLastPx": rounded(upl),
        "uplRatio": rounded(upl / margin),
        "uplRatioLastPx": rounded(upl / margin),
        "usdPx": "",
        "vegaBS": "",
        "vegaPA": "",
    }


@router.get(HOST, "/api/v5/account/positions", pool="positions", signed=True)
def positions(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    require_derivatives(account)
    kind = call.params.get("instType")
    if kind and kind not in ("MARGIN", "SWAP", "FUTURES", "OPTION"):
        raise invalid("instType")
    ids = set(call.params["instId"].split(",")) if call.params.get("instId") else None
    position_ids = set(call.params["posId"].split(",")) if call.params.get("posId") else None
    rows = []
    for position in account.holdings().positions:
        instrument = position.instrument
        if kind and catalog.inst_type(instrument) != kind:
            continue
        if ids is not None and instrument.id not in ids:
            continue
        if position_ids is not None and position_id(account, position) not in position_ids:
            continue
        rows.append(position_row(account, position, call.now_ms))
    return ok(rows)


def permission_text(account: Account) -> str:
    """``perm`` as OKX words it; every OKX key can read, trading covers every market."""
    granted = ["read_only"]
    if account.can("withdraw"):
        granted.append("withdraw")
    if any(account.can(name) for name in ("trade", "margin", "futures", "options")):
        granted.append("trade")
    return ",".join(granted)


def okx_uid(account: Account) -> str:
    """OKX user ids run to 17-18 digits."""
    return str(account.uid * 100_000_007)


@router.get(HOST, "/api/v5/account/config", pool="config", signed=True)
def configuration(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    uid = okx_uid(account)
    main_uid = okx_uid(account.master) if account.master else uid
    return ok(
        [
            {
                "acctLv": account_level(account),
                "acctStpMode": "cancel_maker",
                "autoLoan": False,
                "ctIsoMode": "automatic",
                "enableSpotBorrow": False,
                "feeType": "0",
                "greeksType": "PA",
                "ip": ",".join(account.spec.ip_whitelist),
                "kycLv": "2",
                "label": account.label,
                "level": "Lv1",
                "levelTmp": "",
                "liquidationGear": "-1",
                "mainUid": main_uid,
                "mgnIsoMode": "automatic",
                "opAuth": "0",
                "perm": permission_text(account),
                "posMode": "net_mode",
                "roleType": "0",
                "settleCcy": "USDT",
                "settleCcyList": ["USD", "USDC", "USDG"],
                "spotBorrowAutoRepay": False,
                "spotOffsetType": "",
                "spotRoleType": "0",
                "spotTraderInsts": [],
                "stgyType": "0",
                "traderInsts": [],
                "type": "0" if account.master is None else "1",
                "uid": uid,
            }
        ]
    )
