"""Gate through an unmodified ccxt client, pointed at the simulator by URL rewriting only:
markets, authentication, balances of every account, positions, key permissions, the complete
trade history of every market type, faults and rate limits."""

from __future__ import annotations

import time
from decimal import Decimal

import ccxt
import pytest

EXCHANGE = "gate"


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


def delivery_symbol(account: dict) -> str:
    return next(symbol for symbol in account["trades_by_symbol"] if symbol.count("-") == 1)


# -- markets, time, authentication ---------------------------------------------------------


def test_it_serves_every_market_type_to_load_markets(simulator, demo):
    client = simulator.client(demo)

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    assert markets["BTC/USDT"]["precision"]["price"] == Decimal("0.1")
    assert markets["BTC/USDT"]["margin"] is True
    assert markets["BTC/USDT:USDT"]["linear"] and markets["BTC/USDT:USDT"]["swap"]
    assert markets["BTC/USDT:USDT"]["contractSize"] == Decimal("0.0001")
    assert markets["BTC/USD:BTC"]["inverse"] and markets["BTC/USD:BTC"]["contractSize"] == 1
    future = markets[delivery_symbol(demo)]
    assert future["future"] and future["settle"] == "USDT" and future["expiry"] > time.time()
    assert any(market["option"] for market in markets.values())
    assert {"BTC", "USDT"} <= set(client.currencies)
    assert set(client.currencies["USDT"]["networks"]) >= {"ERC20", "TRC20"}
    assert abs(client.fetch_time() - time.time() * 1000) < 5_000


def test_load_markets_probes_the_account_mode_once(simulator, demo):
    client = simulator.client(demo)

    client.load_markets()
    client.load_markets(reload=True)

    assert client.options["unifiedAccount"] is False
    endpoints = simulator.stats()["endpoints"]
    assert endpoints["gate /api/v4/account/detail"]["requests"] == 1


def test_keys_have_gate_s_real_format(simulator):
    for account in simulator.accounts(EXCHANGE):
        assert len(account["api_key"]) == 32 and account["api_key"] == account["api_key"].lower()
        assert len(account["secret"]) == 64
        int(account["api_key"], 16), int(account["secret"], 16)


def test_an_unknown_key_is_an_authentication_error(simulator, demo):
    client = simulator.client({**demo, "api_key": "0" * 32})

    with pytest.raises(ccxt.AuthenticationError, match="INVALID_KEY"):
        client.private_account_get_detail()


def test_a_wrong_secret_is_an_authentication_error(simulator, demo):
    client = simulator.client({**demo, "secret": "f" * 64})

    with pytest.raises(ccxt.AuthenticationError, match="INVALID_SIGNATURE"):
        client.private_account_get_detail()


def test_a_stale_timestamp_is_refused_as_request_expired(simulator, demo):
    # the client believes its clock runs two minutes ahead, so it signs stale timestamps
    client = simulator.client(demo, options={"timeDifference": 120_000})

    with pytest.raises(ccxt.AuthenticationError, match="REQUEST_EXPIRED"):
        client.private_account_get_detail()


def test_query_parameters_are_signed(simulator, demo):
    client = simulator.client(demo)

    rows = client.private_spot_get_accounts({"currency": "BTC"})

    assert [row["currency"] for row in rows] == ["BTC"]


# -- balances and positions ----------------------------------------------------------------


def effects(truth: list[dict]) -> dict[str, dict[str, Decimal]]:
    """The effect of every fill per Gate account ('spot', 'usdt', 'btc', 'delivery', and the
    margin books: 'cross_margin', 'isolated_margin:BTC/USDT' and so on)."""
    books: dict[str, dict[str, Decimal]] = {"spot": {}, "usdt": {}, "btc": {}, "delivery": {}}

    def add(book: str, asset: str, amount: Decimal) -> None:
        books.setdefault(book, {})
        books[book][asset] = books[book].get(asset, Decimal(0)) + amount

    for fill in truth:
        base, rest = fill["symbol"].split("/")
        quote, _, settle = rest.partition(":")
        if fill["market_type"] in ("spot", "margin"):
            book = {
                None: "spot",
                "cross": "cross_margin",
                "isolated": f"isolated_margin:{fill['symbol']}",
            }[fill.get("margin_mode")]
            sign = 1 if fill["side"] == "buy" else -1
            add(book, base, sign * Decimal(fill["amount"]))
            add(book, quote, -sign * Decimal(fill["cost"]))
            add(book, fill["fee_currency"], -Decimal(fill["fee"]))
            continue
        book = "delivery" if fill["market_type"] == "future" else settle.lower()
        add(book, fill["fee_currency"], Decimal(fill["realized_pnl"]) - Decimal(fill["fee"]))
    return books


