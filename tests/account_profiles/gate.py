from tests.account_profiles import AVAILABLE, NOT_OPENED

PROFILES = {
    # Never funded a perpetual or delivery account: USER_NOT_FOUND (gateio/gateapi-python#18).
    # An empty isolated margin or lending list is all Gate says of those, so they read.
    "spot-only": {
        "perpetual_usdt": NOT_OPENED,
        "perpetual_btc": NOT_OPENED,
        "delivery_usdt": NOT_OPENED,
        "margin": AVAILABLE,
        "lending": AVAILABLE,
    },
    # A unified key: /unified/accounts is its core and pools the USDT perpetual account.
    "unified": {"perpetual_btc": AVAILABLE, "delivery_usdt": AVAILABLE, "lending": AVAILABLE},
    # A classic key (every seeded key but "unified" is one).
    "read-only": {
        "margin": AVAILABLE,
        "lending": AVAILABLE,
        "perpetual_usdt": AVAILABLE,
        "perpetual_btc": AVAILABLE,
        "delivery_usdt": AVAILABLE,
    },
}
OPTIONAL_PATHS = [
    "/api/v4/margin/accounts",
    "/api/v4/margin/funding_accounts",
    "/api/v4/futures/",
    "/api/v4/delivery/",
]
