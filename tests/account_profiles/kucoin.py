from tests.account_profiles import AVAILABLE, NOT_OPENED

# Under the default readings: margin refused with 101030 (never enabled), lending asked per
# currency, futures answering an empty account. The other readings are tested in
# tests/integration/sync/test_kucoin_import.py.
PROFILES = {
    "spot-only": {"margin": NOT_OPENED, "isolated": NOT_OPENED, "futures": AVAILABLE},
    "margin-disabled": {
        "margin": NOT_OPENED,
        "isolated": NOT_OPENED,
        "lending": AVAILABLE,
        "futures": AVAILABLE,
    },
}
# Paths of the optional parts only (/api/v1/fills is spot's low-frequency list as well).
OPTIONAL_PATHS = [
    "/api/v3/margin/",
    "/api/v3/isolated/",
    "/api/v3/purchase/",
    "/api/v1/earn/",
    "/api/v1/account-overview",
    "/api/v1/positions",
]
