# The journal page's filtered keyset pages (journal.selectors): a market (?symbol=BTC/USDT)
# and a connection each get an index in the page's own order, so page 1 and page 20,000 of a
# filtered list both read page_size + 1 index entries. Unfiltered pages use trade_ws_time.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('journal', '0004_ledger_and_imports'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='trade',
            index=models.Index(
                fields=['workspace', 'symbol', '-executed_at', '-id'],
                name='trade_ws_symbol_time',
            ),
        ),
        migrations.AddIndex(
            model_name='trade',
            index=models.Index(fields=['connection', '-executed_at', '-id'], name='trade_conn_time'),
        ),
    ]
