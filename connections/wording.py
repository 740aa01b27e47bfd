"""What the add and replace forms say when the exchange refuses the key being pasted.

The sync-time sentences (sync/exchanges/errors.py) speak of a stored key and end in "Replace
it"; on these forms nothing is stored yet and the fix is the key in front of the person.
"""

from __future__ import annotations

from collections.abc import Sequence

from sync.exchanges.errors import ErrorCode, ExchangeFailure

_ON_THE_FORM = {
    ErrorCode.AUTHENTICATION: "Authentication failed — the key, secret or passphrase is wrong, "
    "or the key was revoked or has expired. Copy them again from the exchange, or create a new "
    "key.",
    ErrorCode.PERMISSION: "Missing read permission — the exchange refused to show this account's "
    "data. Create a key with read access and paste that one instead.",
}


def key_failure_in_words(
    failure: ExchangeFailure, *, exchange_name: str, egress_ips: Sequence[str]
) -> str:
    """The sentence for a key the exchange refused while it was tested or connected."""
    if failure.code is ErrorCode.IP_NOT_ALLOWED:
        if egress_ips:
            return (
                "The key only accepts requests from allow-listed IP addresses, and ours are not "
                f"on its list. Add {', '.join(egress_ips)} to the key's IP allow-list on "
                f"{exchange_name}."
            )
        return (
            "The key only accepts requests from allow-listed IP addresses, and this "
            "installation has no fixed addresses to add. Remove the key's IP restriction on "
            f"{exchange_name}, or create a key without one."
        )
    return _ON_THE_FORM.get(failure.code, failure.message)
