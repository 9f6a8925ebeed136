"""Many requests at once: the same question asked for a cohort of users under several variants.

``Lab.recommend_many`` and ``Lab.compare`` delegate here; a run uses only the Lab's public interface
(``build_request``, ``with_target``, ``connection``). A run validates each variant once (a broken
variant fails before anything is sent), answers what it can from the response cache and the checkpoint,
sends the rest through a bounded worker pool under a client-side rate limit, retries throttling, 5xx and
dropped connections with jittered exponential backoff (the one retry layer: it sends through the
connection's cohort client, whose botocore retries are off), records every other failure in an errors
frame while the run goes on (a failure ends a variant only when it is the variant's own), checkpoints as
results arrive, and keeps what finished when interrupted.

Modules: ``plan`` (variants → exact requests), ``pacing`` (rate limit, retry rule), ``blame`` (the
variant's failure or one id's), ``wire`` (attempts counted where they are sent), ``run`` (the pool),
``checkpoint`` (parquet, atomic flushes, resume), ``result`` (the frames a run returns).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from personalize_lab.cohort.pacing import BACKOFF_BASE, DEFAULT_AWS_RATE, RETRIES, TokenBucket, check_rate
from personalize_lab.cohort.plan import VARIANT_KEYS, make_plan
from personalize_lab.cohort.result import CohortResult
from personalize_lab.cohort.run import Progress, run_plan
from personalize_lab.errors import ValidationError
from personalize_lab.limits import DEFAULT_NUM_RESULTS

if TYPE_CHECKING:
    from personalize_lab.analysis import Comparison
    from personalize_lab.client import Lab

__all__ = [
    "DEFAULT_AWS_RATE",
    "VARIANT_KEYS",
    "CohortResult",
    "Progress",
    "TokenBucket",
    "compare",
    "default_rate_limit",
    "default_workers",
    "recommend_many",
]

#: Worker threads against AWS: requests mostly wait on the network, so eight overlap well below the
#: default rate limit (50/s at ~100 ms a call needs about five).
AWS_WORKERS = 8


def _in_process(lab: Lab) -> bool:
    """Answered in this process without waiting on a network (local Personalize without latency, replay)."""
    if lab.source == "replay":
        return True
    local = lab.local_personalize
    if local is None:
        return False
    return not getattr(getattr(local, "options", None), "latency_ms", 0)


def default_workers(lab: Lab) -> int:
    """8 against AWS (or a local Personalize that simulates latency); 1 when answers are computed in this
    process, where threads only contend for the GIL and a pool is slower than a plain loop."""
    return 1 if _in_process(lab) else AWS_WORKERS


def default_rate_limit(lab: Lab) -> float | None:
    """:data:`DEFAULT_AWS_RATE` requests per second against AWS; no limit against the local Personalize
    or a replay, which have no per-campaign TPS limit to respect."""
    return None if lab.local_personalize is not None or lab.source == "replay" else DEFAULT_AWS_RATE


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValidationError(
            f"{name}={value!r} must be an integer >= {low}. Fix: pass e.g. {name}={max(low, 4)}",
            field=name,
            value=value,
            rule=f"an integer >= {low}",
        )
    return value


def recommend_many(
    lab: Lab,
    users: Iterable[Any] | None = None,
    *,
    items: Iterable[Any] | None = None,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    num_results: int = DEFAULT_NUM_RESULTS,
    workers: int | None = None,
    rate_limit: float | Literal["auto"] | None = "auto",
    cache: bool = True,
    checkpoint: str | Path | None = None,
    progress: bool | Callable[[Progress], None] = True,
    retries: int = RETRIES,
    backoff: float = BACKOFF_BASE,
    cancel: threading.Event | None = None,
    warn: bool = True,
) -> CohortResult:
    """See :meth:`personalize_lab.Lab.recommend_many` (the documented entry point)."""
    workers = default_workers(lab) if workers is None else _check_int("workers", workers, 1)
    rate = default_rate_limit(lab) if rate_limit == "auto" else check_rate(rate_limit)
    retries = _check_int("retries", retries, 0)
    plan = make_plan(lab, users=users, items=items, variants=variants, num_results=num_results)
    result = run_plan(
        plan,
        source=lab.source,
        workers=workers,
        rate_limit=rate,
        retries=retries,
        backoff=backoff,
        cache=lab.connection.responses if cache else None,
        checkpoint=checkpoint,
        progress=progress,
        cancel=cancel,
        warn=warn,
    )
    lab.last_run = result
    return result


def _backend_catalog(lab: Lab, frame: pd.DataFrame) -> dict[str, Any]:
    """Catalog size and item popularity: the local Personalize knows both (its items and training
    interaction counts); against AWS the frame is all we have, so the catalog is the items recommended by
    any variant and popularity is how often each was recommended (pass your own to do better)."""
    local = lab.local_personalize
    training = getattr(local, "training", None)
    if training is not None:
        item_ids = [str(i) for i in training.catalog.item_ids]
        popularity = pd.Series(training.item_counts, index=pd.Index(item_ids, name="itemId"), name="count")
        return {"catalog_size": len(item_ids), "item_popularity": popularity}
    counts = frame["itemId"].value_counts()
    counts.index = counts.index.astype(str)
    return {"catalog_size": int(counts.size) or None, "item_popularity": counts}


def compare(
    lab: Lab,
    users: Iterable[Any] | None,
    variants: Mapping[str, Mapping[str, Any]],
    truth: pd.DataFrame | None = None,
    reference: str | None = None,
    *,
    items: Iterable[Any] | None = None,
    num_results: int = DEFAULT_NUM_RESULTS,
    workers: int | None = None,
    rate_limit: float | Literal["auto"] | None = "auto",
    cache: bool = True,
    checkpoint: str | Path | None = None,
    progress: bool | Callable[[Progress], None] = True,
    retries: int = RETRIES,
    **analysis_kwargs: Any,
) -> Comparison:
    """See :meth:`personalize_lab.Lab.compare`."""
    from personalize_lab import analysis

    result = recommend_many(
        lab,
        users,
        items=items,
        variants=variants,
        num_results=num_results,
        workers=workers,
        rate_limit=rate_limit,
        cache=cache,
        checkpoint=checkpoint,
        progress=progress,
        retries=retries,
    )
    kwargs: dict[str, Any] = {
        **_backend_catalog(lab, result.frame),
        "requested_promotion": result.frame.attrs.get("requested_promotion") or None,
        **analysis_kwargs,
    }
    return analysis.compare(result.frame, reference=reference, truth=truth, **kwargs)
