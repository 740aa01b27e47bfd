from tests.account_profiles import AVAILABLE, NO_ACCESS, NOT_OPENED, Aim

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
OPTIONAL_STREAMS = [
    Aim("/sapi/v1/margin/account", "margin"),
    # ccxt's margin pair lists, read with the markets: the markets load without them
    Aim("/sapi/v1/margin/allPairs", None, markets=True),
    Aim("/sapi/v1/margin/isolated/allPairs", None, markets=True),
    Aim("/sapi/v1/asset/get-funding-asset", "funding"),
    Aim("/sapi/v1/simple-earn/flexible/", "earn"),
    Aim("/sapi/v1/simple-earn/locked/", "earn"),
    # any refusal of the sub-account list reads as "not a master" (audit H4: the codes vary)
    Aim("/sapi/v1/sub-account/", "sub_accounts", recorded=NOT_OPENED),
    *(
        Aim(path, "usdm")
        for path in (
            "/fapi/v3/account",
            "/fapi/v1/income",
            "/fapi/v1/userTrades",
            "/fapi/v3/positionRisk",
            "/fapi/v1/leverageBracket",
        )
    ),
    Aim("/fapi/v1/exchangeInfo", "usdm", markets=True),
    *(
        Aim(path, "coinm")
        for path in (
            "/dapi/v1/account",
            "/dapi/v1/income",
            "/dapi/v1/userTrades",
            "/dapi/v1/positionRisk",
        )
    ),
    Aim("/dapi/v1/exchangeInfo", "coinm", markets=True),
]
UNSEEN_CODE = "-98765"
