"""Every ccxt exception sorted once into our own error codes and sentences for people.

ccxt puts the full signed URL, and sometimes the API key, into exception text, so nothing here
ever reads `str(exc)`: only the exception's class decides the code and the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import ccxt


class ErrorCode(StrEnum):
    AUTHENTICATION = "authentication_failed"
    PERMISSION = "permission_denied"
    IP_NOT_ALLOWED = "ip_not_allowed"
    ACCOUNT_SUSPENDED = "account_suspended"
    MAINTENANCE = "maintenance"
    UNAVAILABLE = "exchange_unavailable"
    RATE_LIMITED = "rate_limited"
    CLOCK_SKEW = "clock_skew"
    TIMEOUT = "timeout"
    NETWORK = "network_error"
    BAD_RESPONSE = "bad_response"
    EXCHANGE = "exchange_error"
    CREDENTIAL_UNREADABLE = "credential_unreadable"


class Outcome(StrEnum):
    """What the sync engine does next."""

    NEEDS_ATTENTION = "needs_attention"  # no more calls until a person replaces the key
    MAINTENANCE = "maintenance"  # retried next cycle, nothing to do for the person
    RETRY = "retry"  # bounded retries with backoff, then a warning


@dataclass(frozen=True)
class ExchangeFailure:
    code: ErrorCode
    outcome: Outcome
    message: str
    # The exchange's own error code from its body, where it sent one (never its text).
    exchange_code: str = ""

    @property
    def retryable(self) -> bool:
        return self.outcome is Outcome.RETRY


MESSAGES: dict[ErrorCode, tuple[Outcome, str]] = {
    ErrorCode.AUTHENTICATION: (
        Outcome.NEEDS_ATTENTION,
        "Authentication failed — the key, secret or passphrase is wrong, or the key was revoked "
        "or has expired. Replace it.",
    ),
    ErrorCode.PERMISSION: (
        Outcome.NEEDS_ATTENTION,
        "Missing read permission — the exchange refused to show this account's data. Create a "
        "key with read access and replace this one.",
    ),
    ErrorCode.IP_NOT_ALLOWED: (
        Outcome.NEEDS_ATTENTION,
        "The key only accepts requests from allow-listed IP addresses, and ours is not on the "
        "list. Add our addresses to the key on the exchange.",
    ),
    ErrorCode.ACCOUNT_SUSPENDED: (
        Outcome.NEEDS_ATTENTION,
        "The exchange says this account is locked or suspended. Check it on the exchange.",
    ),
    ErrorCode.MAINTENANCE: (
        Outcome.MAINTENANCE,
        "The exchange is in maintenance. We will try again automatically.",
    ),
    ErrorCode.UNAVAILABLE: (
        Outcome.RETRY,
        "The exchange is not answering right now. We will try again automatically.",
    ),
    ErrorCode.RATE_LIMITED: (
        Outcome.RETRY,
        "The exchange asked us to slow down. We will try again shortly.",
    ),
    ErrorCode.CLOCK_SKEW: (
        Outcome.RETRY,
        "The exchange rejected the request's timestamp. We will resynchronise and try again.",
    ),
    ErrorCode.TIMEOUT: (
        Outcome.RETRY,
        "The exchange took too long to answer. We will try again shortly.",
    ),
    ErrorCode.NETWORK: (
        Outcome.RETRY,
        "We could not reach the exchange. We will try again shortly.",
    ),
    ErrorCode.BAD_RESPONSE: (
        Outcome.RETRY,
        "The exchange sent an answer we could not read. We will try again shortly.",
    ),
    ErrorCode.EXCHANGE: (
        Outcome.RETRY,
        "The exchange refused the request. We will try again; if it keeps happening, contact "
        "support.",
    ),
    ErrorCode.CREDENTIAL_UNREADABLE: (
        Outcome.NEEDS_ATTENTION,
        "The stored key could not be opened. Replace it to continue syncing.",
    ),
}

# Most specific first: ccxt's classes inherit from one another (OnMaintenance is an
# ExchangeNotAvailable, PermissionDenied an AuthenticationError, all of them NetworkErrors or
# ExchangeErrors), so the first match wins. Binance raises DDoSProtection, not
# RateLimitExceeded, for 429 and 418; the two are siblings and both mean "slow down".
_CLASSES: list[tuple[type[BaseException], ErrorCode]] = [
    (ccxt.AccountSuspended, ErrorCode.ACCOUNT_SUSPENDED),
    (ccxt.PermissionDenied, ErrorCode.PERMISSION),
    (ccxt.AuthenticationError, ErrorCode.AUTHENTICATION),
    (ccxt.OnMaintenance, ErrorCode.MAINTENANCE),
    (ccxt.RateLimitExceeded, ErrorCode.RATE_LIMITED),
    (ccxt.DDoSProtection, ErrorCode.RATE_LIMITED),
    (ccxt.InvalidNonce, ErrorCode.CLOCK_SKEW),
    (ccxt.RequestTimeout, ErrorCode.TIMEOUT),
    (ccxt.ExchangeNotAvailable, ErrorCode.UNAVAILABLE),
    (ccxt.NetworkError, ErrorCode.NETWORK),
    (ccxt.BadResponse, ErrorCode.BAD_RESPONSE),
    (ccxt.BaseError, ErrorCode.EXCHANGE),
]


def failure_for(code: ErrorCode) -> ExchangeFailure:
    outcome, message = MESSAGES[code]
    return ExchangeFailure(code=code, outcome=outcome, message=message)


def classify(exc: BaseException) -> ExchangeFailure:
    """Our code and sentence for any exception raised while talking to an exchange."""
    for klass, code in _CLASSES:
        if isinstance(exc, klass):
            return failure_for(code)
    return failure_for(ErrorCode.NETWORK if isinstance(exc, OSError) else ErrorCode.EXCHANGE)


class ExchangeCallFailed(Exception):
    """A classified failure, safe to log and show: it carries no exchange text at all."""

    def __init__(self, failure: ExchangeFailure) -> None:
        super().__init__(failure.code.value)
        self.failure = failure
