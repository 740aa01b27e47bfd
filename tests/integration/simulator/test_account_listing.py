"""The seeded keys ``GET /_sim/accounts`` lists name the kind of account each one is: its profile
(sync/simulator/profiles.py) and, where the exchange has several kinds of account, its mode in
the exchange's words (issue 8: "The seeded demo key list names each profile")."""

from __future__ import annotations

import pytest

from sync.simulator.exchanges import EXCHANGES
from sync.simulator.profiles import PROFILES

# The profiles issue 8 asks for beyond "spot-only", which every exchange has; KuCoin's "margin
# not enabled" is the profile "margin-disabled".
NAMED_IN_THE_ISSUE = {
    "binance": {"futures-after-key", "portfolio-margin", "not-master"},
    "bybit": {"no-transfer"},
    "kucoin": {"margin-disabled"},
}
# The kinds of account each exchange's seeded keys cover; an exchange with one kind lists none.
MODES = {
    "binance": {"classic", "portfolio-margin"},
    "bybit": {"unified", "classic"},
    "gate": {"classic", "unified"},
    "okx": {"spot", "spot-and-futures", "multi-currency-margin"},
    "kucoin": {"high-frequency", "low-frequency"},
    "bitget": {"classic"},
}


@pytest.mark.parametrize("exchange", sorted(EXCHANGES))
def test_each_seeded_key_names_its_profile_and_the_kind_of_account_it_is(simulator, exchange):
    accounts = {account["label"]: account for account in simulator.accounts(exchange)}

    for account in accounts.values():
        assert account["profile"] in PROFILES, account["label"]
        assert account["profile_description"] == PROFILES[account["profile"]].description
    for profile in {"spot-only"} | NAMED_IN_THE_ISSUE.get(exchange, set()):
        assert accounts[profile]["profile"] == profile
    assert {account["mode"] for account in accounts.values()} == MODES.get(exchange, {None})


def test_the_listing_says_which_seeded_account_is_which_kind(simulator):
    """Bybit's and OKX's modes follow the label (and an OKX account without futures is in Spot
    mode), Binance's the profile: an account created later is listed the same way."""
    accounts = {
        (account["exchange"], account["label"]): account["mode"] for account in simulator.accounts()
    }

    assert accounts["bybit", "classic"] == "classic" and accounts["bybit", "demo"] == "unified"
    assert accounts["okx", "spot-only"] == "spot" and accounts["okx", "demo"] == "spot-and-futures"
    assert accounts["okx", "multi"] == "multi-currency-margin"
    assert accounts["gate", "unified"] == "unified" and accounts["gate", "demo"] == "classic"
    assert accounts["binance", "portfolio-margin"] == "portfolio-margin"
    assert accounts["kucoin", "low-frequency"] == "low-frequency"
    created = simulator.create_account(
        exchange="bybit", label="classic-created", trades={"BTC/USDT": 5}, days=5
    )
    assert created["mode"] == "classic" and created["profile"] == "full"
