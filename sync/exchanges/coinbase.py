"""Coinbase Advanced Trade: spot wallets and fills, with a CDP API key.

Trades: `GET /api/v3/brokerage/orders/historical/fills` lists every product's fills in one
stream, newest first, paged by an opaque `cursor`, with no window or retention limit. One
stream ("spot") therefore walks the whole history; the walk is resumable by time (see
`_fill_pages`). Balances: the Advanced Trade wallets, plus the staking wallets that only the
Coinbase App (v2) wallet list shows.

The Advanced Trade wallets and fills are the core. The v2 wallet list (staked coins) is an
optional part: most accounts stake nothing, and whatever it answers never fails a sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, ClassVar

import ccxt

from .base import CredentialShape, ExchangeAdapter, IpStep, Permissions, id_text
from .capabilities import Part
from .errors import ErrorCode, ExchangeFailure, failure_for
from .records import (
    BalanceRecord,
    PriceRecord,
    Stream,
    TradePage,
    TradeRecord,
    from_millis,
    to_decimal,
)
from .walking import OVERLAP_MS

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SPOT = "spot"
# ccxt's v2 balance reads one page of 250 wallets; the v2 API pages with `starting_after`.
V2_PAGE = 250
EARN = Part("earn", "Staked coins")
# The list-fills response example prints a sequence_timestamp a minute before its trade_time
# (https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/orders/list-fills);
# should the time bounds compare it, a fill made just before the last sync ended is that far
# below it.
SEQUENCE_SKEW_MS = 60_000

Row = dict[str, Any]


class CoinbaseAdapter(ExchangeAdapter):
    exchange_id = "coinbase"
    ccxt_id = "coinbase"
    # A CDP key is a key *name* and an EC P-256 private key in PEM form (ccxt signs an ES256
    # JWT with it); legacy HMAC keys can no longer be created.
    shape = CredentialShape(
        secret_is_pem=True,
        api_key_pattern=rf"organizations/{_UUID}/apiKeys/{_UUID}",
        api_key_example="organizations/{organization id}/apiKeys/{key id}",
    )
    key_help = (
        "On portal.cdp.coinbase.com open API Keys and choose Create API key.",
        "Under Advanced settings pick the ECDSA signature algorithm: Advanced Trade does not "
        "accept Ed25519 keys.",
        "Choose the portfolio to sync and tick only “View”; leave “Trade” and “Transfer” off.",
        IpStep(
            restricted="In the IP allowlist add our addresses below.",
            unrestricted=(
                "Leave the IP allowlist empty: there are no addresses of ours to list (see below)."
            ),
        ),
        "Copy the key name (organizations/…/apiKeys/…) and the whole private key, from "
        "“-----BEGIN EC PRIVATE KEY-----” to the END line: Coinbase shows it only once.",
    )
    # Coinbase refuses a key used from outside its allowlist with a bare 401 "Unauthorized",
    # the same answer as for a wrong or deleted key, so there is no code to tell it by.
    ip_error_codes = frozenset()
    # ccxt's default balance source is the v2 wallet list, read once with no paging; the
    # Advanced Trade accounts endpoint is paged (ccxt follows the cursor) and reports holds.
    client_options = {"fetchBalance": "v3PrivateGetBrokerageAccounts"}
    # The largest fills page: ccxt 4.5.90 `features['spot']['fetchMyTrades']['limit']`.
    page_size: ClassVar[int] = 3000

    def read_probe(self, client: ccxt.Exchange) -> None:
        # GET /api/v3/brokerage/accounts needs the "View" scope; one wallet is enough.
        client.v3_private_get_brokerage_accounts({"limit": 1})

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /api/v3/brokerage/key_permissions: read-only by nature. It says nothing about
        # the IP allowlist or an expiry, so those stay unknown.
        info: dict[str, Any] = client.v3_private_get_brokerage_key_permissions()
        transfer = bool(info.get("can_transfer"))
        return Permissions(
            verifiable=True,
            read=bool(info.get("can_view")),
            trade=bool(info.get("can_trade")),
            withdraw=transfer,
            transfer=transfer,
            details={
                "portfolio_uuid": info.get("portfolio_uuid"),
                "portfolio_type": info.get("portfolio_type"),
            },
            # A CDP key is scoped to one portfolio and sees only its data, so the portfolio is
            # the account it reads ("Get API Key Permissions",
            # https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/data-api/get-api-key-permissions;
            # https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/guides/portfolios)
            account_id=id_text(info.get("portfolio_uuid")),
        )

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """Advanced Trade's ``error`` or the Coinbase App's ``errors[0].id`` (ccxt keeps the
        last body as text only); a bare ``Unauthorized`` has none."""
        body = self.last_body(client)
        if body is None:
            return None
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("id") or "") or None
        return str(body.get("error") or "") or None

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        """ccxt has no maintenance code for Coinbase: a 503 that says when to come back
        (``Retry-After``) is a planned maintenance, any other 5xx an outage."""
        failure = super().failure(exc, client)
        headers = getattr(client, "last_response_headers", None) or {}
        if failure.code is ErrorCode.UNAVAILABLE and headers.get("Retry-After"):
            return failure_for(ErrorCode.MAINTENANCE)
        return failure

    # -- trades ---------------------------------------------------------------------------

    def fee_of(self, trade: dict[str, Any]) -> tuple[Any, str]:
        # ccxt 4.5.90 drops `fee.cost` with Decimal numbers; Coinbase charges `commission`
        # in the quote currency and never names it, so the currency is the product's quote.
        info = trade.get("info") or {}
        return info.get("commission"), ""

    def record_of(
        self, client: ccxt.Exchange, trade: dict[str, Any], *, account: str = "main"
    ) -> TradeRecord:
        """The base record, except that the market comes from the fill's product id: a
        product delisted since (absent from the markets) still keeps its fills."""
        info = trade.get("info") or {}
        market = client.safe_market(info.get("product_id"), None, "-")
        fee, _ = self.fee_of(trade)
        quote = market.get("quote") or ""
        return TradeRecord(
            account=account,
            market_type=market.get("type") or SPOT,
            symbol=market.get("symbol") or trade["symbol"],
            base=market.get("base") or "",
            quote=quote,
            settle=market.get("settle") or "",
            side=trade["side"],
            price=to_decimal(trade["price"]),
            amount=to_decimal(trade["amount"]),
            cost=to_decimal(trade["cost"]),
            fee=to_decimal(fee),
            fee_currency=quote if fee not in (None, "") else "",
            executed_at=from_millis(trade["timestamp"]),
            trade_id=str(trade["id"]),
            order_id=str(trade.get("order") or ""),
            taker_or_maker=trade.get("takerOrMaker") or "",
        )

    def trade_streams(self, client: ccxt.Exchange, *, known: set[str]) -> list[Stream]:
        # One stream holds every product's fills, so there is nothing to discover and no
        # other stream can have a cursor.
        return [Stream(SPOT)]

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        # Coinbase documents no largest page: ccxt's features give 3000. Should Coinbase
        # refuse the size (400 INVALID_ARGUMENT), the walk goes on without one, at the page
        # size Coinbase picks itself, for the rest of this sync; pages are followed by their
        # cursor, so a smaller page, refused or silently cut, only costs requests.
        limit: dict[str, Any] = {"limit": self.page_size}

        def fetch(params: dict[str, Any]) -> tuple[list[Row], str]:
            try:
                response = client.v3_private_get_brokerage_orders_historical_fills(
                    {**limit, **params}
                )
            except ccxt.BadRequest:
                if not limit:
                    raise
                limit.clear()
                response = client.v3_private_get_brokerage_orders_historical_fills(params)
            return list(response.get("fills") or []), str(response.get("cursor") or "")

        def convert(rows: list[Row]) -> list[TradeRecord]:
            return [self.record_of(client, client.parse_trade(row)) for row in rows]

        return _fill_pages(
            fetch=fetch,
            convert=convert,
            iso=client.iso8601,
            millis=client.parse8601,
            cursor=cursor,
            since_ms=since_ms,
            now_ms=now_ms,
        )

    # -- balances ---------------------------------------------------------------------------

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        """The Advanced Trade wallets ("spot"), then the staked coins ("earn")."""
        spot = client.fetch_balance()
        records = [
            BalanceRecord(
                account_type=SPOT,
                asset=asset,
                total=to_decimal(total),
                free=to_decimal(spot["free"].get(asset)),
                used=to_decimal(spot["used"].get(asset)),
            )
            for asset, total in spot["total"].items()
            if total
        ]
        trading = {asset: to_decimal(total) or Decimal(0) for asset, total in spot["total"].items()}
        staked = self.optional(client, EARN, lambda: self._staked(client, trading), {})
        # Staked coins cannot be traded or sent until unstaked: all of them are in use.
        records += [
            BalanceRecord(account_type="earn", asset=asset, total=total, free=None, used=total)
            for asset, total in sorted(staked.items())
        ]
        return records

    @staticmethod
    def _staked(client: ccxt.Exchange, trading: dict[str, Decimal]) -> dict[str, Decimal]:
        """What the v2 wallets hold of each coin beyond its Advanced Trade wallet.

        Staked coins ("Staked ETH") live in wallets of their own that only the Coinbase App
        (v2) list shows; ccxt's default v2 balance adds them, with every wallet of the types
        in `options['accounts']`, to the coin's total. A trading wallet cannot be told apart
        by its id: whether its v2 ``id`` is its v3 ``uuid`` is undocumented, and ccxt's own
        v2 examples show both a UUID and the currency code (coinbase.py L599, L2477). By
        currency it can: each coin has one trading wallet, so what the v2 list holds beyond
        it is staked.
        """
        kinds = set(client.options.get("accounts") or ())
        totals: dict[str, Decimal] = {}
        after = None
        while True:
            page = client.v2_private_get_accounts(
                {"limit": V2_PAGE, **({"starting_after": after} if after else {})}
            )
            for wallet in page.get("data") or []:
                if wallet.get("type") not in kinds:
                    continue
                balance = wallet.get("balance") or {}
                amount = to_decimal(balance.get("amount"))
                if amount:
                    asset = client.safe_currency_code(balance.get("currency"))
                    totals[asset] = totals.get(asset, Decimal(0)) + amount
            after = (page.get("pagination") or {}).get("next_starting_after")
            if not after:
                break
        # A balance that moved between the two reads can leave a sliver either way: only a
        # positive remainder is staked.
        beyond = {asset: total - trading.get(asset, Decimal(0)) for asset, total in totals.items()}
        return {asset: amount for asset, amount in beyond.items() if amount > 0}

    # -- prices -----------------------------------------------------------------------------

    def fetch_prices(self, client: ccxt.Exchange, assets: set[str]) -> list[PriceRecord]:
        """The product rows of ``GET /api/v3/brokerage/market/products?product_ids=…`` (public,
        one request: ccxt's fetchTickersV3;
        https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/public/list-public-products),
        read from the row itself: ccxt 4.5.90's coinbase parse_ticker turns ``price`` into a
        number and its safe_ticker reads numbers back as text, which skips a Decimal, so with
        our Decimal numbers every ticker's ``last`` and ``percentage`` come back None. A
        product that has not traded prints an empty ``price``: no record."""
        symbols = self.price_symbols(client, assets)
        if not symbols:
            return []
        records = []
        for symbol, ticker in client.fetch_tickers(symbols).items():
            row = ticker.get("info") or {}
            if symbol not in symbols or not row.get("price"):
                continue
            base, quote = symbol.split("/")
            change = row.get("price_percentage_change_24h")
            records.append(
                PriceRecord(
                    asset=base,
                    quote=quote,
                    price=Decimal(row["price"]),
                    symbol=symbol,
                    change_24h_pct=Decimal(change) if change else None,
                )
            )
        return records


TRADE, SEQUENCE = "trade_time", "sequence_timestamp"


def _compared(row_times: tuple[int, int], start: int, end: int) -> str | None:
    """Which time the bounds [``start``, ``end``) compared, where a fill's two times show it:
    a fill outside them by one time was let in by the other."""
    trade, sequence = row_times
    if not start <= trade < end:
        return SEQUENCE
    if not start <= sequence < end:
        return TRADE
    return None


def _bound(low: int, offset: int, compares: str | None) -> int:
    """The exclusive end that still lets in every fill older than those read.

    The stream runs newest first by trade time, so every unread fill was made at or before
    ``low``, the oldest trade time read, and its sequence timestamp is at most ``offset``
    (the largest sequence_timestamp - trade_time seen) from that. Which of the two times the
    bounds compare, the docs leave open ("a trade time", say they; the names say sequence):
    until a fill shows it (`_compared`), the end is safe for both.
    """
    if compares == TRADE:
        return low + 1
    if compares == SEQUENCE:
        return low + offset + 1
    return low + max(offset, 0) + 1


def _reachable(times: tuple[int, int], before: int, compares: str | None) -> bool:
    """Whether a request ending at ``before`` can answer this fill again."""
    trade, sequence = times
    if compares == TRADE:
        return trade < before
    if compares == SEQUENCE:
        return sequence < before
    return min(trade, sequence) < before


def _seen_of(walk: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Ids already taken, with their trade and sequence times; a cursor written before the
    times were kept lists ids alone, all at the millisecond below ``before``."""
    seen = walk.get("seen") or {}
    if isinstance(seen, list):
        below = int(walk["before"]) - 1
        return {str(key): (below, below) for key in seen}
    return {str(key): (int(times[0]), int(times[1])) for key, times in seen.items()}


