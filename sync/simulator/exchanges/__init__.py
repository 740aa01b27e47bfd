"""The exchanges the simulator speaks, by ccxt id.

Adding an exchange is one new module (or package) in this folder:

1. Create ``sync/simulator/exchanges/<id>.py`` (a package once it passes ~400 lines, as
   ``binance/`` does) with a subclass of ``base.ExchangeSimulator`` that sets:

   - ``id``: the ccxt id, e.g. ``"okx"``;
   - ``router``: a ``base.Router`` whose routes are registered with
     ``@router.get(host, path, weight=..., pool=..., signed=True)``. ``host`` is the real API
     host (``www.okx.com``); ccxt clients reach it as ``{base_url}/{host}{path}`` once
     ``sync.exchanges.urls.point_client_at`` has rewritten their URLs. A handler takes a
     ``base.Call`` (request, authenticated account, server clock) and returns JSON-able data
     or a ``Response``; ``raise Rejected(response)`` answers with an exchange error at once.
     Signed routes require the ``read`` permission unless ``needs_read=False``;
   - ``instruments``: ``sync.simulator.instruments`` markets with unified symbols and the
     exchange's own ids; the core generates trades, balances and positions on them;
   - ``fee_policy``, ``rate_limits`` (pool name -> ``ratelimit.RateLimit``, as documented),
     ``uses_passphrase``, and ``demo_trades`` / ``sample_trades`` for the seeded accounts;

   and implements the hooks:

   - ``claimed_api_key(request)``: the key a request names, unverified (for faults, stats);
   - ``authenticate(request, now_ms) -> Account``: verify the signature the exchange's way
     (helpers in ``sync.simulator.signing``), raise ``Rejected`` with its real error body;
   - ``reject(kind, request, **detail) -> Response``: the exchange's answer for each kind in
     ``base.REJECTION_KINDS`` (maintenance, rate_limit, ban, server_error, expired_key,
     revoked_key, no_read_permission, ip_not_allowed, not_found), chosen so that ccxt raises
     the exception class it raises in production; check the exchange's ``exceptions`` map in
     ccxt (only its top-level ``exact``/``broad`` tables apply behind the simulator's URLs);
   - optionally ``credentials`` (key format), ``decorate`` (e.g. rate-limit headers) and
     ``seed_specs`` (extra seeded accounts, e.g. Binance's master with sub-accounts).

2. Nothing to register: ``EXCHANGES`` below finds every ``ExchangeSimulator`` subclass
   defined in a module or package of this folder, by its ``id``.

3. Test it through an unmodified ccxt client in ``tests/integration/simulator/test_<id>.py``.

The core handles routing, faults, rate limiting, stats, accounts and ground truth; an exchange
module only speaks its wire format.
"""

from __future__ import annotations

import importlib
import pkgutil

from sync.simulator.exchanges.base import ExchangeSimulator


def _discover() -> dict[str, type[ExchangeSimulator]]:
    found: dict[str, type[ExchangeSimulator]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, ExchangeSimulator)
                and value is not ExchangeSimulator
                and "id" in vars(value)
            ):
                found[value.id] = value
    return dict(sorted(found.items()))


EXCHANGES: dict[str, type[ExchangeSimulator]] = _discover()
