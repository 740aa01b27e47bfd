"""Markets and trade streams in words (sync/names.py), for every market family of the nine
exchanges: a person reads "USDⓈ-M BTC/USDT perpetual", never `usdm:BTC/USDT:USDT`."""

from __future__ import annotations

import pytest

from sync.exchanges import gate, okx
from sync.exchanges.bybit import CLASSIC_SPOT
from sync.exchanges.okx.fills import STREAMS as OKX_STREAMS
from sync.names import (
    families_in_order,
    market_family,
    market_in_words,
    progress_in_words,
    stream_in_words,
)


@pytest.mark.parametrize(
    ("exchange", "stream", "words"),
    [
        # Binance: one stream per market, spot and both futures platforms, perpetual or dated
        ("binance", "spot:BTC/USDT", "Spot BTC/USDT"),
        ("binance", "usdm:BTC/USDT:USDT", "USDⓈ-M BTC/USDT perpetual"),
        ("binance", "usdm:ETH/USDC:USDC", "USDⓈ-M ETH/USDC perpetual"),
        ("binance", "usdm:BTC/USDT:USDT-251226", "USDⓈ-M BTC/USDT 26 Dec 2025"),
        ("binance", "coinm:BTC/USD:BTC", "COIN-M BTC/USD perpetual"),
        ("binance", "coinm:ETH/USD:ETH-260327", "COIN-M ETH/USD 27 Mar 2026"),
        # Bybit: one stream per category
        ("bybit", "spot", "Spot"),
        ("bybit", CLASSIC_SPOT, "Spot (classic account)"),
        ("bybit", "linear", "USDT and USDC perpetuals and futures"),
        ("bybit", "inverse", "Inverse perpetuals and futures"),
        # OKX: one stream per instrument type
        ("okx", "spot", "Spot"),
        ("okx", "margin", "Margin"),
        ("okx", "swap", "Perpetual swaps"),
        ("okx", "futures", "Expiry futures"),
        ("okx", "option", "Options"),
        # Bitget: spot per pair, USDT-M futures at once
        ("bitget", "spot:ETH/USDT", "Spot ETH/USDT"),
        ("bitget", "mix:USDT-FUTURES", "USDT-M futures"),
        # Coinbase Advanced: spot only
        ("coinbase", "spot", "Spot"),
        # Kraken: spot (its margin trades come in the same history) and Kraken Futures
        ("kraken", "spot", "Spot and margin"),
        ("kraken", "futures", "Kraken Futures"),
        # KuCoin: high-frequency accounts per pair, classic ones per account type
        ("kucoin", "spot:BTC/USDT", "Spot BTC/USDT"),
        ("kucoin", "margin:BTC/USDT", "Cross margin BTC/USDT"),
        ("kucoin", "isolated:ETH/USDT", "Isolated margin ETH/USDT"),
        ("kucoin", "spot", "Spot"),
        ("kucoin", "margin", "Cross margin"),
        ("kucoin", "isolated", "Isolated margin"),
        ("kucoin", "futures", "Futures"),
        # MEXC: spot and perpetuals per market
        ("mexc", "spot:MX/USDT", "Spot MX/USDT"),
        ("mexc", "swap:BTC/USDT:USDT", "BTC/USDT perpetual"),
        # Gate: one stream per account and settle currency
        ("gate", "spot", "Spot"),
        ("gate", "margin:cross", "Cross margin"),
        ("gate", "margin:isolated", "Isolated margin"),
        ("gate", "perpetual:usdt", "USDT perpetuals"),
        ("gate", "perpetual:btc", "BTC-settled perpetuals"),
        ("gate", "delivery:usdt", "USDT delivery futures"),
    ],
)
def test_every_stream_of_every_exchange_reads_in_words(exchange, stream, words):
    assert stream_in_words(exchange, stream) == words


@pytest.mark.parametrize(
    ("exchange", "streams"),
    [("gate", gate.STREAMS), ("okx", list(OKX_STREAMS)), ("okx", list(okx.STREAM_PARTS))],
)
def test_every_stream_an_adapter_lists_has_a_name(exchange, streams):
    assert [stream for stream in streams if stream_in_words(exchange, stream) == stream] == []