def test_every_account_is_its_deposit_plus_the_fills_booked_there(simulator, demo):
    client = simulator.client(demo)
    truth = simulator.ground_truth(demo["api_key"])
    wallets = simulator.balances(demo["api_key"])["wallets"]
    books = effects(truth)

    spot = client.fetch_balance()
    usdt = client.fetch_balance({"type": "swap"})
    btc = client.fetch_balance({"type": "swap", "settle": "btc"})
    delivery = client.fetch_balance({"type": "future", "settle": "usdt"})

    assert {asset: spot["total"][asset] for asset in wallets["spot"]} == {
        asset: Decimal(row["balance"]) for asset, row in wallets["spot"].items()
    }
    assert {
        asset: Decimal(row["deposit"]) + books["spot"][asset]
        for asset, row in wallets["spot"].items()
    } == {asset: spot["total"][asset] for asset in wallets["spot"]}
    linear = wallets["linear"]["USDT"]
    assert usdt["total"]["USDT"] == Decimal(linear["deposit"]) + books["usdt"]["USDT"]
    assert btc["total"]["BTC"] == Decimal(wallets["inverse"]["BTC"]["balance"])
    delivery_deposit = Decimal(delivery["info"][0]["history"]["dnw"])
    assert delivery["total"]["USDT"] == delivery_deposit + books["delivery"]["USDT"]
    assert usdt["total"]["USDT"] + delivery["total"]["USDT"] - delivery_deposit == Decimal(
        linear["balance"]
    )
    history = usdt["info"][0]["history"]
    assert (
        Decimal(history["dnw"]) + Decimal(history["pnl"]) + Decimal(history["fee"])
        == (usdt["total"]["USDT"])
    )


def test_it_reports_isolated_margin_funding_and_unified_accounts(simulator, demo):
    client = simulator.client(demo)
    seeded = simulator.balances(demo["api_key"])
    wallets = seeded["wallets"]

    isolated = client.fetch_balance({"marginMode": "isolated"})
    funding = client.fetch_balance({"type": "funding"})
    unified = client.fetch_balance({"unifiedAccount": True})

    # the seeded BTC_USDT position plus its pair's isolated fills, and ETH_USDT's pair
    pairs = {row["currency_pair"]: row for row in isolated["info"]}
    assert set(pairs) == {"BTC_USDT", "ETH_USDT"}
    btc_pair, eth_pair = wallets["isolated_margin:BTC/USDT"], wallets["isolated_margin:ETH/USDT"]
    assert Decimal(pairs["BTC_USDT"]["base"]["available"]) == Decimal(
        seeded["margin"]["BTC"]
    ) + Decimal(btc_pair["BTC"]["balance"])
    assert Decimal(pairs["ETH_USDT"]["quote"]["available"]) == Decimal(eth_pair["USDT"]["balance"])
    assert isolated["BTC"]["debt"] == Decimal(seeded["margin_borrowed"]["BTC"])
    # ccxt adds the pairs up per currency
    assert isolated["USDT"]["free"] == Decimal(seeded["margin"]["USDT"]) + sum(
        Decimal(pair["USDT"]["balance"]) for pair in (btc_pair, eth_pair)
    )
    assert funding["free"]["USDT"] == Decimal(seeded["funding"]["USDT"])
    # a classic account's unified view is its spot account
    assert unified["info"]["mode"] == "classic"
    assert unified["total"]["BTC"] == Decimal(seeded["wallets"]["spot"]["BTC"]["balance"])


def test_the_retired_cross_margin_account_answers_404_like_an_unknown_path(simulator, demo):
    """Gate dropped GET /margin/cross/accounts from its API spec in v6.99.0 (gateapi-python
    1419b55); an account with cross margin fills gets no balance from it."""
    client = simulator.client(demo)
    assert simulator.balances(demo["api_key"])["wallets"]["cross_margin"]

    for call in (
        client.private_margin_get_cross_accounts,
        lambda: client.request("no/such/path", ["private", "margin"], "GET"),
    ):
        with pytest.raises(ccxt.ExchangeError) as raised:
            call()
        assert type(raised.value) is ccxt.ExchangeError
        assert client.last_http_response == '{"label":"NOT_FOUND","message":"Not Found"}'


