"""Coinbase Advanced through an unmodified ccxt client, pointed at the simulator by URL rewriting
only: markets, wallets, key permissions, the complete fill history, CDP JWT auth and faults.

Clients run without ccxt's own throttle (it spaces v2 calls 360 ms apart) to keep the suite
fast; the simulator's rate limits still apply and are tested on their own.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from itertools import pairwise

import ccxt
import pytest
import requests

from sync.simulator.exchanges.coinbase.catalog import trade_uuid
from sync.simulator.signing import derive_ec_private_key_pem

EXCHANGE = "coinbase"
DAY_MS = 86_400_000
V3_BALANCES = {"fetchBalance": "v3PrivateGetBrokerageAccounts"}


def client_for(simulator, account: dict, **options):
    return simulator.client(account, enableRateLimit=False, options=options)


@pytest.fixture
def demo(simulator):
    return simulator.account(EXCHANGE, "demo")


@pytest.fixture(scope="module")
def history(simulator):
    """More fills than one largest page, spread over products and a few weeks."""
    return simulator.create_account(
        exchange=EXCHANGE,
        label="paging",
        trades={"BTC/USDT": 1400, "ETH/USDT": 700, "XRP/USDT": 500, "BTC/USD": 600},
        days=20,
    )


def raised_by(call) -> type[Exception]:
    with pytest.raises(ccxt.BaseError) as raised:
        call()
    return type(raised.value)


# -- markets, currencies, time -------------------------------------------------------------


def test_it_serves_spot_products_currencies_and_server_time_to_load_markets(simulator, demo):
    client = client_for(simulator, demo)

    markets = client.load_markets()

    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "DOGE/USDT"} <= set(markets)
    assert all(market["spot"] and market["active"] for market in markets.values())
    assert markets["BTC/USDT"]["id"] == "BTC-USDT"
    assert markets["BTC/USDT"]["precision"] == {"amount": Decimal("1E-8"), "price": Decimal("0.01")}
    assert markets["DOGE/USDT"]["precision"]["amount"] == Decimal("0.1")
    # the signed fee tier load_markets asks for once a key is set
    assert markets["BTC/USDT"]["taker"] == Decimal("0.012")
    assert markets["BTC/USDT"]["maker"] == Decimal("0.006")
    assert {"BTC", "ETH", "SOL", "XRP", "DOGE", "USDT", "USD"} <= set(client.currencies)
    assert client.currencies["USD"]["type"] == "fiat"
    assert client.currencies["BTC"]["type"] == "crypto"
    now = time.time() * 1000
    assert abs(client.fetch_time() - now) < 5_000
    assert abs(client.fetch_time({"method": "v3PublicGetBrokerageTime"}) - now) < 5_000
    endpoints = simulator.stats()["endpoints"]
    assert endpoints["coinbase /api/v3/brokerage/transaction_summary"]["requests"] == 1
    assert endpoints["coinbase /api/v3/brokerage/market/products"]["requests"] == 2


def test_the_private_products_list_matches_the_public_one(simulator, demo):
    client = client_for(simulator, demo)

    public = client.v3_public_get_brokerage_market_products()
    private = client.v3_private_get_brokerage_products({"product_ids": "ETH-USDT"})

    assert int(public["num_products"]) == len(public["products"]) == 8
    assert [row["product_id"] for row in private["products"]] == ["ETH-USDT"]
    assert client.v3_public_get_brokerage_market_products({"product_type": "FUTURE"}) == {
        "products": [],
        "num_products": 0,
    }


# -- balances --------------------------------------------------------------------------------


def spot_wallet_from_fills(simulator, account: dict) -> dict[str, Decimal]:
    """Deposit plus the effect of every fill (fees are paid in the quote currency)."""
    deposits = simulator.balances(account["api_key"])["wallets"]["spot"]
    wallet = {asset: Decimal(row["deposit"]) for asset, row in deposits.items()}
    for fill in simulator.ground_truth(account["api_key"]):
        base, quote = fill["symbol"].split("/")
        sign = 1 if fill["side"] == "buy" else -1
        wallet[base] += sign * Decimal(fill["amount"])
        wallet[quote] -= sign * Decimal(fill["cost"]) + Decimal(fill["fee"])
        assert fill["fee_currency"] == quote
    return wallet


def test_v3_wallets_are_the_deposit_plus_every_fill(simulator, demo):
    client = client_for(simulator, demo, **V3_BALANCES)
    expected = spot_wallet_from_fills(simulator, demo)

    balance = client.fetch_balance()

    assert {asset: balance["total"][asset] for asset in expected} == expected
    assert {asset: balance["free"][asset] for asset in expected} == expected
    assert all(balance["used"][asset] == 0 for asset in balance["used"])
    others = set(balance["total"]) - set(expected)
    assert others and all(balance["total"][asset] == 0 for asset in others)
    assert {row["type"] for row in balance["info"]["accounts"]} == {
        "ACCOUNT_TYPE_CRYPTO",
        "ACCOUNT_TYPE_FIAT",
    }


def test_v3_accounts_page_with_a_cursor(simulator, demo):
    client = client_for(simulator, demo)
    everything = client.v3_private_get_brokerage_accounts({"limit": 250})["accounts"]

    pages, cursor = [], None
    while True:
        page = client.v3_private_get_brokerage_accounts(
            {"limit": 3, **({"cursor": cursor} if cursor else {})}
        )
        pages.append(page)
        if not page["has_next"]:
            break
        cursor = page["cursor"]

    assert [row["uuid"] for page in pages for row in page["accounts"]] == [
        row["uuid"] for row in everything
    ]
    assert all(page["size"] == len(page["accounts"]) for page in pages)
    assert pages[-1]["cursor"] == ""
    assert len(client.v3_private_get_brokerage_accounts()["accounts"]) == min(49, len(everything))


def test_v2_wallets_add_staked_coins_to_the_total(simulator, demo):
    """ccxt's default balance source is the Coinbase App's wallet list, staking included."""
    client = client_for(simulator, demo)
    spot = spot_wallet_from_fills(simulator, demo)
    staked = simulator.balances(demo["api_key"])["earn_locked"]

    balance = client.fetch_balance()

    for asset, amount in spot.items():
        assert balance["total"][asset] == amount + Decimal(staked.get(asset, "0"))
    names = {row["name"] for row in balance["info"]["data"]}
    assert {f"Staked {asset}" for asset in staked} <= names
    assert "Cash (USD)" in names


def test_v2_wallets_page_with_starting_after(simulator, demo):
    client = client_for(simulator, demo)
    everything = client.v2_private_get_accounts({"limit": 100})["data"]

    first = client.v2_private_get_accounts({"limit": 4})
    second = client.v2_private_get_accounts(
        {"limit": 4, "starting_after": first["pagination"]["next_starting_after"]}
    )

    assert len(client.v2_private_get_accounts()["data"]) == min(25, len(everything))
    with pytest.raises(ccxt.ExchangeError, match="invalid_request"):
        client.v2_private_get_accounts({"starting_after": "no-such-wallet"})
    assert [row["id"] for row in first["data"] + second["data"]] == [
        row["id"] for row in everything[:8]
    ]


@pytest.mark.parametrize("wallet_ids", ["same", "other_uuid", "currency_code"])
def test_v2_wallet_ids_follow_the_reading_and_still_page(simulator, demo, wallet_ids):
    """ccxt's recorded v2 answers show a UUID id and a currency-code id ("XLM"); whether the
    UUID is the v3 one is undocumented."""
    simulator.ok("POST", "/config", {"readings": {"coinbase.wallet_ids": wallet_ids}})
    client = client_for(simulator, demo)
    v3 = {
        row["currency"]: row["uuid"]
        for row in client.v3_private_get_brokerage_accounts({"limit": 250})["accounts"]
    }
    everything = client.v2_private_get_accounts({"limit": 100})["data"]
    trading = [row for row in everything if not row["name"].startswith("Staked ")]

    ids = {row["currency"]["code"]: row["id"] for row in trading}
    if wallet_ids == "same":
        assert ids == {code: v3[code] for code in ids}
    elif wallet_ids == "currency_code":
        assert ids == {code: code for code in ids}
    else:
        assert not set(ids.values()) & set(v3.values())
    assert all(row["resource_path"] == f"/v2/accounts/{row['id']}" for row in everything)
    first = client.v2_private_get_accounts({"limit": 4})
    second = client.v2_private_get_accounts(
        {"limit": 4, "starting_after": first["pagination"]["next_starting_after"]}
    )
    assert [row["id"] for row in first["data"] + second["data"]] == [
        row["id"] for row in everything[:8]
    ]


def test_a_spot_only_account_has_no_staking_wallets(simulator):
    client = client_for(simulator, simulator.account("coinbase", "spot-only"))
    names = [row["name"] for row in client.v2_private_get_accounts({"limit": 100})["data"]]
    assert names and not any(name.startswith("Staked ") for name in names)


def test_an_unseen_error_comes_in_the_v2_envelope(simulator, demo):
    simulator.add_fault("unknown_error", exchange="coinbase", path="/v2/accounts")
    client = client_for(simulator, demo)
    with pytest.raises(ccxt.ExchangeError) as raised:
        client.v2_private_get_accounts()
    assert type(raised.value) is ccxt.ExchangeError
    assert "nobody_has_seen_this" in str(raised.value)


# -- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("demo", (True, False, False)),
        ("read-only", (True, False, False)),
        ("trade-enabled", (True, True, False)),
        ("withdraw-enabled", (True, True, True)),
        ("ip-restricted", (True, False, False)),
        ("no-read", (False, False, False)),
    ],
)
def test_it_reports_what_each_seeded_key_may_do(simulator, label, expected):
    client = client_for(simulator, simulator.account(EXCHANGE, label))

    permissions = client.v3_private_get_brokerage_key_permissions()

    assert (permissions["can_view"], permissions["can_trade"], permissions["can_transfer"]) == (
        expected
    )
    assert permissions["portfolio_type"] == "DEFAULT"
    assert len(permissions["portfolio_uuid"]) == 36


def test_an_ip_restricted_key_works_from_an_allowed_address(simulator):
    client = client_for(simulator, simulator.account(EXCHANGE, "ip-restricted"), **V3_BALANCES)

    assert client.fetch_balance()["total"]


# -- fills -----------------------------------------------------------------------------------


def next_cursor(page: list[dict]) -> str | None:
    """ccxt hands the page's cursor on in the ``info`` of the newest fill, if there is one."""
    return next((trade["info"]["cursor"] for trade in page if "cursor" in trade["info"]), None)


