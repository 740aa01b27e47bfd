"""What a person records by hand, and their edits and deletions of any row of the journal.

Rules in one place:

- A manual trade's identity is "manual:<uuid hex>": no sync or import ever produces it, so a
  sync can never collide with (or overwrite) what the person typed.
- A fill or entry from the API or a CSV may be corrected (note, time, amount, price, fee) and
  deleted, never rewritten into another fill: its identity stays what the exchange said, so the
  sync's INSERT … ON CONFLICT DO NOTHING (journal.services.trades_record) meets it and leaves it
  alone, edited or deleted.
- Deleting keeps a tombstone (`deleted_at`) for every row, whatever its source. A hard delete
  would free the identity, and the next sync would bring the fill back.
- A transfer between the workspace's own accounts is two entries: minus on the account it left,
  plus on the account it reached, paired by external ids "transfer:<hex>:out" and
  "transfer:<hex>:in". Two entries, because each account's holdings move; distinct ids, because
  both sides may sit on the same exchange account (spot to futures, wallet to wallet) and the
  ledger identity (workspace, exchange, account_ref, kind, external_id) would refuse one shared
  id there. The pair is edited and deleted together.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import TypeVar

from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone

from connections.models import Exchange, ExchangeConnection
from portfolio.analytics.refresh import analytics_refresh_request
from portfolio.models import Portfolio
from thrive.models import Workspace

from .csv_formats.generic import market_of
from .models import LedgerEntry, Source, Trade

Kind = LedgerEntry.Kind
# Which way each kind moves the account; interest and funding go either way and say so.
INCOMING = {Kind.DEPOSIT, Kind.REWARD, Kind.AIRDROP}
OUTGOING = {Kind.WITHDRAWAL, Kind.FEE}
EITHER_WAY = {Kind.INTEREST, Kind.FUNDING}

# The journal's columns hold 18 whole digits and 18 decimals (models.AMOUNT).
QUANTUM = Decimal(1).scaleb(-18)
LIMIT = Decimal(10) ** 18
_EXACT = Context(prec=80, rounding=ROUND_HALF_EVEN)
TRANSFER_PREFIX = "transfer:"

Row = TypeVar("Row", Trade, LedgerEntry)


class EntryRefused(Exception):
    """The values parse but break a rule; `field` is the form field the message belongs to."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Place:
    """Where something happened: one of the workspace's connections, an exchange by name, or
    a wallet or other place the person names (no exchange)."""

    connection: ExchangeConnection | None = None
    exchange: str = ""
    name: str = ""

    @property
    def account_ref(self) -> str:
        return self.connection.account_ref if self.connection else ""

    @property
    def exchange_id(self) -> str:
        return self.connection.exchange if self.connection else self.exchange

    @property
    def label(self) -> str:
        if self.connection is not None:
            return str(self.connection)
        if self.exchange:
            return dict(Exchange.choices).get(self.exchange, self.exchange)
        return self.name or "Wallet / other"

    def same_as(self, other: Place) -> bool:
        if self.connection or other.connection:
            return self.connection == other.connection
        return (self.exchange, self.name.casefold()) == (other.exchange, other.name.casefold())

    @classmethod
    def of_trade(cls, trade: Trade) -> Place:
        if trade.connection_id:
            return cls(connection=trade.connection)
        if trade.exchange:
            return cls(exchange=trade.exchange)
        return cls(name=trade.account)

    @classmethod
    def of_entry(cls, entry: LedgerEntry) -> Place:
        if entry.connection_id:
            return cls(connection=entry.connection)
        if entry.exchange:
            return cls(exchange=entry.exchange)
        return cls(name=entry.counterparty)


# -- access: another workspace's row, a missing one and a deleted one answer the same 404 ----


def trade_get(*, workspace: Workspace | None, public_id: uuid.UUID | str) -> Trade:
    trade = (
        Trade.objects.for_workspace(workspace)
        .filter(public_id=public_id, deleted_at__isnull=True)
        .select_related("connection", "portfolio", "import_batch")
        .first()
    )
    if trade is None:
        raise Http404("No such trade.")
    return trade


