"""Gate (APIv4): spot, margin, unified, perpetual and delivery futures.

Trades come from six streams, none of which needs a symbol:
- ``spot``, ``margin:isolated``, ``margin:cross``: ``/spot/my_trades`` for every pair at once,
  in windows of at most 30 days, paged with ``page`` (Gate pages no deeper than
  ``limit * (page - 1) <= 1000``). Its rows do not say which account a fill was made in, and
  without an ``account`` parameter Gate answers spot, unified and isolated margin fills
  together, so each stream names its account: ``spot`` (``unified`` for a unified key, as
  ``/account/detail`` says), ``margin`` (isolated margin) or ``cross_margin``; the margin
  streams' fills are market type "margin";
- ``perpetual:usdt``, ``perpetual:btc``: ``/futures/{settle}/my_trades_timerange``, one time
  range of any length paged with ``offset`` (``/futures/{settle}/my_trades`` keeps 6 months);
- ``delivery:usdt``: ``/delivery/{settle}/my_trades``, no time filter, walked back by
  ``last_id``, or by ``offset`` where Gate ignores ``last_id`` (walks.py).
The raw endpoints are called rather than ``fetch_my_trades``, which on a unified key turns
any margin mode into ``unified``.

Spot (or the unified account) is the core; every other stream and account is an optional part
(parts.py) that most accounts never opened: a perpetual or delivery account never funded
answers USER_NOT_FOUND, recorded as "not opened", and later trades-only syncs skip it. Margin
accounts never opened answer an empty list instead: their streams are left out until
``/margin/accounts`` shows one (``trade_streams``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal
from typing import Any

import ccxt

from ..base import CredentialShape, ExchangeAdapter, IpStep, Permissions, id_text
from ..capabilities import Availability, part_log_of
from ..errors import ErrorCode, ExchangeFailure, failure_for
from ..records import (
    BalanceRecord,
    PositionRecord,
    Stream,
    TradePage,
    TradeRecord,
    from_millis,
    to_decimal,
)
from . import holdings, parts
from .markets import market_of_fill
from .walks import PAGE, last_id_pages, range_pages

SPOT_WINDOW_S = 30 * 86_400
# limit * (page - 1) <= 1000: with 1000 a page, two pages per range
SPOT_MAX_SKIP = 1000
# our margin streams' mode -> Gate's ``account``
MARGIN_ACCOUNTS = {"isolated": "margin", "cross": "cross_margin"}
ISOLATED_STREAM = "margin:isolated"
STREAMS = (
    "spot",
    *(f"margin:{mode}" for mode in MARGIN_ACCOUNTS),
    *(f"perpetual:{settle}" for settle in holdings.PERPETUAL_SETTLES),
    *(f"delivery:{settle}" for settle in holdings.DELIVERY_SETTLES),
)
# Inverse contracts are worth amount / price in the settle coin, kept to the satoshi.
_SATOSHI = Decimal("1E-8")
# Fees paid in GT or in points leave ``fee`` at zero and fill these instead.
_FEE_FIELDS = (("gt_fee", "GT"), ("point_fee", "POINT"))

# Groups whose "Read and Write" setting moves funds out rather than trading them.
_WALLET = "wallet"
# Gate lists other keys than the caller's, each masked with asterisks.
_MASK = "*"


def _keys_of(response: Any) -> list[dict[str, Any]]:
    """``/account/main_keys`` answers a list of key objects; older answers were one object."""
    if isinstance(response, dict):
        return [response]
    return [item for item in response or [] if isinstance(item, dict)]


def _own_key(keys: list[dict[str, Any]], api_key: str) -> dict[str, Any] | None:
    """The entry of the calling key, recognised by what its mask leaves visible: Gate's masking
    is undocumented (audit "Gate /account/main_keys"), so both ends around the asterisks are
    compared. A mask that leaves nothing, or fits more than one key, recognises none: the
    check then says it cannot verify the key, never that it is another key's."""
    found = []
    for item in keys:
        shown = str(item.get("key") or "")
        head, _, rest = shown.partition(_MASK)
        tail = rest.rpartition(_MASK)[2]
        if (head or tail) and api_key.startswith(head) and api_key.endswith(tail):
            found.append(item)
    return found[0] if len(found) == 1 else None


