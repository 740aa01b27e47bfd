"""The paging loops end, whatever an exchange does with the cursor it is sent: the shared
walkers (walking.py) and Gate's own (gate/walks.py)."""

from __future__ import annotations

from itertools import islice
from typing import Any

import pytest

from sync.exchanges.errors import ErrorCode, ExchangeCallFailed
from sync.exchanges.gate.walks import PAGE as GATE_PAGE
from sync.exchanges.gate.walks import last_id_pages, range_pages
from sync.exchanges.walking import id_pages, window_pages

PAGE = 3
# more requests than any walk below needs: a walk that loops fails instead of hanging
MAX_REQUESTS = 20


def fills(ids: range, timestamp: int | None = None) -> list[dict[str, Any]]:
    """Fills ``ids``, each at ``timestamp`` or at its own id in milliseconds."""
    return [{"id": str(i), "timestamp": i if timestamp is None else timestamp} for i in ids]


def ids_of(trades: list[dict[str, Any]]) -> list[str]:
    return [str(trade["id"]) for trade in trades]


def bounded(fetch):
    """``fetch``, failing the test past MAX_REQUESTS requests."""
    asked = 0

    def counted(*args: int) -> list[dict[str, Any]]:
        nonlocal asked
        asked += 1
        assert asked <= MAX_REQUESTS, "the walk does not end"
        return fetch(*args)

    return counted


def walk(pages) -> list:
    return list(islice(pages, MAX_REQUESTS))


def test_id_pages_walks_up_by_id_until_a_short_page():
    history = fills(range(1, 9))

    pages = walk(
        id_pages(
            fetch=bounded(lambda from_id: [t for t in history if int(t["id"]) >= from_id][:PAGE]),
            cursor={},
            page_size=PAGE,
            convert=ids_of,
        )
    )

    assert [page.trades for page in pages] == [["1", "2", "3"], ["4", "5", "6"], ["7", "8"]]
    assert pages[-1].cursor == {"from_id": 9}


@pytest.mark.parametrize(
    "answer",
    [lambda from_id: fills(range(1, 4)), lambda from_id: fills(range(7, 10))],
    ids=["fromId ignored: the oldest page", "fromId ignored: the newest page"],
)
def test_id_pages_fails_on_a_full_page_that_does_not_move_the_cursor_forward(answer):
    pages = id_pages(fetch=bounded(answer), cursor={}, page_size=PAGE, convert=ids_of)

    with pytest.raises(ExchangeCallFailed) as failed:
        walk(pages)

    assert failed.value.failure.code is ErrorCode.BAD_RESPONSE
    assert failed.value.failure.retryable


def test_id_pages_resumed_from_a_cursor_the_exchange_ignores_fails_at_once():
    pages = id_pages(
        fetch=bounded(lambda from_id: fills(range(1, 4))),
        cursor={"from_id": 50},
        page_size=PAGE,
        convert=ids_of,
    )

    with pytest.raises(ExchangeCallFailed):
        next(pages)


def in_window(history: list[dict[str, Any]]):
    def fetch(start: int, end: int) -> list[dict[str, Any]]:
        return [t for t in history if start <= t["timestamp"] <= end][:PAGE]

    return fetch


def test_window_pages_walks_every_window_and_pages_inside_one():
    """Fills 21 to 23 share a millisecond across a page boundary: the second page of that
    millisecond brings one new id, so the cursor moves though its time does not."""
    history = fills(range(1, 9)) + fills(range(20, 21), timestamp=25)
    history += fills(range(21, 24), timestamp=30)

    pages = walk(
        window_pages(
            fetch=bounded(in_window(history)),
            cursor={},
            since_ms=0,
            now_ms=40,
            window_ms=20,
            page_size=PAGE,
            convert=ids_of,
        )
    )

    read = [trade_id for page in pages for trade_id in page.trades]
    assert sorted(read, key=int) == ids_of(history)


