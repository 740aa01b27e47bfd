"""What a Binance key may do, asked through ccxt of the simulator over HTTP."""

from __future__ import annotations

from functools import partial

from tests.exchange_keys import check_key

EXCHANGE = "binance"
check = partial(check_key, exchange=EXCHANGE)