@pytest.mark.parametrize("reading", ["empty", "inactive"])
def test_a_spot_only_account_has_no_futures_and_nothing_on_margin_or_lending(simulator, reading):
    """USER_NOT_FOUND for every perpetual and delivery account never funded
    (gateio/gateapi-python#18); isolated margin lists nothing, or pairs marked inactive."""
    simulator.ok("POST", "/config", {"readings": {"gate.margin_not_opened": reading}})
    client = simulator.client(simulator.account(EXCHANGE, "spot-only"))

    for settle in ("usdt", "btc"):
        with pytest.raises(ccxt.AccountNotEnabled, match="USER_NOT_FOUND"):
            client.private_futures_get_settle_accounts({"settle": settle})
    with pytest.raises(ccxt.AccountNotEnabled, match="USER_NOT_FOUND"):
        client.private_delivery_get_settle_positions({"settle": "usdt"})
    isolated = client.private_margin_get_accounts()
    if reading == "empty":
        assert isolated == []
    else:
        assert {row["account_type"] for row in isolated} == {"inactive"}
        assert not any(client.fetch_balance({"marginMode": "isolated"})["total"].values())
    assert client.private_margin_get_funding_accounts() == []
    assert client.fetch_balance()["total"]


def test_an_unseen_error_is_gate_s_envelope_with_a_label_ccxt_does_not_know(simulator, demo):
    client = simulator.client(demo)
    simulator.add_fault("unknown_error", exchange=EXCHANGE, path="/api/v4/margin/accounts")

    assert raised_by(client.private_margin_get_accounts) is ccxt.ExchangeError
    assert '"label":"UNSEEN_LABEL_98765"' in client.last_http_response


def test_a_unified_key_reads_its_pooled_balance_through_the_unified_endpoint(simulator):
    account = simulator.account(EXCHANGE, "unified")
    client = simulator.client(account)
    seeded = simulator.balances(account["api_key"])
    books = effects(simulator.ground_truth(account["api_key"]))

    balance = client.fetch_balance()

    assert client.options["unifiedAccount"] is True
    assert balance["info"]["mode"] == "multi_currency"
    spot_usdt = Decimal(seeded["wallets"]["spot"]["USDT"]["balance"])
    perpetual_usdt = Decimal(seeded["wallets"]["linear"]["USDT"]["deposit"]) + books["usdt"]["USDT"]
    assert balance["free"]["USDT"] == spot_usdt + perpetual_usdt
    assert balance["BTC"]["debt"] == Decimal(seeded["margin_borrowed"]["BTC"])
    endpoints = simulator.stats()["endpoints"]
    assert "gate /api/v4/spot/accounts" not in endpoints


def test_it_reports_every_position_the_fills_left_open(simulator, demo):
    client = simulator.client(demo)
    client.load_markets()
    seeded = {row["symbol"]: row for row in simulator.balances(demo["api_key"])["positions"]}

    positions = (
        client.fetch_positions()
        + client.fetch_positions(None, {"settle": "btc"})
        + client.fetch_positions(None, {"type": "future", "settle": "usdt"})
    )

    open_positions = [position for position in positions if position["contracts"]]
    assert {position["symbol"] for position in open_positions} == set(seeded)
    for position in open_positions:
        truth = seeded[position["symbol"]]
        market = client.market(position["symbol"])
        amount = Decimal(truth["amount"])
        size = position["contracts"] * (1 if market["inverse"] else market["contractSize"])
        assert size == abs(amount)
        assert position["side"] == ("long" if amount > 0 else "short")
        assert position["entryPrice"] == Decimal(truth["entry_price"])
        assert position["markPrice"] == Decimal(truth["mark_price"])
        assert position["marginMode"] == truth["margin_mode"]
        if truth["margin_mode"] == "isolated":
            assert position["leverage"] == truth["leverage"]
        else:
            assert position["info"]["cross_leverage_limit"] == str(truth["leverage"])
        assert position["liquidationPrice"] > 0
        if market["linear"]:
            expected = amount * (Decimal(truth["mark_price"]) - Decimal(truth["entry_price"]))
            assert position["unrealizedPnl"] == expected.quantize(Decimal("1E-8"))
    held = client.fetch_positions(None, {"holding": "true"})
    assert {position["symbol"] for position in held} == {
        symbol for symbol in seeded if symbol.endswith(":USDT")
    }


# -- trade history ---------------------------------------------------------------------------

DAY_MS = 86_400_000
PAGE = 1000


@pytest.fixture(scope="module")
def history(simulator):
    """Dense enough that one 30-day spot window holds more fills than Gate pages through,
    and every contract book needs several pages."""
    delivery = delivery_symbol(simulator.account(EXCHANGE, "demo"))
    return simulator.create_account(
        exchange=EXCHANGE,
        label="paging",
        trades={
            "BTC/USDT": 2000,
            "ETH/USDT": 900,
            "BTC/USDT:USDT": 1300,
            "ETH/USDT:USDT": 400,
            "BTC/USD:BTC": 1100,
            delivery: 1050,
        },
        days=40,
    )


