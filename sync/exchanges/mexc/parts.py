"""The optional parts of a MEXC account: everything but the spot account.

MEXC grants reading spot and futures separately, most accounts never open futures, and only a
master account has sub-accounts. What MEXC answers an account that never opened futures is
undocumented (audit "Could not verify"): success with nothing in it, or 1000 "Account does not
exist" from its futures error list; the adapter is right under both (not_opened_codes).
"""

from __future__ import annotations

from ..capabilities import Part

FUTURES = Part("futures", "USDT-M futures")
SUB_ACCOUNTS = Part("sub_accounts", "Sub-accounts")