def entry_get(*, workspace: Workspace | None, public_id: uuid.UUID | str) -> LedgerEntry:
    entry = (
        LedgerEntry.objects.for_workspace(workspace)
        .filter(public_id=public_id, deleted_at__isnull=True)
        .select_related("connection", "portfolio", "import_batch")
        .first()
    )
    if entry is None:
        raise Http404("No such entry.")
    return entry


def transfer_pair(*, entry: LedgerEntry) -> tuple[LedgerEntry, LedgerEntry] | None:
    """(leaving side, arriving side) of a manual transfer, or None for a lone entry."""
    stem, side = _transfer_stem(entry)
    if not stem:
        return None
    other_side = "in" if side == "out" else "out"
    other = (
        LedgerEntry.objects.for_workspace(entry.workspace)
        .filter(
            kind=Kind.TRANSFER,
            source=Source.MANUAL,
            external_id=f"{stem}:{other_side}",
            deleted_at__isnull=True,
        )
        .select_related("connection", "portfolio")
        .first()
    )
    if other is None:
        return None
    return (entry, other) if side == "out" else (other, entry)


def _transfer_stem(entry: LedgerEntry) -> tuple[str, str]:
    if entry.kind != Kind.TRANSFER or entry.source != Source.MANUAL:
        return "", ""
    stem, _, side = entry.external_id.rpartition(":")
    if not stem.startswith(TRANSFER_PREFIX) or side not in {"in", "out"}:
        return "", ""
    return stem, side


# -- numbers ----------------------------------------------------------------------------------


def _fits(value: Decimal, *, field: str | None, what: str) -> Decimal:
    value = value.quantize(QUANTUM, context=_EXACT)
    if abs(value) >= LIMIT:
        raise EntryRefused(field, f"{what} comes to {value:,.2f}, more than the journal holds.")
    return value


def trade_cost(*, amount: Decimal, price: Decimal) -> Decimal:
    return _fits(_EXACT.multiply(amount, price), field="amount", what="Amount × price")  # noqa: RUF001


def _swap_price(*, gave: Decimal, got: Decimal) -> Decimal:
    price = _fits(_EXACT.divide(gave, got), field="got_amount", what="The price")
    if price <= 0:
        raise EntryRefused(
            "got_amount",
            "The price (what you gave ÷ what you got) is below 0.000000000000000001. "
            "Check the two amounts.",
        )
    return price


def _signed(kind: str, amount: Decimal, received: bool | None) -> Decimal:
    if kind in INCOMING:
        return amount
    if kind in OUTGOING:
        return -amount
    if kind in EITHER_WAY:
        if received is None:
            raise ValueError(f"Say whether the {kind} was received or paid.")
        return amount if received else -amount
    raise ValueError(f"{kind} is not a ledger kind with one side.")


# -- recording --------------------------------------------------------------------------------


def _once(
    model: type[Row], workspace: Workspace, public_id: uuid.UUID | None, create: Callable[..., Row]
) -> Row:
    """Create once per form: the form's token becomes the row's public id, so a form sent twice
    (a double click, a retried request) records one row and answers it both times."""
    live = model.objects.for_workspace(workspace).filter(deleted_at__isnull=True)
    if public_id is not None:
        existing = live.filter(public_id=public_id).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return create(public_id or uuid.uuid4())
    except IntegrityError:
        existing = live.filter(public_id=public_id).first() if public_id else None
        if existing is not None:
            return existing
        if public_id is None:
            raise
    # The token was taken by a row this workspace cannot see (or a deleted one): a fresh id.
    with transaction.atomic():
        return create(uuid.uuid4())


def _check_owner(workspace: Workspace, portfolio: Portfolio, *places: Place) -> None:
    if portfolio.workspace_id != workspace.pk:
        raise ValueError("The portfolio belongs to another workspace.")
    for place in places:
        if place.connection is not None and place.connection.workspace_id != workspace.pk:
            raise ValueError("The connection belongs to another workspace.")


def _trade_place_fields(place: Place) -> dict[str, object]:
    return {
        "connection": place.connection,
        "exchange": place.exchange_id,
        "account_ref": place.account_ref,
        # A trade has no counterparty column: a wallet's name is its account.
        "account": place.name or "main",
    }


