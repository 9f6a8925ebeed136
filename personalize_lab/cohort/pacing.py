"""How fast a cohort run may go: a client-side token bucket and the retry rule for transient failures.

Amazon Personalize allows 500 TPS per campaign for GetRecommendations (2,500 TPS per account;
personalize-semantics.md §10, ``limits.md``) and answers ThrottlingException beyond it. A notebook that
shares a production campaign should stay far below that, so runs against AWS default to
:data:`DEFAULT_AWS_RATE` requests per second. The local Personalize has no such limit.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from personalize_lab.errors import ServiceError, ServiceUnavailableError, ThrottlingError, ValidationError

__all__ = [
    "DEFAULT_AWS_RATE",
    "TokenBucket",
    "backoff_delay",
    "check_rate",
    "is_retryable",
]

#: Requests per second a run sends to AWS unless told otherwise: a tenth of the per-campaign limit, so a
#: comparison never takes throughput from the production traffic that shares the campaign.
DEFAULT_AWS_RATE = 50.0
#: Full-jitter backoff: the n-th retry waits a uniform random time in [0, min(CAP, BASE * 2**n)] seconds.
BACKOFF_BASE = 0.1
RETRIES = 4  # retries of one request after throttling, a 5xx or a dropped connection
BACKOFF_CAP = 20.0


def check_rate(rate: float | None) -> float | None:
    """``None`` (unlimited) or a positive number of requests per second."""
    if rate is None:
        return None
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not rate > 0:
        raise ValidationError(
            f"rate_limit={rate!r} must be a positive number of requests per second, or None for no limit. "
            f"Fix: pass e.g. rate_limit={DEFAULT_AWS_RATE:g} (AWS allows 500 TPS per campaign)",
            field="rate_limit",
            value=rate,
            rule="a positive number or None",
        )
    return float(rate)


class TokenBucket:
    """At most ``rate`` acquisitions per second on average, ``burst`` at once; shared by worker threads.

    A caller reserves a token under the lock and sleeps outside it, so waiting threads never block each
    other, and ``stop`` (an Event) wakes every sleeper at once when the run is interrupted.
    """

    def __init__(
        self, rate: float, burst: float = 1.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._tokens = self.burst
        self._last = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token; return how long the caller must wait before using it (0 when one was free)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self, stop: threading.Event | None = None) -> bool:
        """Wait for a token; ``False`` when ``stop`` was set while waiting."""
        wait = self.reserve()
        if wait <= 0:
            return True
        if stop is None:
            time.sleep(wait)
            return True
        return not stop.wait(wait)


def is_retryable(error: BaseException) -> bool:
    """Throttling and 5xx answers are transient; anything else would fail the same way again."""
    return isinstance(error, ThrottlingError | ServiceUnavailableError)


def backoff_delay(retry: int, base: float = BACKOFF_BASE, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``retry`` (0-based): exponential with full jitter.

    Full jitter spreads the retries of many workers that were throttled at the same moment, so they do
    not come back together and get throttled again.
    """
    ceiling = min(BACKOFF_CAP, base * 2.0**retry)
    return (rng or random).uniform(0.0, ceiling)


def error_code(error: BaseException) -> str:
    """The service's error code, or the exception's class name for anything else."""
    if isinstance(error, ServiceError) and error.code:
        return error.code
    return type(error).__name__


def error_message(error: BaseException) -> str:
    if isinstance(error, ServiceError):
        return error.service_message
    return str(error)
