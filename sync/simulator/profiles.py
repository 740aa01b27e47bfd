"""Account profiles: what a real account has opened, and what its key can reach.

The simulator used to give every account everything. Real accounts mostly hold a spot wallet
and nothing else (audit "Summary" 1, ``shared/docs/real-api-audit.md``): no margin, futures,
earn or sub-accounts. A profile names which parts an account never opened and which parts its
key cannot reach although the account has them; each exchange module answers a missing part
the way that exchange does, with the evidence cited beside the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

# Parts of an account beyond the spot wallet, in words common to the nine exchanges.
PARTS = ("margin", "futures", "options", "earn", "lending", "sub_accounts", "copy_trading")
# What a key may be unable to reach on an account that has it.
KEY_LIMITS = ("futures", "transfer")
# Which part an instrument's fills need.
PART_OF_MARKET = {"swap": "futures", "future": "futures", "option": "options", "margin": "margin"}


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    lacks: frozenset[str] = frozenset()
    key_cannot: frozenset[str] = frozenset()
    portfolio_margin: bool = False


PROFILES = {
    profile.name: profile
    for profile in (
        Profile("full", "Every part the exchange offers is opened and readable."),
        Profile(
            "spot-only",
            "Never opened margin, futures, options, earn, lending, sub-accounts or copy trading "
            "(the most common real account).",
            lacks=frozenset(PARTS),
        ),
        Profile(
            "futures-after-key",
            "Futures opened after the key was created: the key cannot use the futures API.",
            key_cannot=frozenset({"futures"}),
        ),
        Profile(
            "portfolio-margin",
            "A portfolio-margin account: the classic futures API refuses its keys.",
            key_cannot=frozenset({"futures"}),
            portfolio_margin=True,
        ),
        Profile(
            "not-master",
            "An ordinary account, not a master: sub-account endpoints are refused.",
            lacks=frozenset({"sub_accounts"}),
        ),
        Profile(
            "no-transfer",
            "A read key without wallet or transfer rights.",
            key_cannot=frozenset({"transfer"}),
        ),
        Profile(
            "margin-disabled",
            "Margin trading was never enabled: margin and lending accounts do not exist.",
            lacks=frozenset({"margin", "lending"}),
        ),
    )
}


def profile_named(name: str) -> Profile:
    """The profile called ``name``; raises ``ValueError`` naming the choices."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose from {list(PROFILES)}") from None
