"""Run the requests of a plan: worker pool, rate limit, retries, cache, checkpoint, progress, Ctrl-C.

Workers only send; the calling thread records every outcome (cache, checkpoint, progress), so no
shared state needs more than a counter's lock, and an interrupt (Ctrl-C, or a progress callback that
raises KeyboardInterrupt) always lands where the finished work can be kept. A ``cancel`` event (a
panel's Cancel button, set from another thread) is checked between requests and ends the run the same
way.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from personalize_lab.cohort.blame import may_be_the_variants, the_variants
from personalize_lab.cohort.checkpoint import Checkpoint
from personalize_lab.cohort.pacing import (
    TokenBucket,
    backoff_delay,
    error_code,
    error_message,
    is_retryable,
)
from personalize_lab.cohort.plan import Plan
from personalize_lab.cohort.result import CohortResult, build_errors, build_frame
from personalize_lab.cohort.wire import botocore_attempts, counting, watch
from personalize_lab.errors import DataError, PersonalizeLabWarning
from personalize_lab.frames import Answer, read_answer

__all__ = ["Progress", "run_plan"]


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives after each finished request."""

    done: int
    total: int
    errors: int
    cached: int
    elapsed: float


class _Cancelled(Exception):
    """The caller's cancel event was set: stop like an interrupt, keep what finished."""


@dataclass
class _Outcome:
    index: int
    response: dict[str, Any] | None = None
    error: BaseException | None = None
    attempts: int = 0
    cancelled: bool = False


