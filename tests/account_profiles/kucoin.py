from tests.account_profiles import AVAILABLE, NOT_OPENED, Aim

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
FUTURES_HOST = "api-futures.kucoin.com"
OPTIONAL_STREAMS = [
    Aim("/api/v3/margin/accounts", "margin"),
    Aim("/api/v3/hf/margin/fills", "margin", query={"tradeType": "MARGIN_TRADE"}),
    Aim("/api/v3/isolated/accounts", "isolated"),
    Aim("/api/v3/hf/margin/fills", "isolated", query={"tradeType": "MARGIN_ISOLATED_TRADE"}),
    # A low-frequency account's margin fills share /api/v1/fills with its spot fills.
    *(
        Aim(
            "/api/v1/fills",
            part,
            query={"tradeType": trade_type},
            host="api.kucoin.com",
            label="low-frequency",
        )
        for part, trade_type in (("margin", "MARGIN_TRADE"), ("isolated", "MARGIN_ISOLATED_TRADE"))
    ),
    Aim("/api/v3/purchase/orders", "lending"),
    Aim("/api/v1/earn/", "earn"),
    # The futures host answers /api/v1/fills too.
    *(
        Aim(path, "futures", host=FUTURES_HOST)
        for path in ("/api/v1/account-overview", "/api/v1/fills", "/api/v1/positions")
    ),
    Aim("/api/v1/contracts/active", "futures", host=FUTURES_HOST, markets=True),
    # ccxt's KuCoin Futures client reads the margin symbol lists for its currencies: without
    # them the futures part fails (margin fills still import, by symbol).
    Aim("/api/v3/margin/symbols", "futures", markets=True),
    Aim("/api/v1/isolated/symbols", "futures", markets=True),
]
UNSEEN_CODE = "987650"