def _recall_mode(client: ccxt.Exchange) -> None:
    """Tell ccxt the account mode the last balance read found (parts.UNIFIED), unless this
    sync knows it already: a trades-only sync then makes no /account/detail request. A balance
    sync reads the mode again, so a key switched to the other mode is noticed there."""
    if client.options.get("unifiedAccount") is not None:
        return
    log = part_log_of(client)
    entry = log.entries.get(parts.UNIFIED.key) or log.previous.get(parts.UNIFIED.key)
    if entry is not None:
        client.options["unifiedAccount"] = entry.get("availability") == Availability.AVAILABLE


class GateAdapter(ExchangeAdapter):
    exchange_id = "gate"
    ccxt_id = "gate"
    shape = CredentialShape(
        api_key_pattern=r"[0-9a-f]{32}",
        secret_pattern=r"[0-9a-f]{64}",
        api_key_example="0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    )
    key_help = (
        "On gate.com open your profile → API Management → Create API Key, and pick the "
        "account type your account uses (Classic or Unified).",
        IpStep(
            restricted=(
                "Under IP Permissions choose to bind IP addresses and enter our addresses below."
            ),
            unrestricted=(
                "Under IP Permissions leave the key unbound to IP addresses: there are no "
                "addresses of ours to list (see below)."
            ),
        ),
        "Set Spot/Margin, Perpetual Futures, Delivery, Wallet, Unified Account and Account to "
        "“Read Only”, and leave Withdrawal off. Account read lets us confirm the key is "
        "read-only.",
        "Confirm with your fund password and 2FA, then copy the API Key and the Secret Key: "
        "Gate shows the secret only once.",
    )
    ip_error_codes = frozenset({"IP_FORBIDDEN"})
    # "USER_NOT_FOUND: user has no futures account" (gateio/gateapi-python#18): a perpetual or
    # delivery account is opened by the first transfer into it.
    not_opened_codes = frozenset({"USER_NOT_FOUND"})
    # We do not sync options: leaving them out spares load_markets one call per underlying.
    client_options = {"fetchMarkets": {"types": ["spot", "swap", "future"]}}
    # ccxt reads the (deprecated) margin pair list with the spot pairs (gate.py
    # fetch_spot_markets); margin is optional, so its failure must not stop spot.
    spot_markets_without = {"publicMarginGetCurrencyPairs": []}

    def read_probe(self, client: ccxt.Exchange) -> None:
        # GET /spot/accounts: one signed read, no market list needed
        client.private_spot_get_accounts()

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /account/main_keys lists every key of the main account with its permissions.
        try:
            keys = _keys_of(client.private_account_get_main_keys())
        except ccxt.PermissionDenied:
            # Gate refuses the list to keys without the "account" permission; the read probe
            # already proved the key reads, but nothing says whether it can also trade.
            return Permissions(verifiable=False, read=True, details={"account_permission": False})
        own = _own_key(keys, client.apiKey)
        if own is None:
            return Permissions(verifiable=False, read=True, details={"key_listed": False})
        if own.get("mode") is not None:
            # what ccxt's own probe (/account/detail) would read: spare it the call
            client.options["unifiedAccount"] = own["mode"] == 2
        perms = [item for item in own.get("perms") or [] if isinstance(item, dict)]
        writable = sorted(str(item.get("name")) for item in perms if item.get("read_only") is False)
        return Permissions(
            verifiable=True,
            read=bool(perms),
            trade=any(name != _WALLET for name in writable),
            withdraw=_WALLET in writable,
            transfer=_WALLET in writable,
            ip_restricted=bool(own.get("ip_whitelist")),
            details={
                "account_mode": "unified" if own.get("mode") == 2 else "classic",
                "writable": writable,
                "key_state": own.get("state"),
            },
            # the key's own entry names its account: SubAccountKey "user_id"
            # (gateio/gateapi-python docs/SubAccountKey.md)
            account_id=id_text(own.get("user_id")),
        )

    def account_id(self, client: ccxt.Exchange, permissions: Permissions) -> str | None:
        """The key's own entry of /account/main_keys names its account. Without one (a mask
        that fits no key, Gate's one-object answer), ``GET /account/detail`` does ("user_id",
        https://www.gate.com/docs/developers/apiv4/#retrieve-user-account-information): the
        request ccxt makes anyway to learn the account mode, which it is then spared. A key
        refused main_keys lacks the "account" permission detail needs as well: not asked."""
        if permissions.account_id is not None:
            return permissions.account_id
        if permissions.details.get("account_permission") is False:
            return None
        detail = client.private_account_get_detail()
        mode = (detail.get("key") or {}).get("mode")
        if mode is not None:
            # what ccxt's load_unified_status reads from the same answer
            client.options["unifiedAccount"] = int(mode) == 2
        return id_text(detail.get("user_id"))

    def _error_body(self, client: ccxt.Exchange) -> dict[str, Any]:
        return self.last_body(client) or {}

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """Gate names every error by its ``label``."""
        label = self._error_body(client).get("label")
        return str(label) if label else None

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        """ccxt maps REQUEST_EXPIRED to AuthenticationError and knows no maintenance label;
        both are sorted here from Gate's own body."""
        body = self._error_body(client)
        label = body.get("label")
        if label == "REQUEST_EXPIRED":
            return failure_for(ErrorCode.CLOCK_SKEW)
        if (
            isinstance(exc, ccxt.ExchangeNotAvailable)
            and label == "SERVER_ERROR"
            # Gate's SDK documents the text as "message"; ccxt/ccxt#13249 printed "detail"
            and "maintenance" in str(body.get("message") or body.get("detail") or "").lower()
        ):
            return failure_for(ErrorCode.MAINTENANCE)
        return super().failure(exc, client)

    # -- trades ---------------------------------------------------------------------------

    def trade_streams(self, client: ccxt.Exchange, *, known: set[str]) -> list[Stream]:
        """Every stream, less isolated margin where the account never opened an isolated pair;
        an isolated stream that has a cursor already is walked whatever the list says. Cross
        margin fills are always walked: nothing Gate still documents says whether an account
        ever traded cross margin (holdings.py), and a missed fill is worse than 13 requests."""
        _recall_mode(client)
        names = set(STREAMS) | known
        if ISOLATED_STREAM not in known and not self._margin_opened(client):
            names.discard(ISOLATED_STREAM)
        return [Stream(name, part=parts.of_stream(name)) for name in sorted(names)]

    def _margin_opened(self, client: ccxt.Exchange) -> bool:
        """Whether ``/margin/accounts`` (read by this sync's balances, else asked now) shows
        isolated margin ever opened; an answer that did not come reads as opened. Where it
        shows none, a year of empty 30-day windows (13 requests) is not walked."""
        pairs = getattr(client, "gate_margin_accounts", None)
        if pairs is None:
            pairs = self.optional(
                client, parts.MARGIN, lambda: holdings.margin_accounts(client), None
            )
        return pairs is None or holdings.margin_opened(pairs)

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        # the settle coin of a contract stream, the margin mode of a margin one
        kind, _, settle = stream.name.partition(":")

        def convert(trades: list[dict[str, Any]]) -> list[TradeRecord]:
            records = [self.record_of(client, trade) for trade in trades]
            if kind == "margin":
                return [replace(record, market_type="margin") for record in records]
            return records

        if kind in ("spot", "margin"):
            if kind == "margin":
                account = MARGIN_ACCOUNTS[settle]
            else:
                # known from this sync's balances or the last one's (_recall_mode); else
                # ccxt asks /account/detail once
                account = "unified" if client.load_unified_status() else "spot"
            return range_pages(
                fetch=lambda start, to, skip: client.parse_trades(
                    client.private_spot_get_my_trades(
                        {
                            "account": account,
                            "from": start,
                            "to": to,
                            "limit": PAGE,
                            "page": skip // PAGE + 1,
                        }
                    )
                ),
                cursor=cursor,
                since_s=since_ms // 1000,
                now_s=now_ms // 1000,
                span_s=SPOT_WINDOW_S,
                max_skip=SPOT_MAX_SKIP,
                convert=convert,
            )
        if kind == "perpetual":
            return range_pages(
                fetch=lambda start, to, skip: client.parse_trades(
                    client.private_futures_get_settle_my_trades_timerange(
                        {"settle": settle, "from": start, "to": to, "limit": PAGE, "offset": skip}
                    )
                ),
                cursor=cursor,
                since_s=since_ms // 1000,
                now_s=now_ms // 1000,
                span_s=None,
                max_skip=None,
                convert=convert,
            )

        def delivery_page(last_id: str | None, offset: int) -> list[dict[str, Any]]:
            params: dict[str, Any] = {"settle": settle, "limit": PAGE}
            if last_id is not None:
                params["last_id"] = last_id
            if offset:
                params["offset"] = offset
            return client.parse_trades(client.private_delivery_get_settle_my_trades(params))

        return last_id_pages(
            fetch=delivery_page,
            cursor=cursor,
            since_ms=since_ms,
            convert=convert,
        )

    def fee_of(self, trade: dict[str, Any]) -> tuple[Any, str]:
        info = trade.get("info") or {}
        for field, currency in _FEE_FIELDS:
            if not to_decimal(info.get("fee")) and to_decimal(info.get(field)):
                return info[field], currency
        return info.get("fee"), info.get("fee_currency") or ""

    def record_of(
        self, client: ccxt.Exchange, trade: dict[str, Any], *, account: str = "main"
    ) -> TradeRecord:
        """ccxt counts contracts and, with number=Decimal, leaves the contract size out of a
        contract fill's cost; amount here is in the base coin (USD for inverse contracts),
        cost in the quote (the settle coin for inverse contracts)."""
        market = market_of_fill(client, trade)
        price = to_decimal(trade["price"]) or Decimal(0)
        amount = to_decimal(trade["amount"]) or Decimal(0)
        if market.get("contract"):
            amount *= to_decimal(market.get("contractSize")) or 1
        if market.get("inverse"):
            cost = (amount / price).quantize(_SATOSHI, rounding=ROUND_DOWN)
        else:
            cost = amount * price
        fee, fee_currency = self.fee_of(trade)
        return TradeRecord(
            account=account,
            market_type=market["type"],
            symbol=market["symbol"],
            base=market.get("base") or "",
            quote=market.get("quote") or "",
            settle=market.get("settle") or "",
            side=trade["side"],
            price=price,
            amount=amount,
            cost=cost,
            fee=to_decimal(fee),
            fee_currency=fee_currency or market.get("settle") or "",
            executed_at=from_millis(trade["timestamp"]),
            trade_id=str(trade["id"]),
            order_id=str(trade.get("order") or ""),
            taker_or_maker=trade.get("takerOrMaker") or "",
        )

    # -- balances and positions -----------------------------------------------------------

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        records = holdings.fetch_balances(client, self.optional_for(client))
        # the mode is known by now (no request): kept for the trades-only syncs to come
        unified = client.load_unified_status()
        part_log_of(client).record(
            parts.UNIFIED, Availability.AVAILABLE if unified else Availability.NOT_OPENED
        )
        return records

    def fetch_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        return holdings.fetch_positions(client, self.optional_for(client))
