"""Exchange answers as data: recorded at the HTTP transport, redacted, replayed.

Three users of one file format (``tests/fixtures/exchanges/<exchange>/<name>.json``):

- ``manage.py exchange_probe`` records what a real exchange answers to every read an adapter
  makes, compares it with the fixture of the same endpoint, and can write it out redacted;
- the conformance tests replay fixtures to an adapter through ``FixtureTransport``;
- people grow the fixture set from the exchanges' documentation and ccxt's recorded responses.

A fixture::

    {"source": "where this answer comes from (docs URL, ccxt fixture, a probe)",
     "request": {"method": "GET", "host": "api.binance.com", "path": "/api/v3/account",
                 "query": {"type": "SPOT"}},
     "response": {"status": 200, "body": {...}}}

``query`` is optional and matches a subset of the request's query parameters, so one endpoint
can answer differently per symbol or page. ``window`` (optional, e.g. ``{"start": "startAt",
"end": "endAt", "at": 1700000000000}``) serves the answer only to a request whose time window
holds ``at``, in the request's own unit: windowed walks then meet a fill once, as they do on
the exchange, and a later fixture of the same path (an empty page) answers the other windows.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "exchanges"
# Beside the answers, each exchange's folder says which answers make up an account.
SCENARIOS = "scenarios.json"
# Query parameters that are the request's signature or clock, never part of a match.
_VOLATILE = {"signature", "timestamp", "recvWindow", "sign", "nonce"}


@dataclass
class Call:
    """One request and its answer, as the fixture format holds it."""

    method: str
    host: str
    path: str
    query: dict[str, str]
    status: int
    body: Any
    source: str = ""
    signed: bool = False  # carried the key: a private answer, redacted before it is kept

    def as_fixture(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "request": {
                "method": self.method,
                "host": self.host,
                "path": self.path,
                "query": {k: v for k, v in self.query.items() if k not in _VOLATILE},
            },
            "response": {"status": self.status, "body": self.body},
        }

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.host}{self.path}"


def _split(request: PreparedRequest) -> tuple[str, str, dict[str, str]]:
    url = urlsplit(request.url or "")
    return url.hostname or "", url.path, dict(parse_qsl(url.query, keep_blank_values=True))


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


class RecordingTransport(BaseAdapter):
    """Passes every request to the transport it wraps and keeps a copy of the answer."""

    def __init__(self, inner: BaseAdapter, api_key: str = "") -> None:
        super().__init__()
        self.inner = inner
        self.api_key = api_key
        self.calls: list[Call] = []

    def _signed(self, request: PreparedRequest) -> bool:
        headers = {name.lower(): value for name, value in request.headers.items()}
        if "authorization" in headers:
            return True
        seen = f"{request.url} {request.body!r} {' '.join(headers.values())}"
        return bool(self.api_key) and self.api_key in seen

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        response = self.inner.send(request, **kwargs)
        host, path, query = _split(request)
        self.calls.append(
            Call(
                request.method or "GET",
                host,
                path,
                query,
                response.status_code,
                _decoded(response.text),
                signed=self._signed(request),
            )
        )
        return response

    def close(self) -> None:
        self.inner.close()


def record_client(client: Any) -> RecordingTransport:
    """Record every REST call of a ccxt client from now on (after any relay is mounted)."""
    recorder = RecordingTransport(client.session.get_adapter("https://"), client.apiKey or "")
    client.session.mount("https://", recorder)
    return recorder


class FixtureTransport(BaseAdapter):
    """Answers from fixtures instead of the network; an unanswered request is a 404 and is
    listed in ``unanswered`` so a test can say which fixture is missing."""

    def __init__(self, fixtures: list[dict[str, Any]]) -> None:
        super().__init__()
        self.fixtures = fixtures
        self.unanswered: list[str] = []
        self.served: list[str] = []

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        host, path, query = _split(request)
        method = request.method or "GET"
        if request.body and method != "GET":
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            query.update(dict(parse_qsl(body)) if "=" in body and "{" not in body else {})
        for fixture in self.fixtures:
            wanted = fixture["request"]
            if (wanted["method"], wanted["host"], wanted["path"]) != (method, host, path):
                continue
            if any(query.get(k) != str(v) for k, v in wanted.get("query", {}).items()):
                continue
            if "window" in wanted and not _in_window(wanted["window"], query):
                continue
            self.served.append(f"{method} {host}{path}")
            return _response(request, fixture["response"])
        self.unanswered.append(f"{method} {host}{path}?{sorted(query)}")
        return _response(request, {"status": 404, "body": "<html>404 Not Found</html>"})

    def close(self) -> None:
        """Nothing to release: no connection was opened."""


def _in_window(window: dict[str, Any], query: dict[str, str]) -> bool:
    """Whether a windowed request (``startTime``/``endTime``…) covers the moment ``at`` of the
    answer's data; a bound the request does not send is open."""
    at = float(window["at"])
    start, end = query.get(window["start"]), query.get(window["end"])
    return (start is None or float(start) <= at) and (end is None or at <= float(end))