def walk_spot(client, start_s: int, end_s: int, params: dict | None = None) -> list[dict]:
    """One window of at most 30 days, 1000 fills a page; Gate pages no further than
    limit * (page - 1) <= 1000, so a window with more fills is split in two."""
    trades: list[dict] = []
    for page in (1, 2):
        rows = client.fetch_my_trades(
            None, start_s * 1000, PAGE, {**(params or {}), "until": end_s * 1000, "page": page}
        )
        trades += rows
        if len(rows) < PAGE:
            return trades
    middle = (start_s + end_s) // 2
    return walk_spot(client, start_s, middle, params) + walk_spot(client, middle + 1, end_s, params)


def walk_spot_history(client, days: int, params: dict | None = None) -> list[dict]:
    """``params``: ``{"marginMode": "isolated"}`` or ``"cross"`` walks a margin account."""
    now_s = int(time.time())
    trades: list[dict] = []
    start = now_s - days * 86_400
    while start <= now_s:
        end = min(start + 30 * 86_400 - 1, now_s)
        trades += walk_spot(client, start, end, params)
        start = end + 1
    return trades


def walk_offsets(client, params: dict) -> list[dict]:
    """my_trades_timerange: a fixed ``to`` keeps the offsets stable while paging back."""
    until = int(time.time() * 1000)
    trades: list[dict] = []
    offset = 0
    while True:
        rows = client.fetch_my_trades(
            None, None, PAGE, {**params, "offset": offset, "until": until}
        )
        trades += rows
        if len(rows) < PAGE:
            return trades
        offset += PAGE


def walk_last_id(client, params: dict) -> list[dict]:
    """Delivery my_trades: resume after the oldest fill of the previous page (its last row;
    ccxt re-sorts a page by time, so the oldest is the smallest (timestamp, id))."""
    trades: list[dict] = []
    cursor: dict = {}
    while True:
        rows = client.fetch_my_trades(None, None, PAGE, {**params, **cursor})
        trades += rows
        if len(rows) < PAGE:
            return trades
        oldest = min(rows, key=lambda trade: (trade["timestamp"], int(trade["id"])))
        cursor = {"last_id": oldest["id"]}


def assert_same_fills(client, fetched: list[dict], truth: list[dict]) -> None:
    def order(row: dict) -> tuple[str, int]:
        return row["symbol"], int(row["id"])

    fetched, truth = sorted(fetched, key=order), sorted(truth, key=order)
    assert [order(trade) for trade in fetched] == [order(fill) for fill in truth]
    for trade, fill in zip(fetched, truth, strict=True):
        market = client.market(trade["symbol"])
        info = trade["info"]
        assert trade["timestamp"] == fill["timestamp"]
        assert trade["order"] == fill["order_id"]
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        # ccxt counts contracts; the ground truth counts base coin (or USD contracts, inverse)
        size = 1 if market["spot"] or market["inverse"] else market["contractSize"]
        assert trade["amount"] * size == Decimal(fill["amount"])
        if market["spot"]:
            assert trade["cost"] == Decimal(fill["cost"])
        elif market["linear"]:
            # ccxt 4.5.90 leaves the contract size out of the cost (see the test below)
            assert trade["amount"] * size * trade["price"] == Decimal(fill["cost"])
        else:
            value = trade["amount"] / trade["price"]
            assert abs(value - Decimal(fill["cost"])) < Decimal("1E-8")
        assert trade["fee"]["cost"] == Decimal(info["fee"]) == Decimal(fill["fee"])
        fee_currency = info["fee_currency"] if market["spot"] else market["settle"]
        assert fee_currency == fill["fee_currency"]


def truth_of(simulator, account: dict, market_type: str, settle: str | None = None) -> list[dict]:
    """Fills of one market type; ``settle`` narrows contracts to a settle coin and margin to
    a margin mode."""
    return [
        fill
        for fill in simulator.ground_truth(account["api_key"])
        if fill["market_type"] == market_type
        and (
            settle is None
            or fill.get("margin_mode", fill["symbol"].split(":")[-1].split("-")[0]) == settle
        )
    ]


