"""LocalPersonalize: the embedded local Personalize — datasets, trained models, campaigns, filters, events.

It is the backend that sits where AWS would: boto3 clients reach it through botocore's ``before-send`` seam
(:mod:`personalize_lab.emulator.transport`) or over HTTP (:mod:`personalize_lab.emulator.server`), and its
runtime methods take boto3's keyword arguments and return boto3's response dicts. Resource records and the
control-plane calls (describe/list/create) live in its :class:`~personalize_lab.emulator.control.ControlPlane`
(``.control``); the runtime rules live in :mod:`~personalize_lab.emulator.serving`.

Build one with :meth:`LocalPersonalize.demo`, :meth:`LocalPersonalize.from_csv` (the directory contract:
``interactions.csv`` plus optional ``items.csv``, ``users.csv``, ``actions.csv``,
``action_interactions.csv``, ``*.schema.json`` and ``personalize-lab.json``) or
:meth:`LocalPersonalize.from_frames`. With an Actions dataset it serves Next-Best-Action
(GetActionRecommendations, PutActions, PutActionInteractions; see
:mod:`~personalize_lab.emulator.action_serving`).
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from personalize_lab.datasets.actions import check_action_frames
from personalize_lab.datasets.config import CampaignSpec, ProjectConfig, RecommenderSpec
from personalize_lab.datasets.data import PersonalizeData
from personalize_lab.emulator import action_events, events, responses, serving
from personalize_lab.emulator.actions import ActionCatalog, ActionHistory
from personalize_lab.emulator.arns import name_of as arns_name
from personalize_lab.emulator.campaign_config import check_campaign_config, deployment_scoring
from personalize_lab.emulator.control import ControlPlane
from personalize_lab.emulator.deployments import Deployment, Deployments, exploration_settings
from personalize_lab.emulator.event_log import (
    UNDEFINED_SOURCE,
    EventLog,
    IssuedRecommendations,
    StreamedEvent,
)
from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.filter_resources import FilterResource, FilterResources
from personalize_lab.emulator.filtering import CompiledFilter, compile_action_filter, compile_item_filter
from personalize_lab.emulator.history import History
from personalize_lab.emulator.metadata import ItemMetadata, UserMetadata
from personalize_lab.emulator.metric_attribution import Metric, check_metrics, report
from personalize_lab.emulator.options import EmulatorOptions
from personalize_lab.emulator.recipes import REGISTRY, TrainingData, get_recipe
from personalize_lab.emulator.recipes.base import Model, Recipe
from personalize_lab.emulator.recipes.next_best_action import action_training_data
from personalize_lab.emulator.transport import WiredMixin
from personalize_lab.filters import FilterExpression

#: Recipes that get a campaign when no personalize-lab.json declares any (one per supported recipe; plus
#: aws-next-best-action when the data has an Actions dataset).
DEFAULT_CAMPAIGN_RECIPES = (
    "aws-user-personalization",
    "aws-user-personalization-v2",
    "aws-popularity-count",
    "aws-trending-now",
    "aws-sims",
    "aws-similar-items",
    "aws-personalized-ranking",
    "aws-personalized-ranking-v2",
)


def _short_name(recipe_arn: str) -> str:
    return recipe_arn.rsplit("/", 1)[-1].removeprefix("aws-")


class LocalPersonalize(WiredMixin):
    """An Amazon Personalize dataset group with its campaigns, recommenders, filters and event trackers.

    The backend: its state lives in small objects — :class:`ItemMetadata` (``item_metadata``),
    :class:`UserMetadata` (``user_metadata``), :class:`History` (``history``), :class:`FilterResources`
    (``filters``), :class:`Deployments` (``deployments``) and the control plane's records (``control``,
    event trackers included). Thread-safe for concurrent runtime calls (models train under a lock on
    first use).
    """

    def __init__(
        self,
        data: PersonalizeData | None = None,
        *,
        config: ProjectConfig | None = None,
        options: EmulatorOptions | None = None,
        s3_root: str | Path | None = None,
        job_wait_seconds: float = 10.0,
    ) -> None:
        """``LocalPersonalize()`` is an empty account (build it up with the lifecycle calls, see
        docs/lifecycle.md); with ``data`` it is one dataset group with its campaigns, as before.
        ``s3_root`` maps ``s3://bucket/key`` to ``s3_root/bucket/key`` for import jobs (default: boto3's S3);
        create calls of jobs wait up to ``job_wait_seconds`` for them (0 shows every status)."""
        self.empty_account = data is None
        data = data if data is not None else _placeholder_data()
        self.options = options or EmulatorOptions()
        #: the one stream of random choices when ``options.random_mode == "sequence"``
        self.random_stream = np.random.default_rng(self.options.seed)
        self._lock = threading.RLock()
        self.data = data
        config = config or data.config or ProjectConfig()
        self.config = config
        self.training = TrainingData.from_frames(data.interactions, data.items, data.users)
        self.catalog = self.training.catalog
        self.item_metadata = ItemMetadata(
            data.items, self.catalog.item_ids, omit_missing=self.options.omit_missing_metadata
        )
        self.user_metadata = UserMetadata(data.users)
        self.history = History(
            data.interactions,
            self.catalog.index,
            per_event_type=self.options.interaction_history_per_event_type,
        )
        self.context_columns = list(self.training.context)  # the Interactions columns models read as context
        self.event_log = EventLog()  # every PutEvents event, whole (eventValue, impression, ...)
        self.issued = IssuedRecommendations()  # recommendationId -> its campaign/recommender and items
        self.filters = FilterResources(self._compile)
        self.deployments = Deployments()
        self._models: dict[str, Model] = {}
        self._action_interactions = check_action_frames(data.actions, data.action_interactions)
        self._actions = ActionCatalog(data.actions) if data.actions is not None else None
        self._action_history = (
            ActionHistory(self._action_interactions, self._actions) if self._actions is not None else None
        )
        #: the action interaction event tracker's id (PutActionInteractions), when there are action interactions
        self.action_tracking_id: str | None = None

        self.control = ControlPlane(
            config.region,
            config.account,
            on_create_filter=self._on_create_filter,
            on_delete_filter=self._on_delete_filter,
            on_create_campaign=self._on_create_campaign,
            check_metrics=self._check_metric_columns,
        )
        self.control.lifecycle.s3_root = Path(s3_root) if s3_root is not None else None
        self.control.lifecycle.job_wait_seconds = job_wait_seconds
        self.control.lifecycle.build_engine = self._build_version_engine
        self.control.batch.engine_for = self._engine_of_version  # batch inference jobs answer from it
        self.control.deployment_hooks.on_update_campaign = self._serve_campaign
        self.control.deployment_hooks.on_delete_campaign = self._retire_campaign
        self.control.deployment_hooks.on_update_recommender = self.serve_recommender
        self.control.deployment_hooks.on_delete_recommender = self._retire_campaign
        self.control.deployment_hooks.on_create_recommender = self._on_create_recommender
        self._routes: dict[str, LocalPersonalize] = {}  # campaign ARN -> the engine of its solution version
        self.dataset_group_arn = ""
        if self.empty_account:
            return
        self.dataset_group_arn = self.control.add_dataset_group(config.dataset_group)
        self._register_datasets()
        defaults = DEFAULT_CAMPAIGN_RECIPES + (("aws-next-best-action",) if self._actions is not None else ())
        for campaign in config.campaigns or tuple(
            CampaignSpec(_short_name(arn), arn, {}) for arn in defaults
        ):
            self.create_campaign(campaign.name, campaign.recipe, campaign.campaign_config)
        for recommender in config.recommenders:
            self.create_recommender(recommender.name, recommender.recipe, recommender.recommender_config)
        for declared in config.filters:
            self.create_filter(declared.name, declared.expression)
        for tracker in config.event_trackers or ():
            self.create_event_tracker(tracker.name)
        if not config.event_trackers:  # a dataset group always has one, so PutEvents works without set-up
            self.create_event_tracker(f"{config.dataset_group}-tracker")

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_frames(
        cls,
        interactions: pd.DataFrame,
        items: pd.DataFrame | None = None,
        users: pd.DataFrame | None = None,
        *,
        actions: pd.DataFrame | None = None,
        action_interactions: pd.DataFrame | None = None,
        config: ProjectConfig | None = None,
        options: EmulatorOptions | None = None,
    ) -> LocalPersonalize:
        """From Personalize-shaped frames (USER_ID, ITEM_ID, TIMESTAMP, …; ``actions`` with ACTION_ID,
        ``action_interactions`` with USER_ID, ACTION_ID, TIMESTAMP, EVENT_TYPE for Next-Best-Action)."""
        data = PersonalizeData(
            interactions=interactions,
            items=items,
            users=users,
            actions=actions,
            action_interactions=action_interactions,
        )
        return cls(data, config=config, options=options)

    @classmethod
    def from_csv(cls, directory: str | Path, *, options: EmulatorOptions | None = None) -> LocalPersonalize:
        """From a folder following the directory contract (see the module docstring)."""
        from personalize_lab.datasets import load_dir

        data = load_dir(directory)
        return cls(data, config=data.config, options=options)

    @classmethod
    def demo(
        cls, size: str = "small", seed: int = 0, *, options: EmulatorOptions | None = None
    ) -> LocalPersonalize:
        """The bundled synthetic store with demo campaigns, a recommender, filters and an event tracker."""
        from personalize_lab.datasets import demo_store
        from personalize_lab.emulator.demo import demo_config

        data = demo_store(size=size, seed=seed)
        return cls(data, config=demo_config(), options=options or EmulatorOptions(seed=seed))

    # ------------------------------------------------------------------ runtime and events (boto3 kwargs)
    def get_recommendations(self, **params: Any) -> dict[str, Any]:
        """GetRecommendations: boto3's keyword arguments in, the service's response dict out."""
        target = params.get("campaignArn") or params.get("recommenderArn") or ""
        routed = self._routes.get(target) if self._routes else None
        if routed is not None:
            status = self.control.find(target).get("status")  # the account's record decides (INACTIVE...)
            if status != "ACTIVE":
                raise InvalidInputException(
                    f"{target} is {status}, not ACTIVE: it cannot serve recommendations."
                )
            return routed.get_recommendations(**params)
        return responses.get_recommendations(self, params)

    def get_personalized_ranking(self, **params: Any) -> dict[str, Any]:
        """GetPersonalizedRanking (campaigns with a PERSONALIZED_RANKING recipe)."""
        routed = self._routes.get(params.get("campaignArn", "")) if self._routes else None
        if routed is not None:
            return routed.get_personalized_ranking(**params)
        return responses.get_personalized_ranking(self, params)

    def get_action_recommendations(self, **params: Any) -> dict[str, Any]:
        """GetActionRecommendations (campaigns with the aws-next-best-action recipe)."""
        routed = self._routes.get(params.get("campaignArn", "")) if self._routes else None
        if routed is not None:
            return routed.get_action_recommendations(**params)
        return responses.get_action_recommendations(self, params)

    def put_actions(self, **params: Any) -> dict[str, Any]:
        """PutActions: add or change actions of the Actions dataset (recommendable at once)."""
        return action_events.put_actions(self, params)

    def put_action_interactions(self, **params: Any) -> dict[str, Any]:
        """PutActionInteractions: streamed action interactions reach filters and repeat frequency at once."""
        return action_events.put_action_interactions(self, params)

    def put_events(self, **params: Any) -> dict[str, Any]:
        """PutEvents: streamed events reach filters and models on the next request. A tracker of a dataset
        group made through the lifecycle sends them to the engines of that group's solution versions and
        appends them to the group's Interactions data (ingestionMode PUT of an export)."""
        group = self._tracker_group(params.get("trackingId"))
        engines = self._group_engines(group) if group else []
        if not engines:
            events.put_events(self, params)
        else:
            tracker = next(
                r for r in self.control.records("eventTracker") if r["trackingId"] == params["trackingId"]
            )
            for engine in engines:
                engine.host_record("eventTracker", tracker)
                events.put_events(engine, params)
        if group:  # kept as the group's Interactions data: a version trained later sees the events
            self.control.append_put_rows(group, "INTERACTIONS", events.interaction_rows(params))
        return {}

    def put_items(self, **params: Any) -> dict[str, Any]:
        """PutItems: item metadata updates (filters and metadata columns see them at once)."""
        return events.put_items(self, params)

    def put_users(self, **params: Any) -> dict[str, Any]:
        """PutUsers: user metadata updates (CurrentUser filter conditions see them at once)."""
        return events.put_users(self, params)

    # ------------------------------------------------------------------ runtime (Python API)
    def recommend(self, request: serving.RecommendationRequest) -> serving.Recommendations:
        """The answer to a validated GetRecommendations request (see :mod:`.serving`)."""
        return serving.recommend(self, request)

    def rank(self, request: serving.RankingRequest) -> list[serving.RankedItem]:
        """The answer to a validated GetPersonalizedRanking request."""
        return serving.rank(self, request)

    # ------------------------------------------------------------------ boto3 wiring
    def client(
        self, service_name: str = "personalize-runtime", region: str | None = None, **kwargs: Any
    ) -> Any:
        """A real boto3 client for ``personalize-runtime``, ``personalize`` or ``personalize-events``,
        answered by this object (in this object's region unless told otherwise)."""
        return super().client(service_name, region or self.control.region, **kwargs)

    # ------------------------------------------------------------------ resources (Python API)
    def create_campaign(
        self, name: str, recipe: str, campaign_config: Mapping[str, Any] | None = None
    ) -> str:
        """Create solution, solution version and campaign for ``recipe`` (short name or ARN); the ARN."""
        found = self._recipe(recipe)
        config = dict(campaign_config or {})
        check_campaign_config(config, f"(the new version of solution {name})")
        solution = self.control.add_solution(name, self.dataset_group_arn, found.arn)
        version = self.control.add_solution_version(solution)
        arn = self.control.add_campaign(name, version, config)
        self._deploy(arn, name, "campaign", found, config)
        return arn

    def create_recommender(
        self, name: str, recipe: str, recommender_config: Mapping[str, Any] | None = None
    ) -> str:
        """Create a domain recommender for a use case (``aws-ecomm-recommended-for-you`` …); the ARN."""
        found = self._recipe(recipe)
        if found.spec.domain is None:
            raise InvalidInputException(
                f"{found.arn} is not a domain use case; recommenders take ECOMMERCE or VIDEO_ON_DEMAND recipes."
            )
        config = dict(recommender_config or {})
        arn = self.control.add_recommender(name, self.dataset_group_arn, found.arn, config)
        self._deploy(arn, name, "recommender", found, config)
        return arn

    def create_filter(self, name: str, expression: str) -> str:
        """Create an ACTIVE filter; invalid expressions raise InvalidInputException with the parser's message
        (so does a field the Items dataset lacks: the filter is compiled now, not on first use)."""
        resource = self.filters.build("", name, expression)
        resource.arn = self.control.add_filter(name, self.dataset_group_arn, expression)
        self.filters.register(resource)
        return resource.arn

    def create_event_tracker(self, name: str) -> tuple[str, str]:
        """Create an event tracker; returns ``(eventTrackerArn, trackingId)``."""
        return self.control.add_event_tracker(name, self.dataset_group_arn)

    # ------------------------------------------------------------------ lookups
    @property
    def campaign_arns(self) -> dict[str, str]:
        return self.deployments.arns_by_name("campaign")

    @property
    def recommender_arns(self) -> dict[str, str]:
        return self.deployments.arns_by_name("recommender")

    @property
    def filter_arns(self) -> dict[str, str]:
        return self.filters.arns_by_name()

    @property
    def tracking_id(self) -> str:
        """The first event tracker's tracking id (for PutEvents)."""
        return str(self.control.records("eventTracker")[0]["trackingId"])

    @property
    def default_campaign_arn(self) -> str:
        """The User-Personalization campaign (first one that has a user-personalization recipe)."""
        deployments = list(self.deployments)
        for dep in deployments:
            if dep.kind == "campaign" and dep.recipe.recipe_type == "USER_PERSONALIZATION":
                return dep.arn
        return deployments[0].arn

    @property
    def users(self) -> list[str]:
        """Every known user id (interactions, Users dataset, streamed events)."""
        return sorted(set(self.history.users) | self.user_metadata.ids())

    @property
    def items(self) -> pd.DataFrame:
        """The catalog with its metadata, in catalog order."""
        return self.item_metadata.table

    @property
    def items_table(self) -> pd.DataFrame:
        """The same frame as :attr:`items` (the name filters and PutItems knew it by)."""
        return self.item_metadata.table

    def user_history(self, user_id: str, limit: int | None = 20) -> pd.DataFrame:
        """The user's interactions newest first, with item metadata joined."""
        frame = self.history.frame(user_id, limit)
        if self.data.items is not None and len(frame):
            frame = frame.merge(self.data.items, on="ITEM_ID", how="left")
        return frame

    def deployment(self, arn: str, *, kind: str) -> Deployment:
        """The ACTIVE campaign or recommender at ``arn`` (ResourceNotFound / InvalidInput otherwise)."""
        record = self.control.campaign(arn) if kind == "campaign" else self.control.recommender(arn)
        dep = self.deployments.get(arn, kind)
        if record.get("status") != "ACTIVE":
            raise InvalidInputException(
                f"The {kind} {arn} is {record.get('status')}, not ACTIVE: it cannot serve recommendations."
            )
        return dep

    def filter_resource(self, arn: str) -> FilterResource:
        """The ACTIVE filter at ``arn`` (ResourceNotFound / InvalidInput otherwise)."""
        record = self.control.filter(arn)
        resource = self.filters.get(arn)
        if record.get("status") != "ACTIVE":
            raise InvalidInputException(f"The filter {arn} is {record.get('status')}, not ACTIVE.")
        return resource

    def filter_context(self, user_id: str | None, seed_index: int | None) -> dict[str, Any]:
        """What a filter reads besides its filterValues: the user's history per event type, the
        CurrentUser row and the CurrentItem row (the keyword arguments of ``CompiledFilter.mask``)."""
        return {
            "history": self.history.by_event_type(str(user_id)) if user_id else None,
            "current_user": self.user_metadata.row(user_id),
            "current_item": self.item_metadata.row(seed_index),
        }

    # ------------------------------------------------------------------ real-time data (Python API)
    def record_event(
        self,
        user_id: str,
        item_id: str | None,
        event_type: str,
        timestamp: int,
        *,
        session_id: str | None = None,
        event_id: str | None = None,
        value: float | None = None,
        impression: tuple[str, ...] = (),
        recommendation_id: str | None = None,
        attribution_source: str | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> StreamedEvent:
        """One streamed event, kept whole in :attr:`event_log`; filters and User-Personalization see its
        item on the next request. A ``recommendation_id`` this object issued names the event's source (when
        no ``attribution_source`` is given) and, without an ``impression``, the items it stood for (the
        service's implicit impressions). An ``event_id`` seen before is logged but not applied again."""
        issued = self.issued.get(recommendation_id)
        event = self.event_log.append(
            StreamedEvent(
                event_id=event_id or str(uuid.uuid4()),
                user_id=user_id,
                session_id=session_id or user_id,
                event_type=event_type,
                item_id=item_id,
                timestamp=int(timestamp),
                received=self.control.clock(),
                value=value,
                impression=impression or (issued[1] if issued else ()),
                recommendation_id=recommendation_id,
                attribution_source=attribution_source,
                attributed_to=attribution_source or (issued[0] if issued else UNDEFINED_SOURCE),
                properties=dict(properties or {}),
            )
        )
        if item_id and not event.duplicate:
            self.history.add(user_id, item_id, event_type, timestamp)
        return event

    def remember_recommendation(self, recommendation_id: str, source_arn: str, item_ids: list[str]) -> None:
        """Note which campaign or recommender answered with ``recommendation_id`` (for attribution)."""
        self.issued.remember(recommendation_id, source_arn, tuple(item_ids))

    def streamed_events(self) -> pd.DataFrame:
        """Every event received through PutEvents, oldest first, as Interactions-shaped rows.

        Columns: EVENT_ID, USER_ID, SESSION_ID, ITEM_ID, EVENT_TYPE, EVENT_VALUE, TIMESTAMP (sentAt),
        IMPRESSION (``|``-joined), RECOMMENDATION_ID, EVENT_ATTRIBUTION_SOURCE (as sent), ``attributed_to``
        (where metric attribution credits it), ``received`` (epoch seconds), ``duplicate`` (an eventId
        seen before), then one column per property under its Interactions name (``numRatings`` ->
        NUM_RATINGS).
        """
        return self.event_log.frame()

    def training_interactions(self) -> pd.DataFrame:
        """The imported interactions plus the streamed events with an item, as a retrain would read them.

        Streamed rows keep EVENT_VALUE, IMPRESSION, RECOMMENDATION_ID, EVENT_ATTRIBUTION_SOURCE and the
        properties that name an imported column (context such as DEVICE), so context-aware recipes learn
        from them when trained on this frame (``LocalPersonalize.from_frames(local.training_interactions(),
        ...)``); repeated eventIds are left out, as the service leaves them out of training.
        """
        imported = self.data.interactions
        streamed = self.event_log.frame(include_duplicates=False)
        if streamed.empty:
            return imported.copy()
        streamed = streamed[streamed["ITEM_ID"].notna()]
        reserved = ["EVENT_VALUE", "IMPRESSION", "RECOMMENDATION_ID", "EVENT_ATTRIBUTION_SOURCE"]
        columns = list(imported.columns) + [
            c for c in reserved if c not in imported.columns and streamed[c].notna().any()
        ]
        rows = streamed.reindex(columns=columns)
        return pd.concat([imported, rows], ignore_index=True)[columns]

    def metric_attribution_report(
        self, metric_attribution_arn: str, *, freq: str | None = None
    ) -> pd.DataFrame:
        """What the service would publish to CloudWatch for a metric attribution, as a DataFrame.

        One row per metric and ``EVENT_ATTRIBUTION_SOURCE`` (columns metricName, eventType, expression,
        EVENT_ATTRIBUTION_SOURCE, events, value), computed from the events received since the attribution
        was created; ``freq="1h"`` splits it over time (a ``period`` column). ResourceNotFoundException for
        an unknown ARN. See :mod:`personalize_lab.emulator.metric_attribution`.
        """
        record = self.control.snapshot(self.control.metric_attribution(metric_attribution_arn))
        metrics = check_metrics(record["metrics"])
        events = self.event_log.frame(since=record["creationDateTime"], include_duplicates=False)
        return report(events, metrics, self.item_metadata.table, freq=freq)

    # ------------------------------------------------------------------ Next-Best-Action (Python API)
    def action_catalog(self) -> ActionCatalog:
        """The Actions dataset (InvalidInputException when the dataset group has none)."""
        if self._actions is None:
            raise InvalidInputException(
                "This dataset group has no Actions dataset: Next-Best-Action needs one. Build the local "
                "Personalize with actions.csv (from_csv) or actions= (from_frames)."
            )
        return self._actions

    def action_history(self) -> ActionHistory:
        """Every user's action interactions, imported and streamed."""
        self.action_catalog()
        assert self._action_history is not None
        return self._action_history

    @property
    def actions(self) -> pd.DataFrame:
        """The Actions dataset as it is now (PutActions included)."""
        return self.action_catalog().table

    def user_action_history(self, user_id: str, limit: int | None = 20) -> pd.DataFrame:
        """The user's action interactions newest first (ACTION_ID, EVENT_TYPE, TIMESTAMP, source)."""
        return self.action_history().frame(user_id, limit)

    def streamed_action_interactions(self) -> pd.DataFrame:
        """Every event received through PutActionInteractions, oldest first."""
        return self.action_history().streamed_frame()

    def record_action_interaction(self, event: Mapping[str, Any]) -> None:
        """One checked PutActionInteractions event (keys USER_ID, ACTION_ID, EVENT_TYPE, TIMESTAMP …)."""
        self.action_history().add(event)

    def update_actions(self, records: list[tuple[str, Mapping[str, Any]]]) -> None:
        """(actionId, properties) pairs from PutActions; action filters compile again on next use."""
        self.action_catalog().update(records)
        self.filters.recompile_later()

    def update_items(self, records: list[tuple[str, Mapping[str, Any]]]) -> None:
        """(itemId, properties) pairs: metadata changes at once, and filters compile again on next use."""
        index = self.catalog.index
        self.item_metadata.update((index.get(item_id), properties) for item_id, properties in records)
        self.filters.recompile_later()

    def update_users(self, records: list[tuple[str, Mapping[str, Any]]]) -> None:
        """(userId, properties) pairs: CurrentUser conditions see them on the next request."""
        self.user_metadata.update(records)

    # ------------------------------------------------------------------ internals
    def _recipe(self, recipe: str) -> Recipe:
        try:
            return get_recipe(recipe)
        except Exception as exc:
            raise InvalidInputException(
                f"recipe {recipe!r} is not one the local Personalize knows. Known: {sorted(REGISTRY)}"
            ) from exc

    def _deploy(
        self, arn: str, name: str, kind: str, recipe: Recipe, config: Mapping[str, Any]
    ) -> Deployment:
        weight, cutoff = exploration_settings(config.get("itemExplorationConfig"))
        auto = recipe.spec.auto_filter
        dep = Deployment(
            arn=arn,
            name=name,
            kind="campaign" if kind == "campaign" else "recommender",
            recipe=recipe.spec,
            train=lambda: self._model_for(recipe),
            exploration_weight=weight,
            exploration_cutoff_days=cutoff,
            metadata_enabled=bool(config.get("enableMetadataWithRecommendations", False)),
            scoring=deployment_scoring(
                config,
                has_scores=recipe.spec.has_scores,
                influence_scale=self.options.ranking_influence_scale,
                temperature=self.options.score_temperature,
            ),
            auto_filter=self.filters.automatic(f"{arn}/auto", auto) if auto else None,
        )
        self.deployments.add(dep)
        return dep

    def _model_for(self, recipe: Recipe) -> Model:
        """Train (once, under the lock) the model of a recipe.

        Models hold no per-recipe behaviour (the deployment's recipe spec decides scores, reasons and
        inputs), so every recipe built on the same model class with the same config shares one fit: UP,
        UP-v2, PR, PR-v2 and the domain "for you" use cases train once, not five times.
        """
        with self._lock:
            key = f"{recipe.builder.__module__}.{recipe.builder.__qualname__}:{recipe.spec.config!r}"
            model = self._models.get(key)
            if model is None:
                actions = recipe.spec.recipe_type == "PERSONALIZED_ACTIONS"
                model = recipe.fit(self._action_training() if actions else self.training)
                self._models[key] = model
            return model

    def _action_training(self) -> TrainingData:
        """Next-Best-Action trains on the actions, the action interactions and the item interactions."""
        return action_training_data(
            self.action_catalog().table,
            self._action_interactions,
            interactions=self.data.interactions,
            items=self.data.items,
            users=self.data.users,
        )

    def _compile(self, expression: FilterExpression) -> CompiledFilter:
        if expression.target == "ActionID":
            if self._actions is None:
                raise InvalidInputException(
                    f"Could not create filter: {expression} filters actions, and this dataset group has no "
                    "Actions dataset. Import actions first (actions.csv / actions=)."
                )
            return compile_action_filter(
                expression, self._actions.filter_catalog, precedence=self.options.filter_precedence
            )
        return compile_item_filter(
            expression, self.item_metadata.filter_catalog, precedence=self.options.filter_precedence
        )

    def _register_datasets(self) -> None:
        for dataset_type, key, frame in (
            ("INTERACTIONS", "Interactions", self.data.interactions),
            ("ITEMS", "Items", self.data.items),
            ("USERS", "Users", self.data.users),
            ("ACTIONS", "Actions", self.data.actions),
            ("ACTION_INTERACTIONS", "ActionInteractions", self.data.action_interactions),
        ):
            if frame is None:
                continue
            schema = self.data.schemas.get(key)
            schema_json = schema.to_json() if schema is not None else _minimal_schema(key, frame)
            schema_arn = self.control.add_schema(
                f"{self.config.dataset_group}-{dataset_type.lower()}", schema_json
            )
            arn = self.control.add_dataset(self.dataset_group_arn, dataset_type, schema_arn)
            if dataset_type == "ACTION_INTERACTIONS":  # the service makes its event tracker with it
                self.action_tracking_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}/tracker"))
                self.control.dataset(arn)["trackingId"] = self.action_tracking_id

    # control-plane callbacks: resources created through boto3 become live here too
    def _on_create_filter(self, record: Mapping[str, Any]) -> None:
        """Compile the filter where it serves: here, or in every trained engine of a dataset group made
        through the lifecycle (refused, as create_filter does, for a field the Items dataset lacks)."""
        group = record["datasetGroupArn"]
        if group == self.dataset_group_arn:
            self.filters.add(record["filterArn"], record["name"], record["filterExpression"])
            return
        hosts: list[LocalPersonalize] = []
        try:
            for engine in self._group_engines(group):
                engine.host_filter(record)
                hosts.append(engine)
        except Exception:
            for engine in hosts:
                engine.unhost_filter(record["filterArn"])
            raise

    def _on_delete_filter(self, arn: str) -> None:
        self.filters.remove(arn)
        for engine in self.control.lifecycle.engines.values():
            engine.unhost_filter(arn)

    def _tracker_group(self, tracking_id: Any) -> str | None:
        """The dataset group of a lifecycle group's event tracker with ``tracking_id`` (None otherwise)."""
        for tracker in self.control.records("eventTracker"):
            if (
                tracker.get("trackingId") == tracking_id
                and tracker["datasetGroupArn"] != self.dataset_group_arn
            ):
                return str(tracker["datasetGroupArn"])
        return None

    def _group_engines(self, group: str) -> list[LocalPersonalize]:
        """The engines of the trained solution versions of dataset group ``group`` (lifecycle-made)."""
        engines = self.control.lifecycle.engines
        return [
            engines[v["solutionVersionArn"]]
            for v in self.control.records("solutionVersion")
            if v["datasetGroupArn"] == group and v["solutionVersionArn"] in engines
        ]

    def host_filter(self, record: Mapping[str, Any]) -> None:
        """Serve the account's filter ``record`` (same ARN) from this solution version's engine."""
        self.filters.add(record["filterArn"], record["name"], record["filterExpression"])
        self.host_record("filter", record)

    def unhost_filter(self, arn: str) -> None:
        self.filters.remove(arn)
        if any(r["filterArn"] == arn for r in self.control.records("filter")):
            self.control.remove(arn)

    def host_record(self, kind: str, record: Mapping[str, Any]) -> None:
        """Know the account's ``record`` (a filter, an event tracker) in this engine's control plane, once."""
        arn = record["filterArn" if kind == "filter" else "eventTrackerArn"]
        if not any(r.get("filterArn", r.get("eventTrackerArn")) == arn for r in self.control.records(kind)):
            self.control.put_record(kind, dict(record, datasetGroupArn=self.dataset_group_arn))

    def _check_metric_columns(self, metrics: list[dict[str, Any]]) -> None:
        """SUM reads a numeric column the dataset has (EVENT_VALUE is always an Interactions column)."""
        for metric in check_metrics(metrics):
            if metric.function == "SUM" and not self._summable(metric):
                raise InvalidInputException(
                    f"metric {metric.name!r}: {metric.expression} sums {metric.dataset}.{metric.column}, which "
                    f"is not a numeric column of the {metric.dataset} dataset. SUM reads numeric columns "
                    "only (e.g. SUM(Items.PRICE), SUM(Interactions.EVENT_VALUE)); use SAMPLECOUNT() to count."
                )

    def _summable(self, metric: Metric) -> bool:
        column = str(metric.column).upper()
        if metric.dataset == "Interactions":
            if column == "EVENT_VALUE":
                return True
            frame: pd.DataFrame | None = self.data.interactions
        else:
            frame = self.data.items
        if frame is None:
            return False
        found = [c for c in frame.columns if str(c).upper() == column]
        return bool(found) and pd.api.types.is_numeric_dtype(frame[found[0]])

    def _build_version_engine(self, data: PersonalizeData, version: Mapping[str, Any]) -> LocalPersonalize:
        """A trained solution version of the lifecycle: an engine over its dataset group's data (same
        region and account, so a campaign made on it keeps its ARN), its model trained now."""
        recipe = self._recipe(version["recipeArn"])
        config = ProjectConfig(
            region=self.control.region,
            account=self.control.account,
            dataset_group=arns_name(version["datasetGroupArn"]),
            campaigns=(
                CampaignSpec(f"v-{version['solutionVersionArn'].rsplit('/', 1)[-1]}", recipe.arn, {}),
            ),
        )
        engine = LocalPersonalize(data, config=config, options=self.options)
        engine.train(recipe.arn)
        for record in self.control.records("filter"):  # the group's filters serve from it too
            if record["datasetGroupArn"] == version["datasetGroupArn"]:
                with contextlib.suppress(InvalidInputException):  # a field this data lacks: not served
                    engine.host_filter(record)
        return engine

    def _engine_of_version(self, version: Mapping[str, Any]) -> LocalPersonalize:
        """The engine a batch job of ``version`` runs on: the lifecycle's trained one, else one over this
        engine's data (a ``--data``/``--demo`` solution version)."""
        trained = self.control.lifecycle.engines.get(version["solutionVersionArn"])
        return trained if trained is not None else self._build_version_engine(self.data, version)

    def train(self, recipe: str) -> Model:
        """The trained model of ``recipe`` (trained now if it was not yet)."""
        return self._model_for(self._recipe(recipe))

    def _on_create_campaign(self, record: Mapping[str, Any]) -> None:
        self._serve_campaign(record)

    def _serve_campaign(self, record: Mapping[str, Any]) -> None:
        """Serve campaign ``record`` as it is now (created or updated): from the engine of a solution
        version trained through the lifecycle, else from this engine. A fresh deployment, so the per-user
        score caches of what served it before are gone."""
        version = self.control.solution_version(record["solutionVersionArn"])
        if version.get("status") != "ACTIVE":
            raise InvalidInputException(
                f"The solution version {version['solutionVersionArn']} is {version.get('status')}, not ACTIVE: "
                "wait until DescribeSolutionVersion reports ACTIVE, then create the campaign."
            )
        arn, name = record["campaignArn"], record["name"]
        recipe = self._recipe(version["recipeArn"])
        config = record.get("campaignConfig") or {}
        trained = self.control.lifecycle.engines.get(version["solutionVersionArn"])
        self._retire_campaign(arn)
        if trained is None:
            self._deploy(arn, name, "campaign", recipe, config)
            return
        trained.host_campaign(arn, name, recipe, config)
        self._routes[arn] = trained

    def _retire_campaign(self, arn: str) -> None:
        """Stop serving campaign (or recommender) ``arn`` here and in the engine it was routed to."""
        self.deployments.remove(arn)
        routed = self._routes.pop(arn, None)
        if routed is not None:
            routed.unhost_campaign(arn)

    def _on_create_recommender(self, record: Mapping[str, Any]) -> None:
        """Serve a new recommender: here for this engine's dataset group, else from an engine trained
        now on the data imported into its (lifecycle-made, domain) dataset group."""
        group = record["datasetGroupArn"]
        if group == self.dataset_group_arn:
            self.serve_recommender(record)
            return
        frames = self.control.group_frames(group)
        interactions = frames.get("INTERACTIONS")
        if interactions is None or interactions.empty:
            raise InvalidInputException(
                f"The dataset group {group} has no interactions: import data into its Interactions dataset "
                "(CreateDatasetImportJob) before creating a recommender."
            )
        data = PersonalizeData(
            interactions=interactions, items=frames.get("ITEMS"), users=frames.get("USERS")
        )
        spec = RecommenderSpec(
            record["name"], record["recipeArn"], dict(record.get("recommenderConfig") or {})
        )
        config = ProjectConfig(
            region=self.control.region,
            account=self.control.account,
            dataset_group=arns_name(group),
            campaigns=(CampaignSpec("popularity", "aws-popularity-count", {}),),
            recommenders=(spec,),
        )
        engine = LocalPersonalize(data, config=config, options=self.options)
        engine.train(record["recipeArn"])
        self._routes[record["recommenderArn"]] = engine

    def serve_recommender(self, record: Mapping[str, Any]) -> None:
        """Serve recommender ``record`` with its config as it is now (fresh per-user caches); the control
        plane calls it on UpdateRecommender, and an account's engine on the engine it routes the
        recommender to."""
        routed = self._routes.get(record["recommenderArn"])
        if routed is not None:
            routed.serve_recommender(record)
            return
        recipe = self._recipe(record["recipeArn"])
        config = record.get("recommenderConfig") or {}
        self._deploy(record["recommenderArn"], record["name"], "recommender", recipe, config)

    def host_campaign(self, arn: str, name: str, recipe: Recipe, config: Mapping[str, Any]) -> None:
        """Serve campaign ``arn`` (a record of the account's control plane) from this solution version's
        engine: its data, its trained model."""
        self.unhost_campaign(arn)
        self.control.put_record("campaign", {"campaignArn": arn, "name": name, "status": "ACTIVE"})
        self._deploy(arn, name, "campaign", recipe, config)

    def unhost_campaign(self, arn: str) -> None:
        self.control.remove(arn)
        self.deployments.remove(arn)

    def __repr__(self) -> str:
        if self.empty_account:
            return f"LocalPersonalize(account {self.control.account}, {len(self.control.records('datasetGroup'))} dataset groups)"
        return (
            f"LocalPersonalize({len(self.users)} users, {len(self.catalog)} items, "
            f"{len(self.data.interactions)} interactions; campaigns={list(self.campaign_arns)}, "
            f"recommenders={list(self.recommender_arns)}, filters={list(self.filter_arns)})"
        )


def _placeholder_data() -> PersonalizeData:
    """The runtime state of an empty account is built on one placeholder row that no resource exposes."""
    return PersonalizeData(interactions=pd.DataFrame({"USER_ID": ["-"], "ITEM_ID": ["-"], "TIMESTAMP": [0]}))


def _minimal_schema(name: str, frame: pd.DataFrame) -> str:
    fields = [{"name": c, "type": "string"} for c in frame.columns]
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": "com.amazonaws.personalize.schema",
            "fields": fields,
            "version": "1.0",
        }
    )


__all__ = ["EmulatorOptions", "LocalPersonalize"]
