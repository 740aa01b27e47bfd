from tests.account_profiles import AVAILABLE, NOT_OPENED, Aim

# Under the default readings (futures_not_opened=zero_rows, copy_not_follower=not_follower):
# Bitget answers a spot-only account's futures calls with zeros, and refuses its copy-trading
# list with 40017. The other readings are tested in tests/integration/sync/test_bitget_import.py.
PROFILES = {
    "spot-only": {"usdt_futures": AVAILABLE, "copy_trading": NOT_OPENED},
}
OPTIONAL_STREAMS = [
    Aim("/api/v2/mix/account/accounts", "usdt_futures"),
    Aim("/api/v2/mix/position/all-position", "usdt_futures"),
    Aim("/api/v2/mix/order/fill-history", "usdt_futures"),
    Aim("/api/v2/mix/order/fills", "usdt_futures"),
    Aim(
        "/api/v2/mix/market/contracts",
        "usdt_futures",
        query={"productType": "USDT-FUTURES"},
        markets=True,
    ),
    Aim("/api/v2/copy/", "copy_trading"),
    # ccxt's margin currencies, read with the spot symbols: the markets load without them
    Aim("/api/v2/margin/currencies", None, markets=True),
]
UNSEEN_CODE = "49876"