def _entry_place_fields(place: Place) -> dict[str, object]:
    return {
        "connection": place.connection,
        "exchange": place.exchange_id,
        "account_ref": place.account_ref,
        "counterparty": place.name,
    }


def _market_fields(symbol: str) -> dict[str, str]:
    market_type, base, quote, settle = market_of(symbol)
    return {
        "symbol": symbol,
        "market_type": market_type,
        "base": base,
        "quote": quote,
        "settle": settle,
    }


@transaction.atomic
def manual_trade_create(
    *,
    workspace: Workspace,
    portfolio: Portfolio,
    place: Place,
    executed_at: datetime,
    symbol: str,
    side: str,
    amount: Decimal,
    price: Decimal,
    fee: Decimal | None,
    fee_currency: str,
    note: str,
    public_id: uuid.UUID | None = None,
) -> Trade:
    """A buy or sell on a market, the cost price times amount."""
    return _trade_create(
        workspace=workspace,
        portfolio=portfolio,
        place=place,
        symbol=symbol,
        side=side,
        amount=amount,
        price=price,
        cost=trade_cost(amount=amount, price=price),
        fee=fee,
        fee_currency=fee_currency,
        executed_at=executed_at,
        note=note,
        public_id=public_id,
    )


@transaction.atomic
def swap_create(
    *,
    workspace: Workspace,
    portfolio: Portfolio,
    place: Place,
    executed_at: datetime,
    gave_asset: str,
    gave_amount: Decimal,
    got_asset: str,
    got_amount: Decimal,
    fee: Decimal | None,
    fee_currency: str,
    note: str,
    public_id: uuid.UUID | None = None,
) -> Trade:
    """ "I gave X of A and got Y of B" is a buy of Y on the market B/A at X/Y. The cost is
    exactly X, not the price rounded to 18 decimals times Y."""
    if gave_asset == got_asset:
        raise EntryRefused("got_asset", "You gave and got the same asset; pick two different ones.")
    return _trade_create(
        workspace=workspace,
        portfolio=portfolio,
        place=place,
        symbol=f"{got_asset}/{gave_asset}",
        side=Trade.Side.BUY,
        amount=got_amount,
        price=_swap_price(gave=gave_amount, got=got_amount),
        cost=gave_amount,
        fee=fee,
        fee_currency=fee_currency,
        executed_at=executed_at,
        note=note,
        public_id=public_id,
    )


def _trade_create(
    *,
    workspace: Workspace,
    portfolio: Portfolio,
    place: Place,
    symbol: str,
    side: str,
    amount: Decimal,
    price: Decimal,
    cost: Decimal,
    fee: Decimal | None,
    fee_currency: str,
    executed_at: datetime,
    note: str,
    public_id: uuid.UUID | None,
) -> Trade:
    _check_owner(workspace, portfolio, place)
    analytics_refresh_request(workspace_id=workspace.pk)

    def create(row_id: uuid.UUID) -> Trade:
        return Trade.objects.create(
            workspace=workspace,
            portfolio=portfolio,
            source=Source.MANUAL,
            **_trade_place_fields(place),
            **_market_fields(symbol),
            side=side,
            price=price,
            amount=amount,
            cost=cost,
            fee=fee,
            fee_currency=fee_currency if fee is not None else "",
            executed_at=executed_at,
            exchange_trade_id=f"manual:{row_id.hex}",
            public_id=row_id,
            note=note,
        )

    return _once(Trade, workspace, public_id, create)


@transaction.atomic
def ledger_entry_create(
    *,
    workspace: Workspace,
    portfolio: Portfolio,
    kind: str,
    place: Place,
    occurred_at: datetime,
    asset: str,
    amount: Decimal,
    fee: Decimal | None,
    fee_currency: str,
    note: str,
    received: bool | None = None,
    public_id: uuid.UUID | None = None,
) -> LedgerEntry:
    """One entry; `amount` is positive and the kind (or `received`) gives its sign."""
    _check_owner(workspace, portfolio, place)
    signed = _signed(kind, amount, received)

    def create(row_id: uuid.UUID) -> LedgerEntry:
        return LedgerEntry.objects.create(
            workspace=workspace,
            portfolio=portfolio,
            public_id=row_id,
            source=Source.MANUAL,
            kind=kind,
            **_entry_place_fields(place),
            asset=asset,
            amount=signed,
            fee=fee,
            fee_currency=fee_currency if fee is not None else "",
            occurred_at=occurred_at,
            note=note,
        )

    return _once(LedgerEntry, workspace, public_id, create)


