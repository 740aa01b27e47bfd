from tests.account_profiles import AVAILABLE, NO_ACCESS, NOT_OPENED

PROFILES = {
    "spot-only": {
        "margin": NOT_OPENED,
        "usdm": NO_ACCESS,
        "coinm": NO_ACCESS,
        "sub_accounts": NOT_OPENED,
        "funding": AVAILABLE,
    },
    "futures-after-key": {"usdm": NO_ACCESS, "coinm": NO_ACCESS, "margin": AVAILABLE},
    "portfolio-margin": {"usdm": NO_ACCESS, "coinm": NO_ACCESS},
    "not-master": {"sub_accounts": NOT_OPENED, "usdm": AVAILABLE, "margin": AVAILABLE},
}
OPTIONAL_PATHS = [
    "/sapi/v1/margin/account",
    "/sapi/v1/asset/get-funding-asset",
    "/sapi/v1/simple-earn/",
    "/sapi/v1/sub-account/",
    "/fapi/",
    "/dapi/",
]
