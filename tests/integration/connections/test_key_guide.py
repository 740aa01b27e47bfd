"""The key guide and the form's messages agree with how this installation reaches exchanges."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from connections.models import Exchange, ExchangeConnection
from sync.exchanges.registry import ADAPTERS

from .conftest import form_data

ADD = "/settings/connections/add/?exchange=binance"
EXCHANGES = sorted(ADAPTERS)
# What only a guide that asks for an allow-list says, and what only one that does not says.
RESTRICT = ("Restrict access to trusted IPs", "add our addresses", "Allow-list our addresses")
UNRESTRICTED = ("No IP restriction", "without an IP restriction", "no addresses of ours")


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_with_fixed_addresses_the_guide_asks_to_restrict_the_key_to_them(
    owner_client, settings, exchange
):
    settings.THRIVE_EGRESS_IPS = ["203.0.113.10", "203.0.113.11"]
    guide = _guide(owner_client, exchange)
    assert "203.0.113.10" in guide and "203.0.113.11" in guide
    assert "Allow-list our addresses" in guide
    assert not [words for words in UNRESTRICTED if words in guide]


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_without_fixed_addresses_the_guide_says_to_leave_the_key_unrestricted_and_why(
    owner_client, settings, exchange
):
    settings.THRIVE_EGRESS_IPS = []
    guide = _guide(owner_client, exchange)
    assert "Leave the key without an IP restriction" in guide
    assert "does not send its requests from fixed addresses" in guide
    assert "there are no addresses of ours to list" in guide
    assert not [words for words in RESTRICT if words.lower() in guide.lower()]


def test_the_binance_guide_never_says_both(owner_client, settings):
    for ips in ([], ["203.0.113.10"]):
        settings.THRIVE_EGRESS_IPS = ips
        guide = _guide(owner_client, "binance")
        assert ("trusted IPs" in guide) != ("without an IP restriction" in guide)


def test_a_wrong_secret_on_the_add_form_does_not_say_replace_it(owner_client, binance):
    response = owner_client.post(ADD, form_data(binance["read-only"], api_secret="A" * 64))
    body = response.content.decode()
    assert "Authentication failed" in body
    assert "Copy them again from the exchange, or create a new key." in body
    assert "Replace it" not in body and "replace this" not in body


def test_a_trade_enabled_key_tested_on_the_add_form_is_not_told_to_replace_itself(
    owner_client, binance
):
    body = owner_client.post(
        ADD, form_data(binance["trade-enabled"], action="test")
    ).content.decode()
    assert "Trade enabled" in body
    assert "paste that one instead" in body
    assert "replace this key" not in body


@pytest.mark.parametrize(
    ("ips", "says"),
    [
        (["203.0.113.10"], "Add 203.0.113.10 to the key's IP allow-list on OKX."),
        ([], "Remove the key's IP restriction on OKX, or create a key without one."),
    ],
    ids=["fixed-addresses", "no-fixed-addresses"],
)
def test_a_key_refusing_our_address_is_told_what_fits_this_installation(
    owner_client, settings, routed_to_simulator, ips, says
):
    # OKX names an IP refusal (50110); Binance's -2015 does not tell it from a wrong key.
    settings.THRIVE_EGRESS_IPS = ips
    account = routed_to_simulator.account("okx", "read-only")
    routed_to_simulator.add_fault("ip_not_allowed", exchange="okx", api_key=account["api_key"])
    body = owner_client.post(
        "/settings/connections/add/?exchange=okx", form_data(account, action="test")
    ).content.decode()
    assert escape(says) in body


def test_a_withdrawal_key_tested_shows_the_box_its_message_asks_to_tick(owner_client, binance):
    body = owner_client.post(
        ADD, form_data(binance["withdraw-enabled"], action="test")
    ).content.decode()
    assert "Withdrawals enabled" in body
    assert "tick the box below" in body
    result = body.split('id="check-result"')[1].split('id="errors-label"')[0]
    assert 'type="checkbox" name="acknowledge_withdrawals"' in result


def test_the_connection_page_of_a_kept_withdrawal_key_asks_no_tick(
    owner_client, workspace, binance
):
    account = binance["withdraw-enabled"]
    owner_client.post(ADD, form_data(account, acknowledge_withdrawals="on"))
    connection = ExchangeConnection.objects.get(workspace=workspace)
    body = owner_client.get(f"/settings/connections/{connection.public_id}/").content.decode()
    assert "can withdraw funds" in body
    assert "tick" not in body


def _guide(client, exchange: str) -> str:
    page = client.get(f"/settings/connections/add/?exchange={exchange}").content.decode()
    name = dict(Exchange.choices)[exchange]
    assert f"Create a read-only {name} key" in page
    return page.split('<aside class="guide">')[1].split("</aside>")[0]
