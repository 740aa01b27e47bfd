"""Performance analytics (issue 12): realized PnL (FIFO for spot, the exchange's figure for
derivatives, funding from the ledger), results per trade, fees, volume and when trades happen.

`selectors.analytics_get` reads (and keeps, see its docstring), `figures.page_build` turns what
it read into the page's figures; `fifo` and `tallies` hold the arithmetic.
"""
