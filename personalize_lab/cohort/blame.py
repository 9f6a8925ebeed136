"""Whose failure is it: the variant's (its target, filter or request shape) or one id's.

A cohort run must not let one user's bad luck end a variant for everyone, nor send 10,000 requests to a
campaign that does not exist. A failure *may* be the variant's when it is a service refusal that is not
transient (not throttling, 5xx or a dropped connection, which are retried) and whose message does not name
the id it was sent for. It *is* the variant's when the next id's request fails the same way: same code,
same message. Anything else stays that id's own, and the rest of the ids still run.
"""

from __future__ import annotations

from personalize_lab.cohort.pacing import is_retryable
from personalize_lab.errors import ServiceError

__all__ = ["may_be_the_variants", "the_variants"]


def may_be_the_variants(error: BaseException | None, key: str) -> bool:
    """A non-transient service refusal of the request for ``key`` that does not name ``key``."""
    return isinstance(error, ServiceError) and not is_retryable(error) and key not in error.service_message


def the_variants(first: BaseException | None, second: BaseException | None, second_key: str) -> bool:
    """``second`` (the next id's failure) repeats ``first`` exactly: the variant fails for every id."""
    return (
        isinstance(first, ServiceError)
        and isinstance(second, ServiceError)
        and may_be_the_variants(second, second_key)
        and type(first) is type(second)
        and (first.code, first.service_message) == (second.code, second.service_message)
    )