def walk_fills(
    client, symbol: str | None = None, since: int | None = None, limit: int | None = None, **params
) -> list:
    """Coinbase's one cursor walk: newest first, until no cursor comes back."""
    trades: list[dict] = []
    cursor = None
    while True:
        request = {**params, **({"cursor": cursor} if cursor else {})}
        page = client.fetch_my_trades(symbol, since, limit, request)
        trades += page
        cursor = next_cursor(page)
        if cursor is None:
            return trades


def assert_same_fills(client, fetched: list[dict], truth: list[dict]) -> None:
    by_id = {trade["id"]: trade for trade in fetched}
    assert len(by_id) == len(fetched), "a fill came twice"
    assert len(fetched) == len(truth)
    for fill in truth:
        market = client.market(fill["symbol"])
        trade = by_id[trade_uuid(market["id"], int(fill["id"]))]
        assert trade["symbol"] == fill["symbol"]
        assert trade["timestamp"] == fill["timestamp"]
        assert trade["side"] == fill["side"]
        assert trade["takerOrMaker"] == fill["taker_or_maker"]
        assert trade["price"] == Decimal(fill["price"])
        assert trade["amount"] == Decimal(fill["amount"])
        assert trade["cost"] == Decimal(fill["cost"])
        # ccxt 4.5.90 drops fee costs when numbers are Decimal, and Coinbase never names the
        # fee currency (it is always the quote): read both where an adapter has to
        assert Decimal(trade["info"]["commission"]) == Decimal(fill["fee"])
        assert market["quote"] == fill["fee_currency"]


