"""The simulator's own request and response types, independent of any web framework."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Request:
    """One call to an exchange API, with the exchange host taken from the first path segment."""

    method: str
    host: str
    path: str
    query_string: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    remote_addr: str = "127.0.0.1"

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    @cached_property
    def form(self) -> dict[str, str]:
        """Body parameters of a form-encoded request (Binance sends POST parameters this way)."""
        content_type = self.header("content-type", "") or ""
        if not self.body or "application/x-www-form-urlencoded" not in content_type:
            return {}
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))

    @cached_property
    def params(self) -> dict[str, str]:
        """Query and form parameters together; the body wins on a clash, as on Binance."""
        merged = dict(parse_qsl(self.query_string, keep_blank_values=True))
        merged.update(self.form)
        return merged

    def json(self) -> Any:
        """The body decoded as JSON; raises ``ValueError`` when it is not JSON."""
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    # How the network mangles this answer on the way out: "" (not at all), "dropped" (no
    # answer, the connection closes) or "cut_body" (half the body, the full length promised).
    wire: str = ""

    @classmethod
    def json(
        cls, payload: Any, status: int = 200, headers: tuple[tuple[str, str], ...] = ()
    ) -> Response:
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        return cls(status, body, (("Content-Type", "application/json;charset=UTF-8"), *headers))

    @classmethod
    def text(
        cls,
        text: str,
        status: int = 200,
        content_type: str = "text/html",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> Response:
        return cls(status, text.encode("utf-8"), (("Content-Type", content_type), *headers))

    def with_headers(self, *headers: tuple[str, str]) -> Response:
        return Response(self.status, self.body, (*self.headers, *headers), self.wire)


class Rejected(Exception):
    """Raised anywhere inside a call to answer at once with ``response``."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response
