"""The recipe contract: a frozen spec, typed hyperparameters, ``Recipe.fit`` -> ``Model``, and the registry.

The engine (``LocalPersonalize``) only talks to this surface: it asks a model for catalog-length logits for
a user (``relevance_for_user``) or an item (``relevance_for_item``) and does softmax, filters, promotions,
exploration and metadata itself. Everything a recipe's behaviour depends on is in its :class:`RecipeSpec`,
keyed by recipe ARN, because the service decides behaviour from the ARN, not from ``recipeType``
(semantics §11.14).

Array conventions: every relevance array has catalog length, dtype float32, higher is better; ``-inf``
marks an item the model must never return for this request (e.g. the seed item of a related-items query).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from personalize_lab.errors import ValidationError

from .training import Catalog, TrainingData

__all__ = [
    "REGISTRY",
    "CooccurrenceConfig",
    "FactorConfig",
    "Model",
    "NextBestActionConfig",
    "PopularityConfig",
    "Recipe",
    "RecipeConfig",
    "RecipeSpec",
    "TrendingConfig",
    "get_recipe",
    "register",
]

RECIPE_ARN_PREFIX = "arn:aws:personalize:::recipe/"

RecipeType = Literal[
    "USER_PERSONALIZATION", "POPULAR_ITEMS", "RELATED_ITEMS", "PERSONALIZED_RANKING", "PERSONALIZED_ACTIONS"
]
Domain = Literal["ECOMMERCE", "VIDEO_ON_DEMAND"]

#: Default confidence per event type (lower-cased). Stronger intent counts more; unknown types count 1.
DEFAULT_EVENT_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("purchase", 4.0),
    ("addtocart", 2.0),
    ("add_to_cart", 2.0),
    ("watch", 1.0),
    ("view", 1.0),
    ("click", 1.0),
)


@dataclass(frozen=True)
class FactorConfig:
    """User-personalization / personalized-ranking model settings.

    ``algorithm``: implicit's ALS (default) or EASE. Measured with ``benchmarks/quality.py`` (temporal
    split, one thread), NDCG@10: ALS with ``alpha=10`` and a strong ridge (``regularization`` default: 50,
    capped at 0.2·alpha·mean history length) beat EASE on the demo store (0.074 vs 0.068, 2k items), the
    synthetic store (0.113 vs 0.098) and a 4k-item synthetic store (0.085 vs 0.080), and fits faster
    (~0.5 s at 50k interactions, ~17 s at 1M). The ALS defaults are sharp: ``regularization=100`` with
    ``alpha=10`` collapsed to popularity on the demo store. EASE is exact and needs an items×items dense
    matrix (O(n²) memory, O(n³) fit), so keep it for catalogs of a few thousand items.

    A (user, item) cell holds the largest weight of its interactions: ``event_weights`` maps event types
    (case-insensitive) to weights, unlisted types weigh 1; with ``use_event_value`` a positive EVENT_VALUE
    multiplies them. The default is plain presence: on the demo and synthetic stores, weighting Purchase
    and AddToCart up (``DEFAULT_EVENT_WEIGHTS``) lowered NDCG@10 by a third, because a purchase mostly
    repeats the view of the same item. ``recency_half_life`` (in distinct items) weighs a user's newest items
    more when EASE scores; ``ease_lambda=100`` with half-life 50 measured best for EASE on both stores.
    ``context_prior`` is the pseudo-count that shrinks a (context value, item) log-lift towards 0.
    """

    algorithm: Literal["als", "ease"] = "als"
    ease_lambda: float = 100.0
    factors: int = 64
    iterations: int = 15
    regularization: float | None = None
    alpha: float = 10.0
    event_weights: tuple[tuple[str, float], ...] = ()
    recency_half_life: float | None = 50.0
    use_event_value: bool = False
    recent_event_weight: float = 1.0
    context_prior: float = 10.0
    context_weight: float = 1.0
    seed: int = 0


@dataclass(frozen=True)
class PopularityConfig:
    """Popularity-Count: interaction counts, optionally of some event types only (case-insensitive)."""

    event_types: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TrendingConfig:
    """Trending-Now: growth of an item's interactions in the latest window over the window before it.

    The service's windows follow its "trend discovery frequency" (30 min … 1 day, retrained every 2 h);
    offline data spans months, so the default window is 7 days (a documented, configurable choice).
    ``prior`` is the pseudo-count that keeps an item going from 0 to 1 interaction from looking like the
    biggest trend.
    """

    window_days: float = 7.0
    prior: float = 5.0
    event_types: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CooccurrenceConfig:
    """SIMS / Similar-Items: item-item co-occurrence in user histories, cosine-normalised.

    ``shrink`` damps pairs seen together only a few times. ``metadata_weight`` > 0 blends in item-metadata
    similarity (Similar-Items), weighted more for items with few interactions so new items get neighbours.
    """

    event_types: tuple[str, ...] | None = None
    shrink: float = 10.0
    metadata_weight: float = 0.0
    cold_item_interactions: float = 5.0


@dataclass(frozen=True)
class NextBestActionConfig:
    """Next-Best-Action: a propensity per (user, action), trained on coded action interactions.

    The catalog is the Actions dataset. Per action, a logistic regression of TAKEN on the profile tokens of
    the users the action reached (Users metadata, the categories of the items they interacted with, the
    other actions they took): ``iterations`` full-batch gradient steps of size ``step`` with ridge ``l2``;
    an unknown user gets the action's smoothed TAKEN rate (``smoothing`` pseudo-users each way). The user's
    own outcome with the action (TAKEN +1, NOT_TAKEN −1) adds ``own_history_weight``.
    ``action_optimization_period`` is the service's featurization hyperparameter (days, default 14); the
    local model labels "took the action at some time in the data", so it is recorded, not modelled.
    """

    action_optimization_period: int = 14
    smoothing: float = 1.0
    iterations: int = 200
    step: float = 2.0
    l2: float = 1.0
    own_history_weight: float = 0.5


RecipeConfig = FactorConfig | PopularityConfig | TrendingConfig | CooccurrenceConfig | NextBestActionConfig


@dataclass(frozen=True)
class RecipeSpec:
    """What a recipe (or domain use case) is and what the engine must do around it.

    ``needs_user_id`` / ``needs_item_id``: the request fails without them (semantics §1.5; recipes whose
    userId is "only if the filter needs it" say False). ``auto_filter`` is a filter expression the engine
    applies on top of the request's filter (domain use cases, semantics §1.5). ``required_event_types`` and
    ``min_events`` are the training data the use case documents it needs. ``reasons``: v2 only.
    """

    arn: str
    name: str
    recipe_type: RecipeType
    config: RecipeConfig
    has_scores: bool = False
    needs_user_id: bool = False
    needs_item_id: bool = False
    supports_context: bool = False
    supports_promotions: bool = True
    supports_exploration: bool = False
    reasons: bool = False
    domain: Domain | None = None
    auto_filter: str | None = None
    required_event_types: tuple[str, ...] = ()
    min_events: int = 0
    reacts_to_events: bool = False

    @property
    def short_name(self) -> str:
        """The ARN's last part, e.g. ``aws-user-personalization``."""
        return self.arn.rsplit("/", 1)[-1]