def _response(request: PreparedRequest, answer: dict[str, Any]) -> Response:
    body = answer["body"]
    text = body if isinstance(body, str) else json.dumps(body)
    response = Response()
    response.status_code = int(answer["status"])
    response._content = text.encode()
    response.headers["Content-Type"] = "text/html" if isinstance(body, str) else "application/json"
    response.url = request.url or ""
    response.request = request
    response.encoding = "utf-8"
    return response


def load_fixtures(exchange: str, names: list[str] | None = None) -> list[dict[str, Any]]:
    """The fixtures of an exchange (or only ``names``, in that order: earlier ones win)."""
    folder = FIXTURES / exchange
    if names:
        paths = [folder / f"{name}.json" for name in names]
    else:
        paths = [path for path in sorted(folder.glob("*.json")) if path.name != SCENARIOS]
    return [json.loads(path.read_text()) for path in paths]


def fixture_for(exchange: str, call: Call) -> dict[str, Any] | None:
    """The successful fixture documenting the same endpoint as ``call``, if there is one."""
    if not (FIXTURES / exchange).is_dir():
        return None
    for fixture in load_fixtures(exchange):
        wanted = fixture["request"]
        if (wanted["method"], wanted["host"], wanted["path"]) == (
            call.method,
            call.host,
            call.path,
        ) and fixture["response"]["status"] < 300:
            return fixture
    return None


def field_paths(body: Any, prefix: str = "") -> set[str]:
    """Every field of a JSON body as a dotted path; list items collapse to ``[]``."""
    paths: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            here = f"{prefix}.{key}" if prefix else str(key)
            paths.add(here)
            paths |= field_paths(value, here)
    elif isinstance(body, list):
        for item in body[:50]:
            paths |= field_paths(item, f"{prefix}[]")
    return paths


# Fields whose values identify a person or a key: scrambled in recorded fixtures.
_IDENTIFYING = re.compile(
    r"(key|secret|passphrase|sign|token|email|address|uid|userid|user_id|account_?id|"
    r"(^|_)id$|Id$|orderid|tradeid|billid|execid|clientoid|ip)",
    re.IGNORECASE,
)
# Field names whose values are amounts of money: scrambled, keeping their shape.
_AMOUNT = re.compile(
    r"(amount|balance|free|locked|total|qty|size|sz|cost|fee|commission|pnl|equity|margin|"
    r"value|available|hold|frozen|borrowed|interest|debt|notional|cash)",
    re.IGNORECASE,
)
# Names of assets, markets, kinds and error codes: kept, they are what a fixture documents.
_KEEP = re.compile(
    r"(asset|currency|ccy|coin|symbol|instid|insttype|side|type|status|code|msg|retmsg|unit)$",
    re.IGNORECASE,
)


def _scramble(text: str, salt: str) -> str:
    """Same length and shape (digits stay digits, letters letters, punctuation kept)."""
    digest = hashlib.sha256(f"{salt}|{text}".encode()).hexdigest()
    out = []
    for index, char in enumerate(text):
        nibble = int(digest[index % len(digest)], 16)
        if char.isdigit():
            out.append(str(nibble % 10) if index or char != "0" else "0")
        elif char.isalpha():
            letter = chr(ord("a") + nibble)
            out.append(letter.upper() if char.isupper() else letter)
        else:
            out.append(char)
    return "".join(out)


def redact(body: Any, salt: str, *, name: str = "") -> Any:
    """A body safe to commit: identifying values and amounts scrambled, structure, field
    names, types, codes, symbols and timestamps kept."""
    if isinstance(body, dict):
        return {key: redact(value, salt, name=str(key)) for key, value in body.items()}
    if isinstance(body, list):
        return [redact(item, salt, name=name) for item in body]
    if _KEEP.search(name) or isinstance(body, bool) or body is None:
        return body
    if isinstance(body, str | int) and re.fullmatch(r"-?0*\.?0*", str(body)):
        return body  # a zero stays zero: "nothing here" is the information
    if _IDENTIFYING.search(name) or _AMOUNT.search(name):
        return (
            _scramble(body, salt)
            if isinstance(body, str)
            else type(body)(_scramble(str(body), salt))
            if isinstance(body, int)
            else body
        )
    return body