class _Runner:
    def __init__(
        self,
        plan: Plan,
        *,
        workers: int,
        limiter: TokenBucket | None,
        retries: int,
        backoff: float,
        cache: MutableMapping[str, dict[str, Any]] | None,
        checkpoint: Checkpoint | None,
        progress: bool | Callable[[Progress], None],
        cancel: threading.Event | None = None,
    ) -> None:
        self.plan = plan
        self.cancel = cancel
        self.requests = plan.requests()
        self.workers = workers
        self.limiter = limiter
        self.retries = retries
        self.backoff = backoff
        self.cache = cache
        self.checkpoint = checkpoint
        self.storing = cache is not None or checkpoint is not None
        self.progress = progress
        self.stop = threading.Event()
        self.rng = random.Random(0)  # jitter only; results never depend on it
        # per variant: the connection and the client it sends through, and the retries this run adds
        # (none when that client's botocore retries itself: one retry layer, never one inside another)
        self.senders = [(v.lab.connection, v.lab.connection.cohort_client) for v in plan.variants]
        self.own_retries = [retries if botocore_attempts(c) == 1 else 0 for _, c in self.senders]
        for _, client in self.senders:
            watch(client)
        self._count_lock = threading.Lock()
        self.calls = self.retried = 0
        # each answer is read into columns on arrival, while its dicts are still in the CPU cache
        self.answers: dict[int, Answer] = {}
        self.errors: list[tuple[int, str | None, str, str, int]] = []  # index, key, code, message, attempts
        self.counts = {"from_checkpoint": 0, "from_cache": 0, "sent": 0, "skipped": 0}
        self.started = time.monotonic()
        self._bar: Any = None
        self._last_postfix = 0.0

    # --- workers --------------------------------------------------------------------------------
    def send(self, index: int) -> _Outcome:
        """One request, retried while transient; ``attempts`` is what reached the wire (botocore's own
        resends included), counted there."""
        with counting() as wire:
            outcome = self._attempts(index)
        outcome.attempts = wire.n
        with self._count_lock:
            self.calls += wire.n
            self.retried += max(0, wire.n - 1)
        return outcome

    def _attempts(self, index: int) -> _Outcome:
        planned = self.requests[index]
        connection, client = self.senders[planned.variant]
        retries = self.own_retries[planned.variant]
        attempt = 0
        while True:
            if self.limiter is not None and not self.limiter.acquire(self.stop):
                return _Outcome(index, cancelled=True)
            attempt += 1
            try:
                response = connection.send(planned.request, client=client)
            except Exception as e:  # every failure is an outcome: the run goes on, nothing is lost
                if is_retryable(e) and attempt <= retries:
                    if self.stop.wait(backoff_delay(attempt - 1, self.backoff, self.rng)):
                        return _Outcome(index, cancelled=True)
                    continue
                return _Outcome(index, error=e)
            return _Outcome(index, response=response)

    # --- the calling thread ---------------------------------------------------------------------
    def check_cancel(self) -> None:
        """Between requests: end the run when the caller's cancel event is set."""
        if self.cancel is not None and self.cancel.is_set():
            raise _Cancelled

    def read(self, index: int, response: Mapping[str, Any]) -> None:
        self.answers[index] = read_answer(response, self.requests[index].request.list_key)

    def record(self, outcome: _Outcome) -> None:
        if outcome.cancelled:
            return
        planned = self.requests[outcome.index]
        name = self.plan.variants[planned.variant].name
        self.counts["sent"] += 1
        response = outcome.response
        if response is not None:
            self.read(outcome.index, response)
            if self.storing:  # what is kept is the service's answer, without boto3's ResponseMetadata
                response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
            if self.cache is not None:
                self.cache[planned.digest] = response
        else:
            assert outcome.error is not None
            code, message = error_code(outcome.error), error_message(outcome.error)
            self.errors.append((outcome.index, planned.key, code, message, outcome.attempts))
        if self.checkpoint is not None:
            self.checkpoint.add(
                variant=name,
                key=planned.key,
                digest=planned.digest,
                request=planned.request.kwargs,
                response=response,
                code=None if outcome.error is None else error_code(outcome.error),
                message=None if outcome.error is None else error_message(outcome.error),
                attempts=outcome.attempts,
            )
        self.tick(1)

    def tick(self, n: int) -> None:
        if self.progress is False:
            return
        if self._bar is not None:
            self._bar.update(n)
            now = time.monotonic()
            if now - self._last_postfix > 0.5 or n > 1:
                self._bar.set_postfix(errors=len(self.errors), cached=self._reused(), refresh=False)
                self._last_postfix = now
        elif callable(self.progress):
            self.progress(
                Progress(
                    done=len(self.answers) + len(self.errors) + self.counts["skipped"],
                    total=len(self.requests),
                    errors=len(self.errors),
                    cached=self._reused(),
                    elapsed=time.monotonic() - self.started,
                )
            )

    def _reused(self) -> int:
        return self.counts["from_checkpoint"] + self.counts["from_cache"]

    def reuse(self) -> list[int]:
        """Answers already at hand (checkpoint, then cache); returns the indices still to send."""
        if not self.storing:  # nothing to look up: no request needs its digest
            return list(range(len(self.requests)))
        done = self.checkpoint.done if self.checkpoint is not None else {}
        pending = []
        for i, r in enumerate(self.requests):
            name = self.plan.variants[r.variant].name
            found = done.get((name, r.key, r.digest))
            if found is not None:
                self.read_saved(i, (name, r.key, r.digest), found)
                self.counts["from_checkpoint"] += 1
                if self.cache is not None:
                    self.cache[r.digest] = found
            elif self.cache is not None and r.digest in self.cache:
                self.read(i, self.cache[r.digest])
                self.counts["from_cache"] += 1
            else:
                pending.append(i)
        return pending

    def read_saved(self, index: int, row: tuple[str, str, str], response: Mapping[str, Any]) -> None:
        """A checkpointed answer; one that cannot be read names its file and row."""
        assert self.checkpoint is not None
        try:
            self.read(index, response)
        except (AttributeError, KeyError, TypeError, ValueError) as e:
            raise DataError(
                f"the saved response for variant {row[0]!r}, id {row[1]!r} is not a "
                f"{self.requests[index].request.operation} answer ({type(e).__name__}: {e})",
                file=str(self.checkpoint.path),
                row=self.checkpoint.rows.get(row),
                column="response",
                rule="the service's answer as JSON",
                fix="delete the file (or pass a new checkpoint path) and run again",
            ) from e

    def probe(self, pending: list[int]) -> list[int]:
        """Send each variant's first request alone. When it fails in a way that may be the variant's own
        (:mod:`~personalize_lab.cohort.blame`), send the next id's too: the same failure again ends the
        variant (recorded once, the rest skipped); otherwise each failure stays its id's own."""
        by_variant: dict[int, list[int]] = {}
        for i in pending:
            by_variant.setdefault(self.requests[i].variant, []).append(i)
        probed: set[int] = set()
        dead: set[int] = set()
        for v, indices in by_variant.items():
            self.check_cancel()
            first = self.send(indices[0])
            probed.add(indices[0])
            if len(indices) == 1 or not may_be_the_variants(first.error, self.requests[indices[0]].key):
                self.record(first)
                continue
            self.check_cancel()
            second = self.send(indices[1])
            probed.add(indices[1])
            if the_variants(first.error, second.error, self.requests[indices[1]].key):
                self.end_variant(indices, first)
                dead.add(v)
            else:
                self.record(first)
                self.record(second)
        return [i for i in pending if i not in probed and self.requests[i].variant not in dead]

    def end_variant(self, indices: list[int], first: _Outcome) -> None:
        """The variant's first two ids failed the same way: one error row (id <NA>), the rest skipped."""
        assert first.error is not None
        keys = [self.requests[i].key for i in indices[:2]]
        rest = len(indices) - 2
        code, message = error_code(first.error), error_message(first.error)
        note = (
            f" (the variant fails the same way for every id: the same answer for {keys[0]!r} and "
            f"{keys[1]!r}, {rest} other request(s) skipped)"
        )
        self.errors.append((indices[0], None, code, message + note, first.attempts))
        self.counts["sent"] += 2
        self.counts["skipped"] += rest
        self.tick(len(indices))

    def execute(self, pending: Iterable[int]) -> None:
        if self.workers <= 1:  # no pool: in-process backends gain nothing from threads (one GIL)
            for i in pending:
                self.check_cancel()
                self.record(self.send(i))
            return
        todo = iter(pending)
        window = self.workers * 2
        with ThreadPoolExecutor(self.workers, thread_name_prefix="personalize-lab-cohort") as pool:
            inflight: dict[Future[_Outcome], int] = {}
            for i in itertools.islice(todo, window):
                inflight[pool.submit(self.send, i)] = i
            try:
                while inflight:
                    finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
                    for future in finished:
                        del inflight[future]
                        for i in itertools.islice(todo, 1):
                            inflight[pool.submit(self.send, i)] = i
                        self.record(future.result())
                    self.check_cancel()
            except BaseException:
                # keep what the running workers finish; drop what has not started
                self.stop.set()
                for future in list(inflight):
                    if future.cancel():
                        del inflight[future]
                for future in list(inflight):
                    # a second Ctrl-C or a worker's own failure must not lose the rest
                    with contextlib.suppress(BaseException):
                        self.record(future.result())
                raise

    def open_bar(self, initial: int) -> None:
        if self.progress is True:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=len(self.requests), initial=initial, unit="req", desc="recommend_many", smoothing=0.1
            )

    def close_bar(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix(errors=len(self.errors), cached=self._reused(), refresh=False)
            self._bar.close()

    def stats(self, seconds: float) -> dict[str, Any]:
        return {
            "requests": len(self.requests),
            **self.counts,
            "calls": self.calls,
            "retries": self.retried,
            "failed": len(self.errors),
            "workers": self.workers,
            "rate_limit": None if self.limiter is None else self.limiter.rate,
            "seconds": round(seconds, 3),
        }


def run_plan(
    plan: Plan,
    *,
    source: str,
    workers: int,
    rate_limit: float | None,
    retries: int,
    backoff: float,
    cache: MutableMapping[str, dict[str, Any]] | None,
    checkpoint: str | Path | None,
    progress: bool | Callable[[Progress], None],
    cancel: threading.Event | None = None,
    warn: bool = True,
    checkpoint_every: tuple[int, float] = (500, 5.0),
) -> CohortResult:
    """Send what is missing, keep what finished, assemble the long frame and the errors frame.

    ``cancel``: set (from any thread) to stop between requests, as Ctrl-C does. ``warn=False``: no
    PersonalizeLabWarning for failures or interruptions (for a caller that shows them itself)."""
    started = time.monotonic()
    store = (
        Checkpoint(checkpoint, every=checkpoint_every[0], seconds=checkpoint_every[1])
        if checkpoint is not None
        else None
    )
    limiter = TokenBucket(rate_limit) if rate_limit is not None else None
    runner = _Runner(
        plan,
        workers=workers,
        limiter=limiter,
        retries=retries,
        backoff=backoff,
        cache=cache,
        checkpoint=store,
        progress=progress,
        cancel=cancel,
    )
    pending = runner.reuse()
    runner.open_bar(len(runner.requests) - len(pending))
    interrupted = cancelled = False
    try:
        if len(pending) < len(runner.requests) and callable(progress):
            runner.tick(0)  # a caller's progress starts at what the cache and checkpoint answered
        runner.check_cancel()
        runner.execute(runner.probe(pending))
    except KeyboardInterrupt:
        interrupted = True
    except _Cancelled:
        interrupted = cancelled = True
    finally:
        runner.stop.set()
        if store is not None:
            store.flush_or_warn()
        runner.close_bar()
    frame = build_frame(plan, runner.requests, runner.answers, source=source)
    errors = build_errors(plan, runner.requests, runner.errors)
    stats = runner.stats(time.monotonic() - started)
    if warn:
        done = len(runner.answers) + len(runner.errors) + runner.counts["skipped"]
        stopped = ("cancelled" if cancelled else "interrupted") if interrupted else None
        _warn(done, len(runner.requests), errors, stopped, checkpoint)
    return CohortResult(frame=frame, errors=errors, stats=stats, interrupted=interrupted)


def _warn(
    done: int, total: int, errors: pd.DataFrame, stopped: str | None, checkpoint: str | Path | None
) -> None:
    """Say what a notebook user would otherwise miss: the run stopped early, or requests failed."""
    if stopped is not None:
        where = (
            f"; they are saved in {str(checkpoint)!r}: run the same call again to send only the rest"
            if checkpoint is not None
            else "; pass checkpoint='run.parquet' to be able to resume"
        )
        warnings.warn(
            f"recommend_many was {stopped}: {done} of {total} requests finished and are returned{where}",
            PersonalizeLabWarning,
            stacklevel=4,
        )
    elif len(errors):
        codes = errors["code"].value_counts().to_dict()
        warnings.warn(
            f"recommend_many: {len(errors)} request(s) failed ({_codes(codes)}); see result.errors",
            PersonalizeLabWarning,
            stacklevel=4,
        )


def _codes(counts: Mapping[Any, int]) -> str:
    return ", ".join(f"{code} ×{n}" for code, n in counts.items())