class Model(ABC):
    """A trained recipe. Shared state: catalog, popularity, item creation times.

    ``popularity`` is the interaction count per catalog item (float32): the engine uses it for cold-start
    order, v2 "Popular item" placeholders and exploration candidates. ``item_age_days`` counts days from an
    item's creation to the latest interaction of the dataset (``explorationItemAgeCutOff``).
    """

    def __init__(self, spec: RecipeSpec, data: TrainingData) -> None:
        self.spec = spec
        self.data = data
        self.catalog: Catalog = data.catalog
        self.popularity: np.ndarray = data.item_counts.astype(np.float32)
        self.item_creation_timestamp: np.ndarray = data.item_creation_timestamp
        self.item_age_days: np.ndarray = data.item_age_days()
        self.latest_timestamp: int = data.latest_timestamp
        self._popularity_logits: np.ndarray | None = None

    def has_user(self, user_id: str) -> bool:
        """Whether the user is in the training data (interactions or Users dataset)."""
        return user_id in self.data.user_index

    def popularity_logits(self) -> np.ndarray:
        """log(1 + count): a softmax over these is proportional to (count + 1), the cold-start answer.
        A fresh copy each call, so the engine may modify it in place."""
        if self._popularity_logits is None:
            self._popularity_logits = np.log1p(self.popularity).astype(np.float32)
        return self._popularity_logits.copy()

    @abstractmethod
    def relevance_for_user(
        self,
        user_id: str,
        *,
        recent_items: np.ndarray | None = None,
        context: Mapping[str, str] | None = None,
    ) -> np.ndarray:
        """Catalog-length float32 logits for ``user_id``, higher is better: a fresh array on every call,
        which the caller may keep (the engine caches it per user, read-only).

        ``recent_items``: catalog indices of events streamed after training, newest last; models that react
        to events fold them in. An unknown user without events gets popularity logits (semantics §10).
        ``context``: Interactions column -> value; unknown keys and values are ignored.
        """

    def relevance_for_item(self, item_id: str) -> np.ndarray | None:
        """Catalog-length float32 relevance of every item to ``item_id`` (the item itself is ``-inf``), or
        None when the item is unknown to the model (the engine then serves popular items)."""
        return None


@dataclass(frozen=True)
class Recipe:
    """A spec plus the function that trains its model. ``fit`` is deterministic given data and seed."""

    spec: RecipeSpec
    builder: Callable[[RecipeSpec, TrainingData], Model]

    @property
    def arn(self) -> str:
        return self.spec.arn

    def fit(self, data: TrainingData) -> Model:
        return self.builder(self.spec, data)

    def with_hyperparameters(self, **values: Any) -> Recipe:
        """A copy with some config fields replaced (e.g. ``factors=32``); unknown names are an error."""
        fields = {f.name for f in dataclasses.fields(self.spec.config)}
        unknown = sorted(set(values) - fields)
        if unknown:
            raise ValidationError(
                field="hyperparameters",
                value=unknown,
                rule=f"{self.spec.short_name} has no hyperparameter {', '.join(unknown)}",
                fix=f"use one of {sorted(fields)}",
            )
        config = dataclasses.replace(self.spec.config, **values)
        return dataclasses.replace(self, spec=dataclasses.replace(self.spec, config=config))


#: Recipes by ARN. Filled when ``personalize_lab.emulator.recipes`` is imported (its ``__init__`` loads
#: every recipe module, so importing this module alone still sees a full registry).
REGISTRY: dict[str, Recipe] = {}


def register(recipe: Recipe) -> Recipe:
    REGISTRY[recipe.spec.arn] = recipe
    return recipe


def get_recipe(arn_or_short_name: str) -> Recipe:
    """The recipe for a full ARN (``arn:aws:personalize:::recipe/aws-sims``) or its short name (``aws-sims``
    or ``sims``)."""
    name = arn_or_short_name.strip()
    candidates = [name, RECIPE_ARN_PREFIX + name, RECIPE_ARN_PREFIX + "aws-" + name]
    for arn in candidates:
        if arn in REGISTRY:
            return REGISTRY[arn]
    raise ValidationError(
        field="recipe",
        value=arn_or_short_name,
        rule="no such recipe in the local Personalize",
        fix=f"use one of {sorted(REGISTRY)}",
    )
