"""Bad input gets a clear message before anything is sent, and secrets are never re-rendered."""

from __future__ import annotations

import pytest

from connections.models import ExchangeConnection

from .conftest import form_data

ADD = "/settings/connections/add/?exchange=binance"
PEM = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBv1\n-----END EC PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("api_secret", "abc\x00def" + "a" * 60, "contains a NUL character"),
        ("api_key", "a" * 10_240, "is 10,240 characters long"),
        ("api_secret", "a" * 10_240, "is 10,240 characters long"),
        ("api_key", "abcd efgh" * 7, "contains spaces or line breaks"),
        ("api_secret", "abcd\nefgh" * 7, "contains spaces or line breaks"),
        ("api_secret", PEM, "This is a PEM private key, but Binance uses a plain secret"),
        ("api_key", "organizations/x/apiKeys/y", "does not look like a Binance API key"),
        ("api_key", "", "This field is required"),
    ],
    ids=["nul", "long-key", "long-secret", "space", "newline", "pem", "wrong-exchange", "empty"],
)
def test_bad_credential_input_gets_a_clear_error_and_sends_nothing(
    owner_client, workspace, binance, routed_to_simulator, field, value, message
):
    before = routed_to_simulator.ok("GET", "/stats")
    account = binance["read-only"]
    response = owner_client.post(ADD, form_data(account, **{field: value}))
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert account["secret"] not in body
    assert not ExchangeConnection.objects.filter(workspace=workspace).exists()
    assert routed_to_simulator.ok("GET", "/stats") == before


def test_surrounding_whitespace_is_trimmed(owner_client, workspace, binance):
    account = binance["read-only"]
    response = owner_client.post(
        ADD,
        form_data(
            account, api_key=f"  {account['api_key']}\n", api_secret=f"\t{account['secret']} "
        ),
    )
    assert response.status_code == 302
    assert (
        ExchangeConnection.objects.get(workspace=workspace).api_key_hint == account["api_key"][-4:]
    )


def test_a_label_with_a_nul_byte_is_refused(owner_client, workspace, binance):
    response = owner_client.post(ADD, form_data(binance["read-only"], label="Main\x00"))
    assert "contains a NUL character" in response.content.decode()


def test_another_workspaces_portfolio_is_not_a_choice(
    owner_client, workspace, binance, other_workspace
):
    from portfolio.services import portfolio_default_ensure

    theirs = portfolio_default_ensure(workspace=other_workspace)
    response = owner_client.post(ADD, form_data(binance["read-only"], portfolio=str(theirs.pk)))
    assert "Select a valid choice" in response.content.decode()
    assert not ExchangeConnection.objects.exists()