def _fill_pages(
    *,
    fetch: Callable[[dict[str, Any]], tuple[list[Row], str]],
    convert: Callable[[list[Row]], list[TradeRecord]],
    iso: Callable[[int], str],
    millis: Callable[[str], int],
    cursor: dict[str, Any],
    since_ms: int,
    now_ms: int,
) -> Iterator[TradePage]:
    """Walk the newest-first fills stream so that any page's cursor resumes it.

    The cursor holds `synced_to` (every fill made before it is imported), `compares` once a
    fill has shown which time the bounds compare (`_compared`) and, while a walk of
    [`from`, `to`) is under way, `before` (the next request's exclusive end, `_bound`), `low`
    and `offset` (what `_bound` needs) and `seen` (the ids already taken that a request ending
    at `before` can answer again). A walk pages with Coinbase's own cursor; only a resumed
    walk starts from `before`, because Coinbase's opaque cursor is not known to stay valid
    between syncs. A finished walk moves `synced_to` to its `to`; the next starts `OVERLAP_MS`
    earlier (a fill may become visible after its timestamp), and unless the bounds are known
    to compare trade times `SEQUENCE_SKEW_MS` more; it ends now, so a sync with nothing new
    costs one request.
    """
    synced_to = cursor.get("synced_to")
    compares: str | None = cursor.get("compares")
    walk = cursor.get("walk")

    def position(**fields: Any) -> dict[str, Any]:
        return {"synced_to": synced_to, **({"compares": compares} if compares else {}), **fields}

    while True:
        if walk is None:
            start = since_ms
            if synced_to is not None:
                skew = 0 if compares == TRADE else SEQUENCE_SKEW_MS
                start = max(since_ms, synced_to - OVERLAP_MS - skew)
            walk = {"from": start, "to": now_ms, "before": now_ms}
        # The time bounds stay the same on every page of one request chain.
        start, end = int(walk["from"]), int(walk["before"])
        bounds = {"start_sequence_timestamp": iso(start), "end_sequence_timestamp": iso(end)}
        before, seen = end, _seen_of(walk)
        low: int | None = walk.get("low")
        offset: int | None = walk.get("offset")
        page_cursor = ""
        while True:
            rows, page_cursor = fetch(
                {**bounds, **({"cursor": page_cursor} if page_cursor else {})}
            )
            fresh = [row for row in rows if str(row.get("trade_id")) not in seen]
            for row in rows:
                trade = millis(row["trade_time"])
                times = trade, millis(row.get("sequence_timestamp") or row["trade_time"])
                compares = compares or _compared(times, start, end)
                low = trade if low is None else min(low, trade)
                offset = times[1] - trade if offset is None else max(offset, times[1] - trade)
                seen[str(row.get("trade_id"))] = times
            if low is not None and offset is not None:
                before = min(before, _bound(low, offset, compares))
            seen = {
                key: times for key, times in seen.items() if _reachable(times, before, compares)
            }
            if not page_cursor:
                break
            walk = {**walk, "before": before, "low": low, "offset": offset, "seen": seen}
            yield TradePage(convert(fresh), position(walk=walk))
        synced_to, finished = walk["to"], walk["to"] >= now_ms
        walk = None
        yield TradePage(convert(fresh), position())
        if finished:
            return
