"""LocalPersonalize: the embedded local Personalize — datasets, trained models, campaigns, filters, events.

It is the backend that sits where AWS would: boto3 clients reach it through botocore's ``before-send`` seam
(:mod:`personalize_lab.emulator.transport`) or over HTTP (:mod:`personalize_lab.emulator.server`), and its
runtime methods take boto3's keyword arguments and return boto3's response dicts. Resource records and the
control-plane calls (describe/list/create) live in its :class:`~personalize_lab.emulator.control.ControlPlane`
(``.control``); the runtime rules live in :mod:`~personalize_lab.emulator.serving`.

Build one with :meth:`LocalPersonalize.demo`, :meth:`LocalPersonalize.from_csv` (the directory contract:
``interactions.csv`` plus optional ``items.csv``, ``users.csv``, ``*.schema.json`` and
``personalize-lab.json``) or :meth:`LocalPersonalize.from_frames`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from personalize_lab.datasets.config import CampaignSpec, ProjectConfig
from personalize_lab.datasets.data import PersonalizeData
from personalize_lab.emulator import events, serving
from personalize_lab.emulator.campaign_config import check_campaign_config, deployment_scoring
from personalize_lab.emulator.control import ControlPlane
from personalize_lab.emulator.deployments import Deployment, exploration_settings
from personalize_lab.emulator.exceptions import InvalidInputException, ResourceNotFoundException
from personalize_lab.emulator.filtering import CompiledFilter, FilterCatalog, compile_item_filter
from personalize_lab.emulator.history import History
from personalize_lab.emulator.options import EmulatorOptions
from personalize_lab.emulator.recipes import REGISTRY, TrainingData, get_recipe
from personalize_lab.emulator.recipes.base import Model, Recipe
from personalize_lab.emulator.transport import WiredMixin
from personalize_lab.errors import FilterError
from personalize_lab.filters import FilterExpression, parse

#: Recipes that get a campaign when no personalize-lab.json declares any (one per supported recipe).
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


@dataclass
class FilterResource:
    """A filter resource: its expression, parsed once, and compiled against the catalog on first use."""

    arn: str
    name: str
    expression: FilterExpression
    compile: Any  # Callable[[FilterExpression], CompiledFilter]
    _compiled: CompiledFilter | None = None

    @property
    def compiled(self) -> CompiledFilter:
        if self._compiled is None:
            self._compiled = self.compile(self.expression)
        return self._compiled

    @property
    def needs_user_id(self) -> bool:
        return bool(self.expression.needs_user_id)


def _short_name(recipe_arn: str) -> str:
    return recipe_arn.rsplit("/", 1)[-1].removeprefix("aws-")


class LocalPersonalize(WiredMixin):
    """An Amazon Personalize dataset group with its campaigns, recommenders, filters and event trackers.

    Thread-safe for concurrent runtime calls (models are trained under a lock on first use).
    """

    def __init__(
        self,
        data: PersonalizeData,
        *,
        config: ProjectConfig | None = None,
        options: EmulatorOptions | None = None,
    ) -> None:
        self.options = options or EmulatorOptions()
        self._rng = np.random.default_rng(self.options.seed)
        self._lock = threading.RLock()
        self.data = data
        config = config or data.config or ProjectConfig()
        self.config = config
        self.training = TrainingData.from_frames(data.interactions, data.items, data.users)
        self.catalog = self.training.catalog
        self.items_table = self._aligned_items(data.items)
        self._metadata_strings: dict[str, np.ndarray] = {}
        self._metadata_names: set[str] | None = None
        self._filter_catalog = FilterCatalog(self.items_table)
        self.history = History(
            data.interactions,
            self.catalog.index,
            per_event_type=self.options.interaction_history_per_event_type,
        )
        self.context_columns = list(self.training.context)  # the Interactions columns models read as context
        self._users: pd.DataFrame | None = (
            data.users.drop_duplicates("USER_ID", keep="last").set_index("USER_ID")
            if data.users is not None
            else None
        )
        self._models: dict[str, Model] = {}
        self._deployments: dict[str, Deployment] = {}
        self._filters: dict[str, FilterResource] = {}
        self._trackers: dict[str, str] = {}  # trackingId -> eventTrackerArn

        self.control = ControlPlane(
            config.region,
            config.account,
            on_create_filter=self._on_create_filter,
            on_delete_filter=self._on_delete_filter,
            on_create_campaign=self._on_create_campaign,
        )
        self.dataset_group_arn = self.control.add_dataset_group(config.dataset_group)
        self._register_datasets()
        for campaign in config.campaigns or tuple(
            CampaignSpec(_short_name(arn), arn, {}) for arn in DEFAULT_CAMPAIGN_RECIPES
        ):
            self.create_campaign(campaign.name, campaign.recipe, campaign.campaign_config)
        for recommender in config.recommenders:
            self.create_recommender(recommender.name, recommender.recipe, recommender.recommender_config)
        for spec in config.filters:
            self.create_filter(spec.name, spec.expression)
        trackers = config.event_trackers or ()
        if trackers:
            for tracker in trackers:
                self.create_event_tracker(tracker.name)
        else:  # a dataset group always has one, so PutEvents works without set-up
            self.create_event_tracker(f"{config.dataset_group}-tracker")

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_frames(
        cls,
        interactions: pd.DataFrame,
        items: pd.DataFrame | None = None,
        users: pd.DataFrame | None = None,
        *,
        config: ProjectConfig | None = None,
        options: EmulatorOptions | None = None,
    ) -> LocalPersonalize:
        """From Personalize-shaped frames (USER_ID, ITEM_ID, TIMESTAMP, …)."""
        return cls(
            PersonalizeData(interactions=interactions, items=items, users=users),
            config=config,
            options=options,
        )

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
        return serving.get_recommendations(self, params)

    def get_personalized_ranking(self, **params: Any) -> dict[str, Any]:
        """GetPersonalizedRanking (campaigns with a PERSONALIZED_RANKING recipe)."""
        return serving.get_personalized_ranking(self, params)

    def get_action_recommendations(self, **params: Any) -> dict[str, Any]:
        """GetActionRecommendations (Next-Best-Action is not emulated: always InvalidInputException)."""
        return serving.get_action_recommendations(self, params)

    def put_events(self, **params: Any) -> dict[str, Any]:
        """PutEvents: streamed events reach filters and models on the next request."""
        return events.put_events(self, params)

    def put_items(self, **params: Any) -> dict[str, Any]:
        """PutItems: item metadata updates (filters and metadata columns see them at once)."""
        return events.put_items(self, params)

    def put_users(self, **params: Any) -> dict[str, Any]:
        """PutUsers: user metadata updates (CurrentUser filter conditions see them at once)."""
        return events.put_users(self, params)

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
        spec = self._recipe(recipe)
        config = dict(campaign_config or {})
        check_campaign_config(config, f"(the new version of solution {name})")
        solution = self.control.add_solution(name, self.dataset_group_arn, spec.arn)
        version = self.control.add_solution_version(solution)
        arn = self.control.add_campaign(name, version, config)
        self._deploy(arn, name, "campaign", spec, config)
        return arn

    def create_recommender(
        self, name: str, recipe: str, recommender_config: Mapping[str, Any] | None = None
    ) -> str:
        """Create a domain recommender for a use case (``aws-ecomm-recommended-for-you`` …); the ARN."""
        spec = self._recipe(recipe)
        if spec.spec.domain is None:
            raise InvalidInputException(
                f"{spec.arn} is not a domain use case; recommenders take ECOMMERCE or VIDEO_ON_DEMAND recipes."
            )
        config = dict(recommender_config or {})
        arn = self.control.add_recommender(name, self.dataset_group_arn, spec.arn, config)
        self._deploy(arn, name, "recommender", spec, config)
        return arn

    def create_filter(self, name: str, expression: str) -> str:
        """Create an ACTIVE filter; invalid expressions raise InvalidInputException with the parser's message."""
        parsed = self._parse_filter(expression)
        resource = FilterResource("", name, parsed, self._compile)
        resource.compiled  # noqa: B018  (fails now, at creation, for a field the Items dataset lacks)
        arn = self.control.add_filter(name, self.dataset_group_arn, expression)
        resource.arn = arn
        self._filters[arn] = resource
        return arn

    def create_event_tracker(self, name: str) -> tuple[str, str]:
        """Create an event tracker; returns ``(eventTrackerArn, trackingId)``."""
        arn, tracking_id = self.control.add_event_tracker(name, self.dataset_group_arn)
        self._trackers[tracking_id] = arn
        return arn, tracking_id

    # ------------------------------------------------------------------ lookups
    @property
    def campaign_arns(self) -> dict[str, str]:
        return {d.name: a for a, d in self._deployments.items() if d.kind == "campaign"}

    @property
    def recommender_arns(self) -> dict[str, str]:
        return {d.name: a for a, d in self._deployments.items() if d.kind == "recommender"}

    @property
    def filter_arns(self) -> dict[str, str]:
        return {f.name: a for a, f in self._filters.items()}

    @property
    def tracking_id(self) -> str:
        """The first event tracker's tracking id (for PutEvents)."""
        return next(iter(self._trackers))

    @property
    def default_campaign_arn(self) -> str:
        """The User-Personalization campaign (first one that has a user-personalization recipe)."""
        for arn, dep in self._deployments.items():
            if dep.kind == "campaign" and dep.spec.recipe_type == "USER_PERSONALIZATION":
                return arn
        return next(iter(self._deployments))

    @property
    def users(self) -> list[str]:
        """Every known user id (interactions, Users dataset, streamed events)."""
        known = set(self.history.users)
        if self._users is not None:
            known |= set(map(str, self._users.index))
        return sorted(known)

    @property
    def items(self) -> pd.DataFrame:
        """The catalog with its metadata, in catalog order."""
        return self.items_table

    def user_history(self, user_id: str, limit: int | None = 20) -> pd.DataFrame:
        """The user's interactions newest first, with item metadata joined."""
        frame = self.history.frame(user_id, limit)
        if self.data.items is not None and len(frame):
            frame = frame.merge(self.data.items, on="ITEM_ID", how="left")
        return frame

    def deployment(self, arn: str, *, kind: str) -> Deployment:
        record = self.control.campaign(arn) if kind == "campaign" else self.control.recommender(arn)
        dep = self._deployments.get(arn)
        if dep is None:
            raise ResourceNotFoundException(f"Could not find {kind} with ARN {arn}")
        if record.get("status") != "ACTIVE":
            raise InvalidInputException(
                f"The {kind} {arn} is {record.get('status')}, not ACTIVE: it cannot serve recommendations."
            )
        return dep

    def filter_resource(self, arn: str) -> FilterResource:
        record = self.control.filter(arn)
        resource = self._filters.get(arn)
        if resource is None:
            raise ResourceNotFoundException(f"Could not find filter with ARN {arn}")
        if record.get("status") != "ACTIVE":
            raise InvalidInputException(f"The filter {arn} is {record.get('status')}, not ACTIVE.")
        return resource

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
        dep = Deployment(
            arn=arn,
            name=name,
            kind="campaign" if kind == "campaign" else "recommender",
            spec=recipe.spec,
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
        )
        if recipe.spec.auto_filter:
            dep.auto_filter = FilterResource(
                f"{arn}/auto", "auto", self._parse_filter(recipe.spec.auto_filter), self._compile
            )
        self._deployments[arn] = dep
        return dep

    def _model_for(self, recipe: Recipe) -> Model:
        """Train (once, under the lock) the model of a recipe.

        Models hold no per-recipe behaviour (the deployment's spec decides scores, reasons and inputs), so
        every recipe built on the same model class with the same config shares one fit: UP, UP-v2, PR,
        PR-v2 and the domain "for you" use cases train once, not five times.
        """
        with self._lock:
            key = f"{recipe.builder.__module__}.{recipe.builder.__qualname__}:{recipe.spec.config!r}"
            model = self._models.get(key)
            if model is None:
                model = recipe.fit(self.training)
                self._models[key] = model
            return model

    def _auto_filter(self, dep: Deployment) -> CompiledFilter | None:
        return dep.auto_filter.compiled if dep.auto_filter is not None else None

    def _parse_filter(self, expression: str) -> FilterExpression:
        try:
            return parse(expression)
        except FilterError as exc:
            raise InvalidInputException(f"Could not create filter. Invalid Expression: {exc}") from exc

    def _compile(self, expression: FilterExpression) -> CompiledFilter:
        return compile_item_filter(
            expression, self._filter_catalog, precedence=self.options.filter_precedence
        )

    def _aligned_items(self, items: pd.DataFrame | None) -> pd.DataFrame:
        ids = pd.Series(self.catalog.item_ids, name="ITEM_ID", dtype=object).astype(str)
        if items is None:
            return pd.DataFrame({"ITEM_ID": ids})
        table = items.drop_duplicates("ITEM_ID", keep="last").set_index("ITEM_ID")
        aligned = table.reindex(ids.to_numpy())
        aligned.index.name = "ITEM_ID"
        return aligned.reset_index()

    def _metadata_columns(self) -> set[str]:
        columns = self._metadata_names
        if columns is None:  # cached per request path; PutItems may add columns (_invalidate_filters)
            columns = self._metadata_names = {c for c in self.items_table.columns if c != "ITEM_ID"}
        return columns

    def _metadata_for(self, index: int, columns: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for column in columns:
            strings = self._metadata_strings.get(column)
            if strings is None:
                strings = _as_strings(self.items_table[column])
                self._metadata_strings[column] = strings
            value = strings[index]
            if value is None:
                if not self.options.omit_missing_metadata:
                    out[column] = ""
                continue
            out[column] = value
        return out

    def _user_row(self, user_id: str | None) -> dict[str, Any] | None:
        if not user_id or self._users is None or user_id not in self._users.index:
            return None
        return {str(k): v for k, v in self._users.loc[user_id].items() if not _is_missing(v)}

    def _item_row(self, index: int | None) -> dict[str, Any] | None:
        if index is None:
            return None
        row = self.items_table.iloc[index]
        return {str(k): v for k, v in row.items() if not _is_missing(v)}

    def _filter_context(self, user_id: str | None, seed_index: int | None) -> dict[str, Any]:
        return {
            "history": self.history.by_event_type(str(user_id)) if user_id else None,
            "current_user": self._user_row(user_id),
            "current_item": self._item_row(seed_index),
        }

    def _register_datasets(self) -> None:
        for dataset_type, frame in (
            ("INTERACTIONS", self.data.interactions),
            ("ITEMS", self.data.items),
            ("USERS", self.data.users),
        ):
            if frame is None:
                continue
            key = dataset_type.capitalize()
            schema = self.data.schemas.get(key)
            schema_json = schema.to_json() if schema is not None else _minimal_schema(key, frame)
            schema_arn = self.control.add_schema(
                f"{self.config.dataset_group}-{dataset_type.lower()}", schema_json
            )
            self.control.add_dataset(self.dataset_group_arn, dataset_type, schema_arn)

    # control-plane callbacks: resources created through boto3 become live here too
    def _on_create_filter(self, record: Mapping[str, Any]) -> None:
        parsed = self._parse_filter(record["filterExpression"])
        resource = FilterResource(record["filterArn"], record["name"], parsed, self._compile)
        resource.compiled  # noqa: B018  (refused at creation, as create_filter does, for an unknown field)
        self._filters[record["filterArn"]] = resource

    def _on_delete_filter(self, arn: str) -> None:
        self._filters.pop(arn, None)

    def _on_create_campaign(self, record: Mapping[str, Any]) -> None:
        version = self.control.solution_version(record["solutionVersionArn"])
        recipe = self._recipe(version["recipeArn"])
        self._deploy(
            record["campaignArn"], record["name"], "campaign", recipe, record.get("campaignConfig") or {}
        )

    def _invalidate_filters(self) -> None:
        self._metadata_strings.clear()
        self._metadata_names = None
        self._filter_catalog = FilterCatalog(self.items_table)
        for resource in self._filters.values():
            resource._compiled = None
        for dep in self._deployments.values():
            if dep.auto_filter is not None:
                dep.auto_filter._compiled = None

    def __repr__(self) -> str:
        return (
            f"LocalPersonalize({len(self.users)} users, {len(self.catalog)} items, "
            f"{len(self.data.interactions)} interactions; campaigns={list(self.campaign_arns)}, "
            f"recommenders={list(self.recommender_arns)}, filters={list(self.filter_arns)})"
        )


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_strings(column: pd.Series) -> np.ndarray:
    """Metadata values as the service returns them: strings; integral numbers without a trailing .0."""
    out = np.empty(len(column), dtype=object)
    numeric = pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)
    integral = numeric and bool(((column.dropna() % 1) == 0).all())
    for i, value in enumerate(column.to_numpy(dtype=object)):
        if _is_missing(value):
            out[i] = None
        elif integral:
            out[i] = str(int(value))
        else:
            out[i] = str(value)
    return out


def _minimal_schema(name: str, frame: pd.DataFrame) -> str:
    import json

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
