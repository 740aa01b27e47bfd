from tests.account_profiles import AVAILABLE, NOT_OPENED

PROFILES = {
    # Never opened futures: 1000 "Account does not exist" under the default reading (the
    # "empty" one is tested in test_mexc_import).
    "spot-only": {"futures": NOT_OPENED, "sub_accounts": AVAILABLE},
    # An ordinary account: an empty sub-account list under the default reading.
    "not-master": {"futures": AVAILABLE, "sub_accounts": AVAILABLE},
}
OPTIONAL_PATHS = ["/api/v1/private/", "/api/v3/sub-account/"]
