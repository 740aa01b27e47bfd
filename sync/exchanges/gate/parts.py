"""The optional parts of a Gate account: everything but the spot (or unified) account.

A spot-only account never opened any of them. Gate answers USER_NOT_FOUND for a perpetual or
delivery account never funded ("user has no futures account", gateio/gateapi-python#18); the
other parts answer an empty list. Whatever a part answers is recorded, never a connection state.
"""

from __future__ import annotations

from ..capabilities import Part

MARGIN = Part("margin", "Isolated margin")
# Cross margin fills only: Gate dropped the classic cross margin account from its API (audit H7).
CROSS_MARGIN = Part("cross_margin", "Cross margin")
LENDING = Part("lending", "Margin lending")
PERPETUAL = {
    "usdt": Part("perpetual_usdt", "USDT perpetual futures"),
    "btc": Part("perpetual_btc", "BTC perpetual futures"),
}
DELIVERY = {"usdt": Part("delivery_usdt", "USDT delivery futures")}
# Not a part of its own but the key's account mode, kept with the parts because they are what
# a trades-only sync knows of the last balance read: "available" for a unified key, "not
# opened" for a classic one. It spares every such sync ccxt's /account/detail probe.
UNIFIED = Part("unified", "Unified account")


def of_stream(name: str) -> Part | None:
    """The part a trade stream belongs to; None for the spot stream (the core)."""
    kind, _, rest = name.partition(":")
    if kind == "margin":
        return MARGIN if rest == "isolated" else CROSS_MARGIN
    if kind == "perpetual":
        return PERPETUAL[rest]
    if kind == "delivery":
        return DELIVERY[rest]
    return None
