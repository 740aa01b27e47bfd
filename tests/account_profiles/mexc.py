from tests.account_profiles import AVAILABLE, NOT_OPENED, Aim

PROFILES = {
    # Never opened futures: 1000 "Account does not exist" under the default reading (the
    # "empty" one is tested in test_mexc_import).
    "spot-only": {"futures": NOT_OPENED, "sub_accounts": AVAILABLE},
    # An ordinary account: an empty sub-account list under the default reading.
    "not-master": {"futures": AVAILABLE, "sub_accounts": AVAILABLE},
}
OPTIONAL_STREAMS = [
    *(
        Aim(f"/api/v1/private/{path}", "futures")
        for path in (
            "account/assets",
            "order/list/order_deals",
            "position/open_positions",
            "position/list/history_positions",
        )
    ),
    Aim("/api/v1/contract/fair_price/", "futures"),
    Aim("/api/v1/contract/detail", "futures", markets=True),
    # any refusal of the sub-account list reads as "not a master"
    Aim("/api/v3/sub-account/", "sub_accounts", recorded=NOT_OPENED),
]
UNSEEN_CODE = "987650"
