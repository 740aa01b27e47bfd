"""Exchange adapters on ccxt, one module per exchange (see docs/DESIGN.md, "Exchanges")."""
