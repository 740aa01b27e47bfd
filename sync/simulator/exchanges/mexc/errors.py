"""MEXC's refusals on both APIs, shaped so ccxt's ``handle_errors`` raises what it raises in
production.

ccxt (mexc.py ``handle_errors``) ignores a body with ``success: true``, then, for any other
``code`` than 0 or 200, matches the ``broad`` table against the whole body ("maintenance" ->
OnMaintenance) and the ``exact`` table against the code. Spot v3 refuses with an HTTP 4xx and
``{"code", "msg"}``; the futures API answers HTTP 200 with ``{"success": false, "code",
"message"}``. Both classes ccxt picks are kept even where they surprise: an unknown spot key
(10072) and an IP outside the key's list (700006) are BadRequest, a spot key without the read
permission (700007) is AuthenticationError, a stale futures Request-Time (513) is BadRequest.
"""

from __future__ import annotations

from typing import Any

from sync.simulator.exchanges.mexc.common import is_contract, json_response
from sync.simulator.http import Rejected, Request, Response

# Spot v3 codes (https://www.mexc.com/api-docs/spot-v3/general-info#error-code) and the
# messages MEXC sends with them.
UNKNOWN_KEY = (10072, "Api key info invalid")
BAD_SIGNATURE = (700002, "Signature for this request is not valid.")
STALE_TIMESTAMP = (700003, "Timestamp for this request is outside of the recvWindow.")
RECV_WINDOW_TOO_LONG = (700005, "recvWindow must less than 60000")
NO_PERMISSION = (700007, "No permission to access the endpoint.")
# Futures v1 codes (https://www.mexc.com/api-docs/futures/integration-guide#error-code).
NOT_LOGGED_IN = (401, "Not logged in or login has expired")
KEY_EXPIRED = (402, "Api_key expired")
IP_NOT_IN_WHITELIST = (406, "Accessed IP is not in the whitelist")
TOO_FREQUENT = (510, "Requests are too frequent!")
REQUEST_TIME_OUT_OF_RANGE = (513, "Invalid request(for open api serves time more or less than 10s)")
PARAM_ERROR = (600, "Param error!")
VERIFY_FAILED = (602, "Signature verification failed!")
READ_PERMISSION_REQUIRED = (701, "Account read permission is required")
CONTRACT_NOT_FOUND = (1001, "Contract does not exist")
# Documented in the same list; ccxt's mexc.py exact table: AuthenticationError.
ACCOUNT_NOT_EXIST = (1000, "Account does not exist")

MAINTENANCE = {
    "code": 500,
    "message": "Under maintenance, please try again later",
    "announcement": "https://www.mexc.com/support/articles/17827791510263",
}


def spot_error(status: int, code: int, message: str, *headers: tuple[str, str]) -> Response:
    return json_response({"code": code, "msg": message}, status, *headers)


def contract_error(code: int, message: str) -> Response:
    return json_response({"success": False, "code": code, "message": message})


def refuse_spot(error: tuple[int, str], status: int = 400) -> Rejected:
    return Rejected(spot_error(status, *error))


def refuse_contract(error: tuple[int, str]) -> Rejected:
    return Rejected(contract_error(*error))


def spot_bad_parameter(name: str) -> Rejected:
    return Rejected(
        spot_error(
            400,
            700004,
            f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.",
        )
    )


def spot_bad_symbol() -> Rejected:
    return Rejected(spot_error(400, -1121, "Invalid symbol."))


def rejection(kind: str, request: Request, **detail: Any) -> Response:
    """The answer for one of ``base.REJECTION_KINDS``, in the API the request went to."""
    contract = is_contract(request.path)
    if kind == "maintenance":
        # ccxt's broad table turns any body saying "maintenance" into OnMaintenance
        body = {"success": False, **MAINTENANCE} if contract else MAINTENANCE
        return json_response(body, 503)
    if kind == "rate_limit":
        if contract:
            return contract_error(*TOO_FREQUENT)
        retry_after = ("Retry-After", str(detail.get("retry_after", 10)))
        return spot_error(429, 429, "Too Many Requests", retry_after)
    if kind == "ban":
        # the gateway's page, not JSON: ccxt falls back on the status, 418 -> DDoSProtection
        retry_after = str(detail.get("retry_after", 120))
        return Response.text(
            f"IP banned for {retry_after} seconds",
            418,
            "text/plain",
            (("Retry-After", retry_after),),
        )
    if kind == "server_error":
        status = detail.get("status", 503)
        return Response.text(
            f"<html><body><h1>{status} Service Unavailable</h1></body></html>", status
        )
    if kind == "expired_key":
        # ccxt records that spot answers an expired key exactly like a bad signature
        return contract_error(*KEY_EXPIRED) if contract else spot_error(400, *BAD_SIGNATURE)
    if kind == "revoked_key":
        return contract_error(*NOT_LOGGED_IN) if contract else spot_error(400, *UNKNOWN_KEY)
    if kind == "no_read_permission":
        if contract:
            return contract_error(*READ_PERMISSION_REQUIRED)
        return spot_error(400, *NO_PERMISSION)
    if kind == "ip_not_allowed":
        if contract:
            return contract_error(*IP_NOT_IN_WHITELIST)
        return spot_error(400, 700006, f"IP [{request.remote_addr}] not in the ip white list")
    if kind == "not_found":
        return spot_error(404, 404, "Not Found")
    raise ValueError(f"no MEXC answer for {kind!r}")
