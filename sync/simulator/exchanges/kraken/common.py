"""Identifiers and number formats shared by Kraken's spot and futures endpoints."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sync.simulator.http import Rejected, Response

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TXID_BITS = 80
_TXID_MODULUS = 1 << _TXID_BITS
# An odd multiplier is a bijection modulo 2**80: txids look scattered yet never collide.
_TXID_SCRAMBLE = 0x9E3779B97F4A7C15F39D
_NUMBER_BITS = 48


def txid(prefix: str, market_index: int, number: int) -> str:
    """A Kraken transaction id (``TCWJEG-FL4SZ-3FKGH6``): T for trades, O for orders.

    Trade numbers repeat across pairs, so the pair's index is folded in.
    """
    value = (((market_index << _NUMBER_BITS) | number) * _TXID_SCRAMBLE) % _TXID_MODULUS
    chars = []
    for _ in range(16):
        chars.append(_BASE32[value & 31])
        value >>= 5
    text = prefix + "".join(chars)
    return f"{text[:6]}-{text[6:11]}-{text[11:]}"


def futures_uuid(kind: str, symbol: str, number: int) -> str:
    """A UUID as Kraken Futures prints fill and order ids; its last 12 hex digits are
    ``number``, the rest is derived from the market so ids of different markets differ."""
    digest = hashlib.sha256(f"{kind}:{symbol}:{number}".encode()).digest()
    high = int.from_bytes(digest[:10], "big")
    return str(uuid.UUID(int=(high << _NUMBER_BITS) | number, version=4))


def padded(value: Decimal, places: int) -> str:
    """``value`` with at least ``places`` decimals and never fewer than it needs."""
    exponent = value.normalize().as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format(value, f".{max(places, needed)}f")


def json_number(value: Decimal) -> int | float:
    """A JSON number that prints back as exactly ``value`` (Kraken Futures sends numbers)."""
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    assert Decimal(repr(number)) == value, f"{value} does not survive as a JSON number"
    return number


def seconds_text(timestamp_ms: int) -> float:
    """Kraken's spot times: seconds with four decimals. The fourth sits mid-millisecond, so a
    client that truncates ``float * 1000`` (ccxt's safe_timestamp) lands on the millisecond."""
    return float(f"{timestamp_ms // 1000}.{timestamp_ms % 1000:03d}5")


def iso_ms(timestamp_ms: int) -> str:
    moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp_ms % 1000:03d}Z"


def parse_iso_ms(text: str) -> int | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000 + 0.5)


def spot_error(*messages: str, status: int = 200) -> Response:
    """Kraken spot answers errors with HTTP 200 and the reason in the ``error`` list."""
    return Response.json({"error": list(messages)}, status)


def spot_refusal(message: str) -> Rejected:
    return Rejected(spot_error(message))


def spot_result(result: object) -> dict[str, object]:
    return {"error": [], "result": result}


def futures_error(message: str, now_ms: int, status: int = 200) -> Response:
    return Response.json(
        {"result": "error", "serverTime": iso_ms(now_ms), "error": message}, status
    )
