"""Paging Binance trade history through an unmodified ccxt client, checked field by field
against the simulator's ground truth."""

from __future__ import annotations

import time
from decimal import Decimal

import ccxt
import pytest

EXCHANGE = "binance"
DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS


@pytest.fixture(scope="module")
def history(simulator):
    """Enough fills for several pages per symbol, dense enough to page inside one week."""
    return simulator.create_account(
        exchange=EXCHANGE,
        label="paging",
        trades={"BTC/USDT": 2300, "ETH/USDT": 700, "BTC/USDT:USDT": 1500, "BTC/USD:BTC": 1300},
        days=10,
    )


def walk_from_id(client, symbol: str) -> list[dict]:
    """fromId walking: no window limit, 1000 fills a call, resume after the last id."""
    trades: list[dict] = []
    from_id = 0
    while True:
        page = client.fetch_my_trades(symbol, None, 1000, {"fromId": from_id})
        trades += page
        if len(page) < 1000:
            return trades
        from_id = int(page[-1]["id"]) + 1


def walk_windows(client, symbol: str, start_ms: int, end_ms: int, span_ms: int) -> list[dict]:
    """Windows of ``span_ms``; inside a window resume from the last timestamp and drop the
    fills seen already (several fills share a timestamp across page boundaries)."""
    by_id: dict[str, dict] = {}
    window_start = start_ms
    while window_start <= end_ms:
        window_end = min(window_start + span_ms - 1, end_ms)
        since = window_start
        while True:
            page = client.fetch_my_trades(symbol, since, 1000, {"endTime": window_end})
            fresh = [trade for trade in page if trade["id"] not in by_id]
            by_id.update((trade["id"], trade) for trade in page)
            if len(page) < 1000 or not fresh:
                break
            since = page[-1]["timestamp"]
        window_start = window_end + 1
    return sorted(by_id.values(), key=lambda trade: int(trade["id"]))


def assert_same_fills(fetched: list[dict], truth: list[dict]) -> None:
    assert [trade["id"] for trade in fetched] == [fill["id"] for fill in truth]
    for trade, fill in zip(fetched, truth, strict=True):
        info = trade["info"]
        assert trade["symbol"] == fill["symbol"]
        assert trade["timestamp"] == fill["timestamp"]
        assert trade["order"] == fill["order_id"]
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        assert trade["amount"] == Decimal(fill["amount"])
        assert trade["cost"] == Decimal(fill["cost"])
        # ccxt 4.5.90 drops fee costs when numbers are Decimal (see the test below), so the
        # fee is read where an adapter has to read it: the exchange's own fields
        assert Decimal(info["commission"]) == Decimal(fill["fee"])
        assert info["commissionAsset"] == fill["fee_currency"]
        if fill["realized_pnl"] is not None:
            assert Decimal(info["realizedPnl"]) == Decimal(fill["realized_pnl"])


def truth_for(simulator, account: dict, symbol: str) -> list[dict]:
    truth = [
        fill for fill in simulator.ground_truth(account["api_key"]) if fill["symbol"] == symbol
    ]
    return sorted(truth, key=lambda fill: int(fill["id"]))


@pytest.mark.parametrize("symbol", ["BTC/USDT", "ETH/USDT"])
def test_it_pages_the_complete_spot_history_with_from_id(simulator, history, symbol):
    client = simulator.client(history)

    fetched = walk_from_id(client, symbol)

    assert_same_fills(fetched, truth_for(simulator, history, symbol))


def test_it_pages_the_complete_usdm_history_in_seven_day_windows(simulator, history):
    client = simulator.client(history)
    now = int(time.time() * 1000)

    fetched = walk_windows(client, "BTC/USDT:USDT", now - 11 * DAY_MS, now, WEEK_MS)

    assert_same_fills(fetched, truth_for(simulator, history, "BTC/USDT:USDT"))


def test_it_pages_the_complete_coinm_history_in_seven_day_windows(simulator, history):
    client = simulator.client(history)
    now = int(time.time() * 1000)

    fetched = walk_windows(client, "BTC/USD:BTC", now - 11 * DAY_MS, now, WEEK_MS)

    assert_same_fills(fetched, truth_for(simulator, history, "BTC/USD:BTC"))


def test_it_pages_the_complete_demo_history_of_every_market_type(simulator):
    demo = simulator.account(EXCHANGE, "demo")
    client = simulator.client(demo)
    truth = simulator.ground_truth(demo["api_key"])

    for symbol in demo["trades_by_symbol"]:
        fetched = walk_from_id(client, symbol)
        assert_same_fills(fetched, truth_for(simulator, demo, symbol))
    assert {fill["market_type"] for fill in truth} == {"spot", "swap"}


def test_it_walks_spot_history_in_24_hour_windows_and_refuses_longer_ones(simulator, history):
    client = simulator.client(history)
    now = int(time.time() * 1000)

    fetched = walk_windows(client, "ETH/USDT", now - 11 * DAY_MS, now, DAY_MS)

    assert_same_fills(fetched, truth_for(simulator, history, "ETH/USDT"))
    with pytest.raises(ccxt.BadRequest, match="-1127"):
        client.fetch_my_trades("ETH/USDT", now - 3 * DAY_MS, None, {"endTime": now})
    with pytest.raises(ccxt.BadRequest, match="-1128"):
        client.fetch_my_trades("ETH/USDT", now - DAY_MS, None, {"fromId": 1})


