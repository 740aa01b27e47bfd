from tests.account_profiles import AVAILABLE, NO_ACCESS, Aim

PROFILES = {
    # a Unified Trading Account that only ever traded spot: the perpetuals answer empty lists
    "spot-only": {"funding": AVAILABLE, "linear": AVAILABLE, "inverse": AVAILABLE},
    # a read key without Wallet rights: Bybit refuses it the funding wallet (10005)
    "no-transfer": {"funding": NO_ACCESS, "linear": AVAILABLE, "inverse": AVAILABLE},
    # a classic account keeps a SPOT and a CONTRACT wallet; a unified one keeps one UNIFIED
    "classic": {"contract": AVAILABLE, "funding": AVAILABLE, "linear": AVAILABLE},
    "read-only": {"funding": AVAILABLE, "linear": AVAILABLE, "inverse": AVAILABLE},
}
OPTIONAL_STREAMS = [
    Aim("/v5/asset/transfer/query-account-coins-balance", "funding"),
    *(
        Aim(path, category, query={"category": category}, label=label)
        for category in ("linear", "inverse")
        for path in ("/v5/execution/list", "/v5/position/list")
        for label in ("demo", "classic")
    ),
    # Fills name their market ids and categories: they import without the instrument lists.
    *(
        Aim("/v5/market/instruments-info", None, query={"category": category}, markets=True)
        for category in ("linear", "inverse")
    ),
    Aim(
        "/v5/account/wallet-balance",
        "contract",
        query={"accountType": "CONTRACT"},
        label="classic",
    ),
]
UNSEEN_CODE = "198765"