def test_it_pages_the_complete_spot_history_in_one_cursor_walk(simulator, history):
    client = client_for(simulator, history)
    client.load_markets()
    truth = simulator.ground_truth(history["api_key"])

    fetched = walk_fills(client, limit=250)

    assert_same_fills(client, fetched, truth)
    assert {fill["market_type"] for fill in truth} == {"spot"}
    assert len({trade["symbol"] for trade in fetched}) == 4


def test_it_pages_the_complete_demo_history_at_the_default_page_size(simulator, demo):
    client = client_for(simulator, demo)
    client.load_markets()
    truth = simulator.ground_truth(demo["api_key"])

    fetched = walk_fills(client)

    assert_same_fills(client, fetched, truth)
    fills_calls = simulator.stats()["endpoints"][
        "coinbase /api/v3/brokerage/orders/historical/fills"
    ]
    assert fills_calls["requests"] == -(-len(truth) // 100)


def test_pages_come_newest_first_and_split_fills_that_share_a_timestamp(simulator, history):
    # small pages mean many calls: ccxt's own throttle keeps them under 30 a second
    client = simulator.client(history)
    client.load_markets()
    until = int(time.time() * 1000) - 15 * DAY_MS

    pages, cursor = [], None
    while True:
        params = {"until": until, **({"cursor": cursor} if cursor else {})}
        pages.append(client.fetch_my_trades("BTC/USDT", None, 10, params))
        cursor = next_cursor(pages[-1])
        if cursor is None:
            break

    # ccxt sorts each page oldest first; the stream itself runs newest first
    boundaries = [
        (newer[0]["timestamp"], older[-1]["timestamp"]) for newer, older in pairwise(pages)
    ]
    assert all(newer >= older for newer, older in boundaries)
    assert any(newer == older for newer, older in boundaries)
    truth = [
        fill
        for fill in simulator.ground_truth(history["api_key"])
        if fill["symbol"] == "BTC/USDT" and fill["timestamp"] < until
    ]
    assert_same_fills(client, [trade for page in pages for trade in page], truth)


def test_a_window_and_a_product_narrow_the_stream(simulator, history):
    client = client_for(simulator, history)
    client.load_markets()
    now = int(time.time() * 1000)
    since, until = now - 12 * DAY_MS, now - 5 * DAY_MS

    fetched = walk_fills(client, "ETH/USDT", since, 100, until=until)

    truth = [
        fill
        for fill in simulator.ground_truth(history["api_key"])
        if fill["symbol"] == "ETH/USDT" and since <= fill["timestamp"] < until
    ]
    assert truth
    assert_same_fills(client, fetched, truth)


def test_a_page_holds_at_most_three_thousand_fills(simulator, history):
    client = client_for(simulator, history)

    page = client.v3_private_get_brokerage_orders_historical_fills({"limit": 5000})

    assert len(page["fills"]) == 3000
    assert page["cursor"]


def test_a_page_larger_than_coinbase_serves_is_cut_or_refused_as_the_reading_says(
    simulator, history
):
    """Coinbase documents no largest ``limit``: 3000 (ccxt's features), a silent 100, or a
    400 in the documented grpc-gateway error body, which ccxt raises as BadRequest."""
    client = client_for(simulator, history)
    fills = client.v3_private_get_brokerage_orders_historical_fills
    simulator.ok("POST", "/config", {"readings": {"coinbase.fills_max_limit": "100"}})

    cut = fills({"limit": 3000})
    assert len(cut["fills"]) == 100 and cut["cursor"]

    simulator.ok("POST", "/config", {"readings": {"coinbase.fills_max_limit": "error"}})
    with pytest.raises(ccxt.BadRequest) as refused:
        fills({"limit": 3000})
    body = json.loads(str(refused.value).removeprefix("coinbase "))
    assert (body["error"], body["code"], body["details"]) == ("INVALID_ARGUMENT", 3, [])
    assert len(fills({"limit": 100})["fills"]) == 100
    assert len(fills({})["fills"]) == 100


@pytest.mark.parametrize(
    ("offset", "apart_ms"), [("same", 0), ("later_1ms", 1), ("earlier_60s", -60_000)]
)
@pytest.mark.parametrize("compared", ["trade_time", "sequence_timestamp"])
def test_sequence_timestamps_and_the_time_bounds_follow_the_readings(
    simulator, history, offset, apart_ms, compared
):
    """How far a fill's sequence_timestamp lies from its trade_time (the docs' example: a
    minute before; ccxt's recorded fill: a millisecond after), and which of the two the
    start/end_sequence_timestamp bounds compare."""
    simulator.ok(
        "POST",
        "/config",
        {
            "readings": {
                "coinbase.sequence_offset": offset,
                "coinbase.fills_time_filter": compared,
            }
        },
    )
    client = client_for(simulator, history)
    newest = client.v3_private_get_brokerage_orders_historical_fills({"limit": 50})["fills"]
    times = [
        (client.parse8601(row["trade_time"]), client.parse8601(row["sequence_timestamp"]))
        for row in newest
    ]
    assert {sequence - trade for trade, sequence in times} == {apart_ms}

    # a bound between two fills' trade times, a few seconds from either
    trade, sequence = next(
        (trade, sequence)
        for (trade, sequence), (older, _) in pairwise(times)
        if trade - older > 120_000
    )
    bound = trade if compared == "trade_time" else sequence
    page = client.v3_private_get_brokerage_orders_historical_fills(
        {"limit": 50, "end_sequence_timestamp": client.iso8601(bound)}
    )["fills"]
    assert client.parse8601(page[0]["trade_time"]) < trade
    page = client.v3_private_get_brokerage_orders_historical_fills(
        {"limit": 50, "end_sequence_timestamp": client.iso8601(bound + 1)}
    )["fills"]
    assert client.parse8601(page[0]["trade_time"]) == trade


def test_a_mangled_cursor_is_a_bad_request(simulator, history):
    client = client_for(simulator, history)

    with pytest.raises(ccxt.BadRequest, match="INVALID_ARGUMENT"):
        client.fetch_my_trades(None, None, 10, {"cursor": "not-a-cursor"})


def test_ccxt_drops_trade_fees_when_numbers_are_decimal(simulator, demo):
    client = client_for(simulator, demo)

    trade = client.fetch_my_trades(None, None, 5)[0]

    assert trade["fee"] == {"cost": None, "currency": None}
    assert Decimal(trade["info"]["commission"]) > 0


# -- authentication --------------------------------------------------------------------------


def signed_headers(client, method: str, url: str) -> dict[str, str]:
    token = client.create_auth_token(client.seconds(), method, url)
    return {"Authorization": f"Bearer {token}"}


def simulator_url(simulator, path: str) -> str:
    return f"{simulator.base_url}/api.coinbase.com{path}"


def test_a_token_naming_the_real_host_is_accepted_and_one_for_another_path_is_not(simulator, demo):
    client = client_for(simulator, demo)
    path = "/api/v3/brokerage/key_permissions"

    direct = requests.get(
        simulator_url(simulator, path),
        headers=signed_headers(client, "GET", f"https://api.coinbase.com{path}"),
        timeout=5,
    )
    replayed = requests.get(
        simulator_url(simulator, path),
        headers=signed_headers(client, "GET", "https://api.coinbase.com/api/v3/brokerage/accounts"),
        timeout=5,
    )
    wrong_method = requests.get(
        simulator_url(simulator, path),
        headers=signed_headers(client, "POST", f"https://api.coinbase.com{path}"),
        timeout=5,
    )
    # a client that signs the relay's URL instead of Coinbase's (the URL it really calls)
    relayed = requests.get(
        simulator_url(simulator, path),
        headers=signed_headers(client, "GET", simulator_url(simulator, path)),
        timeout=5,
    )

    assert direct.status_code == 200 and direct.json()["can_view"] is True
    assert (replayed.status_code, replayed.text) == (401, "Unauthorized\n")
    assert wrong_method.status_code == 401
    assert (relayed.status_code, relayed.text) == (401, "Unauthorized\n")


def test_a_tampered_or_missing_token_is_unauthorized(simulator, demo):
    client = client_for(simulator, demo)
    path = "/api/v3/brokerage/key_permissions"
    header, claims, signature = signed_headers(client, "GET", f"https://api.coinbase.com{path}")[
        "Authorization"
    ].split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")

    tampered = requests.get(
        simulator_url(simulator, path),
        headers={"Authorization": f"{header}.{claims}.{flipped}"},
        timeout=5,
    )
    missing = requests.get(simulator_url(simulator, path), timeout=5)

    assert tampered.status_code == missing.status_code == 401


def test_an_unknown_key_name_is_an_authentication_error(simulator, demo):
    unknown = demo["api_key"].rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    client = client_for(simulator, {**demo, "api_key": unknown})

    assert raised_by(client.v3_private_get_brokerage_key_permissions) is ccxt.AuthenticationError


def test_a_wrong_secret_is_an_authentication_error(simulator, demo):
    client = client_for(simulator, {**demo, "secret": derive_ec_private_key_pem(1, "other")})

    assert raised_by(client.load_markets) is ccxt.AuthenticationError


def test_the_expired_seeded_key_is_an_authentication_error(simulator):
    client = client_for(simulator, simulator.account(EXCHANGE, "expired"))

    assert raised_by(client.v3_private_get_brokerage_key_permissions) is ccxt.AuthenticationError


def test_the_seeded_key_without_view_permission_is_permission_denied(simulator):
    client = client_for(simulator, simulator.account(EXCHANGE, "no-read"), **V3_BALANCES)

    # load_markets already needs the view scope, for the signed fee tier
    assert raised_by(client.load_markets) is ccxt.PermissionDenied
    assert raised_by(client.v3_private_get_brokerage_accounts) is ccxt.PermissionDenied
    # the v2 API words it "invalid_scope", which ccxt maps to AuthenticationError
    assert raised_by(client.v2_private_get_accounts) is ccxt.AuthenticationError


# -- faults and rate limits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "error"),
    [
        ("maintenance", {}, ccxt.ExchangeNotAvailable),
        ("rate_limit", {}, ccxt.RateLimitExceeded),
        ("ban", {}, ccxt.RateLimitExceeded),
        ("server_error", {}, ccxt.ExchangeNotAvailable),
        ("server_error", {"status": 500}, ccxt.ExchangeNotAvailable),
        ("expired_key", {}, ccxt.AuthenticationError),
        ("revoked_key", {}, ccxt.AuthenticationError),
        ("no_read_permission", {}, ccxt.PermissionDenied),
        # a CDP key outside its IP allow-list gets the same bare 401 as a wrong key
        ("ip_not_allowed", {}, ccxt.AuthenticationError),
        # the JWT outlives its 120 seconds on a clock that runs ahead...
        ("clock_skew", {"skew_ms": 180_000}, ccxt.AuthenticationError),
        # ...and is not valid yet on one that runs behind
        ("clock_skew", {"skew_ms": -5_000}, ccxt.AuthenticationError),
    ],
)
def test_each_fault_raises_the_class_ccxt_raises_in_production(
    simulator, demo, kind, options, error
):
    client = client_for(simulator, demo, **V3_BALANCES)
    client.load_markets()
    simulator.add_fault(kind, exchange=EXCHANGE, api_key=demo["api_key"], requests=1, **options)

    assert raised_by(client.fetch_balance) is error
    assert client.fetch_balance()["total"], "a one-request fault is gone after one request"


