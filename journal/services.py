"""Writes to the journal."""

from __future__ import annotations

from collections.abc import Sequence

from connections.models import ExchangeConnection
from sync.exchanges.records import TradeRecord

from .models import Trade

BATCH = 2000


def trades_record(
    *, connection: ExchangeConnection, records: Sequence[TradeRecord]
) -> tuple[int, int]:
    """Insert the trades not yet in the journal; returns (inserted, already present).

    Call inside the transaction that also advances the cursor. The trade identity constraint
    makes a replay or a concurrent duplicate a no-op rather than a second row.
    """
    if not records:
        return 0, 0
    keys = {(r.account, r.market_type, r.symbol, r.trade_id) for r in records}
    existing = (
        set(
            Trade.objects.filter(
                connection=connection, exchange_trade_id__in={r.trade_id for r in records}
            ).values_list("account", "market_type", "symbol", "exchange_trade_id")
        )
        & keys
    )
    fresh: dict[tuple[str, str, str, str], Trade] = {}
    for r in records:
        key = (r.account, r.market_type, r.symbol, r.trade_id)
        if key in existing or key in fresh:
            continue
        fresh[key] = Trade(
            workspace_id=connection.workspace_id,
            portfolio_id=connection.portfolio_id,
            connection=connection,
            source=Trade.Source.API,
            exchange=connection.exchange,
            account=r.account,
            market_type=r.market_type,
            symbol=r.symbol,
            base=r.base,
            quote=r.quote,
            settle=r.settle,
            side=r.side,
            price=r.price,
            amount=r.amount,
            cost=r.cost,
            fee=r.fee,
            fee_currency=r.fee_currency,
            executed_at=r.executed_at,
            exchange_trade_id=r.trade_id,
            order_id=r.order_id,
            taker_or_maker=r.taker_or_maker,
            realized_pnl=r.realized_pnl,
        )
    Trade.objects.bulk_create(fresh.values(), batch_size=BATCH, ignore_conflicts=True)
    return len(fresh), len(records) - len(fresh)
