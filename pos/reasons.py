"""A reason a person gives: for a stock change, a discount or price change, a cash movement, a refund.

One rule for all of them: it fits its column on every database (PostgreSQL would refuse a longer one in
the middle of a transaction), and it is one line of text with no control characters (a line break or a
tab would break the columns of the history, the shift report and the paper roll; ESC would reach the
printer as a command). Otherwise it is kept exactly as typed.
"""

from __future__ import annotations

from pos.errors import InvalidInput
from pos.textcells import plain_text

REASON_MAX = 500  # every reason column's size


def check_reason(reason: str, *, required: str | None = None, strip: bool = False) -> str:
    """`reason` as it is kept, or InvalidInput. `required`: the message when an empty one is refused;
    `strip`: outer spaces are not kept (a discount's reason)."""
    if strip:
        reason = reason.strip()
    if required is not None and not reason.strip():
        raise InvalidInput(required)
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"the reason is {len(reason)} characters long; at most {REASON_MAX} fit")
    return plain_text(reason, "the reason")
