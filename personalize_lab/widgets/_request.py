"""One request as plain data: what the panels remember, pin and compare.

A :class:`RequestSpec` is what a panel's controls say: the target, the operation and the keyword
arguments of :meth:`Lab.recommend` / :meth:`Lab.rank`. Keeping it as data lets the Explorer go back and
forward through its history, pin a request as variant A or B, and hand variants to the ComparePanel,
which runs them for a cohort through :meth:`Lab.recommend_many` (:meth:`RequestSpec.variant`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from personalize_lab.errors import PersonalizeLabError

if TYPE_CHECKING:
    from personalize_lab.client import Lab


@dataclass(frozen=True)
class RequestSpec:
    """A runtime request: ``operation`` is ``recommend``, ``rank`` or ``recommend_actions``; ``kwargs`` go
    to that Lab method."""

    target_arn: str
    target_kind: str = "campaign"  # or "recommender"
    operation: str = "recommend"
    kwargs: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def for_user(self, user_id: str) -> RequestSpec:
        return replace(self, kwargs={**self.kwargs, "user_id": user_id})

    def python_call(self) -> str:
        """The request as the ``Lab`` call a notebook would make (shown when the panel did not send it)."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items() if v is not None)
        return f"lab.{self.operation}({args})"

    def variant(self) -> dict[str, Any]:
        """This request as a :meth:`Lab.recommend_many` variant: the target and the arguments, without
        the user (the run sends one request per cohort user). A ``rank`` spec keeps its ``items``, which
        makes it a GetPersonalizedRanking variant."""
        target = "campaign_arn" if self.target_kind == "campaign" else "recommender_arn"
        kwargs = {k: v for k, v in self.kwargs.items() if k not in ("user_id", "item_id") and v is not None}
        return {target: self.target_arn, **kwargs}

    def describe(self) -> str:
        """A one-line summary for buttons and legends (target, filter, promotion)."""
        parts = [self.target_arn.rsplit("/", 1)[-1]]
        if self.kwargs.get("filter"):
            parts.append(f"filter={self.kwargs['filter']}")
        promo = self.kwargs.get("promotion")
        if promo is not None:
            parts.append(f"promotion={promo.name} {promo.percent}%")
        return " · ".join(parts)


def target_options(targets: pd.DataFrame) -> list[tuple[str, tuple[str, str]]]:
    """Dropdown options for ``lab.targets()``: "campaign: name" → (ARN, kind), unnamed ones by ARN."""
    return [
        (f"{kind}: {name if isinstance(name, str) else arn}", (str(arn), str(kind)))
        for kind, name, arn in zip(targets["kind"], targets["name"], targets["arn"], strict=True)
    ]


class Targets:
    """Labs per target ARN sharing one set of clients, so switching campaign costs one describe call."""

    def __init__(self, lab: Lab) -> None:
        self.base = lab
        self._labs: dict[str, Lab] = {lab.campaign_arn or lab.recommender_arn or "": lab}

    def lab(self, arn: str, kind: str) -> Lab:
        if arn not in self._labs:
            self._labs[arn] = (
                self.base.with_target(campaign_arn=arn)
                if kind == "campaign"
                else self.base.with_target(recommender_arn=arn)
            )
        return self._labs[arn]

    def run(self, spec: RequestSpec) -> pd.DataFrame:
        lab = self.lab(spec.target_arn, spec.target_kind)
        if spec.operation == "rank":
            return lab.rank(**spec.kwargs)
        if spec.operation == "recommend_actions":
            return lab.recommend_actions(**spec.kwargs)
        return lab.recommend(**spec.kwargs)


def discover(lab: Lab) -> tuple[pd.DataFrame, pd.DataFrame, list[str], list[str]]:
    """Targets, filters, context keys and item fields for the pickers — whatever the role may list.

    A runtime-only IAM role or a replay without the List*/Describe* calls must still get a working panel:
    the current target alone, no filters, no suggestions.
    """
    arn = lab.campaign_arn or lab.recommender_arn or ""
    kind = "campaign" if lab.campaign_arn else "recommender"
    try:
        targets = lab.targets()
    except PersonalizeLabError:
        targets = pd.DataFrame(
            {"kind": [kind], "name": [arn.rsplit("/", 1)[-1]], "arn": [arn], "status": [None]}
        )
    try:
        filter_table = lab.filters()
    except PersonalizeLabError:
        filter_table = pd.DataFrame(
            columns=["name", "arn", "expression", "placeholders", "required", "optional"]
        )
    try:
        context_keys, item_fields = lab.context_keys(), lab.schema_fields("ITEMS")
    except PersonalizeLabError:
        context_keys, item_fields = [], []
    return targets, filter_table, context_keys, item_fields
