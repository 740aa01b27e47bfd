"""Point a ccxt client at another base URL, keeping the exchange host in the path.

A client reaches a relay (the exchange simulator, or an operator's gateway configured through
``THRIVE_EXCHANGE_URLS``) when every ``https://HOST/PATH`` in its ``urls['api']`` becomes
``{base}/HOST/PATH``: the relay routes on HOST, so one base URL serves every API host of an
exchange (Binance alone has api., fapi., dapi., papi. and eapi.).
"""

from __future__ import annotations

from typing import Any

_SCHEME = "https://"


def rewrite_api_url(url: str, base_url: str, hostname: str | None = None) -> str:
    """Return ``url`` moved under ``base_url``; URLs of other schemes are left alone."""
    if hostname is not None:
        url = url.replace("{hostname}", hostname)
    if not url.startswith(_SCHEME):
        return url
    return base_url.rstrip("/") + "/" + url[len(_SCHEME) :]


def rewrite_api_urls(api: Any, base_url: str, hostname: str | None = None) -> Any:
    """Return a copy of a ccxt ``urls['api']`` value (string, dict or list, nested) rewritten."""
    if isinstance(api, str):
        return rewrite_api_url(api, base_url, hostname)
    if isinstance(api, dict):
        return {key: rewrite_api_urls(value, base_url, hostname) for key, value in api.items()}
    if isinstance(api, list):
        return [rewrite_api_urls(value, base_url, hostname) for value in api]
    return api


def point_client_at(client: Any, base_url: str) -> Any:
    """Send every REST call of a ccxt ``client`` through ``base_url``; returns the client.

    Call it after ``set_sandbox_mode()``, which swaps ``urls['api']`` wholesale.
    """
    client.urls["api"] = rewrite_api_urls(
        client.urls["api"], base_url, getattr(client, "hostname", None)
    )
    return client
