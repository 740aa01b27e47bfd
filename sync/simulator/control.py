"""The ``/_sim/`` control API: accounts, ground truth, faults, stats, reset.

JSON in and out; mistakes answer 400 with ``{"error": "..."}`` saying what to send instead.

- ``GET /_sim/``: seed, anchor, exchanges and their hosts, rate-limit scale;
- ``GET /_sim/accounts[?exchange=]``: every account with its keys, its ``profile`` (what it
  opened and what its key reaches, profiles.py) and its ``mode``, the exchange's own name for
  the kind of account where it has several (Binance classic or portfolio-margin, Bybit unified
  or classic, Gate classic or unified, OKX's account modes, KuCoin's trading engine), else null;
- ``POST /_sim/accounts`` (``exchange``, ``trades``:
  {unified symbol: count}, where a margin book is "BTC/USDT cross margin" or "BTC/USDT isolated
  margin" on exchanges that list one, ``days``, ``permissions``, optional ``label``,
  ``status``, ``ip_whitelist``, ``master``, ``anchor_ms``, ``profile``: see profiles.py,
  ``readings``: this account's own choice of readings, by name, over ``/_sim/config``'s)
  -> 201 with the account;
- ``GET /_sim/accounts/<api_key>/trades[?symbol=&market_type=]``: every fill, oldest first
  (market types spot, margin, swap, future, option; margin fills add ``margin_mode``);
- ``POST /_sim/accounts/<api_key>/trades`` with ``{"symbol": ..., "count": n}``: n new fills
  between the account's last one and now (trading goes on while we sync) -> 201 with them;
  with ``"same_order": true`` the first of them fill the symbol's last order again (an order
  that rested on the book since its earlier fills);
- ``GET /_sim/accounts/<api_key>/balances``: deposits, balances, side wallets, positions;
- ``POST /_sim/accounts/<api_key>/keys`` (no body): another key of that account -> 201 with
  ``{"api_key", "secret", "passphrase"}``, deterministic from the seed, the label and the key's
  number; it signs on its own and is the same account in everything else (uid, fills,
  balances, permissions), as a second API key made on the exchange is;
- ``GET /_sim/accounts/<api_key>/export.csv[?before=<ms>]``: the trade history CSV the
  exchange's website would export for that account (Binance spot, see ``exports.py``); with
  ``before``, only fills older than that time;
- ``GET|POST|DELETE[?id=] /_sim/faults``: see ``faults.py`` for kinds and options;
- ``GET /_sim/stats``; ``POST /_sim/reset``;
- ``GET|POST /_sim/config`` with ``{"rate_limit_scale": x}`` (0 switches limits off) and/or
  ``{"readings": {"binance.sub_account_refusal": "not_enabled"}}``: where the evidence about a
  real exchange is silent or conflicts, a module offers each reading and this picks one (the
  first is the default; ``POST /_sim/reset`` returns to it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote

from sync.simulator.accounts import AccountSpec
from sync.simulator.exports import EXPORTS, trade_history_csv
from sync.simulator.http import Request, Response
from sync.simulator.state import SimulatorState

_ACCOUNT_FIELDS = {
    "exchange", "trades", "days", "permissions", "label", "status", "ip_whitelist", "master",
    "anchor_ms", "profile", "readings",
}  # fmt: skip


class _BadInput(Exception):
    pass


def _error(message: str, status: int = 400) -> Response:
    return Response.json({"error": message}, status)


class ControlApi:
    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        query = dict(parse_qsl(request.query_string))
        method = request.method
        if path == "/":
            return Response.json(self._about())
        if path == "/accounts" and method == "GET":
            exchange = query.get("exchange")
            return Response.json([account.describe() for account in self.state.accounts(exchange)])
        if path == "/accounts" and method == "POST":
            return self._create_account(request)
        if path.startswith("/accounts/") and path.endswith("/trades") and method == "GET":
            return self._ground_truth(unquote(path[len("/accounts/") : -len("/trades")]), query)
        if path.startswith("/accounts/") and path.endswith("/trades") and method == "POST":
            return self._append(unquote(path[len("/accounts/") : -len("/trades")]), request)
        if path.startswith("/accounts/") and path.endswith("/balances") and method == "GET":
            return self._balances(unquote(path[len("/accounts/") : -len("/balances")]))
        if path.startswith("/accounts/") and path.endswith("/export.csv") and method == "GET":
            return self._export(unquote(path[len("/accounts/") : -len("/export.csv")]), query)
        if path.startswith("/accounts/") and path.endswith("/keys") and method == "POST":
            return self._add_key(unquote(path[len("/accounts/") : -len("/keys")]))
        if path == "/faults":
            return self._faults(request, query)
        if path == "/reset" and method == "POST":
            self.state.reset()
            return Response.json({"reset": True})
        if path == "/stats" and method == "GET":
            return Response.json(self.state.stats.describe())
        if path == "/config":
            return self._config(request)
        return _error(f"no control endpoint {method} /_sim{request.path}", 404)

    def _export(self, api_key: str, query: dict[str, str]) -> Response:
        account = self.state.account_by_key(api_key)
        if account is None:
            return _error(f"no account with api_key {api_key!r}", 404)
        if account.exchange.id not in EXPORTS:
            return _error(f"exports are made for {sorted(EXPORTS)} accounts only")
        before = query.get("before")
        if before is not None and not before.isdigit():
            return _error("before is a time in milliseconds since 1970, e.g. 1709294400000")
        text = trade_history_csv(account, before_ms=int(before) if before else None)
        return Response.text(
            text,
            content_type="text/csv;charset=UTF-8",
            headers=(("Content-Disposition", 'attachment; filename="trade-history.csv"'),),
        )

    def _about(self) -> dict[str, Any]:
        return {
            "seed": self.state.seed,
            "anchor_ms": self.state.anchor_ms,
            "exchanges": {
                exchange_id: sorted(exchange.router.hosts())
                for exchange_id, exchange in self.state.exchanges.items()
            },
            "rate_limit_scale": self.state.limiter.scale,
        }

    def _body(self, request: Request) -> Any:
        try:
            return request.json()
        except ValueError as exc:
            raise _BadInput(f"body is not JSON: {exc}") from exc

    def _create_account(self, request: Request) -> Response:
        try:
            body = self._body(request)
            if not isinstance(body, dict):
                raise _BadInput("send a JSON object")
            unknown = set(body) - _ACCOUNT_FIELDS
            if unknown:
                raise _BadInput(f"unknown fields {sorted(unknown)}")
            exchange = body.get("exchange")
            if not isinstance(exchange, str):
                raise _BadInput('exchange is required, e.g. "binance"')
            trades = body.get("trades", {})
            if not isinstance(trades, dict):
                raise _BadInput('trades maps unified symbols to counts, e.g. {"BTC/USDT": 500}')
            permissions = body.get("permissions", ["read"])
            whitelist = body.get("ip_whitelist", [])
            if not isinstance(permissions, list) or not isinstance(whitelist, list):
                raise _BadInput("permissions and ip_whitelist are lists of strings")
            label = body.get("label") or f"account-{len(self.state.accounts(exchange)) + 1}"
            anchor_ms = body.get("anchor_ms")
            if anchor_ms is not None and not isinstance(anchor_ms, int):
                raise _BadInput("anchor_ms is a timestamp in milliseconds")
            spec = AccountSpec(
                label=str(label),
                permissions=tuple(permissions),
                trades=trades,
                days=body.get("days", 90),
                status=body.get("status", "active"),
                ip_whitelist=tuple(whitelist),
                master_label=body.get("master"),
                profile=str(body.get("profile", "full")),
                readings=body.get("readings", {}),
            )
            account = self.state.create_account(exchange, spec, anchor_ms=anchor_ms)
        except (_BadInput, ValueError) as exc:
            return _error(str(exc))
        return Response.json(account.describe(), 201)

    def _ground_truth(self, api_key: str, query: dict[str, str]) -> Response:
        account = self.state.account_by_key(api_key)
        if account is None:
            return _error(f"no account with api_key {api_key!r}", 404)
        fills = account.fills()
        if "symbol" in query:
            fills = [fill for fill in fills if fill.instrument.symbol == query["symbol"]]
        if "market_type" in query:
            fills = [fill for fill in fills if fill.instrument.market_type == query["market_type"]]
        return Response.json([fill.ground_truth() for fill in fills])

    def _append(self, api_key: str, request: Request) -> Response:
        account = self.state.account_by_key(api_key)
        if account is None:
            return _error(f"no account with api_key {api_key!r}", 404)
        try:
            body = self._body(request)
            if not isinstance(body, dict) or not isinstance(body.get("symbol"), str):
                raise _BadInput('send {"symbol": "<unified symbol>", "count": <1..10000>}')
            same_order = body.get("same_order", False)
            if not isinstance(same_order, bool):
                raise _BadInput("same_order is true or false")
            fills = account.append_fills(
                body["symbol"], body.get("count", 1), self.state.now_ms(), same_order=same_order
            )
        except (_BadInput, ValueError) as exc:
            return _error(str(exc))
        return Response.json([fill.ground_truth() for fill in fills], 201)

    def _balances(self, api_key: str) -> Response:
        account = self.state.account_by_key(api_key)
        if account is None:
            return _error(f"no account with api_key {api_key!r}", 404)
        return Response.json(account.holdings().describe())

    def _add_key(self, api_key: str) -> Response:
        account = self.state.account_by_key(api_key)
        if account is None:
            return _error(f"no account with api_key {api_key!r}; add a key to an existing one", 404)
        try:
            credentials = self.state.add_key(account)
        except ValueError as exc:
            return _error(str(exc))
        return Response.json(
            {
                "api_key": credentials.api_key,
                "secret": credentials.secret,
                "passphrase": credentials.passphrase,
            },
            201,
        )

    def _faults(self, request: Request, query: dict[str, str]) -> Response:
        if request.method == "GET":
            return Response.json(self.state.faults.describe())
        if request.method == "DELETE":
            fault_id = query.get("id")
            if fault_id is not None and not fault_id.isdigit():
                return _error("id is the integer a POST returned")
            cleared = self.state.clear_faults(None if fault_id is None else int(fault_id))
            return Response.json({"cleared": cleared})
        if request.method == "POST":
            try:
                body = self._body(request)
                specs = body if isinstance(body, list) else [body]
                faults = [self.state.faults.add(spec) for spec in specs]
            except (_BadInput, ValueError) as exc:
                return _error(str(exc))
            described = [fault.describe() for fault in faults]
            return Response.json(described if isinstance(body, list) else described[0], 201)
        return _error("faults accept GET, POST and DELETE", 405)

    def _config(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                body = self._body(request)
                if not isinstance(body, dict) or not {"rate_limit_scale", "readings"} & set(body):
                    raise _BadInput(
                        'send {"rate_limit_scale": <number >= 0>} (0 switches limits off) '
                        'and/or {"readings": {"<exchange>.<name>": "<choice>"}}'
                    )
                if "rate_limit_scale" in body:
                    scale = body["rate_limit_scale"]
                    if not isinstance(scale, int | float) or isinstance(scale, bool) or scale < 0:
                        raise _BadInput("rate_limit_scale is a number >= 0; 0 switches limits off")
                    self.state.limiter.scale = float(scale)
                readings = body.get("readings", {})
                if not isinstance(readings, dict):
                    raise _BadInput('readings maps "<exchange>.<name>" to a choice')
                for name, choice in readings.items():
                    self.state.choose_reading(str(name), str(choice))
            except (_BadInput, ValueError) as exc:
                return _error(str(exc))
        return Response.json(
            {
                "rate_limit_scale": self.state.limiter.scale,
                "readings": self.state.describe_readings(),
            }
        )
