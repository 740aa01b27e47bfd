"""Adding a connection through the form, against the simulator over HTTP."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from connections.models import AuditEvent, Credential, ExchangeConnection
from thrive.models import Workspace

from .conftest import form_data

ADD = "/settings/connections/add/?exchange=binance"


def test_connecting_the_demo_key_stores_it_encrypted_and_shows_verified_read_only(
    owner_client, workspace, binance, portfolio
):
    account = binance["demo"]
    response = owner_client.post(ADD, form_data(account))
    connection = ExchangeConnection.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == f"/settings/connections/{connection.public_id}/"
    assert connection.access == ExchangeConnection.Access.READ_ONLY
    assert connection.api_key_hint == account["api_key"][-4:]
    assert connection.portfolio == portfolio
    envelope = Credential.objects.get(connection=connection).envelope
    assert account["secret"] not in str(envelope)
    assert account["api_key"] not in str(envelope)
    actions = set(AuditEvent.objects.filter(connection=connection).values_list("action", flat=True))
    assert {"added", "permissions_checked"} <= actions

    page = owner_client.get(response["Location"]).content.decode()
    assert "Verified read-only" in page
    assert account["secret"] not in page
    assert account["api_key"] not in page
    assert "Cache-Control" in owner_client.get(response["Location"]).headers


def test_testing_a_key_reports_the_outcome_and_saves_nothing(owner_client, workspace, binance):
    account = binance["read-only"]
    response = owner_client.post(ADD, form_data(account, action="test"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Verified read-only" in body
    assert account["secret"] not in body
    assert not ExchangeConnection.objects.filter(workspace=workspace).exists()
    assert AuditEvent.objects.filter(workspace=workspace, action="tested").count() == 1


def test_a_trade_enabled_key_connects_with_a_warning(owner_client, workspace, binance):
    owner_client.post(ADD, form_data(binance["trade-enabled"]))
    connection = ExchangeConnection.objects.get(workspace=workspace)
    assert connection.access == ExchangeConnection.Access.TRADE
    page = owner_client.get(f"/settings/connections/{connection.public_id}/").content.decode()
    assert "Trade enabled" in page
    assert "read-only key is safer" in page


def test_a_withdrawal_key_needs_an_explicit_acknowledgement(owner_client, workspace, binance):
    account = binance["withdraw-enabled"]
    refused = owner_client.post(ADD, form_data(account))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "tick the box below" in body
    assert 'name="acknowledge_withdrawals"' in body
    assert not ExchangeConnection.objects.filter(workspace=workspace).exists()

    accepted = owner_client.post(ADD, form_data(account, acknowledge_withdrawals="on"))
    assert accepted.status_code == 302
    connection = ExchangeConnection.objects.get(workspace=workspace)
    assert connection.access == ExchangeConnection.Access.WITHDRAW
    assert connection.withdrawals_acknowledged_at is not None


def test_a_key_without_read_permission_is_refused(owner_client, workspace, binance):
    response = owner_client.post(ADD, form_data(binance["no-read"]))
    assert response.status_code == 200
    assert "read" in response.content.decode().lower()
    assert not ExchangeConnection.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize(
    ("label", "overrides"),
    [("read-only", {"api_secret": "A" * 64}), ("expired", {})],
    ids=["wrong-secret", "expired-key"],
)
def test_authentication_failures_say_so_without_exchange_text(
    owner_client, workspace, binance, label, overrides
):
    account = binance[label]
    response = owner_client.post(ADD, form_data(account, **overrides))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Authentication failed" in body
    assert "-2015" not in body and "signature=" not in body and "http" not in body.split("<main")[1]
    assert account["secret"] not in body
    assert not ExchangeConnection.objects.filter(workspace=workspace).exists()


def test_maintenance_is_explained(owner_client, workspace, binance, routed_to_simulator):
    routed_to_simulator.ok("POST", "/faults", {"kind": "maintenance", "exchange": "binance"})
    response = owner_client.post(ADD, form_data(binance["read-only"]))
    assert "in maintenance" in response.content.decode()
    assert not ExchangeConnection.objects.filter(workspace=workspace).exists()


def test_the_same_key_twice_in_one_workspace_is_refused(owner_client, workspace, binance):
    owner_client.post(ADD, form_data(binance["read-only"]))
    again = owner_client.post(ADD, form_data(binance["read-only"], label="Again"))
    assert "already connected here as “Main account”" in again.content.decode()
    assert ExchangeConnection.objects.filter(workspace=workspace).count() == 1


def test_two_accounts_of_one_exchange_may_both_connect(owner_client, workspace, binance):
    owner_client.post(ADD, form_data(binance["read-only"]))
    owner_client.post(ADD, form_data(binance["demo"], label="Second"))
    assert ExchangeConnection.objects.filter(workspace=workspace).count() == 2


def test_the_starter_plan_stops_at_three_and_names_bigger_plans(
    owner_client, workspace, binance, routed_to_simulator
):
    for index in range(3):
        extra = routed_to_simulator.create_account(
            exchange="binance", trades={"BTC/USDT": 1}, days=5, permissions=["read"]
        )
        owner_client.post(ADD, form_data(extra, label=f"Account {index}"))
    assert ExchangeConnection.objects.filter(workspace=workspace).count() == 3
    response = owner_client.post(ADD, form_data(binance["demo"], label="Fourth"))
    body = response.content.decode()
    assert "Starter plan allows 3 connections" in body
    assert "Standard (10 connections) or Pro (unlimited)" in body
    workspace.plan = Workspace.Plan.PRO
    workspace.save()
    assert owner_client.post(ADD, form_data(binance["demo"], label="Fourth")).status_code == 302


def test_htmx_posts_get_the_form_partial_or_a_client_redirect(owner_client, binance):
    invalid = owner_client.post(ADD, form_data(binance["demo"], api_key=""), HTTP_HX_REQUEST="true")
    assert invalid.status_code == 200
    assert "<html" not in invalid.content.decode()
    assert 'id="connection-form"' in invalid.content.decode()
    ok = owner_client.post(ADD, form_data(binance["demo"]), HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    assert ok["HX-Redirect"].startswith("/settings/connections/")


def test_the_form_shows_how_to_make_a_read_only_key_and_our_ips(owner_client, settings):
    settings.THRIVE_EGRESS_IPS = ["203.0.113.10", "203.0.113.11"]
    page = owner_client.get(ADD).content.decode()
    assert "Create a read-only Binance key" in page
    assert "203.0.113.10" in page and "203.0.113.11" in page
    assert 'name="passphrase"' not in page


def test_choosing_an_exchange_comes_first(owner_client):
    page = owner_client.get("/settings/connections/add/").content.decode()
    assert "?exchange=binance" in page


@pytest.mark.parametrize(
    "exchange",
    ["binance", "bybit", "okx", "bitget", "coinbase", "kraken", "kucoin", "mexc", "gate"],
)
def test_every_exchange_connects_its_read_only_demo_key_through_the_form(
    owner_client, workspace, routed_to_simulator, exchange
):
    account = routed_to_simulator.account(exchange, "demo")
    response = owner_client.post(
        f"/settings/connections/add/?exchange={exchange}", form_data(account)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = ExchangeConnection.objects.get(workspace=workspace)
    assert connection.exchange == exchange
    assert connection.access in {
        ExchangeConnection.Access.READ_ONLY,
        ExchangeConnection.Access.UNVERIFIABLE,
    }
    page = owner_client.get(response["Location"]).content.decode()
    assert escape(connection.get_access_display()) in page
    assert account["secret"] not in page
