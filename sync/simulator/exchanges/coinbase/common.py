"""Parameter parsing and formatting shared by the Coinbase endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl

from sync.simulator.exchanges.base import Call
from sync.simulator.exchanges.coinbase.errors import invalid_argument

_MS = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def repeated(call: Call, *names: str) -> list[str]:
    """Every value of the named query parameters: Coinbase repeats array parameters
    (``product_ids=A&product_ids=B``), ccxt sends the singular ``product_id`` form."""
    return [
        value
        for name, value in parse_qsl(call.request.query_string, keep_blank_values=False)
        if name in names
    ]


def bounded_int(call: Call, name: str, default: int, maximum: int) -> int:
    """An integer parameter; Coinbase caps what is larger than its maximum."""
    raw = call.params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise invalid_argument(f"invalid value for {name}: {raw}")
    value = int(raw)
    return default if value == 0 else min(value, maximum)


def rfc3339_ms(timestamp_ms: int) -> str:
    """``2024-04-24T09:56:38.063Z``: Coinbase's RFC 3339 times, millisecond precision."""
    moment = datetime.fromtimestamp(timestamp_ms // _MS, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{timestamp_ms % _MS:03d}Z"


def rfc3339_s(timestamp_ms: int) -> str:
    return datetime.fromtimestamp(timestamp_ms // _MS, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(call: Call, name: str) -> int | None:
    """Milliseconds of an RFC 3339 parameter, or None when absent."""
    raw = call.params.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_argument(f"invalid value for {name}: {raw}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def amount_text(value: Decimal, places: int) -> str:
    """An exact decimal with at least ``places`` decimals, never rounded."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return format(value, "f")
    return format(value, f".{places}f")
