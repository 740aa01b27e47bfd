"""Send a ccxt client's requests to a relay underneath ccxt, at the HTTP transport.

A relay (the exchange simulator, or an operator's gateway configured through
``THRIVE_EXCHANGE_URLS``) takes ``https://HOST/PATH`` at ``{base}/HOST/PATH``: it routes on
HOST, so one base URL serves every API host of an exchange (Binance alone has api., fapi.,
dapi., papi. and eapi.).

ccxt itself keeps the real URLs. Everything in ccxt that reads the URL behaves as it does in
production: Binance picks its error table by host prefix (``https://api.``, ``https://fapi.``),
Coinbase signs ``GET api.coinbase.com/path`` into its JWT, every exchange signs the real path.
Only the transport adapter mounted on the client's ``requests`` session moves the request.
"""

from __future__ import annotations

from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

_SCHEME = "https://"


def relay_url(url: str, base_url: str) -> str:
    """``https://HOST/PATH?QUERY`` as the relay at ``base_url`` takes it."""
    if not url.startswith(_SCHEME):
        raise ValueError("only https:// exchange URLs are relayed")
    return base_url.rstrip("/") + "/" + url[len(_SCHEME) :]


class RelayTransport(HTTPAdapter):
    """A ``requests`` transport that delivers every https request to the relay instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        relayed = request.copy()
        relayed.url = relay_url(request.url or "", self.base_url)
        response = super().send(relayed, **kwargs)
        # The caller asked for the exchange's URL and sees that one answer.
        response.url = request.url or ""
        response.request = request
        return response


def point_client_at(client: Any, base_url: str) -> Any:
    """Deliver every REST call of a ccxt ``client`` to ``base_url``; returns the client."""
    client.session.mount(_SCHEME, RelayTransport(base_url))
    return client
