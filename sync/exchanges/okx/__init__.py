"""OKX (API v5): spot, margin, swaps, futures and options on one trading account, plus the
funding account and Simple Earn.

A key's permissions come from `GET /api/v5/account/config`: `perm` is "read_only",
"read_only,trade" or "read_only,withdraw,trade" (every OKX key can read) and `ip` lists the
allow-listed addresses, empty when there are none.

Trades: one stream per instType, walked by bill id (`fills.py`), three months back; in Spot
mode (`acctLv` 1) OKX refuses every instType but SPOT (51010), so only the spot stream is
walked. Balances: the trading account (one balance per currency for every market type, in
every account mode), the funding account and Simple Earn savings. Positions: every open
contract position (none in Spot mode).

The core is the trading account's balance and the spot fills. Margin, swaps, futures and
options fills, the funding account and Simple Earn are optional parts: whatever they answer is
recorded and never fails a sync. The account mode, read from `account/config`, says which of
them exist: Spot mode, where every new account starts, names them "not opened" without asking.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import ccxt

from ..base import CredentialShape, ExchangeAdapter, IpStep, Permissions, id_text
from ..capabilities import Availability, Part, part_log_of
from ..errors import ErrorCode, ExchangeFailure, failure_for
from ..records import BalanceRecord, PositionRecord, Stream, TradePage, TradeRecord, to_decimal
from .fills import (
    REACH_DAYS,
    STREAMS,
    Instrument,
    fill_pages,
    fills_history,
    instrument_of,
    record_of_fill,
)

# acctLv: what OKX calls each account mode
ACCOUNT_MODES = {
    "1": "spot",
    "2": "spot_and_futures",
    "3": "multi_currency_margin",
    "4": "portfolio_margin",
}
SPOT_MODE = "1"
# 51010 "You can't complete this request under your current account mode" (ccxt:
# AccountNotEnabled): derivative data asked of an account in Spot mode.
MODE_ERROR_CODE = "51010"
# 50120 "This API key doesn't have permission to use this function": ccxt 4.5.90 has no entry
# for it and raises a bare ExchangeError.
PERMISSION_ERROR_CODES = frozenset({"50120"})

FUNDING = Part("funding", "Funding account")
EARN = Part("earn", "Simple Earn")
# The optional part of each trade stream but spot; Spot mode has none of them.
STREAM_PARTS = {
    "margin": Part("margin", "Margin"),
    "swap": Part("swap", "Perpetual swaps"),
    "futures": Part("futures", "Expiry futures"),
    "option": Part("option", "Options"),
}


def _balance(client: ccxt.Exchange, account_type: str, row: dict, total: str) -> BalanceRecord:
    """One currency's row; `availBal`/`frozenBal` where the account has them (not Earn)."""
    return BalanceRecord(
        account_type=account_type,
        asset=client.safe_currency_code(row["ccy"]),
        total=to_decimal(row.get(total)) or Decimal(0),
        free=to_decimal(row.get("availBal")),
        used=to_decimal(row.get("frozenBal")),
    )


def _config(client: ccxt.Exchange) -> dict[str, Any]:
    """GET /api/v5/account/config: the key's permissions and the account mode."""
    rows = client.private_get_account_config().get("data") or [{}]
    return rows[0]


