"""Lab: one campaign or recommender, asked through a real boto3 client, answered as DataFrames.

A Lab is composed of three parts, each usable on its own:

- a :class:`~personalize_lab.connection.Connection`, shared by every Lab made from it with :meth:`Lab.with_target`: the two boto3
  clients, which backend they reach (``source``, ``local_personalize``), the recorder attached to them,
  the cohort response cache, and the one place boto3 is called and its errors are mapped
  (:mod:`personalize_lab.errors`);
- its target (a campaign or a recommender) and what that target accepts, found out once
  (:mod:`personalize_lab.discovery`; behaviour from the recipe ARN, personalize-semantics.md §1.5/§9);
- requests as data: :meth:`Lab.build_request` validates arguments into a
  :class:`~personalize_lab.requests.Request` (:mod:`personalize_lab.requests`) and :meth:`Lab.send` sends
  one. ``recommend`` / ``rank`` / ``recommend_actions`` are those two steps plus the frame
  (:mod:`personalize_lab.frames`); cohort runs (:mod:`personalize_lab.cohort`) and the panels use the same
  two steps.

It never imports the emulator at module level: the only join is inside :meth:`Lab.demo` /
:meth:`Lab.local`.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import boto3
import pandas as pd

from personalize_lab import batch_runs, cohort, discovery, frames, tracking
from personalize_lab.cohort.pacing import BACKOFF_BASE, RETRIES
from personalize_lab.connection import NO_RETRIES, Connection, clients, cohort_factory
from personalize_lab.errors import (
    AccessDeniedError,
    PersonalizeLabWarning,
    ValidationError,
)
from personalize_lab.limits import DEFAULT_NUM_RESULTS
from personalize_lab.requests import (
    Promotion,
    RecipeInfo,
    Request,
    ResolvedFilter,
    build_action_request,
    build_ranking_request,
    build_recommendations_request,
    validate_target,
)

if TYPE_CHECKING:
    import datetime as dt

    from personalize_lab.analysis import Comparison
    from personalize_lab.cohort import CohortResult, Progress
    from personalize_lab.simulation import SimulationResult

__all__ = ["Connection", "Lab"]

#: The Lab method whose arguments :meth:`Lab.build_request` takes.
Verb = Literal["recommend", "rank", "recommend_actions"]


class Lab:
    """Explore one Amazon Personalize campaign or recommender from a notebook.

    ``client`` / ``control_client`` are boto3 clients for ``personalize-runtime`` / ``personalize``; when
    not given they come from ``session`` (default: a new ``boto3.Session()``) in ``region``, which
    defaults to the region written in the ARN.
    ``record="calls.jsonl"`` appends every request and response to that file (see :meth:`replay`).
    ``connection``: share another Lab's :class:`Connection` instead (what :meth:`with_target` does).
    """

    def __init__(
        self,
        campaign_arn: str | None = None,
        recommender_arn: str | None = None,
        *,
        session: boto3.session.Session | None = None,
        region: str | None = None,
        client: Any = None,
        control_client: Any = None,
        record: str | Path | None = None,
        connection: Connection | None = None,
    ) -> None:
        self.target_kind, self.target_arn = validate_target(campaign_arn, recommender_arn)
        self.campaign_arn = campaign_arn
        self.recommender_arn = recommender_arn
        if connection is None:
            factory = cohort_factory(self.target_arn, session, region) if client is None else None
            client, control_client = clients(self.target_arn, session, region, client, control_client)
            connection = Connection.open(client, control_client, record=record, cohort_factory=factory)
        self.connection = connection
        self.last_run: CohortResult | None = None
        self._recipe: RecipeInfo | None = None
        self._description: dict[str, Any] | None = None
        self._filters_by_arn: dict[str, dict[str, Any]] = {}
        self._filter_list: list[dict[str, Any]] | None = None
        self._last: Request | None = None
        self._trackers: dict[tuple[str | None, str | None], tracking.Tracker] = {}

    def __repr__(self) -> str:
        return f"Lab({self.target_kind}={self.target_arn!r}, source={self.source!r})"

    # --- the shared connection ------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        """The ``personalize-runtime`` boto3 client."""
        return self.connection.client

    @property
    def control_client(self) -> Any:
        """The ``personalize`` (control plane) boto3 client."""
        return self.connection.control_client

    @property
    def source(self) -> str:
        """``aws``, ``local`` or ``replay``: what the clients reach (shared by ``with_target`` Labs)."""
        return self.connection.source

    @source.setter
    def source(self, value: str) -> None:
        self.connection.source = value

    @property
    def local_personalize(self) -> Any:
        """The embedded local Personalize the clients reach, or None."""
        return self.connection.local_personalize

    @local_personalize.setter
    def local_personalize(self, value: Any) -> None:
        self.connection.local_personalize = value

    def with_target(self, campaign_arn: str | None = None, recommender_arn: str | None = None) -> Lab:
        """A Lab on another campaign/recommender sharing this one's :class:`Connection` (clients, recorder,
        response cache, local Personalize)."""
        return Lab(campaign_arn, recommender_arn, connection=self.connection)

    # --- constructors that join to the emulator or a recording --------------------------------------

    @classmethod
    def local(
        cls,
        local_personalize: Any,
        campaign_arn: str | None = None,
        recommender_arn: str | None = None,
        *,
        record: str | Path | None = None,
    ) -> Lab:
        """A Lab on an embedded LocalPersonalize; its default campaign when no ARN is given."""
        if campaign_arn is None and recommender_arn is None:
            campaign_arn = local_personalize.default_campaign_arn
        connection = Connection.open(
            local_personalize.client("personalize-runtime"),
            local_personalize.client("personalize"),
            source="local",
            local_personalize=local_personalize,
            record=record,
            cohort_factory=lambda: local_personalize.client("personalize-runtime", config=NO_RETRIES),
        )
        return cls(campaign_arn, recommender_arn, connection=connection)

    @classmethod
    def demo(cls, **kw: Any) -> Lab:
        """A Lab on the embedded local Personalize trained on the bundled demo store (no AWS needed).

        Keyword arguments go to ``LocalPersonalize.demo`` (``size``, ``seed``), except ``campaign`` (the
        name of one of its campaigns; default: its default campaign) and ``record`` (as for ``Lab``).
        """
        # the one sanctioned join to the emulator (see tests/test_import_direction.py)
        from personalize_lab.emulator import LocalPersonalize  # type: ignore[attr-defined,unused-ignore]

        campaign = kw.pop("campaign", None)
        record = kw.pop("record", None)
        local = LocalPersonalize.demo(**kw)
        arn = local.campaign_arns[campaign] if campaign is not None else None
        return cls.local(local, campaign_arn=arn, record=record)

    @classmethod
    def replay(
        cls, path: str | Path, campaign_arn: str | None = None, recommender_arn: str | None = None
    ) -> Lab:
        """A Lab served entirely from a recording made with ``record=``; no network, no credentials."""
        from personalize_lab.replay import replay_clients

        client, control, target = replay_clients(path)
        if campaign_arn is None and recommender_arn is None:
            campaign_arn, recommender_arn = target
        return cls(campaign_arn, recommender_arn, connection=Connection(client, control, source="replay"))

    # --- what the target accepts (discovery) ----------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """Recipe ARN and type, exploration config, whether metadata is enabled, status (cached)."""
        if self._description is None:
            self._description, self._recipe = discovery.describe_target(
                self.connection, self.campaign_arn, self.recommender_arn
            )
        return dict(self._description)

    @property
    def recipe(self) -> RecipeInfo:
        """What the campaign/recommender accepts (resolved on first use, then cached).

        A runtime-only IAM role often may not call Describe*: then requests go out checked by the
        recipe-independent rules only, and the service has the last word.
        """
        if self._recipe is None:
            try:
                self.describe()
            except AccessDeniedError as e:
                warnings.warn(
                    f"cannot describe {self.target_arn} ({e.code}); requests are checked without the "
                    "recipe's rules (userId/itemId, promotions, metadata). Grant personalize:Describe* to "
                    "get them",
                    PersonalizeLabWarning,
                    stacklevel=3,
                )
                self._recipe = RecipeInfo("", None, metadata_enabled=True)
        assert self._recipe is not None
        return self._recipe

    def filters(self) -> pd.DataFrame:
        """Filters of the dataset group: name, arn, status, expression, placeholders, required, optional.

        ListFilters returns no expressions, so each filter is described once (cached).
        """
        return discovery.filter_frame(self._list_filters(), self._describe_filter, self.source)

    def targets(self) -> pd.DataFrame:
        """Campaigns and recommenders the control plane lists (kind, name, arn, status), this one first."""
        return discovery.targets(self)

    def schema_fields(self, dataset_type: str) -> list[str]:
        """Field names of the dataset group's INTERACTIONS / ITEMS / USERS schema ([] if absent)."""
        return discovery.schema_fields(self, dataset_type)

    def context_keys(self) -> list[str]:
        """Context keys a request may send: the Interactions schema's non-reserved fields (e.g. DEVICE)."""
        return discovery.context_keys(self)

    def known_users(self) -> list[str]:
        """User ids the local backend knows; [] against AWS (the service cannot list users)."""
        return discovery.known_users(self)

    def user_history(self, user_id: str, limit: int = 20) -> pd.DataFrame:
        """The user's interactions newest first with item metadata (local backend); empty against AWS."""
        return discovery.user_history(self, user_id, limit)

    def item_table(self) -> pd.DataFrame | None:
        """The Items dataset (ITEM_ID and metadata) when the backend holds it; None against AWS."""
        return discovery.item_table(self)

    def user_table(self) -> pd.DataFrame | None:
        """The Users dataset (USER_ID and metadata) when the backend holds it; None against AWS."""
        return discovery.user_table(self)

    def events_client(self) -> tuple[Any, str | None]:
        """A ``personalize-events`` client and the tracking id (local tracker; None against AWS)."""
        return discovery.events_client(self)

    # --- events and their worth (personalize_lab.tracking) ------------------------------------------------

    def tracker(
        self, tracking_id: str | None = None, *, attribution_source: str | None = None
    ) -> tracking.Tracker:
        """A :class:`~personalize_lab.tracking.Tracker` (PutEvents); against AWS pass ``tracking_id``.

        The local Personalize's event tracker is found on its own; ``attribution_source`` becomes the
        default ``eventAttributionSource`` of its events (one Tracker per A/B variant). Kept per arguments.
        """
        key = (tracking_id, attribution_source)
        found = self._trackers.get(key)
        if found is None:
            client, local_id = self.events_client()
            found = tracking.Tracker(
                client, tracking_id or local_id or "", attribution_source=attribution_source
            )
            self._trackers[key] = found
        return found

    def track(
        self,
        user_id: str,
        item_id: str | None,
        event_type: str,
        *,
        value: float | None = None,
        recommendation: pd.DataFrame | str | None = None,
        impression: Sequence[str] | None = None,
        session_id: str | None = None,
        properties: Mapping[str, Any] | str | None = None,
        attribution_source: str | None = None,
        tracking_id: str | None = None,
        sent_at: dt.datetime | None = None,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        """Send one PutEvents event: what ``user_id`` did with ``item_id``; returns the event as sent.

        ``recommendation``: the frame of the list the user saw (or its recommendationId) — its
        recommendationId and, unless ``impression`` is given, its items as the impression. ``value`` is
        the EVENT_VALUE; ``properties`` a dict sent as JSON; ``attribution_source`` names the experience
        for metric attribution (``"storefront-A"``). See docs/client.md "Tracking events".
        """
        return self.tracker(tracking_id).track(
            user_id,
            item_id,
            event_type,
            value=value,
            recommendation=recommendation,
            impression=impression,
            session_id=session_id,
            properties=properties,
            attribution_source=attribution_source,
            sent_at=sent_at,
            event_id=event_id,
        )

    def attribution_metrics(
        self, metric_attribution_arn: str | None = None, *, freq: str | None = None
    ) -> pd.DataFrame:
        """A metric attribution's metrics per EVENT_ATTRIBUTION_SOURCE, from the local Personalize.

        See :func:`personalize_lab.tracking.attribution_metrics` (against AWS: CloudWatch/S3 instead).
        """
        return tracking.attribution_metrics(self, metric_attribution_arn, freq=freq)

    def _describe_filter(self, arn: str) -> dict[str, Any]:
        if arn not in self._filters_by_arn:
            answer = self.connection.control("describe_filter", {"filterArn": arn})
            self._filters_by_arn[arn] = answer["filter"]
        return self._filters_by_arn[arn]

    def _list_filters(self) -> list[dict[str, Any]]:
        if self._filter_list is None:
            dsg = self.describe().get("datasetGroupArn")
            kwargs = {"datasetGroupArn": dsg} if dsg else {}
            self._filter_list = self.connection.list_all("list_filters", "Filters", kwargs)  # capital F (§9)
        return self._filter_list

    def _resolve_filter(self, filter: str | None, field: str = "filter") -> ResolvedFilter | None:
        if filter is None:
            return None
        if not isinstance(filter, str) or not filter:
            raise ValidationError(
                f"{field}={filter!r} must be a filter ARN or name. Fix: pass e.g. filter='exclude-purchased'",
                field=field,
                value=filter,
            )
        if filter.startswith("arn:"):
            arn = filter
        else:
            matches = [f for f in self._list_filters() if f.get("name") == filter]
            if not matches:
                names = sorted(str(f.get("name")) for f in self._list_filters())
                raise ValidationError(
                    f"{field}={filter!r} is not a filter in this dataset group (known: {names}). "
                    "Fix: pass one of those names or a filter ARN (lab.filters() lists them)",
                    field=field,
                    value=filter,
                    rule="unknown filter name",
                )
            arn = matches[0]["filterArn"]
        try:
            described = self._describe_filter(arn)
        except AccessDeniedError as e:  # runtime-only role: send it unchecked, the service decides
            warnings.warn(
                f"cannot describe filter {arn} ({e.code}); its filterValues are encoded but not checked "
                "against the expression",
                PersonalizeLabWarning,
                stacklevel=4,
            )
            return ResolvedFilter(arn, None, None)
        return ResolvedFilter(arn, described.get("filterExpression"), described.get("name"))

    # --- requests as data: build, send -----------------------------------------------------------------

    def build_request(self, verb: Verb, /, **arguments: Any) -> Request:
        """The exact, validated request ``lab.<verb>(**arguments)`` would send, without sending it.

        ``verb`` is ``"recommend"``, ``"rank"`` or ``"recommend_actions"``; ``arguments`` are that method's.
        Filter names are resolved to ARNs and filterValues encoded, so the result is what goes on the
        wire; :meth:`send` sends it. Cohort runs and the panels build their requests here.
        """
        builders: dict[str, Callable[..., Request]] = {
            "recommend": self._recommendations_request,
            "rank": self._ranking_request,
            "recommend_actions": self._actions_request,
        }
        if verb not in builders:
            raise ValidationError(
                f"verb={verb!r} is not a Lab request. Fix: pass one of {sorted(builders)}",
                field="verb",
                value=verb,
                rule=f"one of {sorted(builders)}",
            )
        return builders[verb](**arguments)

    def send(self, request: Request) -> dict[str, Any]:
        """Send a request (from :meth:`build_request`) through the shared connection; boto3's answer.

        Thread-safe, and not remembered by :meth:`last_call` (cohort runs send from worker threads).
        """
        return self.connection.send(request)

    def last_call(self) -> str:
        """The last runtime call as copy-pasteable Python (filterValues shown encoded, as sent)."""
        if self._last is None:
            return "# no request sent yet"
        return self._last.python_call()

    def _ask(self, request: Request) -> pd.DataFrame:
        self._last = request
        response = self.send(request)
        return frames.recommendation_frame(response, request=request.kwargs, source=self.source)

    # --- the runtime ---------------------------------------------------------------------------------

    def recommend(
        self,
        user_id: str | None = None,
        item_id: str | None = None,
        num_results: int = DEFAULT_NUM_RESULTS,
        context: Mapping[str, str] | None = None,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
        promotion: Promotion | None = None,
        metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ) -> pd.DataFrame:
        """GetRecommendations as a frame. ``filter`` is an ARN or a name; ``filter_values`` Python values
        or encoded strings; ``metadata`` item columns to return (needs metadata enabled)."""
        return self._ask(
            self._recommendations_request(
                user_id, item_id, num_results, context, filter, filter_values, promotion, metadata
            )
        )

    def rank(
        self,
        user_id: str,
        items: Sequence[str],
        context: Mapping[str, str] | None = None,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
        metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ) -> pd.DataFrame:
        """GetPersonalizedRanking as a frame (campaign with a Personalized-Ranking recipe)."""
        return self._ask(self._ranking_request(user_id, items, context, filter, filter_values, metadata))

    def recommend_actions(
        self,
        user_id: str,
        num_results: int = 5,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
    ) -> pd.DataFrame:
        """GetActionRecommendations as a frame (``actionId`` column; Next-Best-Action campaigns)."""
        return self._ask(self._actions_request(user_id, num_results, filter, filter_values))

    def _recommendations_request(
        self,
        user_id: str | None = None,
        item_id: str | None = None,
        num_results: int = DEFAULT_NUM_RESULTS,
        context: Mapping[str, str] | None = None,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
        promotion: Promotion | None = None,
        metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ) -> Request:
        recipe = self.recipe
        return build_recommendations_request(
            campaign_arn=self.campaign_arn,
            recommender_arn=self.recommender_arn,
            recipe=recipe,
            user_id=user_id,
            item_id=item_id,
            num_results=num_results,
            context=context,
            filter=self._resolve_filter(filter),
            filter_values=filter_values,
            promotion=promotion,
            promotion_filter=self._resolve_filter(promotion.filter, "promotion.filter")
            if isinstance(promotion, Promotion)
            else None,
            metadata=metadata,
        )

    def _ranking_request(
        self,
        user_id: str,
        items: Sequence[str],
        context: Mapping[str, str] | None = None,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
        metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ) -> Request:
        return build_ranking_request(
            campaign_arn=self.campaign_arn or "",
            recipe=self.recipe if self.campaign_arn else None,
            user_id=user_id,
            items=items,
            context=context,
            filter=self._resolve_filter(filter),
            filter_values=filter_values,
            metadata=metadata,
        )

    def _actions_request(
        self,
        user_id: str,
        num_results: int = 5,
        filter: str | None = None,
        filter_values: Mapping[str, object] | None = None,
    ) -> Request:
        return build_action_request(
            campaign_arn=self.campaign_arn or "",
            recipe=self.recipe if self.campaign_arn else None,
            user_id=user_id,
            num_results=num_results,
            filter=self._resolve_filter(filter),
            filter_values=filter_values,
        )

    # --- many requests at once (personalize_lab.cohort) -------------------------------------------------

    def recommend_many(
        self,
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
          one row per request that failed after its retries. A failure stays its id's own; a variant ends
          only when its first two ids fail with the same non-transient service error naming neither (for
          example ResourceNotFound for its filter): then it is recorded once, with the id ``<NA>``;
        - ``stats``: requests, sent, from_cache, from_checkpoint, calls (attempts that reached the wire),
          retries, failed, seconds.

        ``workers``: threads sending at once (default 8; 1 against an in-process backend — the local
        Personalize without simulated latency, or a replay — where threads only contend for the GIL).
        ``rate_limit``: requests per second across the workers (token bucket). ``"auto"`` is 50/s against
        AWS — a tenth of the service's 500 TPS per-campaign limit, so a notebook never crowds out
        production traffic — and unlimited against the local Personalize or a replay; ``None`` is
        unlimited. ``retries``: ThrottlingError and ServiceUnavailableError (5xx, and a connection that
        failed, closed or timed out) are retried up to this many times with exponential backoff and full
        jitter starting at ``backoff`` seconds; other errors are not retried. There is one retry layer:
        runs send through :attr:`Connection.cohort_client`, which has botocore's retries off when the Lab
        made its clients; a runtime client you passed is used as it is, and when its config lets botocore
        retry, botocore's retries are the layer and this method adds none (pass one built with
        ``Config(retries={"total_max_attempts": 1})`` to use ``retries`` and ``backoff``).
        ``cache``: answers are kept on the Lab's :class:`Connection` (shared with its ``with_target``
        Labs) by canonical request (exact kwargs and target), so
        running the same comparison again sends nothing and exploration stays pinned across analyses;
        ``cache=False`` sends everything (and stores nothing); :meth:`clear_cache` empties it.
        ``checkpoint``: a parquet file written as results arrive (atomic flushes); calling again with the
        same path after a crash, Ctrl-C or kernel restart sends only the requests it does not hold. A path
        that cannot be written is refused before the first request.
        ``progress``: a tqdm bar (done/total, rate, errors, ETA), ``False``, or a callable receiving a
        :class:`~personalize_lab.cohort.Progress` after each request. Ctrl-C (or KeyboardInterrupt from
        the callable) stops the run: what finished is returned, with a warning, and checkpointed.
        ``cancel``: a ``threading.Event`` another thread may set (a panel's Cancel button); the run stops
        between requests the same way. ``warn=False`` leaves out the PersonalizeLabWarnings for failed
        requests and interruptions, for a caller that shows ``errors`` and ``interrupted`` itself.
        """
        return cohort.recommend_many(
            self,
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
        return cohort.compare(self, users, variants, truth, reference, **kwargs)

    def batch_recommend(
        self,
        users: Iterable[Any],
        *,
        s3_prefix: str,
        role_arn: str,
        variants: Mapping[str, Mapping[str, Any]] | None = None,
        num_results: int = DEFAULT_NUM_RESULTS,
        **options: Any,
    ) -> pd.DataFrame:
        """:meth:`recommend_many` at scale: one batch inference job per variant (``filter`` and
        ``filter_values``) on this campaign's solution version, inputs and outputs under ``s3_prefix``;
        the same long frame (``variant``, ``userId``, rank, itemId, score, …), so ``pl.compare`` takes it.
        Resumable: a re-run finds its jobs and outputs. ``options``: ``job_prefix``, ``poll_seconds``,
        ``timeout``, ``progress``, ``s3_client`` (see :func:`personalize_lab.batch_runs.batch_recommend`).
        """
        return batch_runs.batch_recommend(
            self,
            users,
            s3_prefix=s3_prefix,
            role_arn=role_arn,
            variants=variants,
            num_results=num_results,
            **options,
        )

    def simulate(
        self,
        future: pd.DataFrame,
        variants: Mapping[str, Mapping[str, Any]],
        *,
        visits: int = 10_000,
        seed: int = 0,
        **options: Any,
    ) -> SimulationResult:
        """A simulated online A/B: shoppers from ``future`` (held-out interactions) visit under each variant,
        click or buy by a stated click model, and real PutEvents carry the variant as attribution source.

        See :func:`personalize_lab.simulation.simulate` for ``options`` (click_model, num_results,
        reference, metric_attribution_arn, tracking_id, event types, value_column, progress) and
        docs/simulation.md. Against AWS it sends real events: a test campaign only.
        """
        from personalize_lab.simulation import simulate

        return simulate(self, future, variants, visits=visits, seed=seed, **options)

    def clear_cache(self) -> None:
        """Forget every cached response, so the next :meth:`recommend_many` asks the service again.

        The cache is shared with every :meth:`with_target` Lab of this one's connection."""
        self.connection.responses.clear()

    # --- panels (function-level imports: widgets sit above the client) --------------------------------

    def explorer(self, **options: Any) -> Any:
        """The Explorer panel on this Lab (see :class:`personalize_lab.widgets.Explorer`)."""
        from personalize_lab.widgets import Explorer

        return Explorer(self, **options)

    def compare_panel(self, **options: Any) -> Any:
        """The A/B ComparePanel on this Lab (see :class:`personalize_lab.widgets.ComparePanel`)."""
        from personalize_lab.widgets import ComparePanel

        return ComparePanel(self, **options)

    def storefront(self, **options: Any) -> Any:
        """The stakeholder Storefront on this Lab (see :class:`personalize_lab.widgets.Storefront`)."""
        from personalize_lab.widgets import Storefront

        return Storefront(self, **options)
