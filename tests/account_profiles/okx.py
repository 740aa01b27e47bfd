from tests.account_profiles import AVAILABLE, NOT_OPENED, Aim

# Spot mode (acctLv 1), where every new OKX account starts: the derivative parts are named
# "not opened" from account/config; the funding account and Simple Earn answer (empty or not).
SPOT_MODE = {
    "margin": NOT_OPENED,
    "swap": NOT_OPENED,
    "futures": NOT_OPENED,
    "option": NOT_OPENED,
    "funding": AVAILABLE,
    "earn": AVAILABLE,
}

PROFILES = {
    "spot-only": SPOT_MODE,
    "simple": SPOT_MODE,
    # Multi-currency margin mode has every part
    "multi": {"swap": AVAILABLE, "option": AVAILABLE, "funding": AVAILABLE, "earn": AVAILABLE},
}
OPTIONAL_STREAMS = [
    Aim("/api/v5/asset/balances", "funding"),
    Aim("/api/v5/finance/savings/balance", "earn"),
    Aim("/api/v5/account/positions", "positions"),
    # fills-history answers one instType at a time; SPOT is the core
    *(
        Aim("/api/v5/trade/fills-history", inst_type.lower(), query={"instType": inst_type})
        for inst_type in ("MARGIN", "SWAP", "FUTURES", "OPTION")
    ),
    *(
        Aim(
            "/api/v5/public/instruments",
            inst_type.lower(),
            query={"instType": inst_type},
            markets=True,
        )
        for inst_type in ("SWAP", "FUTURES", "OPTION")
    ),
]
UNSEEN_CODE = "59876"
