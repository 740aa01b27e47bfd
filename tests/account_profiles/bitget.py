from tests.account_profiles import AVAILABLE, NOT_OPENED

# Under the default readings (futures_not_opened=zero_rows, copy_not_follower=not_follower):
# Bitget answers a spot-only account's futures calls with zeros, and refuses its copy-trading
# list with 40017. The other readings are tested in tests/integration/sync/test_bitget_import.py.
PROFILES = {
    "spot-only": {"usdt_futures": AVAILABLE, "copy_trading": NOT_OPENED},
}
# Paths of the optional parts only: /api/v2/mix/market/ serves the markets every sync loads.
OPTIONAL_PATHS = [
    "/api/v2/mix/account/",
    "/api/v2/mix/position/",
    "/api/v2/mix/order/",
    "/api/v2/copy/",
]
