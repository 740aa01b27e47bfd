"""The OKX envelope, number formatting and parameter parsing shared by the endpoints."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, cast

from sync.simulator.exchanges.base import Call
from sync.simulator.exchanges.okx.errors import invalid, mode_unsupported

if TYPE_CHECKING:
    from sync.simulator.accounts import Account
    from sync.simulator.exchanges.okx import OkxSimulator

_EIGHT = Decimal(1).scaleb(-8)

# Account modes (``acctLv``) chosen by label, as Bybit's classic accounts are: "simple..."
# accounts (and spot-only ones) are in Spot mode, "multi..." ones in Multi-currency margin
# mode, every other one in Spot and futures mode.
SIMPLE_PREFIX = "simple"
MULTI_PREFIX = "multi"
SPOT_MODE = "1"
SPOT_AND_FUTURES_MODE = "2"
MULTI_CURRENCY_MODE = "3"


def account_level(account: Account) -> str:
    """The account's ``acctLv``. An account that never traded derivatives is in Spot mode:
    "This mode will be activated by default for the first use", the other modes need a quiz
    (OKX support, "Introduction on Unified Account",
    https://support.okexcn.com/hc/en-us/articles/360054690791)."""
    if account.label.startswith(SIMPLE_PREFIX) or not account.has("futures"):
        return SPOT_MODE
    if account.label.startswith(MULTI_PREFIX):
        return MULTI_CURRENCY_MODE
    return SPOT_AND_FUTURES_MODE


def require_derivatives(account: Account) -> None:
    """Spot mode trades spot only: OKX refuses its derivative and margin data with 51010."""
    if account_level(account) == SPOT_MODE:
        raise mode_unsupported()


def okx(call: Call) -> OkxSimulator:
    """The OKX simulator serving ``call``: its options depend on the seed's prices."""
    return cast("OkxSimulator", call.exchange)


def ok(data: list[Any]) -> dict[str, Any]:
    """Every OKX answer: ``code`` "0", an empty ``msg`` and a list in ``data``."""
    return {"code": "0", "msg": "", "data": data}


def plain(value: Decimal) -> str:
    """OKX prints numbers without padding: "0.049", "28.21006347", "1"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def rounded(value: Decimal) -> str:
    """A derived amount (PnL, margin, equity) at OKX's usual 8 decimals, unpadded."""
    return plain(value.quantize(_EIGHT, rounding=ROUND_HALF_UP))


def usd(value: float) -> Decimal:
    """A USD valuation from the price oracle's floats, to the cent and a bit."""
    return Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def optional_int(call: Call, name: str) -> int | None:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise invalid(name)
    return int(raw)


def page_limit(call: Call, maximum: int = 100) -> int:
    """``limit``: default and maximum 100 on OKX's list endpoints; larger values are capped."""
    limit = optional_int(call, "limit")
    if limit is None:
        return maximum
    if limit < 1:
        raise invalid("limit")
    return min(limit, maximum)