def test_maintenance_says_when_to_come_back(simulator, demo):
    client = client_for(simulator, demo)
    simulator.add_fault("maintenance", exchange=EXCHANGE, requests=1, retry_after=300)

    with pytest.raises(ccxt.ExchangeNotAvailable):
        client.v3_public_get_brokerage_time()

    assert client.last_response_headers["Retry-After"] == "300"


def test_a_v2_rate_limit_is_rate_limit_exceeded(simulator, demo):
    client = client_for(simulator, demo)
    simulator.add_fault("rate_limit", exchange=EXCHANGE, requests=1)

    assert raised_by(client.v2_public_get_currencies) is ccxt.RateLimitExceeded


def test_more_than_thirty_private_requests_a_second_are_refused(simulator, demo):
    client = client_for(simulator, demo)

    with pytest.raises(ccxt.RateLimitExceeded):
        for _ in range(70):
            client.v3_private_get_brokerage_key_permissions()

    statuses = simulator.stats()["api_keys"][demo["api_key"]]["statuses"]
    assert statuses["200"] >= 30 and statuses["429"] == 1


def test_ccxt_own_throttle_keeps_under_the_private_limit(simulator, demo):
    client = simulator.client(demo)

    for _ in range(40):
        client.v3_private_get_brokerage_key_permissions()

    assert simulator.stats()["api_keys"][demo["api_key"]]["statuses"] == {"200": 40}