class OkxAdapter(ExchangeAdapter):
    exchange_id = "okx"
    ccxt_id = "okx"
    shape = CredentialShape(
        needs_passphrase=True,
        api_key_pattern=r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        secret_pattern=r"[0-9A-F]{32}",
        api_key_example="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    )
    key_help = (
        "On okx.com open your profile → API keys and choose “Create API key” for API trading.",
        "Keep only the “Read” permission: leave “Trade” and “Withdraw” unticked.",
        IpStep(
            restricted="Enter our addresses below in the key's IP address field.",
            unrestricted=(
                "Leave the key's IP address field empty: there are no addresses of ours to list "
                "(see below)."
            ),
        ),
        "Choose a passphrase of 8 to 32 characters; OKX cannot recover it, so note it.",
        "Copy the API key, the secret key and the passphrase into this form.",
    )
    # 50110 "Your IP … is not included in your API key's IP whitelist" (ccxt:
    # PermissionDenied); 50121 "You can't access our services through the IP address".
    ip_error_codes = frozenset({"50110", "50121"})
    # 51010: the account mode does not serve this (Spot mode asked for derivatives): the
    # account never switched to a mode that has the part.
    not_opened_codes = frozenset({MODE_ERROR_CODE})

    def error_code_of(self, client: ccxt.Exchange) -> str | None:
        """OKX's ``code`` from the last body. ccxt keeps ``last_json_response`` only with
        ``enableLastJsonResponse`` on (off by default), but always keeps the text."""
        try:
            body = json.loads(getattr(client, "last_http_response", None) or "null")
        except ValueError:
            return None
        code = body.get("code") if isinstance(body, dict) else None
        return None if code in (None, "", "0") else str(code)

    def read_probe(self, client: ccxt.Exchange) -> None:
        # GET /api/v5/account/balance: signed, read-only, and no market loading first
        client.private_get_account_balance()

    def failure(self, exc: BaseException, client: ccxt.Exchange) -> ExchangeFailure:
        if self.error_code_of(client) in PERMISSION_ERROR_CODES:
            return failure_for(ErrorCode.PERMISSION)
        return super().failure(exc, client)

    def fetch_permissions(self, client: ccxt.Exchange) -> Permissions:
        # GET /api/v5/account/config: read-only by nature.
        config = _config(client)
        self._note_mode(client, config)
        granted = {name.strip() for name in str(config.get("perm") or "").split(",")}
        return Permissions(
            verifiable=True,
            read="read_only" in granted,
            trade="trade" in granted,
            withdraw="withdraw" in granted,
            ip_restricted=bool(config.get("ip")),
            details={"account_mode": ACCOUNT_MODES.get(str(config.get("acctLv")))},
            # "uid": the key's own account, a sub-account's own uid for its keys ("mainUid"
            # is the master's); ccxt's fetch_accounts takes it as the account id too
            # (https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-account-configuration)
            account_id=id_text(config.get("uid")),
        )

    # -- trades ---------------------------------------------------------------------------

    def trade_streams(self, client: ccxt.Exchange, *, known: set[str]) -> list[Stream]:
        """One stream per instType (fills-history answers for every instrument at once, so
        every stream a cursor was stored for is one of these); only spot in Spot mode. The
        mode matters only while no other stream has a cursor (an account that has one trades
        derivatives), and then comes from the last balance sync, which reads account/config
        every hour: a switch out of Spot mode is noticed within the hour, its derivative fills
        then walked from the start, and a Spot-mode account's trades syncs pay no extra call."""
        spot_only = not known - {"spot"} and self._spot_mode(client)
        names = ["spot"] if spot_only else list(STREAMS)
        # An account switched back to Spot mode keeps its other cursors: those streams answer
        # 51010, which the engine records as "not opened" for their part.
        return [Stream(name, reach_days=REACH_DAYS, part=STREAM_PARTS.get(name)) for name in names]

    def _spot_mode(self, client: ccxt.Exchange) -> bool:
        """Spot mode as this sync or the last balance sync found it; asked only if unknown."""
        log = part_log_of(client)
        known = {**log.previous, **log.entries}
        states = {known.get(part.key, {}).get("availability") for part in STREAM_PARTS.values()}
        if states == {Availability.NOT_OPENED}:
            return True
        return self._note_mode(client, _config(client))

    @staticmethod
    def _note_mode(client: ccxt.Exchange, config: dict[str, Any]) -> bool:
        """Whether the account is in Spot mode, which OKX answers every derivative part with
        51010: they are recorded "not opened" there, and "available" in every other mode, so
        that an account leaving Spot mode has them walked again (scheduled syncs are
        trades-only or balances-only, and neither would probe a part known to be missing)."""
        spot_mode = str(config.get("acctLv")) == SPOT_MODE
        log = part_log_of(client)
        for part in STREAM_PARTS.values():
            log.record(part, Availability.NOT_OPENED if spot_mode else Availability.AVAILABLE)
        return spot_mode

    def trade_pages(
        self,
        client: ccxt.Exchange,
        stream: Stream,
        cursor: dict[str, Any],
        *,
        since_ms: int,
        now_ms: int,
    ) -> Iterator[TradePage]:
        inst_type = STREAMS[stream.name][0]
        instruments: dict[str, Instrument] = {}

        def convert(rows: list[dict]) -> list[TradeRecord]:
            records = []
            for row in rows:
                inst_id = row["instId"]
                if inst_id not in instruments:
                    instruments[inst_id] = instrument_of(client, inst_id, inst_type)
                records.append(record_of_fill(client, row, instruments[inst_id]))
            return records

        return fill_pages(
            fetch=lambda params: fills_history(client, inst_type, params),
            cursor=cursor,
            since_ms=since_ms,
            convert=convert,
        )

    # -- balances and positions -----------------------------------------------------------

    def fetch_balances(self, client: ccxt.Exchange) -> list[BalanceRecord]:
        """Cash per currency: the trading account's `cashBal` (its `eq` adds the positions'
        unrealized PnL, which the positions carry), the funding account and Simple Earn."""
        trading = client.private_get_account_balance().get("data") or [{}]
        funding = self.optional(
            client, FUNDING, lambda: client.private_get_asset_balances().get("data") or [], []
        )
        savings = self.optional(
            client,
            EARN,
            lambda: client.private_get_finance_savings_balance().get("data") or [],
            [],
        )
        records = [
            *(
                _balance(client, "trading", row, "cashBal")
                for row in trading[0].get("details") or []
            ),
            *(_balance(client, "funding", row, "bal") for row in funding),
            *(_balance(client, "earn", row, "amt") for row in savings),
        ]
        return [record for record in records if record.total]

    def fetch_positions(self, client: ccxt.Exchange) -> list[PositionRecord]:
        """Every open swap, futures and option position, from one request. MARGIN rows (spot
        bought or sold on borrowed funds) are loans rather than contracts and are left out."""
        try:
            rows = client.private_get_account_positions().get("data") or []
        except ccxt.AccountNotEnabled:
            # Spot mode holds no positions and refuses to list them: asking costs one request
            # there, and none elsewhere, where asking the mode first would
            if self.error_code_of(client) != MODE_ERROR_CODE:
                raise
            return []
        records = []
        for row in rows:
            size = to_decimal(row.get("pos"))
            if row.get("instType") == "MARGIN" or not size:
                continue
            instrument = instrument_of(client, row["instId"], row["instType"])
            # net mode: the sign of `pos` is the side; long/short mode: `posSide` is
            side = row.get("posSide") if row.get("posSide") in ("long", "short") else None
            records.append(
                PositionRecord(
                    market_type=instrument.market_type,
                    symbol=instrument.symbol,
                    side=side or ("long" if size > 0 else "short"),
                    contracts=abs(size),
                    contract_size=instrument.value,
                    entry_price=to_decimal(row.get("avgPx")),
                    mark_price=to_decimal(row.get("markPx")),
                    notional=to_decimal(row.get("notionalUsd")),
                    unrealized_pnl=to_decimal(row.get("upl")),
                    leverage=to_decimal(row.get("lever")),
                    liquidation_price=to_decimal(row.get("liqPx")),
                    margin_mode=row.get("mgnMode") or "",
                )
            )
        return records
