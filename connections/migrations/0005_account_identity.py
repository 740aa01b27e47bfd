"""Connections name the exchange account their key belongs to.

Connections made before this knew only their key: their account is the key's fingerprint.
"""

from django.db import migrations, models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat


def accounts_from_keys(apps, schema_editor):
    connection = apps.get_model("connections", "ExchangeConnection")
    connection.objects.update(account_ref=Concat(Value("key:"), F("api_key_fingerprint")))


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0004_capabilities"),
    ]

    operations = [
        migrations.AddField(
            model_name="exchangeconnection",
            name="exchange_account_id",
            field=models.CharField(blank=True, max_length=96),
        ),
        migrations.AddField(
            model_name="exchangeconnection",
            name="account_ref",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="exchangeconnection",
            name="sync_requested_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(accounts_from_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="exchangeconnection",
            constraint=models.UniqueConstraint(
                condition=~Q(status="disconnected"),
                fields=("workspace", "exchange", "account_ref"),
                name="connection_unique_live_account",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("added", "Added"),
                    ("tested", "Tested"),
                    ("replaced", "Replaced"),
                    ("permissions_checked", "Permissions checked"),
                    ("disconnected", "Disconnected"),
                    ("reconnected", "Reconnected"),
                    ("staff_viewed", "Viewed by staff"),
                ],
                max_length=24,
            ),
        ),
    ]
