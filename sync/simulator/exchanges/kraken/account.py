"""Kraken spot balances, margin positions and the key's own description.

``BalanceEx`` lists every asset by Kraken's id, staked and rewards-earning ones as assets of
their own: bonded ETH is ``ETH2.S``, USDT in opt-in rewards ``USDT.F``
(https://support.kraken.com/articles/360039879471). ``GetApiKeyInfo`` needs no permission at
all (https://docs.kraken.com/api-reference/account-data/get-api-key-info).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call, Router
from sync.simulator.exchanges.kraken.auth import nonce_book
from sync.simulator.exchanges.kraken.book import Position, book_of, market_index
from sync.simulator.exchanges.kraken.catalog import (
    ASSET_BY_CODE,
    ASSETS,
    PAIR_BY_SYMBOL,
    REWARDS_ASSET,
    SPOT_HOST,
    STAKED_ASSET,
)
from sync.simulator.exchanges.kraken.common import padded, seconds_text, spot_result, txid
from sync.simulator.holdings import SPOT
from sync.simulator.trades import decimal_units

router = Router()

_DECIMALS = {asset.id: asset.decimals for asset in ASSETS}
# Kraken's permission names as GetApiKeyInfo lists them. Kraken documents four, in its example
# (https://docs.kraken.com/api-reference/account-data/get-api-key-info): query-funds,
# withdraw-funds, query-open-trades, modify-trades. The "full" reading also lists their siblings
# named the same way after the key form's remaining boxes (query-closed-trades, ...), which no
# evidence shows; the "documented" reading lists only the four (audit P4). Kraken has no
# transfer permission of its own: moving funds to the futures wallet needs withdraw-funds.
PERMISSION_NAMES = {
    "read": (
        "query-funds",
        "query-open-trades",
        "query-closed-trades",
        "query-ledger-entries",
        "export-data",
    ),
    "trade": ("modify-trades", "close-trades"),
    "withdraw": ("withdraw-funds",),
}
DOCUMENTED_NAMES = frozenset(
    {"query-funds", "withdraw-funds", "query-open-trades", "modify-trades"}
)
ROLLOVER_TERMS = "0.0200% per 4 hours"
FOUR_HOURS_MS = 4 * 3_600_000


def balances(account: Account) -> dict[str, Decimal]:
    """Kraken asset id -> balance, the staked and rewards assets included."""
    holdings = account.holdings()
    result: dict[str, Decimal] = {}
    for code, units in sorted(holdings.wallet(SPOT).items()):
        result[ASSET_BY_CODE[code]] = decimal_units(units, 8)
    earning = ((holdings.earn_locked, STAKED_ASSET), (holdings.earn_flexible, REWARDS_ASSET))
    for side_wallet, names in earning:
        for code, units in sorted(side_wallet.items()):
            if code in names:
                result[names[code]] = decimal_units(units, 8)
    return result


@router.post(SPOT_HOST, "/0/private/Balance", pool="private", signed=True)
def balance(call: Call) -> dict[str, Any]:
    return spot_result(
        {
            asset: padded(amount, _DECIMALS[asset])
            for asset, amount in balances(call.signed_account()).items()
        }
    )


@router.post(SPOT_HOST, "/0/private/BalanceEx", pool="private", signed=True)
def balance_ex(call: Call) -> dict[str, Any]:
    rows = {}
    for asset, amount in balances(call.signed_account()).items():
        decimals = _DECIMALS[asset]
        rows[asset] = {
            "balance": padded(amount, decimals),
            "hold_trade": padded(Decimal(0), decimals),
        }
    return spot_result(rows)


def _mark(account: Account, position: Position) -> Decimal:
    instrument = position.fill.instrument
    price = account.oracle.price(instrument.base, instrument.quote, account.anchor_ms)
    return Decimal(round(price * 10**instrument.price_decimals)).scaleb(-instrument.price_decimals)


def _value_and_net(account: Account, position: Position) -> tuple[Decimal, Decimal]:
    """Current value of what is still open, and its profit against the opening price, at
    the pair's cost decimals; consolidated rows add these rounded figures up."""
    value = position.remaining * _mark(account, position)
    opening = position.remaining * position.fill.price
    net = value - opening if position.long else opening - value
    places = Decimal(1).scaleb(-PAIR_BY_SYMBOL[position.fill.instrument.symbol].cost_decimals)
    return (
        value.quantize(places, rounding=ROUND_HALF_UP),
        net.quantize(places, rounding=ROUND_HALF_UP),
    )


