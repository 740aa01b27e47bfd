"""MEXC's own error codes, and the signed reads one sync shares between its steps.

The engine asks for permissions, balances, positions and trade streams one after the other on
one client; the spot account, the futures assets and the open positions answer several of
those questions, so each is read once per client rather than once per question.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import ccxt

# MEXC's own codes where ccxt 4.5.90's class says something else than what happened:
# spot answers an unknown key with 10072 and an address outside the key's list with 700006,
# both BadRequest to ccxt; a spot key without the read permission gets 700007, an
# AuthenticationError to ccxt; a futures Request-Time more than 10 s off is 513, a BadRequest.
UNKNOWN_KEY_CODES = frozenset({"10072"})
PERMISSION_CODES = frozenset({"700007", "701", "703"})
CLOCK_CODES = frozenset({"513", "700003"})

# MEXC limits each endpoint on its own: spot 500 weight per 10 s per IP (myTrades weighs 10),
# futures 20 calls per 2 s per account. The shared budget spreads calls by ccxt's rateLimit
# over all endpoints and lets a 10-second burst through, more than one endpoint's window holds,
# so long walks also keep their endpoint under its own limit: (calls, seconds).
MY_TRADES_PACE = (50, 10.0)
FUTURES_PACE = (20, 2.0)
# a request is counted when it arrives, a little after it leaves
PACE_MARGIN_S = 0.25

_MEMO = "_thrive_mexc_answers"


def error_code_of(client: ccxt.Exchange) -> str | None:
    """``code`` of the last body. ccxt keeps the body only as text (``last_json_response``
    needs an option); success is code 0 (futures) or 200, or no code at all (spot)."""
    try:
        body = json.loads(getattr(client, "last_http_response", None) or "null")
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("success") is True:
        return None
    code = body.get("code")
    return None if code in (None, "", 0, "0", 200, "200") else str(code)


def _memo(client: ccxt.Exchange) -> dict[str, Any]:
    memo: dict[str, Any] | None = getattr(client, _MEMO, None)
    if memo is None:
        memo = {}
        setattr(client, _MEMO, memo)
    return memo


def once(client: ccxt.Exchange, name: str, fetch: Callable[[], Any]) -> Any:
    """`fetch()` the first time this client asks for `name`, the same answer afterwards."""
    memo = _memo(client)
    if name not in memo:
        memo[name] = fetch()
    return memo[name]


def pace(client: ccxt.Exchange, endpoint: str, limit: tuple[int, float]) -> None:
    """Wait, if need be, so that this client's calls to `endpoint` stay within `limit`."""
    calls, seconds = limit
    sent: deque[float] = once(client, f"sent {endpoint}", lambda: deque(maxlen=calls))
    if len(sent) == calls:
        wait = sent[0] + seconds + PACE_MARGIN_S - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    sent.append(time.monotonic())


def futures_data(client: ccxt.Exchange, name: str, fetch: Callable[[], Any]) -> Any:
    """``data`` of a futures read, read once per client. A refusal propagates: every futures
    read goes through the adapter's ``optional`` (part "futures"), which records it and spares
    the rest of the sync further calls once the part is known unavailable."""
    return once(client, name, lambda: fetch()["data"])


def spot_account(client: ccxt.Exchange) -> dict[str, Any]:
    """``GET /api/v3/account``: the spot balances (and account-level flags)."""
    return once(client, "spot account", client.spot_private_get_account)


def futures_assets(client: ccxt.Exchange) -> list[dict[str, Any]] | None:
    """``GET /api/v1/private/account/assets``: one row per futures currency."""
    return futures_data(client, "futures assets", client.contract_private_get_account_assets)


def open_positions(client: ccxt.Exchange) -> list[dict[str, Any]] | None:
    """``GET /api/v1/private/position/open_positions``: every open perpetual position."""
    return futures_data(
        client, "open positions", client.contract_private_get_position_open_positions
    )


def swap_market(client: ccxt.Exchange, market_id: str) -> dict[str, Any] | None:
    """The perpetual of a futures-API id ("BTC_USDT"); None for one the markets lack."""
    for market in client.markets_by_id.get(market_id) or []:
        if market.get("swap"):
            return market
    return None
