"""A local HTTP server that speaks the REST APIs of the exchanges we support, closely enough
that an unmodified ccxt client cannot tell it from production (see docs/DESIGN.md, "The
exchange simulator"). No Django here: the core is stdlib plus ``cryptography``.

- ``server``: ``serve()`` (blocking) and ``start_in_thread()`` (tests);
- ``app``: the WSGI application and the request pipeline (faults, rate limits, auth);
- ``control``: the ``/_sim/`` API (accounts, ground truth, faults, stats, reset);
- ``exchanges``: one module per exchange, and how to add one.
"""
