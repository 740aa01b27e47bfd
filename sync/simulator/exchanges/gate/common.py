"""What every Gate endpoint shares: the host, refusals, parameters, numbers, rate-limit pools.

Gate answers every refusal with a non-2xx status and ``{"label": ..., "message": ...}``
(https://www.gate.com/docs/developers/apiv4/en/#error-handling); ccxt's ``handle_errors``
raises by ``label`` alone, from its ``exceptions['exact']`` table, before looking at the status.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, cast

from sync.simulator.exchanges.base import Call, Handler, Router
from sync.simulator.http import Rejected, Response
from sync.simulator.ratelimit import RateLimit

if TYPE_CHECKING:
    from sync.simulator.exchanges.gate import GateSimulator

HOST = "api.gateio.ws"
PREFIX = "/api/v4"
_EIGHT = Decimal(1).scaleb(-8)

# Requests per 10 seconds and endpoint, as ccxt's cost table and Gate's "Rate Limit" section
# put them: public endpoints per IP, private ones per user; spot, perpetual and wallet
# endpoints allow 200, the others (delivery, margin, unified, account) 150.
PUBLIC_LIMIT = 200
PRIVATE_LIMITS = {"spot": 200, "futures": 200, "wallet": 200}
DEFAULT_PRIVATE_LIMIT = 150
WINDOW_S = 10

# Pool name (the endpoint's path template) -> limit; filled as the modules register routes.
LIMITS: dict[str, RateLimit] = {}


def gate_error(status: int, label: str, message: str, *headers: tuple[str, str]) -> Response:
    return Response.json({"label": label, "message": message}, status, headers)


def refuse(status: int, label: str, message: str) -> Rejected:
    return Rejected(gate_error(status, label, message))


def invalid_argument(name: str) -> Rejected:
    return refuse(400, "INVALID_PARAM_VALUE", f"invalid argument: {name}")


def missing(name: str) -> Rejected:
    return refuse(400, "MISSING_REQUIRED_PARAM", f"Missing required parameter: {name}")


def group_of(path: str) -> str:
    """The permission group of an API path: /api/v4/futures/usdt/... -> futures."""
    return path[len(PREFIX) :].split("/")[1] if path.startswith(PREFIX + "/") else ""


def endpoint(
    router: Router,
    template: str,
    *,
    paths: tuple[str, ...] | None = None,
    signed: bool = False,
) -> Callable[[Handler], Handler]:
    """Register ``template`` (or its concrete ``paths``, one per settle currency) as one
    rate-limited Gate endpoint: one pool per endpoint, as Gate counts them."""
    group = template.split("/")[1]
    limit = PRIVATE_LIMITS.get(group, DEFAULT_PRIVATE_LIMIT) if signed else PUBLIC_LIMIT
    LIMITS[template] = RateLimit(template, limit, WINDOW_S, per="key" if signed else "ip")

    def register(handler: Handler) -> Handler:
        for path in paths or (template,):
            router.get(HOST, PREFIX + path, pool=template, signed=signed)(handler)
        return handler

    return register


def gate(call: Call) -> GateSimulator:
    """The Gate simulator serving ``call``: its delivery contract depends on the anchor."""
    return cast("GateSimulator", call.exchange)


def settle_of(call: Call) -> str:
    """The ``{settle}`` segment of a futures or delivery path."""
    return call.request.path[len(PREFIX) :].split("/")[2]


def optional_int(call: Call, name: str) -> int | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.lstrip("-").isdigit():
        raise invalid_argument(name)
    return int(raw)


def seconds_param(call: Call, name: str) -> int | None:
    """``from`` and ``to`` are Unix seconds; Gate also takes them with a fraction."""
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(Decimal(raw))
    except ArithmeticError:
        raise invalid_argument(name) from None


def page_limit(call: Call, default: int = 100, maximum: int = 1000) -> int:
    limit = optional_int(call, "limit")
    if limit is None:
        return default
    if not 1 <= limit <= maximum:
        raise invalid_argument("limit")
    return limit


def plain(value: Decimal) -> str:
    """Gate prints numbers as short plain decimals: 0.1374, 10.97, 3."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def money(value: Decimal) -> str:
    """Balances, margins and PnL: at most 8 decimals, trailing zeros dropped."""
    return plain(value.quantize(_EIGHT, rounding=ROUND_HALF_UP))


def seconds_with_fraction(timestamp_ms: int, salt: int) -> float:
    """A fill time as Gate prints it: Unix seconds with four decimals. The fourth decimal
    (tenths of a millisecond) is never zero there, so ``int(float(x) * 1000)`` lands on the
    right millisecond; ``salt`` makes it vary from fill to fill."""
    return float(Decimal(timestamp_ms * 10 + 1 + salt % 9).scaleb(-4))