@transaction.atomic
def transfer_create(
    *,
    workspace: Workspace,
    portfolio: Portfolio,
    place: Place,
    destination: Place,
    occurred_at: datetime,
    asset: str,
    amount: Decimal,
    fee: Decimal | None,
    fee_currency: str,
    note: str,
    public_id: uuid.UUID | None = None,
) -> tuple[LedgerEntry, LedgerEntry]:
    """Two entries: `amount` leaves `place` (with the fee, if any) and arrives at
    `destination`. Returns (leaving, arriving)."""
    _check_owner(workspace, portfolio, place, destination)
    if place.same_as(destination):
        raise EntryRefused(
            "to_where", "From and To are the same place. Choose the account the funds went to."
        )

    def create(row_id: uuid.UUID) -> LedgerEntry:
        stem = f"{TRANSFER_PREFIX}{row_id.hex}"
        common = {
            "workspace": workspace,
            "portfolio": portfolio,
            "source": Source.MANUAL,
            "kind": Kind.TRANSFER,
            "asset": asset,
            "occurred_at": occurred_at,
            "note": note,
        }
        leaving = LedgerEntry.objects.create(
            **common,
            **_entry_place_fields(place),
            public_id=row_id,
            amount=-amount,
            fee=fee,
            fee_currency=fee_currency if fee is not None else "",
            external_id=f"{stem}:out",
        )
        LedgerEntry.objects.create(
            **common, **_entry_place_fields(destination), amount=amount, external_id=f"{stem}:in"
        )
        return leaving

    leaving = _once(LedgerEntry, workspace, public_id, create)
    pair = transfer_pair(entry=leaving)
    if pair is None:
        raise ValueError("A manual transfer lost its arriving side.")
    return pair


# -- editing and deleting ---------------------------------------------------------------------


def _apply(row: models.Model, changes: dict[str, object]) -> list[str]:
    """Set the values that differ; returns the names of the fields that changed."""
    changed = [name for name, value in changes.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, changes[name])
    return changed


def _save_edit(row: Trade | LedgerEntry, changed: list[str]) -> None:
    if changed:
        row.edited_at = timezone.now()
        row.save(update_fields=[*changed, "edited_at"])
        analytics_refresh_request(workspace_id=row.workspace_id)


@transaction.atomic
def trade_update(
    *,
    trade: Trade,
    executed_at: datetime,
    amount: Decimal,
    price: Decimal,
    fee: Decimal | None,
    fee_currency: str,
    note: str,
    portfolio: Portfolio | None = None,
    place: Place | None = None,
    symbol: str | None = None,
    side: str | None = None,
) -> list[str]:
    """Correct a trade; returns the fields that changed (none: nothing is marked edited).

    Any trade: time, amount, price, fee and note. A manual trade also: portfolio, place,
    market and side. A synced or imported fill keeps its identity, so a later sync, meeting
    it on the identity constraint, leaves the person's correction alone.
    """
    manual_only = (portfolio, place, symbol, side)
    if trade.source != Source.MANUAL and any(value is not None for value in manual_only):
        raise ValueError("Only a manual trade may change its portfolio, place, market or side.")
    changes: dict[str, object] = {
        "executed_at": executed_at,
        "amount": amount,
        "price": price,
        "fee": fee,
        "fee_currency": fee_currency if fee is not None else "",
        "note": note,
    }
    if portfolio is not None:
        _check_owner(trade.workspace, portfolio)
        changes["portfolio"] = portfolio
    if place is not None:
        _check_owner(trade.workspace, trade.portfolio, place)
        changes.update(_trade_place_fields(place))
    if symbol is not None:
        changes.update(_market_fields(symbol))
    if side is not None:
        changes["side"] = side
    # The cost follows amount and price only when one of them changed: a swap's cost is
    # exactly what was given, which price times amount may round off by a last digit.
    if amount != trade.amount or price != trade.price:
        changes["cost"] = trade_cost(amount=amount, price=price)
    changed = _apply(trade, changes)
    _save_edit(trade, changed)
    return changed


