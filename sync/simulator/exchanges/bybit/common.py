"""Bybit's envelope, refusals, parameter parsing and number formatting.

Every V5 answer is ``{"retCode", "retMsg", "result", "retExtInfo", "time"}``. Business errors,
authentication errors included, come with HTTP 200 and a non-zero ``retCode``
(https://bybit-exchange.github.io/docs/v5/error); ccxt's ``handle_errors`` maps the code.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync.simulator.accounts import Account
from sync.simulator.exchanges.base import Call
from sync.simulator.http import Rejected, Response

_EIGHT = Decimal(1).scaleb(-8)

# Labels of accounts that have not been upgraded to the Unified Trading Account: they keep a
# SPOT and a CONTRACT wallet instead of one UNIFIED wallet.
CLASSIC_PREFIX = "classic"


def envelope(result: Any, now_ms: int, message: str = "OK") -> dict[str, Any]:
    return {"retCode": 0, "retMsg": message, "result": result, "retExtInfo": {}, "time": now_ms}


def error_response(code: int, message: str, now_ms: int, *headers: tuple[str, str]) -> Response:
    body = {"retCode": code, "retMsg": message, "result": {}, "retExtInfo": {}, "time": now_ms}
    return Response.json(body, 200, headers)


def refuse(code: int, message: str, now_ms: int) -> Rejected:
    return Rejected(error_response(code, message, now_ms))


def parameter_error(call: Call, message: str) -> Rejected:
    return refuse(10001, message, call.now_ms)


def is_classic(account: Account) -> bool:
    return account.label.startswith(CLASSIC_PREFIX)


def optional_int(call: Call, name: str) -> int | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.lstrip("-").isdigit():
        raise parameter_error(call, f"params error: {name} invalid")
    return int(raw)


def page_limit(call: Call, default: int, maximum: int) -> int:
    limit = optional_int(call, "limit")
    if limit is None:
        return default
    if not 1 <= limit <= maximum:
        raise parameter_error(call, f"params error: limit must be between 1 and {maximum}")
    return limit


def required_category(call: Call, allowed: tuple[str, ...]) -> str:
    category = call.params.get("category", "")
    if not category:
        raise parameter_error(call, "params error: category is empty")
    if category not in allowed:
        raise parameter_error(call, f"params error: category only support {','.join(allowed)}")
    return category


def plain(value: Decimal) -> str:
    """Bybit prints quantities, values and fees without trailing zeros."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def fixed(value: Decimal, places: int) -> str:
    return format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")


def money(value: Decimal) -> str:
    """A balance or PnL: rounded to 8 decimals, trailing zeros dropped."""
    return plain(value.quantize(_EIGHT, rounding=ROUND_HALF_UP))


def usd_price(account: Account, coin: str) -> Decimal:
    """The coin's index price in US dollars at the account's anchor, to 8 decimals.

    The oracle's float only picks the quote; everything derived from it is Decimal.
    """
    return Decimal(repr(round(account.oracle.usd(coin, account.anchor_ms), 8)))
