from tests.account_profiles import AVAILABLE, NO_ACCESS

PROFILES = {
    # a Unified Trading Account that only ever traded spot: the perpetuals answer empty lists
    "spot-only": {"funding": AVAILABLE, "linear": AVAILABLE, "inverse": AVAILABLE},
    # a read key without Wallet rights: Bybit refuses it the funding wallet (10005)
    "no-transfer": {"funding": NO_ACCESS, "linear": AVAILABLE, "inverse": AVAILABLE},
    # a classic account keeps a SPOT and a CONTRACT wallet; a unified one keeps one UNIFIED
    "classic": {"contract": AVAILABLE, "funding": AVAILABLE, "linear": AVAILABLE},
    "read-only": {"funding": AVAILABLE, "linear": AVAILABLE, "inverse": AVAILABLE},
}
OPTIONAL_PATHS = [
    "/v5/asset/transfer/query-account-coins-balance",
    "/v5/position/list",
]
