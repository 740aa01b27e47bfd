"""The WSGI application: ``/<exchange host>/<path>`` goes to the exchange module serving that
host, ``/_sim/...`` to the control API."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from sync.simulator.control import ControlApi
from sync.simulator.exchanges.base import Call, ExchangeSimulator, Route
from sync.simulator.faults import ANSWERING, CREDENTIAL, KEY_STATE, SHAPING
from sync.simulator.http import Rejected, Request, Response
from sync.simulator.ratelimit import Verdict
from sync.simulator.state import SimulatorState

CONTROL_HOST = "_sim"
# A request held by a timeout fault answers after this long unless told otherwise; every
# ccxt client in the tests gives up well before.
DEFAULT_HANG_MS = 30_000


def request_from_environ(environ: dict[str, Any]) -> Request:
    path = environ.get("PATH_INFO", "/")
    host, _, rest = path.lstrip("/").partition("/")
    headers = {
        name[5:].replace("_", "-").lower(): value
        for name, value in environ.items()
        if name.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return Request(
        method=environ.get("REQUEST_METHOD", "GET").upper(),
        host=host,
        path="/" + rest,
        query_string=environ.get("QUERY_STRING", ""),
        body=body,
        headers=headers,
        remote_addr=environ.get("REMOTE_ADDR", ""),
    )


# Where the server puts a dict the app marks when the network drops the connection.
WIRE_KEY = "simulator.wire"
SLOW_ANSWER_MS = 1500
# A dropped connection has no status; /_sim/stats counts it under 0.
DROPPED = Response(0, b"", wire="dropped")
# What a load balancer in front of an exchange answers when the exchange behind it does not.
BAD_GATEWAY = Response.text(
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    "</h1></center><hr><center>nginx</center></body></html>",
    502,
)


class ConnectionDropped(Exception):
    """Raised out of the app so that the server sends nothing and closes the connection."""


class SimulatorApp:
    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        self.control = ControlApi(state)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = request_from_environ(environ)
        if request.host == CONTROL_HOST:
            response = self.control.handle(request)
        else:
            response = self.serve(request)
        if response.wire == "dropped":
            # the server (server.py) closes the connection without a byte of answer
            environ.get(WIRE_KEY, {})["dropped"] = True
            raise ConnectionDropped
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        start_response(
            f"{response.status} {reason}",
            [*response.headers, ("Content-Length", str(len(response.body)))],
        )
        if response.wire == "cut_body":
            return [response.body[: len(response.body) // 2]]
        return [response.body]

    def serve(self, request: Request) -> Response:
        exchange = self.state.exchange_for_host(request.host)
        if exchange is None:
            return Response.json({"error": f"no simulated exchange serves {request.host!r}"}, 404)
        route = exchange.router.find(request.method, request.host, request.path)
        api_key = exchange.claimed_api_key(request)
        weight = route.weight_of(request) if route is not None else 0
        failure = self.state.faults.network_failure(exchange.id, api_key, request)
        network = failure[0] if failure else None
        if failure and network == "slow":
            self.state.pause(failure[1].option("latency_ms", SLOW_ANSWER_MS) / 1000)
        if network in {"dropped", "bad_gateway"}:
            # lost between us and the exchange: it never saw the request
            response = DROPPED if network == "dropped" else BAD_GATEWAY
        elif route is None:
            response = exchange.reject("not_found", request)
        else:
            try:
                response = self._serve_route(exchange, route, request, api_key, weight)
            except Rejected as rejection:
                response = rejection.response
        if network == "cut_body":
            response = replace(response, wire="cut_body")
        self.state.stats.record(exchange.id, api_key, request.path, weight, response.status)
        return response

    def _serve_route(
        self,
        exchange: ExchangeSimulator,
        route: Route,
        request: Request,
        api_key: str | None,
        weight: int,
    ) -> Response:
        state = self.state
        now_ms = state.now_ms()
        for fault in state.faults.take(SHAPING, exchange.id, api_key, request):
            if fault.kind == "latency":
                state.pause(fault.option("latency_ms", 1000) / 1000)
            else:
                # the exchange's clock runs ahead (or behind) of the client's
                now_ms += fault.option("skew_ms", 60_000)
        answering = state.faults.take(ANSWERING, exchange.id, api_key, request)
        if answering:
            fault = answering[0]
            if fault.kind == "timeout":
                state.pause(fault.option("hang_ms", DEFAULT_HANG_MS) / 1000)
                return Response.text("Gateway Timeout", 504)
            if fault.kind == "unknown_error":
                return exchange.unseen()
            return exchange.reject(
                fault.kind,
                request,
                status=fault.option("status", 503),
                retry_after=fault.option("retry_after", 60 if fault.kind == "rate_limit" else 120),
                now_ms=now_ms,
            )
        verdict = self._charge(exchange, route, request, api_key, weight, now_ms)
        if verdict is not None and not verdict.allowed:
            kind = "ban" if verdict.banned else "rate_limit"
            rejection = exchange.reject(
                kind,
                request,
                retry_after=verdict.retry_after_s,
                banned_until_ms=verdict.banned_until_ms,
                limit=exchange.rate_limits[route.pool].limit if route.pool else 0,
                now_ms=now_ms,
            )
            return exchange.decorate(rejection, route, verdict)
        account = None
        if route.signed:
            account = exchange.authenticate(request, now_ms)
            if account.spec.status != "active":
                raise exchange.rejected(f"{account.spec.status}_key", request)
            if account.spec.ip_whitelist and request.remote_addr not in account.spec.ip_whitelist:
                raise exchange.rejected("ip_not_allowed", request)
            # a lost read permission only shows where reading is needed: the permission
            # endpoint itself keeps answering, as it does for a key created without it
            kinds = CREDENTIAL if route.needs_read else KEY_STATE
            credential = state.faults.take(kinds, exchange.id, account.api_key, request)
            if credential:
                raise exchange.rejected(credential[0].kind, request)
            if route.needs_read and not account.can("read"):
                raise exchange.rejected("no_read_permission", request)
        result = route.handler(Call(request, account, now_ms, exchange))
        response = result if isinstance(result, Response) else Response.json(result)
        return exchange.decorate(response, route, verdict)

    def _charge(
        self,
        exchange: ExchangeSimulator,
        route: Route,
        request: Request,
        api_key: str | None,
        weight: int,
        now_ms: int,
    ) -> Verdict | None:
        if route.pool is None:
            return None
        limit = exchange.rate_limits[route.pool]
        who = request.remote_addr if limit.per == "ip" else (api_key or request.remote_addr)
        return self.state.limiter.charge(exchange.id, limit, who, weight, now_ms)