def _position_row(account: Account, position: Position, docalcs: bool) -> dict[str, Any]:
    fill = position.fill
    pair = PAIR_BY_SYMBOL[fill.instrument.symbol]
    places = pair.cost_decimals
    row: dict[str, Any] = {
        "ordertxid": txid("O", market_index(fill.instrument.symbol), fill.order_id),
        "posstatus": "open",
        "pair": fill.instrument.id,
        "time": seconds_text(fill.timestamp),
        "type": fill.side,
        "ordertype": "limit" if fill.maker else "market",
        "cost": padded(position.cost, places),
        "fee": padded(position.fee, places),
        "vol": padded(position.volume, pair.lot_decimals),
        "vol_closed": padded(position.closed, pair.lot_decimals),
        "margin": padded(position.margin, places),
        "terms": ROLLOVER_TERMS,
        "rollovertm": str((account.anchor_ms // FOUR_HOURS_MS + 1) * FOUR_HOURS_MS // 1000),
        "misc": "",
        "oflags": "",
    }
    if docalcs:
        value, net = _value_and_net(account, position)
        row["value"] = padded(value, places)
        row["net"] = padded(net, places)
    return row


def _consolidated(account: Account, positions: list[Position], docalcs: bool) -> list[Any]:
    """One row per pair and side, as ``consolidation=market`` answers."""
    groups: dict[tuple[str, str], list[Position]] = {}
    for position in positions:
        groups.setdefault((position.fill.instrument.id, position.fill.side), []).append(position)
    rows = []
    for (pair_id, side), members in groups.items():
        pair = PAIR_BY_SYMBOL[members[0].fill.instrument.symbol]
        places = pair.cost_decimals
        cost = sum((item.cost for item in members), Decimal(0))
        margin = sum((item.margin for item in members), Decimal(0))
        row: dict[str, Any] = {
            "pair": pair_id,
            "positions": str(len(members)),
            "type": side,
            "leverage": padded(
                (cost / margin).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP), 5
            ),
            "cost": padded(cost, places),
            "fee": padded(sum((item.fee for item in members), Decimal(0)), places),
            "vol": padded(sum((item.volume for item in members), Decimal(0)), pair.lot_decimals),
            "vol_closed": padded(
                sum((item.closed for item in members), Decimal(0)), pair.lot_decimals
            ),
            "margin": padded(margin, places),
        }
        if docalcs:
            value = net = Decimal(0)
            for item in members:
                item_value, item_net = _value_and_net(account, item)
                value += item_value
                net += item_net
            row["value"] = padded(value, places)
            row["net"] = padded(net, places)
        rows.append(row)
    return rows


@router.post(SPOT_HOST, "/0/private/OpenPositions", pool="private", signed=True)
def open_positions(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    positions = book_of(account).open_positions()
    wanted = [item for item in (call.params.get("txid") or "").split(",") if item]
    if wanted:
        positions = [item for item in positions if item.id in wanted]
    docalcs = call.params.get("docalcs", "false").lower() == "true"
    if call.params.get("consolidation") == "market":
        return spot_result(_consolidated(account, positions, docalcs))
    return spot_result({item.id: _position_row(account, item, docalcs) for item in positions})


@router.post(SPOT_HOST, "/0/private/GetApiKeyInfo", pool="private", signed=True, needs_read=False)
def api_key_info(call: Call) -> dict[str, Any]:
    account = call.signed_account()
    nonce, used_ms = nonce_book(call.exchange).last(account.api_key)
    permissions = [
        name for granted in account.spec.permissions for name in PERMISSION_NAMES.get(granted, ())
    ]
    if call.exchange.reading("permission_names") == "documented":
        permissions = [name for name in permissions if name in DOCUMENTED_NAMES]
    return spot_result(
        {
            "apiKeyName": f"{account.label} key",
            "apiKey": account.api_key,
            "nonce": str(nonce),
            "nonceWindow": 0,
            "permissions": permissions,
            "iban": _iban(account.uid),
            "validUntil": "0",
            "queryFrom": "0",
            "queryTo": "0",
            "createdTime": str(account.created_ms // 1000),
            "modifiedTime": str(account.created_ms // 1000),
            "ipAllowlist": list(account.spec.ip_whitelist),
            "lastUsed": str(used_ms // 1000),
        }
    )


def _iban(uid: int) -> str:
    """Kraken's account reference (``AA88 N84G WOAK NMOI``), derived from the account."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    chars = []
    value = uid * 7919
    for _ in range(14):
        chars.append(alphabet[value % 36])
        value //= 36
    text = "AA" + "".join(chars)
    return " ".join(text[i : i + 4] for i in range(0, 16, 4))
