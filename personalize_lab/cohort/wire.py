"""What a cohort run actually sent: every attempt counted where it meets the wire.

A run's stats and its errors frame say how many times each request was sent. Counting calls in the run
would miss what botocore resends on its own (a client whose retries are on), so the count is taken from
botocore's ``response-received`` event, which fires once per attempt (answered, refused, or failed on
the connection), and attributed to the request through a thread-local tally: each worker sends one
request at a time. :func:`botocore_attempts` says whether botocore resends on its own: the run retries
only on a client where it does not (one retry layer).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Tally", "botocore_attempts", "counting", "watch"]

#: Attempts per call of botocore's retry modes when the client's config does not set them.
_DEFAULT_ATTEMPTS = {"legacy": 5, "standard": 3, "adaptive": 3}


def botocore_attempts(client: Any) -> int:
    """How many times botocore itself sends one call on ``client`` (1: its retries are off).

    Read from the client's resolved config (``Config(retries=...)``, ``AWS_MAX_ATTEMPTS``, the config
    file's ``max_attempts`` / ``retry_mode``); a client whose config says nothing gets its mode's default.
    """
    config = getattr(getattr(client, "meta", None), "config", None)
    retries = getattr(config, "retries", None) or {}
    if "total_max_attempts" in retries:
        return max(1, int(retries["total_max_attempts"]))
    if "max_attempts" in retries:
        return max(1, int(retries["max_attempts"]) + 1)
    return _DEFAULT_ATTEMPTS.get(str(retries.get("mode", "legacy")), 3)


_HANDLER_ID = "personalize-lab-cohort-wire-count"
_local = threading.local()


class Tally:
    """Attempts that reached the wire while it was the current thread's tally."""

    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0


def _count(**_: Any) -> None:
    tally = getattr(_local, "tally", None)
    if tally is not None:
        tally.n += 1


def watch(client: Any) -> None:
    """Count ``client``'s attempts into the current thread's tally (idempotent: registered once)."""
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"response-received.{service}", _count, unique_id=_HANDLER_ID)


@contextmanager
def counting() -> Iterator[Tally]:
    """A fresh tally for the attempts this thread sends inside the block."""
    tally, previous = Tally(), getattr(_local, "tally", None)
    _local.tally = tally
    try:
        yield tally
    finally:
        _local.tally = previous
