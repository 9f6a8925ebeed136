"""``Lab.recommend_many``, ``Lab.compare`` and ``Lab.clear_cache``: the cohort verbs as Lab methods.

The documented entry points live here, beside the cohort machinery they call, and
:class:`~personalize_lab.client.Lab` inherits them; the client module keeps to single requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

if TYPE_CHECKING:
    from personalize_lab.analysis import Comparison
    from personalize_lab.client import Lab
    from personalize_lab.cohort import CohortResult, Progress


class CohortMixin:
    """Many requests and comparisons; mixed into :class:`~personalize_lab.client.Lab`."""

    if TYPE_CHECKING:  # provided by Lab
        _response_cache: dict[str, Any]

    def recommend_many(
        self,
        users: Iterable[Any] | None = None,
        *,
        items: Iterable[Any] | None = None,
        variants: Mapping[str, Mapping[str, Any]] | None = None,
        num_results: int = 25,
        workers: int | None = None,
        rate_limit: float | Literal["auto"] | None = "auto",
        cache: bool = True,
        checkpoint: str | Path | None = None,
        progress: bool | Callable[[Progress], None] = True,
        retries: int = 4,
        backoff: float = 0.1,
        cancel: threading.Event | None = None,
        warn: bool = True,
    ) -> CohortResult:
        """GetRecommendations for every user (or seed item) under every variant, as one long frame.

        ``variants`` maps a name to ``recommend`` arguments: ``filter``, ``filter_values``, ``promotion``,
        ``context``, ``metadata``, ``num_results``, and ``campaign_arn`` / ``recommender_arn`` to ask
        another campaign or recommender (a sibling Lab sharing this one's clients). Default: one variant
        ``"default"`` with no arguments. A variant with ``items=[...]`` is a ranking request instead
        (``rank`` arguments: ``items``, ``filter``, ``filter_values``, ``context``, ``metadata``,
        ``campaign_arn`` of a Personalized-Ranking campaign): GetPersonalizedRanking of those items for
        each user, ranks 1..len(items). Each variant is validated once before anything is sent; a broken
        one raises an error that names it. ``items=`` (of the method, not of a variant) sends
        related-items requests (``itemId``) instead of one per user.

        Returns a :class:`~personalize_lab.cohort.CohortResult` that unpacks as ``frame, errors``:

        - ``frame``: ``variant``, ``userId`` (or ``seedItemId``), then the recommendation columns
          (rank, itemId, score, promotionName, reason, metadata, recommendationId) with their dtypes;
        - ``errors``: ``variant``, ``userId`` (or ``seedItemId``), ``code``, ``message``, ``attempts``,
          one row per request that failed after its retries; a variant that fails for every id (for
          example ResourceNotFound) is sent once and recorded once, with the id ``<NA>``;
        - ``stats``: requests, sent, from_cache, from_checkpoint, calls, retries, failed, seconds.

        ``workers``: threads sending at once (default 8; 1 against an in-process backend — the local
        Personalize without simulated latency, or a replay — where threads only contend for the GIL).
        ``rate_limit``: requests per second across the workers (token bucket). ``"auto"`` is 50/s against
        AWS — a tenth of the service's 500 TPS per-campaign limit, so a notebook never crowds out
        production traffic — and unlimited against the local Personalize or a replay; ``None`` is
        unlimited. ``retries``: ThrottlingError and ServiceUnavailableError (5xx) are retried up to this
        many times with exponential backoff and full jitter starting at ``backoff`` seconds; other errors
        are not retried. botocore retries on its own too: give the Lab a client built with
        ``Config(retries={"total_max_attempts": 1})`` to leave retries to this method.
        ``cache``: answers are kept on this Lab by canonical request (exact kwargs and target), so
        running the same comparison again sends nothing and exploration stays pinned across analyses;
        ``cache=False`` sends everything (and stores nothing); :meth:`clear_cache` empties it.
        ``checkpoint``: a parquet file written as results arrive (atomic flushes); calling again with the
        same path after a crash, Ctrl-C or kernel restart sends only the requests it does not hold.
        ``progress``: a tqdm bar (done/total, rate, errors, ETA), ``False``, or a callable receiving a
        :class:`~personalize_lab.cohort.Progress` after each request. Ctrl-C (or KeyboardInterrupt from
        the callable) stops the run: what finished is returned, with a warning, and checkpointed.
        ``cancel``: a ``threading.Event`` another thread may set (a panel's Cancel button); the run stops
        between requests the same way. ``warn=False`` leaves out the PersonalizeLabWarnings for failed
        requests and interruptions, for a caller that shows ``errors`` and ``interrupted`` itself.
        """
        from personalize_lab import cohort

        return cohort.recommend_many(
            cast("Lab", self),
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
            backoff=backoff,
            cancel=cancel,
            warn=warn,
        )

    def compare(
        self,
        users: Iterable[Any] | None,
        variants: Mapping[str, Mapping[str, Any]],
        truth: pd.DataFrame | None = None,
        reference: str | None = None,
        **kwargs: Any,
    ) -> Comparison:
        """Run :meth:`recommend_many` and compare the variants (:func:`personalize_lab.analysis.compare`).

        ``truth``: held-out interactions (USER_ID, ITEM_ID) for precision, recall, NDCG, MRR and hit
        rate. ``reference``: the variant the others are compared with (default: the first). Catalog size
        and item popularity come from the local Personalize's catalog and training data when this Lab
        runs on it, otherwise from the frame (items any variant recommended, and how often). Other
        keyword arguments go to ``recommend_many`` (items, num_results, workers, rate_limit, cache,
        checkpoint, progress, retries) or to ``analysis.compare`` (k, metrics_at, diversity_column,
        category_column, test, correction, seed, …). The run itself stays in :attr:`last_run`.
        """
        from personalize_lab import cohort

        return cohort.compare(cast("Lab", self), users, variants, truth, reference, **kwargs)

    def clear_cache(self) -> None:
        """Forget every cached response, so the next :meth:`recommend_many` asks the service again."""
        self._response_cache.clear()
