"""Coinbase Advanced Trade: the v3 trading wallets and fills are the core; the Coinbase App (v2)
wallet list, read for staked coins, is the one optional part. A spot-only account stakes
nothing, and the list still answers."""

from tests.account_profiles import AVAILABLE, Aim

PROFILES = {"spot-only": {"earn": AVAILABLE}}
OPTIONAL_STREAMS = [Aim("/v2/accounts", "earn")]
UNSEEN_CODE = "nobody_has_seen_this"
