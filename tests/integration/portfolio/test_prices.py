"""Dollar prices from tickers: stablecoins at their own USD ticker, never assumed to be 1."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from portfolio.models import AssetPrice
from portfolio.prices import prices_record
from sync.exchanges.records import PriceRecord

pytestmark = pytest.mark.django_db


def ticker(symbol: str, price: str) -> PriceRecord:
    base, quote = symbol.split("/")
    return PriceRecord(asset=base, quote=quote, price=Decimal(price), symbol=symbol)


def test_a_stablecoin_quote_is_converted_at_its_own_usd_ticker():
    now = timezone.now()
    prices = prices_record(
        exchange="kraken",
        records=[ticker("BTC/USDT", "60000"), ticker("USDT/USD", "0.9995")],
        as_of=now,
    )
    assert prices["BTC"] == Decimal("59970.0000")
    assert prices["USDT"] == Decimal("0.9995")
    assert AssetPrice.objects.get(asset="BTC").source == "kraken BTC/USDT, kraken USDT/USD"


def test_without_a_dollar_price_for_the_quote_nothing_is_priced():
    prices = prices_record(
        exchange="binance", records=[ticker("BTC/USDT", "60000")], as_of=timezone.now()
    )
    assert "BTC" not in prices
    assert not AssetPrice.objects.filter(asset="BTC").exists()


def test_a_recent_stablecoin_price_from_another_exchange_converts():
    now = timezone.now()
    prices_record(exchange="kraken", records=[ticker("USDT/USD", "1.0002")], as_of=now)
    prices = prices_record(exchange="binance", records=[ticker("ETH/USDT", "3000")], as_of=now)
    assert prices["ETH"] == Decimal("3000.6000")
    assert AssetPrice.objects.get(asset="ETH").source == "binance ETH/USDT, kraken USDT/USD"


def test_a_stale_stablecoin_price_is_not_used():
    now = timezone.now()
    prices_record(
        exchange="kraken", records=[ticker("USDT/USD", "1.0002")], as_of=now - timedelta(hours=7)
    )
    prices = prices_record(exchange="binance", records=[ticker("ETH/USDT", "3000")], as_of=now)
    assert "ETH" not in prices


def test_a_dollar_balance_is_worth_its_amount():
    assert prices_record(exchange="kraken", records=[], as_of=timezone.now())["USD"] == 1


def test_a_balance_sync_prices_what_the_account_holds_and_sums_the_reading(
    routed_to_simulator, workspace, owner
):
    from connections.services import connection_create
    from portfolio.models import BalanceReading, BalanceSnapshot
    from sync.services import sync_connection
    from tests.exchange_keys import secret_of

    account = routed_to_simulator.create_account(
        exchange="binance", profile="spot-only", trades={"BTC/USDT": 30}
    )
    connection = connection_create(
        workspace=workspace,
        actor=owner,
        exchange="binance",
        label="Main",
        portfolio=None,
        secret=secret_of(account),
    )
    result = sync_connection(connection_id=connection.pk, kind="balances", trigger="manual")
    assert result.status == "succeeded", result

    usdt = AssetPrice.objects.get(asset="USDT")
    assert usdt.source == "kraken USDT/USD"  # its own ticker (the simulator holds it at 1)
    btc = AssetPrice.objects.get(asset="BTC")
    assert btc.source == "binance BTC/USDT, kraken USDT/USD"
    rows = BalanceSnapshot.objects.filter(connection=connection, is_latest=True)
    held = rows.get(asset="BTC", account_type="spot")
    assert held.value_usd == held.total * btc.price_usd
    reading = BalanceReading.objects.get(connection=connection)
    assert reading.value_usd == sum(r.value_usd for r in rows if r.value_usd is not None)