def test_it_pages_the_complete_spot_history_of_all_pairs_in_30_day_windows(simulator, history):
    client = simulator.client(history)
    client.load_markets()

    fetched = walk_spot_history(client, 41)

    truth = truth_of(simulator, history, "spot")
    assert_same_fills(client, fetched, truth)
    first_window_end = (int(time.time()) - 41 * 86_400 + 30 * 86_400) * 1000
    assert sum(fill["timestamp"] < first_window_end for fill in truth) > 2 * PAGE, (
        "the first window holds more fills than two pages, so the walk had to split it"
    )


@pytest.mark.parametrize("settle", ["USDT", "BTC"])
def test_it_pages_the_complete_perpetual_history_by_offset(simulator, history, settle):
    client = simulator.client(history)
    client.load_markets()

    fetched = walk_offsets(client, {"type": "swap", "settle": settle.lower()})

    assert_same_fills(client, fetched, truth_of(simulator, history, "swap", settle))


def test_it_pages_the_complete_delivery_history_by_last_id(simulator, history):
    client = simulator.client(history)
    client.load_markets()

    fetched = walk_last_id(client, {"type": "future", "settle": "usdt"})

    assert_same_fills(client, fetched, truth_of(simulator, history, "future"))


def fill_key(trade: dict) -> tuple[int, int]:
    return trade["timestamp"], int(trade["id"])


@pytest.mark.parametrize("reading", ["honoured", "ignored"])
def test_delivery_my_trades_reads_last_id_only_where_the_account_s_reading_says_so(
    simulator, reading
):
    """Whether Gate still reads last_id on delivery my_trades is unsettled (audit "Gate
    delivery last_id"); offset pages the whole history either way."""
    delivery = delivery_symbol(simulator.account(EXCHANGE, "demo"))
    account = simulator.create_account(
        exchange=EXCHANGE,
        trades={delivery: 2100},
        days=20,
        readings={"delivery_last_id": reading},
    )
    client = simulator.client(account)
    client.load_markets()
    params = {"type": "future", "settle": "usdt"}
    newest = client.fetch_my_trades(None, None, PAGE, params)
    oldest = min(newest, key=fill_key)

    after = client.fetch_my_trades(None, None, PAGE, {**params, "last_id": oldest["id"]})

    assert len(after) == PAGE
    if reading == "honoured":
        assert max(map(fill_key, after)) < fill_key(oldest)
    else:
        assert [trade["id"] for trade in after] == [trade["id"] for trade in newest]
    truth = truth_of(simulator, account, "future")
    assert_same_fills(client, walk_offsets(client, params), truth)


def test_the_simulator_wide_delivery_last_id_reading_leaves_an_account_s_own_alone(simulator):
    delivery = delivery_symbol(simulator.account(EXCHANGE, "demo"))
    own = simulator.create_account(
        exchange=EXCHANGE,
        trades={delivery: 1200},
        days=10,
        readings={"delivery_last_id": "honoured"},
    )
    simulator.ok("POST", "/config", {"readings": {"gate.delivery_last_id": "ignored"}})
    plain = simulator.create_account(exchange=EXCHANGE, trades={delivery: 1200}, days=10)
    params = {"type": "future", "settle": "usdt"}

    def second_page_repeats_the_first(account: dict) -> bool:
        client = simulator.client(account)
        newest = client.fetch_my_trades(None, None, PAGE, params)
        last_id = min(newest, key=fill_key)["id"]
        after = client.fetch_my_trades(None, None, PAGE, {**params, "last_id": last_id})
        return {trade["id"] for trade in after} == {trade["id"] for trade in newest}

    assert not second_page_repeats_the_first(own)
    assert second_page_repeats_the_first(plain)


def test_it_pages_the_complete_demo_history_of_every_market_type(simulator, demo):
    client = simulator.client(demo)
    client.load_markets()

    fetched = (
        walk_spot_history(client, 151)
        + walk_spot_history(client, 151, {"marginMode": "isolated"})
        + walk_spot_history(client, 151, {"marginMode": "cross"})
        + walk_offsets(client, {"type": "swap", "settle": "usdt"})
        + walk_offsets(client, {"type": "swap", "settle": "btc"})
        + walk_last_id(client, {"type": "future", "settle": "usdt"})
    )

    assert_same_fills(client, fetched, simulator.ground_truth(demo["api_key"]))


def test_a_unified_key_reads_its_spot_fills_from_the_unified_account(simulator):
    account = simulator.account(EXCHANGE, "unified")
    client = simulator.client(account)
    client.load_markets()

    fetched = walk_spot_history(client, 91)

    assert_same_fills(client, fetched, truth_of(simulator, account, "spot"))
    assert client.last_request_url.split("?")[1].count("account=unified") == 1