@pytest.mark.parametrize(
    "answer",
    [
        lambda start, end: fills(range(1, 4)),
        lambda start, end: fills(range(start - 10, start - 10 + PAGE)),
    ],
    ids=["start ignored: the oldest page", "a page from before the window"],
)
def test_window_pages_fails_on_a_full_page_that_does_not_move_the_cursor_forward(answer):
    pages = window_pages(
        fetch=bounded(answer),
        cursor={"from_ms": 20},
        since_ms=0,
        now_ms=100,
        window_ms=50,
        page_size=PAGE,
        convert=ids_of,
    )

    with pytest.raises(ExchangeCallFailed) as failed:
        walk(pages)

    assert failed.value.failure.code is ErrorCode.BAD_RESPONSE


# -- Gate: newest first, by last_id or offset (delivery), by skip inside a range -----------


def gate_history(count: int) -> list[dict[str, Any]]:
    """``count`` fills a second apart, newest first as Gate lists them."""
    return [{"id": str(i), "timestamp": i * 1000} for i in range(count, 0, -1)]


def delivery(history: list[dict[str, Any]], *, last_id: bool, offset: bool):
    """Gate's delivery my_trades over ``history``, reading last_id and offset or not."""

    def fetch(after: str | None, skip: int) -> list[dict[str, Any]]:
        rows = history
        if last_id and after is not None:
            rows = [row for row in rows if int(row["id"]) < int(after)]
        return rows[skip if offset else 0 :][:GATE_PAGE]

    return fetch


@pytest.mark.parametrize("last_id", [True, False], ids=["last_id read", "last_id ignored"])
def test_the_delivery_walk_reads_the_whole_history_whether_last_id_is_read_or_not(last_id):
    history = gate_history(2 * GATE_PAGE + 500)

    pages = walk(
        last_id_pages(
            fetch=bounded(delivery(history, last_id=last_id, offset=True)),
            cursor={},
            since_ms=0,
            convert=ids_of,
        )
    )

    read = {trade_id for page in pages for trade_id in page.trades}
    assert read == set(ids_of(history))
    assert pages[-1].cursor == {"stop_ms": history[0]["timestamp"]}


def test_the_delivery_walk_fails_where_gate_ignores_last_id_and_offset_alike():
    pages = last_id_pages(
        fetch=bounded(delivery(gate_history(2 * GATE_PAGE), last_id=False, offset=False)),
        cursor={},
        since_ms=0,
        convert=ids_of,
    )

    with pytest.raises(ExchangeCallFailed) as failed:
        walk(pages)

    assert failed.value.failure.code is ErrorCode.BAD_RESPONSE


def test_a_range_walk_fails_where_gate_ignores_the_offset():
    history = gate_history(2 * GATE_PAGE)

    pages = range_pages(
        fetch=bounded(lambda start, to, skip: history[:GATE_PAGE]),
        cursor={},
        since_s=0,
        now_s=len(history),
        span_s=None,
        max_skip=None,
        convert=ids_of,
    )

    with pytest.raises(ExchangeCallFailed) as failed:
        walk(pages)

    assert failed.value.failure.code is ErrorCode.BAD_RESPONSE


@pytest.mark.parametrize("compared", ["timestamp", "order_end"])
def test_a_range_walk_too_deep_for_gate_reads_every_fill_whichever_time_the_range_compares(
    compared,
):
    """Gate pages no deeper than 2000 fills into one range, and may compare from/to with the
    end of a fill's order rather than the fill's own time (gateapi-python docs/SpotApi.md,
    list_my_trades). The fill at second 5 belongs to an order that ended at second 2600:
    narrowing the range at the oldest fill time read would leave it out of every range."""
    history = [{**fill, "order_end": fill["timestamp"]} for fill in gate_history(2600)]
    history.append({"id": "9005", "timestamp": 5_000, "order_end": 2_600_000})

    def fetch(start_s: int, to_s: int, skip: int) -> list[dict[str, Any]]:
        rows = [t for t in history if start_s * 1000 <= t[compared] <= to_s * 1000 + 999]
        rows.sort(key=lambda t: (t["timestamp"], int(t["id"])), reverse=True)
        return rows[skip : skip + GATE_PAGE]

    pages = walk(
        range_pages(
            fetch=bounded(fetch),
            cursor={},
            since_s=0,
            now_s=2700,
            span_s=None,
            max_skip=GATE_PAGE,
            convert=ids_of,
        )
    )

    assert {trade_id for page in pages for trade_id in page.trades} == set(ids_of(history))
    assert pages[-1].cursor == {"from_s": 2700 - 60}
