"""A fill's identity is its exchange account's, not its connection's.

Trades take their connection's account. Fills listed twice because an account was connected
twice (the bug this fixes) are the same fill: the first row recorded is kept.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def accounts_from_connections(apps, schema_editor):
    trade = apps.get_model("journal", "Trade")
    connection = apps.get_model("connections", "ExchangeConnection")
    trade.objects.filter(connection__isnull=False).update(
        account_ref=Subquery(
            connection.objects.filter(pk=OuterRef("connection_id")).values("account_ref")[:1]
        )
    )
    table = trade._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id NOT IN (SELECT MIN(id) FROM {table} "  # noqa: S608
            "GROUP BY workspace_id, exchange, account_ref, account, market_type, symbol, "
            "exchange_trade_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0005_account_identity"),
        ("journal", "0002_trade_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="trade", name="trade_identity"),
        migrations.AddField(
            model_name="trade",
            name="account_ref",
            field=models.CharField(default="", max_length=100),
        ),
        migrations.RunPython(accounts_from_connections, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="trade",
            constraint=models.UniqueConstraint(
                fields=(
                    "workspace",
                    "exchange",
                    "account_ref",
                    "account",
                    "market_type",
                    "symbol",
                    "exchange_trade_id",
                ),
                name="trade_identity",
            ),
        ),
    ]