@transaction.atomic
def trade_delete(*, trade: Trade) -> None:
    """A tombstone, never a hard delete: the identity it keeps stops a sync re-inserting it."""
    if trade.deleted_at is None:
        trade.deleted_at = timezone.now()
        trade.save(update_fields=["deleted_at"])
        analytics_refresh_request(workspace_id=trade.workspace_id)


@transaction.atomic
def entry_update(
    *,
    entry: LedgerEntry,
    occurred_at: datetime,
    amount: Decimal,
    fee: Decimal | None,
    fee_currency: str,
    note: str,
    received: bool | None = None,
    portfolio: Portfolio | None = None,
    place: Place | None = None,
    asset: str | None = None,
    destination: Place | None = None,
) -> list[str]:
    """Correct an entry; `amount` is positive. Returns the fields that changed.

    A synced or imported entry keeps its sign and identity. A manual one takes its sign from
    its kind (or `received`) and may also change portfolio, place and asset; a manual
    transfer's two sides change together (`place` is where it left, `destination` where it
    arrived).
    """
    manual_only = (portfolio, place, asset, destination)
    if entry.source != Source.MANUAL and any(value is not None for value in manual_only):
        raise ValueError("Only a manual entry may change its portfolio, place or asset.")
    pair = transfer_pair(entry=entry)
    if pair is not None:
        return _transfer_update(
            pair,
            occurred_at=occurred_at,
            amount=amount,
            fee=fee,
            fee_currency=fee_currency,
            note=note,
            portfolio=portfolio,
            place=place,
            destination=destination,
            asset=asset,
        )
    if entry.source == Source.MANUAL and entry.kind != Kind.TRANSFER:
        signed = _signed(entry.kind, amount, received)
    else:
        signed = -amount if entry.amount < 0 else amount
    changes: dict[str, object] = {
        "occurred_at": occurred_at,
        "amount": signed,
        "fee": fee,
        "fee_currency": fee_currency if fee is not None else "",
        "note": note,
    }
    if portfolio is not None:
        _check_owner(entry.workspace, portfolio)
        changes["portfolio"] = portfolio
    if place is not None:
        _check_owner(entry.workspace, entry.portfolio, place)
        changes.update(_entry_place_fields(place))
    if asset is not None:
        changes["asset"] = asset
    changed = _apply(entry, changes)
    _save_edit(entry, changed)
    return changed


def _transfer_update(
    pair: tuple[LedgerEntry, LedgerEntry],
    *,
    occurred_at: datetime,
    amount: Decimal,
    fee: Decimal | None,
    fee_currency: str,
    note: str,
    portfolio: Portfolio | None,
    place: Place | None,
    destination: Place | None,
    asset: str | None,
) -> list[str]:
    leaving, arriving = pair
    workspace = leaving.workspace
    from_place = place or Place.of_entry(leaving)
    to_place = destination or Place.of_entry(arriving)
    _check_owner(workspace, portfolio or leaving.portfolio, from_place, to_place)
    if from_place.same_as(to_place):
        raise EntryRefused(
            "to_where", "From and To are the same place. Choose the account the funds went to."
        )
    common: dict[str, object] = {"occurred_at": occurred_at, "note": note}
    if portfolio is not None:
        common["portfolio"] = portfolio
    if asset is not None:
        common["asset"] = asset
    changed = _apply(
        leaving,
        {
            **common,
            **_entry_place_fields(from_place),
            "amount": -amount,
            "fee": fee,
            "fee_currency": fee_currency if fee is not None else "",
        },
    )
    changed_in = _apply(arriving, {**common, **_entry_place_fields(to_place), "amount": amount})
    _save_edit(leaving, changed)
    _save_edit(arriving, changed_in)
    return sorted(set(changed) | set(changed_in))


@transaction.atomic
def entry_delete(*, entry: LedgerEntry) -> None:
    """A tombstone, like a trade's; a manual transfer's two sides go together."""
    now = timezone.now()
    pair = transfer_pair(entry=entry)
    for row in pair or (entry,):
        if row.deleted_at is None:
            row.deleted_at = now
            row.save(update_fields=["deleted_at"])
    analytics_refresh_request(workspace_id=entry.workspace_id)