@pytest.mark.parametrize("mode", ["isolated", "cross"])
def test_margin_fills_come_from_their_own_account_field_by_field(simulator, demo, mode):
    """``account=margin`` (isolated) or ``cross_margin``: ccxt's marginMode; each margin
    account apart, its rows shaped as spot's."""
    client = simulator.client(demo)
    client.load_markets()

    fetched = walk_spot_history(client, 151, {"marginMode": mode})

    truth = truth_of(simulator, demo, "margin", mode)
    assert len(truth) >= 30
    assert_same_fills(client, fetched, truth)
    account = "margin" if mode == "isolated" else "cross_margin"
    assert f"account={account}" in client.last_request_url


def test_without_an_account_gate_answers_spot_and_isolated_margin_together(simulator, demo):
    """What Gate documents for /spot/my_trades without ``account``: spot, unified and
    isolated margin fills, and nothing in a row says which is which."""
    client = simulator.client(demo)
    now_s = int(time.time())
    start = now_s - 30 * 86_400

    rows = client.private_spot_get_my_trades({"from": start, "to": now_s, "limit": PAGE})
    spot = client.private_spot_get_my_trades(
        {"from": start, "to": now_s, "limit": PAGE, "account": "spot"}
    )

    def window(fill: dict) -> bool:
        return start * 1000 <= fill["timestamp"] <= now_s * 1000 + 999

    truth = [fill for fill in simulator.ground_truth(demo["api_key"]) if window(fill)]
    expected = {
        fill["id"]
        for fill in truth
        if fill["market_type"] == "spot" or fill.get("margin_mode") == "isolated"
    }
    assert {row["id"] for row in rows} == expected
    assert {row["id"] for row in spot} == {f["id"] for f in truth if f["market_type"] == "spot"}
    assert set(rows[0]) == set(spot[0])
    with pytest.raises(ccxt.BadRequest):
        client.private_spot_get_my_trades({"account": "futures"})


def test_spot_windows_are_limited_to_30_days_and_7_by_default(simulator, history):
    client = simulator.client(history)
    now = int(time.time() * 1000)

    recent = client.fetch_my_trades(None, None, PAGE)

    assert recent and min(trade["timestamp"] for trade in recent) >= now - 7 * DAY_MS - 1000
    with pytest.raises(ccxt.BadRequest, match="30 days"):
        client.fetch_my_trades(None, now - 31 * DAY_MS, None, {"until": now})
    with pytest.raises(ccxt.BadRequest, match="1000"):
        client.fetch_my_trades(None, now - 20 * DAY_MS, PAGE, {"until": now, "page": 3})


@pytest.mark.parametrize("reading", ["fill_time", "order_end_time"])
def test_spot_ranges_compare_the_fill_s_time_or_its_order_s_end_as_the_reading_says(
    simulator, reading
):
    """Gate: "The parameters of the time range filter are processed according to the order
    end time" (gateapi-python docs/SpotApi.md, list_my_trades). An order that rested on the
    book and filled again now puts its earlier fill in the range where it ended."""
    account = simulator.create_account(
        exchange=EXCHANGE,
        label=f"order-end-{reading}",
        trades={"ETH/USDT": 12},
        days=5,
        readings={"my_trades_time_filter": reading},
    )
    trading = f"/accounts/{account['api_key']}/trades"
    rested = simulator.ground_truth(account["api_key"])[-1]
    again = simulator.ok("POST", trading, {"symbol": "ETH/USDT", "count": 1, "same_order": True})
    assert (again[0]["order_id"], again[0]["side"]) == (rested["order_id"], rested["side"])
    edge_s = rested["timestamp"] // 1000 + 1
    assert again[0]["timestamp"] > (edge_s + 1) * 1000
    client = simulator.client(account)

    def ids(start_s: int, to_s: int) -> set[str]:
        rows = client.private_spot_get_my_trades(
            {"account": "spot", "from": start_s, "to": to_s, "limit": PAGE}
        )
        return {row["id"] for row in rows}

    up_to_edge = ids(edge_s - 86_400, edge_s)
    after_edge = ids(edge_s + 1, int(time.time()) + 1)

    by_order = reading == "order_end_time"
    assert (rested["id"] in up_to_edge, rested["id"] in after_edge) == (not by_order, by_order)
    assert again[0]["id"] in after_edge


def test_page_boundaries_split_fills_that_share_a_timestamp(simulator, history):
    client = simulator.client(history)
    params = {"type": "swap", "settle": "usdt", "until": int(time.time() * 1000)}

    newest = client.fetch_my_trades("BTC/USDT:USDT", None, PAGE, params)
    older = client.fetch_my_trades("BTC/USDT:USDT", None, PAGE, {**params, "offset": PAGE})

    stamps = {trade["timestamp"] for trade in newest} & {trade["timestamp"] for trade in older}
    assert stamps, "a page boundary falls between fills of one timestamp"


