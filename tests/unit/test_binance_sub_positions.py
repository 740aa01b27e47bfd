"""Binance master keys: a sub-account position on a contract the loaded markets do not list yet
(they are kept an hour) is skipped, and the sub-accounts' other positions still stand."""

from __future__ import annotations

from decimal import Decimal

from sync.exchanges.binance import BinanceAdapter


class Client:
    """ccxt's binance for the one request this reads: the documented answer's shape."""

    markets = {
        "BTC/USDT:USDT": {
            "id": "BTCUSDT",
            "symbol": "BTC/USDT:USDT",
            "type": "swap",
            "linear": True,
        }
    }

    def sapiv2_get_sub_account_futures_positionrisk(self, params):
        if params["futuresType"] == 1:
            rows = [self.row("BTCUSDT", "0.5"), self.row("NEWUSDT", "3")]
            return {"futurePositionRiskVos": rows}
        return {"deliveryPositionRiskVos": [self.row("BTCUSD_201225", "1")]}

    @staticmethod
    def row(symbol: str, amount: str) -> dict[str, str]:
        return {
            "symbol": symbol, "positionAmount": amount, "entryPrice": "9975.12",
            "markPrice": "10000", "unrealizedProfit": "12.44", "leverage": "10",
            "liquidationPrice": "5930.78",
        }  # fmt: skip


def test_a_position_on_an_unlisted_contract_leaves_the_others_standing():
    records = BinanceAdapter._positions_of_subs(Client(), ["sub1@example.com"])

    assert [(r.account, r.symbol, r.contracts) for r in records] == [
        ("sub1@example.com", "BTC/USDT:USDT", Decimal("0.5"))
    ]