def test_page_boundaries_split_fills_that_share_a_timestamp(simulator, history):
    client = simulator.client(history)

    first = client.fetch_my_trades("BTC/USDT", None, 1000, {"fromId": 0})
    second = client.fetch_my_trades("BTC/USDT", None, 1000, {"fromId": int(first[-1]["id"]) + 1})

    assert first[-1]["timestamp"] == second[0]["timestamp"]


def test_usdm_trades_older_than_six_months_are_out_of_reach(simulator):
    account = simulator.create_account(
        exchange=EXCHANGE, label="long-usdm", trades={"ETH/USDT:USDT": 300}, days=400
    )
    client = simulator.client(account)
    truth = truth_for(simulator, account, "ETH/USDT:USDT")
    horizon = int(time.time() * 1000) - 180 * DAY_MS

    fetched = walk_from_id(client, "ETH/USDT:USDT")

    reachable = [fill for fill in truth if fill["timestamp"] >= horizon]
    assert 0 < len(reachable) < len(truth)
    assert_same_fills(fetched, reachable)


def test_without_a_window_usdm_answers_the_last_seven_days(simulator, history):
    client = simulator.client(history)
    week_ago = int(time.time() * 1000) - WEEK_MS

    recent = client.fetch_my_trades("BTC/USDT:USDT", None, 1000)

    assert recent and all(trade["timestamp"] >= week_ago - 60_000 for trade in recent)


def test_futures_income_reveals_the_symbols_an_account_traded(simulator):
    demo = simulator.account(EXCHANGE, "demo")
    client = simulator.client(demo)
    client.load_markets()
    now = int(time.time() * 1000)
    truth = [
        fill
        for fill in simulator.ground_truth(demo["api_key"])
        if fill["symbol"].endswith(":USDT") and fill["timestamp"] >= now - 80 * DAY_MS
    ]

    income = client.fapiprivate_get_income(
        {"startTime": now - 80 * DAY_MS, "endTime": now, "limit": 1000}
    )

    assert {row["symbol"] for row in income} == {
        client.market(fill["symbol"])["id"] for fill in truth
    }
    commissions = [row for row in income if row["incomeType"] == "COMMISSION"]
    assert len(commissions) == len(truth)
    assert sum(Decimal(row["income"]) for row in income if row["incomeType"] == "REALIZED_PNL") == (
        sum(Decimal(fill["realized_pnl"]) for fill in truth)
    )


def test_ccxt_drops_trade_fees_when_numbers_are_decimal(simulator):
    """A ccxt 4.5.90 quirk the adapters must work around: ``safe_string`` ignores Decimal, so
    ``reduce_fees_by_currency`` discards every fee of a client built with number=Decimal."""
    demo = simulator.account(EXCHANGE, "demo")
    client = simulator.client(demo)

    trade = client.fetch_my_trades("BTC/USDT", None, 5, {"fromId": 0})[0]

    assert trade["fee"]["cost"] is None
    assert Decimal(trade["info"]["commission"]) > 0


@pytest.mark.parametrize("reading", ["clamp", "empty", "error"])
def test_a_usdm_from_id_older_than_six_months_is_answered_in_each_reading(simulator, reading):
    account = simulator.create_account(
        exchange=EXCHANGE,
        trades={"ETH/USDT:USDT": 300},
        days=400,
        readings={"usdm_from_id_beyond_retention": reading},
    )
    client = simulator.client(account)
    truth = truth_for(simulator, account, "ETH/USDT:USDT")
    horizon = int(time.time() * 1000) - 180 * DAY_MS
    reachable = [fill for fill in truth if fill["timestamp"] >= horizon]
    gone = [fill for fill in truth if fill["timestamp"] < horizon]
    # id 0, and the id right after a fill that is gone: both name trades made before the 6 months
    for from_id in (0, int(gone[-1]["id"]) + 1):
        if reading == "error":
            with pytest.raises(ccxt.BadRequest, match="-1106"):
                client.fetch_my_trades("ETH/USDT:USDT", None, 1000, {"fromId": from_id})
            continue
        answered = client.fetch_my_trades("ETH/USDT:USDT", None, 1000, {"fromId": from_id})
        assert_same_fills(answered, reachable if reading == "clamp" else [])

    kept = client.fetch_my_trades("ETH/USDT:USDT", None, 1000, {"fromId": int(reachable[0]["id"])})

    assert_same_fills(kept, reachable)


@pytest.mark.parametrize(("reading", "days"), [("one_year", 365), ("three_months", 90)])
def test_coinm_income_goes_back_a_year_or_three_months_in_each_reading(simulator, reading, days):
    account = simulator.create_account(
        exchange=EXCHANGE,
        trades={"BTC/USD:BTC": 200, "BTC/USDT:USDT": 100},
        days=300,
        readings={"coinm_income_retention": reading},
    )
    client = simulator.client(account)
    now = int(time.time() * 1000)
    truth = simulator.ground_truth(account["api_key"])

    coinm = client.dapiprivate_get_income(
        {"incomeType": "COMMISSION", "startTime": now - 365 * DAY_MS, "limit": 1000}
    )
    usdm = client.fapiprivate_get_income(
        {"incomeType": "COMMISSION", "startTime": now - 365 * DAY_MS, "limit": 1000}
    )

    def within(symbol: str, span: int) -> int:
        return sum(
            1
            for fill in truth
            if fill["symbol"] == symbol and fill["timestamp"] >= now - span * DAY_MS
        )

    # 300 days of fills: a year keeps all of them, three months not
    assert len(coinm) == within("BTC/USD:BTC", days)
    assert (len(coinm) == 200) == (reading == "one_year")
    # USDⓈ-M documents three months, whatever COIN-M keeps
    assert len(usdm) == within("BTC/USDT:USDT", 90) < 100
