from tests.account_profiles import AVAILABLE, NOT_OPENED, Aim

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
OPTIONAL_STREAMS = [
    Aim("/api/v4/margin/accounts", "margin"),
    Aim("/api/v4/spot/my_trades", "margin", query={"account": "margin"}),
    Aim("/api/v4/spot/my_trades", "cross_margin", query={"account": "cross_margin"}),
    Aim("/api/v4/margin/funding_accounts", "lending"),
    *(
        Aim(f"/api/v4/{family}/{settle}/{endpoint}", part)
        for part, family, settle in (
            ("perpetual_usdt", "futures", "usdt"),
            ("perpetual_btc", "futures", "btc"),
            ("delivery_usdt", "delivery", "usdt"),
        )
        for endpoint in ("accounts", "my_trades", "positions")
    ),
    # Fills name their contracts and settle coins: they import without the contract lists,
    # and the markets without ccxt's margin pair list.
    *(
        Aim(f"/api/v4/{family}/{settle}/contracts", None, markets=True)
        for family, settle in (("futures", "usdt"), ("futures", "btc"), ("delivery", "usdt"))
    ),
    Aim("/api/v4/margin/currency_pairs", None, markets=True),
]
UNSEEN_CODE = "UNSEEN_LABEL_98765"
