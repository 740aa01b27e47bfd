"""A CSV and the API meet: the same fill is never listed twice, whichever came first.

The file is written from the simulator's ground truth, in our template, with or without the
exchange's trade ids (Binance's own spot export has none).
"""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from connections.services import connection_create
from journal.models import ImportBatch, Trade
from sync.services import sync_connection
from tests.exchange_keys import secret_of

HEADER = "time,kind,symbol,side,amount,price,asset,fee,fee_currency,id,note\n"


@pytest.fixture
def account(routed_to_simulator):
    return routed_to_simulator.create_account(
        exchange="binance", profile="spot-only", trades={"BTC/USDT": 60, "ETH/USDT": 40}
    )


@pytest.fixture
def connection(workspace, owner, account):
    return connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Main",
        portfolio=None,
        secret=secret_of(account),
    )


def csv_of(fills: list[dict], *, with_ids: bool) -> str:
    lines = [
        ",".join(
            [
                datetime.fromtimestamp(fill["timestamp"] / 1000, tz=UTC).isoformat(),
                "trade",
                fill["symbol"],
                fill["side"],
                fill["amount"],
                fill["price"],
                "",
                fill["fee"],
                fill["fee_currency"],
                fill["id"] if with_ids else "",
                "",
            ]
        )
        for fill in fills
    ]
    return HEADER + "\n".join(lines) + "\n"


def import_file(client, content: str, connection=None) -> str:
    fields = {
        "file": SimpleUploadedFile("older.csv", content.encode(), content_type="text/csv"),
        "timezone": "UTC",
        "exchange": "binance",
    }
    if connection is not None:
        fields["connection"] = str(connection.pk)
    response = client.post("/journal/import/", fields)
    assert response.status_code == 302, response.content.decode()[-3000:]
    page = client.get(response["Location"]).content.decode()
    client.post(response["Location"])
    return page


def synced(connection) -> None:
    result = sync_connection(connection_id=connection.pk, kind="full", trigger="manual")
    assert result.status == "succeeded", result


@pytest.mark.parametrize("with_ids", [True, False], ids=["with ids", "without ids"])
def test_a_file_of_fills_the_api_brought_imports_nothing(
    routed_to_simulator, owner_client, account, connection, with_ids
):
    synced(connection)
    truth = routed_to_simulator.ground_truth(account["api_key"])
    page = import_file(owner_client, csv_of(truth, with_ids=with_ids))

    assert f"<dt>Already in your journal</dt><dd>{len(truth)}</dd>" in page
    assert Trade.objects.count() == len(truth)
    assert not Trade.objects.filter(source="csv").exists()


@pytest.mark.parametrize("with_ids", [True, False], ids=["with ids", "without ids"])
def test_the_api_does_not_list_again_what_a_file_brought_first(
    routed_to_simulator, owner_client, account, connection, with_ids
):
    truth = routed_to_simulator.ground_truth(account["api_key"])
    older, newer = truth[:50], truth[50:]
    import_file(owner_client, csv_of(older, with_ids=with_ids), connection=connection)
    assert Trade.objects.filter(source="csv").count() == 50

    synced(connection)

    assert Trade.objects.count() == len(truth)
    ids = sorted(Trade.objects.values_list("exchange_trade_id", flat=True))
    assert ids == sorted(fill["id"] for fill in truth)
    # The API took the file's rows over: undoing the import keeps them.
    owner_client.post(f"/journal/import/{ImportBatch.objects.get().public_id}/undo/")
    assert Trade.objects.count() == len(truth)
    assert len(newer) == Trade.objects.filter(source="api").count() - len(older)


def test_a_file_without_a_connection_still_meets_the_api(
    routed_to_simulator, owner_client, account, connection
):
    truth = routed_to_simulator.ground_truth(account["api_key"])
    import_file(owner_client, csv_of(truth[:30], with_ids=False))

    synced(connection)

    assert Trade.objects.count() == len(truth)


def test_binance_own_export_of_older_trades_imports_beside_the_synced_ones(
    routed_to_simulator, owner_client, account, connection
):
    """The done-when of issue 11: the API's trades are there; the exchange's own CSV of the
    account (no fill ids) adds nothing twice, and its fills the API did not bring are added."""
    synced(connection)
    truth = routed_to_simulator.ground_truth(account["api_key"])
    text = _export_text(routed_to_simulator, account["api_key"])
    # ten fills the API no longer holds in the journal (as if older than its reach)
    older = Trade.objects.order_by("executed_at")[:10]
    older_ids = [trade.pk for trade in older]
    Trade.objects.filter(pk__in=older_ids).delete()

    response = owner_client.post(
        "/journal/import/",
        {
            "file": SimpleUploadedFile("trade-history.csv", text.encode(), "text/csv"),
            "timezone": "UTC",
            "connection": str(connection.pk),
        },
    )
    page = owner_client.get(response["Location"]).content.decode()
    assert (
        "Binance" in page and f"<dt>Already in your journal</dt><dd>{len(truth) - 10}</dd>" in page
    )
    owner_client.post(response["Location"])

    assert Trade.objects.count() == len(truth)
    assert Trade.objects.filter(source="csv").count() == 10
    synced(connection)
    assert Trade.objects.count() == len(truth)


def _export_text(simulator, api_key: str) -> str:
    url = f"{simulator.base_url}/_sim/accounts/{api_key}/export.csv"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback simulator
        assert response.headers["Content-Type"].startswith("text/csv")
        return response.read().decode()