def test_perpetual_my_trades_only_reaches_back_six_months(simulator):
    account = simulator.create_account(
        exchange=EXCHANGE, label="long-perpetual", trades={"ETH/USDT:USDT": 300}, days=400
    )
    client = simulator.client(account)
    horizon = int(time.time() * 1000) - 180 * DAY_MS

    recent = client.private_futures_get_settle_my_trades({"settle": "usdt", "limit": 1000})
    everything = walk_offsets(client, {"type": "swap", "settle": "usdt"})

    truth = truth_of(simulator, account, "swap")
    assert len(everything) == len(truth)
    assert 0 < len(recent) == len([fill for fill in truth if fill["timestamp"] >= horizon])


def test_ccxt_leaves_the_contract_size_out_of_contract_trade_costs(simulator, demo):
    """A ccxt 4.5.90 quirk the adapters must work around: with number=Decimal, ``safe_trade``
    cannot read the market's contract size (``safe_string`` ignores Decimal), so the cost of a
    BTC/USDT:USDT fill comes out as contracts x price instead of BTC x price."""
    client = simulator.client(demo)
    client.load_markets()

    trade = client.fetch_my_trades("BTC/USDT:USDT", None, 1)[0]

    assert trade["cost"] == trade["amount"] * trade["price"]
    assert client.market("BTC/USDT:USDT")["contractSize"] == Decimal("0.0001")


# -- faults and rate limits ----------------------------------------------------------------


def test_the_expired_seeded_key_is_an_authentication_error(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "expired"))

    assert raised_by(client.private_spot_get_accounts) is ccxt.AuthenticationError


def test_the_seeded_key_without_read_permission_is_permission_denied(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "no-read"))

    with pytest.raises(ccxt.PermissionDenied, match="FORBIDDEN"):
        client.fetch_balance()


def test_a_key_without_the_account_permission_cannot_list_keys_but_reads(simulator):
    client = simulator.client(simulator.account(EXCHANGE, "no-account-permission"))

    assert client.fetch_balance()["total"]
    assert client.options["unifiedAccount"] is False
    assert raised_by(client.private_account_get_main_keys) is ccxt.PermissionDenied


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        # ccxt has no maintenance label for Gate: SERVER_ERROR is ExchangeNotAvailable
        ("maintenance", {}, ccxt.ExchangeNotAvailable),
        ("rate_limit", {}, ccxt.RateLimitExceeded),
        ("ban", {}, ccxt.RateLimitExceeded),
        ("server_error", {}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 500}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 502}, ccxt.ExchangeNotAvailable),
        ("expired_key", {}, ccxt.AuthenticationError),
        ("revoked_key", {}, ccxt.AuthenticationError),
        ("no_read_permission", {}, ccxt.PermissionDenied),
        # IP_FORBIDDEN is an AuthenticationError in ccxt's table
        ("ip_not_allowed", {}, ccxt.AuthenticationError),
        # REQUEST_EXPIRED, too: Gate allows 60 seconds either way
        ("clock_skew", {"skew_ms": 90_000}, ccxt.AuthenticationError),
        ("clock_skew", {"skew_ms": -90_000}, ccxt.AuthenticationError),
    ],
)
def test_each_fault_raises_the_class_ccxt_raises_in_production(
    simulator, demo, kind, options, error
):
    client = simulator.client(demo)
    client.load_markets()
    simulator.add_fault(kind, exchange=EXCHANGE, api_key=demo["api_key"], requests=1, **options)

    assert raised_by(client.fetch_balance) is error
    assert client.fetch_balance()["total"], "a one-request fault is gone after one request"


def test_a_clock_gap_under_60_seconds_is_accepted(simulator, demo):
    simulator.add_fault("clock_skew", exchange=EXCHANGE, skew_ms=45_000, requests=1)
    client = simulator.client(demo)

    assert client.private_spot_get_accounts()


def test_a_client_that_adjusts_for_time_difference_survives_clock_skew(simulator, demo):
    simulator.add_fault("clock_skew", exchange=EXCHANGE, skew_ms=120_000, seconds=30)
    client = simulator.client(demo, options={"adjustForTimeDifference": True})

    assert client.fetch_balance()["total"]


def test_a_hanging_exchange_is_a_request_timeout(simulator, demo):
    client = simulator.client(demo, timeout=1_000)
    client.load_markets()
    simulator.add_fault("timeout", exchange=EXCHANGE, requests=1)

    assert raised_by(client.fetch_balance) is ccxt.RequestTimeout


