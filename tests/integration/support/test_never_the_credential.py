"""No page of the support console shows any part of a key beyond its last four characters."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from connections.models import AuditEvent, Credential
from sync.budget import take
from sync.models import SyncRun
from tests.exchange_keys import secret_of


def fragments(value: str) -> list[str]:
    return [value, value[:8], value[-8:]]


@pytest.fixture
def canary(routed_to_simulator):
    return routed_to_simulator.create_account(
        exchange="binance", label="canary", trades={"BTC/USDT": 5}, days=10, permissions=["read"]
    )


def every_admin_url(connection, user) -> list[str]:
    """Each list the user may read, the canary's own rows, and the console's pages, with
    search and filters that reach the canary."""
    urls = [reverse("admin:index"), reverse("admin:exchange-health")]
    for model in admin.site._registry:
        if user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            urls.append(
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            )
    change = "admin:{}_change"
    run = SyncRun.objects.filter(connection=connection).first()
    event = AuditEvent.objects.filter(connection=connection).first()
    urls += [
        reverse(change.format("connections_exchangeconnection"), args=[connection.pk]),
        reverse(change.format("sync_syncrun"), args=[run.pk]),
        reverse(change.format("connections_auditevent"), args=[event.pk]),
        reverse(change.format("thrive_workspace"), args=[connection.workspace_id]),
        reverse(change.format("thrive_user"), args=[connection.created_by_id]),
    ]
    connections = reverse("admin:connections_exchangeconnection_changelist")
    for query in (
        f"q={connection.api_key_hint}",
        f"q={connection.workspace.name}",
        f"q={connection.created_by.email}",
        "stale=yes",
        "status__exact=connected",
        "exchange__exact=binance",
        "workspace__plan__exact=starter",
    ):
        urls.append(f"{connections}?{query}")
    urls.append(
        reverse("admin:sync_syncrun_changelist") + f"?connection__id__exact={connection.pk}"
    )
    urls.append(
        reverse("admin:connections_auditevent_changelist")
        + f"?connection__id__exact={connection.pk}"
    )
    return urls


def test_no_admin_page_shows_any_part_of_the_canarys_key(
    support_client, support_user, workspace, owner, canary
):
    from connections.services import connection_create
    from sync.services import sync_connection

    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Canary",
        portfolio=None,
        secret=secret_of(canary),
    )
    assert sync_connection(connection_id=connection.pk, kind="initial").status == "succeeded"
    take("binance", rate_limit_ms=50)  # the health page shows the budget's bucket
    assert Credential.objects.filter(connection=connection).exists()
    needles = [*fragments(canary["secret"]), *fragments(canary["api_key"])]
    assert connection.api_key_hint == canary["api_key"][-4:]

    urls = every_admin_url(connection, support_user)
    for url in urls:
        response = support_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for needle in needles:
            assert needle not in body, url
    detail = reverse("admin:connections_exchangeconnection_change", args=[connection.pk])
    assert connection.api_key_hint in support_client.get(detail).content.decode()


def test_the_credential_model_has_no_admin_page(support_client, admin_client):
    assert Credential not in admin.site._registry
    assert support_client.get("/admin/connections/credential/").status_code == 404
    assert admin_client.get("/admin/connections/credential/").status_code == 404
