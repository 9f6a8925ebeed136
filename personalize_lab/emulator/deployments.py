"""A deployed model — a campaign or a recommender — and the settings that shape its answers.

A deployment joins a trained model (a recipe's :class:`~personalize_lab.emulator.recipes.base.Model`) with the
campaignConfig / recommenderConfig that change what it returns: exploration (``itemExplorationConfig``,
string values per semantics §5) and item metadata (``enableMetadataWithRecommendations``, §6). Models are
trained lazily on first use, so a dataset group with a dozen campaigns starts in well under a second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from personalize_lab.emulator.exceptions import InvalidInputException, ResourceNotFoundException
from personalize_lab.emulator.filter_resources import FilterResource
from personalize_lab.emulator.filtering import CompiledFilter
from personalize_lab.emulator.influence import Scoring
from personalize_lab.emulator.recipes.base import Model, RecipeSpec
from personalize_lab.emulator.selection import exploration_pool
from personalize_lab.emulator.userscores import UserScores, UserScoresCache

DEFAULT_EXPLORATION_WEIGHT = 0.3
DEFAULT_EXPLORATION_CUTOFF_DAYS = 30.0


def exploration_settings(config: Mapping[str, Any] | None) -> tuple[float, float]:
    """(explorationWeight, explorationItemAgeCutOff) from an itemExplorationConfig of string values."""
    config = dict(config or {})
    try:
        weight = float(config.get("explorationWeight", DEFAULT_EXPLORATION_WEIGHT))
        cutoff = float(config.get("explorationItemAgeCutOff", DEFAULT_EXPLORATION_CUTOFF_DAYS))
    except (TypeError, ValueError) as exc:
        raise InvalidInputException(
            f"itemExplorationConfig values must be numbers written as strings, got {config}"
        ) from exc
    if not 0.0 <= weight <= 1.0:
        raise InvalidInputException(f"explorationWeight={weight} must be between 0 and 1.")
    if cutoff <= 0:
        raise InvalidInputException(f"explorationItemAgeCutOff={cutoff} must be a positive number of days.")
    return weight, cutoff


@dataclass
class Deployment:
    """One campaign or recommender: what it serves and how."""

    arn: str
    name: str
    kind: Literal["campaign", "recommender"]
    recipe: RecipeSpec
    train: Callable[[], Model]
    exploration_weight: float = DEFAULT_EXPLORATION_WEIGHT
    exploration_cutoff_days: float = DEFAULT_EXPLORATION_CUTOFF_DAYS
    metadata_enabled: bool = False
    status: str = "ACTIVE"
    auto_filter: FilterResource | None = None  # a domain use case's automatic filter
    scoring: Scoring = field(default_factory=Scoring)  # rankingInfluence and score temperature
    _model: Model | None = field(default=None, repr=False)
    _exploration_pool: np.ndarray | None = field(default=None, repr=False)
    _user_scores: UserScoresCache | None = field(default=None, repr=False)

    @property
    def model(self) -> Model:
        if self._model is None:
            self._model = self.train()
        return self._model

    @property
    def label(self) -> str:
        return f"{self.kind} {self.arn}"

    @property
    def explores(self) -> bool:
        return self.recipe.supports_exploration and self.exploration_weight > 0

    @property
    def accepts_promotions(self) -> bool:
        """As the recipe's spec says: every domain use case (developer guide: "With all domain use cases …
        you can specify a promotion") and the custom recipes other than ranking and related items."""
        return self.recipe.supports_promotions

    def automatic_filter(self) -> CompiledFilter | None:
        """The use case's automatic filter bound to the current metadata, if it has one."""
        return self.auto_filter.compiled if self.auto_filter is not None else None

    def exploration_candidates(self) -> np.ndarray:
        """A fresh copy of the items exploration may pick (new or rarely seen), computed once per model."""
        if self._exploration_pool is None:
            model = self.model
            self._exploration_pool = exploration_pool(
                model.item_age_days, model.popularity, self.exploration_cutoff_days
            )
        return self._exploration_pool.copy()

    def user_scores(self, user_id: str, recent: np.ndarray | None, context: dict[str, str]) -> UserScores:
        """The user's relevance on this deployment and what derives from it alone, cached (see
        :mod:`~personalize_lab.emulator.userscores`); ``recent``: catalog indices of streamed events."""
        cache = self._user_scores
        if cache is None:
            cache = self._user_scores = UserScoresCache(len(self.model.catalog))
        return cache.get(
            cache.key(user_id, recent, context),
            lambda: self.scoring.relevance(self.model, user_id, recent, context),
        )


class Deployments:
    """The campaigns and recommenders of one dataset group, by ARN, in creation order."""

    def __init__(self) -> None:
        self._by_arn: dict[str, Deployment] = {}

    def add(self, deployment: Deployment) -> None:
        self._by_arn[deployment.arn] = deployment

    def remove(self, arn: str) -> None:
        """Stop serving ``arn`` (deleted, or served from another engine after an update)."""
        self._by_arn.pop(arn, None)

    def get(self, arn: str, kind: str) -> Deployment:
        found = self._by_arn.get(arn)
        if found is None:
            raise ResourceNotFoundException(f"Could not find {kind} with ARN {arn}")
        return found

    def arns_by_name(self, kind: str) -> dict[str, str]:
        return {d.name: arn for arn, d in self._by_arn.items() if d.kind == kind}

    def __iter__(self) -> Iterator[Deployment]:
        return iter(list(self._by_arn.values()))