# -- tickers ---------------------------------------------------------------------------------


def frozen_now(simulator, monkeypatch) -> int:
    state = simulator.running.state
    now_ms = state.now_ms()
    monkeypatch.setattr(state, "now_ms", lambda: now_ms)
    return now_ms


def test_tickers_are_the_public_product_rows_asked_by_id_tether_with_its_dollar_book(
    simulator, demo, monkeypatch
):
    client = simulator.client(demo, enableRateLimit=False, number=float)
    client.load_markets()
    now_ms = frozen_now(simulator, monkeypatch)
    oracle = simulator.running.state.oracle

    tickers = client.fetch_tickers(["BTC/USD", "USDT/USD"])

    assert client.markets["USDT/USD"]["id"] == "USDT-USD"
    assert client.markets["USDT/USD"]["precision"]["price"] == 0.00001
    assert set(tickers) == {"BTC/USD", "USDT/USD"}
    last = round(Decimal(repr(oracle.price("BTC", "USD", now_ms))), 2)
    before = Decimal(repr(oracle.price("BTC", "USD", now_ms - DAY_MS)))
    assert Decimal(str(tickers["BTC/USD"]["last"])) == last
    change = Decimal(str(tickers["BTC/USD"]["percentage"]))
    assert abs(change - (last - before) * 100 / before) < Decimal("0.001")
    assert tickers["USDT/USD"]["info"]["price_percentage_change_24h"] == "0.00000000000000"
    assert tickers["USDT/USD"]["last"] == 1.0
    asked = simulator.stats()["endpoints"]["coinbase /api/v3/brokerage/market/products"]
    # load_markets asks for the SPOT and the FUTURE lists, fetch_tickers once for both
    assert asked["requests"] == 3


def test_ccxt_with_decimal_numbers_loses_coinbase_ticker_prices(simulator, demo):
    """A ccxt 4.5.90 quirk: coinbase parse_ticker makes numbers of ``price`` and
    ``price_percentage_change_24h``, and safe_ticker reads them back as text, which skips a
    Decimal. Only ``info`` keeps them (sync/exchanges/coinbase.py reads it)."""
    client = client_for(simulator, demo)

    ticker = client.fetch_tickers(["BTC/USD"])["BTC/USD"]

    assert ticker["last"] is None and ticker["percentage"] is None
    assert Decimal(ticker["info"]["price"]) > 0