def test_a_stream_nobody_named_is_shown_as_it_is_rather_than_guessed():
    assert stream_in_words("binance", "search:usdm") == "search:usdm"
    assert stream_in_words("okx", "block-trades") == "block-trades"
    assert stream_in_words("binance", "usdm:not a symbol") == "usdm:not a symbol"


@pytest.mark.parametrize(
    ("exchange", "market_type", "symbol", "words", "family"),
    [
        ("binance", "spot", "BTC/USDT", "Spot BTC/USDT", "Spot"),
        ("binance", "swap", "BTC/USDT:USDT", "USDⓈ-M BTC/USDT perpetual", "USDⓈ-M"),
        ("binance", "future", "BTC/USDT:USDT-251226", "USDⓈ-M BTC/USDT 26 Dec 2025", "USDⓈ-M"),
        ("binance", "swap", "BTC/USD:BTC", "COIN-M BTC/USD perpetual", "COIN-M"),
        ("binance", "future", "BTC/USD:BTC-260626", "COIN-M BTC/USD 26 Jun 2026", "COIN-M"),
        ("bybit", "swap", "BTC/USDT:USDT", "BTC/USDT perpetual", "Perpetuals"),
        ("bybit", "swap", "BTC/USD:BTC", "BTC/USD inverse perpetual", "Inverse perpetuals"),
        ("bybit", "future", "BTC/USDC:USDC-251226", "BTC/USDC future 26 Dec 2025", "Futures"),
        (
            "okx",
            "future",
            "BTC/USD:BTC-251226",
            "BTC/USD inverse future 26 Dec 2025",
            "Inverse futures",
        ),
        (
            "okx",
            "option",
            "BTC/USD:BTC-260327-90000-C",
            "BTC/USD 90,000 call 27 Mar 2026 option",
            "Options",
        ),
        (
            "okx",
            "option",
            "ETH/USD:ETH-251226-2500.5-P",
            "ETH/USD 2500.5 put 26 Dec 2025 option",
            "Options",
        ),
        ("okx", "margin", "BTC/USDT", "Margin BTC/USDT", "Margin"),
        ("kraken", "margin", "BTC/USD", "Margin BTC/USD", "Margin"),
        ("kraken", "swap", "BTC/USD:USD", "BTC/USD perpetual", "Perpetuals"),
        ("kraken", "swap", "BTC/USD:BTC", "BTC/USD inverse perpetual", "Inverse perpetuals"),
        ("gate", "future", "BTC/USDT:USDT-251226", "BTC/USDT future 26 Dec 2025", "Futures"),
        ("mexc", "swap", "BTC/USDT:USDT", "BTC/USDT perpetual", "Perpetuals"),
        ("coinbase", "spot", "BTC/USDC", "Spot BTC/USDC", "Spot"),
    ],
)
def test_a_market_reads_in_words_and_belongs_to_its_family(
    exchange, market_type, symbol, words, family
):
    assert market_in_words(exchange, market_type, symbol) == words
    assert market_family(exchange, market_type, symbol) == family


def test_families_are_listed_spot_first_then_as_exchanges_group_them():
    assert families_in_order({"COIN-M", "Spot", "USDⓈ-M", "Options"}) == [
        "Spot",
        "USDⓈ-M",
        "COIN-M",
        "Options",
    ]


def test_a_running_import_says_which_market_how_many_trades_and_how_far():
    progress = {"walk": {"stream": "usdm:BTC/USDT:USDT", "number": 3, "of": 5}}
    assert (
        progress_in_words("binance", first=True, progress=progress, trades=1200)
        == "Importing USDⓈ-M BTC/USDT perpetual · 1,200 trades so far · market 3 of 5"
    )
    assert (
        progress_in_words("binance", first=False, progress=progress, trades=1)
        == "Syncing USDⓈ-M BTC/USDT perpetual · 1 new trade · market 3 of 5"
    )
    assert progress_in_words("okx", first=True, progress={}, trades=0) == (
        "Importing · reading balances and finding markets"
    )
