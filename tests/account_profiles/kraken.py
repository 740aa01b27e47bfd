"""Kraken spot keys (the shared suite connects without a Kraken Futures key; the futures key's
own profiles, refused and never traded, are in tests/integration/sync/test_kraken_import.py).

A spot-only account answers OpenPositions with nothing open, so margin positions read as
available: Kraken has no "margin not opened" answer.
"""

from tests.account_profiles import AVAILABLE, Aim

PROFILES = {
    "spot-only": {"margin": AVAILABLE},
}
OPTIONAL_STREAMS = [Aim("/0/private/OpenPositions", "margin")]
UNSEEN_CODE = "EGeneral:Nobody has seen this before"
