"""``campaignConfig.rankingInfluence``: how much item popularity and freshness shift a campaign's scores.

The guide (``API_CampaignConfig``) says only that each of POPULARITY and FRESHNESS takes a weight in
[0, 1], "a value closer to 1.0 gives more weight to the factor". How the weight enters the model is
undocumented; the local Personalize adds, per request, a standardised item feature scaled to the user's own
logits [undoc, ``EmulatorOptions.ranking_influence_scale``]:

    logits' = logits + scale · σ(logits) · (w_pop · z(log(1 + interactions)) + w_fresh · z(−log(1 + age_days)))

``z`` standardises a feature over the catalog (mean 0, standard deviation 1) and ``σ(logits)`` is the spread
of the user's finite logits, so weight 1.0 with scale 1.0 makes popularity (or freshness) count as much as
the user's own taste, whatever the model's temperature; weight 0 (the default) changes nothing. Age is days
from an item's creation to the dataset's latest interaction (the same clock as ``explorationItemAgeCutOff``),
so newer items rise with FRESHNESS. Items the request must never return (``-inf``) stay ``-inf``.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from personalize_lab.emulator.recipes.base import Model

__all__ = ["RANKING_INFLUENCE_TYPES", "RankingInfluence", "Scoring", "item_features"]

RANKING_INFLUENCE_TYPES = ("POPULARITY", "FRESHNESS")

# model -> (z-scored popularity, z-scored freshness), computed once per trained model
_FEATURES: weakref.WeakKeyDictionary[Model, tuple[np.ndarray, np.ndarray]] = weakref.WeakKeyDictionary()


def _standardised(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    if not np.isfinite(std) or std < 1e-12:
        return np.zeros(len(values), dtype=np.float32)
    return ((values - values.mean()) / std).astype(np.float32)


def item_features(model: Model) -> tuple[np.ndarray, np.ndarray]:
    """(popularity, freshness) of every catalog item, each standardised over the catalog (float32)."""
    found = _FEATURES.get(model)
    if found is None:
        popularity = _standardised(np.log1p(model.popularity.astype(np.float64)))
        age = np.maximum(model.item_age_days.astype(np.float64), 0.0)
        freshness = _standardised(-np.log1p(age))
        found = _FEATURES[model] = (popularity, freshness)
    return found


@dataclass(frozen=True)
class RankingInfluence:
    """The weights of a campaign's rankingInfluence (0 = no influence) and the emulator's scale for them."""

    popularity: float = 0.0
    freshness: float = 0.0
    scale: float = 1.0

    def __bool__(self) -> bool:
        return bool(self.scale) and (self.popularity > 0 or self.freshness > 0)

    def apply(self, model: Model, logits: np.ndarray) -> np.ndarray:
        """``logits`` shifted toward popular / fresh items (a new float32 array; unchanged when inactive)."""
        if not self:
            return logits
        finite = np.isfinite(logits)
        spread = float(logits[finite].std()) if finite.any() else 0.0
        if not np.isfinite(spread) or spread < 1e-12:
            spread = 1.0  # flat logits (e.g. an empty history): the features alone order the items
        popularity, freshness = item_features(model)
        shift = (self.scale * spread) * (self.popularity * popularity + self.freshness * freshness)
        out = np.asarray(logits, dtype=np.float32) + shift.astype(np.float32)
        out[~finite] = logits[~finite]
        return out


@dataclass(frozen=True)
class Scoring:
    """What a deployment does to its model's user logits before anything else: the campaign's
    rankingInfluence, then the score temperature of scored recipes (``EmulatorOptions.score_temperature``).

    Both act on the relevance the deployment caches per user, so GetRecommendations and
    GetPersonalizedRanking see the same logits."""

    influence: RankingInfluence = RankingInfluence()
    temperature: float = 1.0

    def relevance(
        self,
        model: Model,
        user_id: str,
        recent: np.ndarray | None,
        context: Mapping[str, str] | None,
    ) -> np.ndarray:
        """The model's logits for the user, influenced and divided by the temperature (float32, fresh)."""
        logits = model.relevance_for_user(user_id, recent_items=recent, context=context)
        logits = self.influence.apply(model, logits)
        if self.temperature != 1.0:
            logits = np.asarray(logits, dtype=np.float32) * np.float32(1.0 / self.temperature)
        return logits