def test_latency_slows_answers_down_without_failing_them(simulator, demo):
    client = simulator.client(demo)
    client.load_markets()
    simulator.add_fault("latency", exchange=EXCHANGE, latency_ms=400, requests=1)

    started = time.monotonic()
    client.fetch_balance()

    assert time.monotonic() - started >= 0.4


def start_of_a_fresh_window(seconds: int = 10) -> None:
    """Gate counts per 10-second window; begin a rate-limit test early in one."""
    into = time.time() % seconds
    if into > seconds - 3:
        time.sleep(seconds - into + 0.05)


def test_each_endpoint_has_its_own_budget_per_key_and_reports_it(simulator, demo):
    client = simulator.client(demo)
    # 200 requests per 10 seconds per endpoint, scaled down to 2
    simulator.ok("POST", "/config", {"rate_limit_scale": 0.01})
    start_of_a_fresh_window()

    client.private_spot_get_accounts()
    headers = dict(client.last_response_headers)
    client.private_spot_get_accounts()
    with pytest.raises(ccxt.RateLimitExceeded, match="TOO_MANY_REQUESTS"):
        client.private_spot_get_accounts()

    assert headers["X-Gate-RateLimit-Limit"] == "2"
    assert headers["X-Gate-RateLimit-Requests-Remain"] == "1"
    assert int(headers["X-Gate-RateLimit-Reset-Timestamp"]) > time.time() * 1000
    assert client.private_futures_get_settle_accounts({"settle": "usdt"})["currency"] == "USDT"
    other = simulator.client(simulator.account(EXCHANGE, "read-only"))
    assert other.private_spot_get_accounts() is not None
    statuses = simulator.stats()["endpoints"]["gate /api/v4/spot/accounts"]["statuses"]
    assert statuses == {"200": 3, "429": 1}


# -- tickers ---------------------------------------------------------------------------------


def test_spot_tickers_carry_the_oracle_s_price_and_its_changes(simulator, demo, monkeypatch):
    state = simulator.running.state
    now = state.now_ms()
    monkeypatch.setattr(state, "now_ms", lambda: now)
    client = simulator.client(demo)
    client.load_markets()
    day_ms, hour_ms = 86_400_000, 3_600_000

    def on_tick(at_ms: int) -> Decimal:
        price = state.oracle.price("BTC", "USDT", at_ms)
        return Decimal(round(price * 10)).scaleb(-1)

    def percent(since: Decimal, last: Decimal) -> Decimal:
        return (last - since) * 100 / since

    tickers = client.fetch_tickers(["BTC/USDT", "ETH/USDT"])

    assert set(tickers) == {"BTC/USDT", "ETH/USDT"}
    row = tickers["BTC/USDT"]["info"]
    last, opened = on_tick(now), on_tick(now - day_ms)
    midnight = now - now % day_ms
    assert Decimal(row["last"]) == last == tickers["BTC/USDT"]["last"]
    assert abs(Decimal(row["change_percentage"]) - percent(opened, last)) <= Decimal("0.005")
    assert abs(Decimal(row["change_utc0"]) - percent(on_tick(midnight), last)) <= Decimal("0.005")
    utc8 = midnight + 16 * hour_ms - (day_ms if now - midnight < 16 * hour_ms else 0)
    assert abs(Decimal(row["change_utc8"]) - percent(on_tick(utc8), last)) <= Decimal("0.005")
    assert tickers["BTC/USDT"]["percentage"] == Decimal(row["change_percentage"])
    assert Decimal(row["highest_bid"]) < last < Decimal(row["lowest_ask"])
    assert Decimal(row["low_24h"]) <= min(last, opened) <= max(last, opened)
    assert max(last, opened) <= Decimal(row["high_24h"])
    assert "etf_net_value" not in row and "lowest_size" not in row
    assert simulator.stats()["endpoints"]["gate /api/v4/spot/tickers"]["requests"] == 1


def test_spot_tickers_answer_one_pair_and_refuse_an_unknown_one(simulator, demo):
    client = simulator.client(demo)

    one = client.public_spot_get_tickers({"currency_pair": "ETH_USDT", "timezone": "utc8"})

    assert [row["currency_pair"] for row in one] == ["ETH_USDT"]
    assert raised_by(lambda: client.public_spot_get_tickers({"currency_pair": "NOPE_USDT"})) is (
        ccxt.BadSymbol
    )
    assert raised_by(lambda: client.public_spot_get_tickers({"timezone": "utc3"})) is (
        ccxt.BadRequest
    )
