"""The click model: what a simulated shopper does with the list they see.

A **position-based model** (PBM; Craswell et al., "An experimental comparison of click position-bias
models", WSDM 2008), chosen over a cascade model because a shopper may click several items of one list:

- the item at rank r (1-based) is **examined** with probability ``1 / log2(r + 1)`` (1 at rank 1, 0.63 at
  rank 2, 0.39 at rank 5, 0.29 at rank 10 — the DCG discount), independently of the others;
- an examined item is **clicked** with probability ``click_relevant`` when it is relevant — in the
  shopper's held-out future (:mod:`personalize_lab.simulation.holdout`) — and ``click_noise`` otherwise
  (random clicks: the stated noise level);
- a clicked item is **bought** with probability ``buy_relevant`` when relevant, ``buy_noise`` otherwise.

Every draw comes from uniform numbers the caller passes in (one row of three per position), so the model
is a pure function: the same uniforms give the same clicks, and every variant of a visit can be judged
with the same draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from personalize_lab.errors import ValidationError

__all__ = ["ClickModel", "examination"]


def examination(ranks: np.ndarray) -> np.ndarray:
    """Probability that the item at each 1-based rank is looked at: ``1 / log2(rank + 1)``."""
    return 1.0 / np.log2(np.asarray(ranks, dtype=np.float64) + 1.0)


@dataclass(frozen=True)
class ClickModel:
    """Probabilities of the position-based model (see the module docstring); defaults are stated there.

    ``click_relevant=0.5``: half the relevant items a shopper looks at get a click; ``click_noise=0.02``:
    2% of the irrelevant ones do anyway; ``buy_relevant=0.3`` and ``buy_noise=0.05``: the share of those
    clicks that end in a purchase.
    """

    click_relevant: float = 0.5
    click_noise: float = 0.02
    buy_relevant: float = 0.3
    buy_noise: float = 0.05

    def __post_init__(self) -> None:
        for name in ("click_relevant", "click_noise", "buy_relevant", "buy_noise"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValidationError(
                    field=f"click_model.{name}",
                    value=value,
                    rule="a probability between 0 and 1",
                    fix=f"e.g. ClickModel({name}={getattr(ClickModel, name)})",
                )

    def outcomes(self, relevant: np.ndarray, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(clicked, bought) boolean arrays for one list: ``relevant[r]`` for each shown item in rank
        order, ``uniforms`` of shape (len(relevant), 3) in [0, 1) (examine, click, buy)."""
        relevant = np.asarray(relevant, dtype=bool)
        n = len(relevant)
        u = uniforms[:n]
        examined = u[:, 0] < examination(np.arange(1, n + 1))
        clicked = examined & (u[:, 1] < np.where(relevant, self.click_relevant, self.click_noise))
        bought = clicked & (u[:, 2] < np.where(relevant, self.buy_relevant, self.buy_noise))
        return clicked, bought

    def describe(self) -> str:
        """The model in one sentence (shown under the result's tables)."""
        return (
            "Position-based click model: the item at rank r is examined with probability 1/log2(r+1); "
            f"an examined item is clicked with probability {self.click_relevant:g} if it is in the "
            f"shopper's held-out future, {self.click_noise:g} otherwise (noise); a click becomes a "
            f"purchase with probability {self.buy_relevant:g} (relevant) or {self.buy_noise:g} (other)."
        )

    def expected_clicks(self, rank: int, relevant: bool) -> float:
        """P(click) at a rank for a relevant or other item (what tests check the simulation against)."""
        return (1 / math.log2(rank + 1)) * (self.click_relevant if relevant else self.click_noise)
