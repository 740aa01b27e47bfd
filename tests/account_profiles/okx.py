from tests.account_profiles import AVAILABLE, NOT_OPENED

# Spot mode (acctLv 1), where every new OKX account starts: the derivative parts are named
# "not opened" from account/config; the funding account and Simple Earn answer (empty or not).
SPOT_MODE = {
    "margin": NOT_OPENED,
    "swap": NOT_OPENED,
    "futures": NOT_OPENED,
    "option": NOT_OPENED,
    "funding": AVAILABLE,
    "earn": AVAILABLE,
}

PROFILES = {
    "spot-only": SPOT_MODE,
    "simple": SPOT_MODE,
    # Multi-currency margin mode has every part
    "multi": {"swap": AVAILABLE, "option": AVAILABLE, "funding": AVAILABLE, "earn": AVAILABLE},
}
OPTIONAL_PATHS = [
    "/api/v5/asset/balances",
    "/api/v5/finance/savings/balance",
    "/api/v5/account/positions",
]
