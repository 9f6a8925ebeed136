"""One request as plain data (what the panels remember, pin and compare) and the loop that runs a cohort.

A :class:`RequestSpec` is what a panel's controls say: the target, the operation and the keyword
arguments of :meth:`Lab.recommend` / :meth:`Lab.rank`. Keeping it as data lets the Explorer go back and
forward through its history, pin a request as variant A or B, and hand variants to the ComparePanel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from personalize_lab.errors import PersonalizeLabError

if TYPE_CHECKING:
    from personalize_lab.client import Lab


@dataclass(frozen=True)
class RequestSpec:
    """A runtime request: ``operation`` is ``recommend`` or ``rank``; ``kwargs`` go to that Lab method."""

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

    def describe(self) -> str:
        """A one-line summary for buttons and legends (target, filter, promotion)."""
        parts = [self.target_arn.rsplit("/", 1)[-1]]
        if self.kwargs.get("filter"):
            parts.append(f"filter={self.kwargs['filter']}")
        promo = self.kwargs.get("promotion")
        if promo is not None:
            parts.append(f"promotion={promo.name} {promo.percent}%")
        return " · ".join(parts)


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
        return lab.recommend(**spec.kwargs)


def run_variants(
    targets: Targets,
    variants: dict[str, RequestSpec],
    users: Sequence[str],
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> pd.DataFrame:
    """The long frame (variant, userId, then the recommendation columns) of every variant × user.

    One request per user and variant, in this thread; ``cancel`` stops between requests (the frame holds
    what was done). Kept in one function so it can be swapped for ``Lab.recommend_many`` when that lands.
    A user whose request fails with a :class:`PersonalizeLabError` gets an ``error`` row instead of items.
    """
    parts: list[pd.DataFrame] = []
    total, done = len(users) * len(variants), 0
    for user in users:
        for name, spec in variants.items():
            if cancel is not None and cancel.is_set():
                return _concat(parts)
            try:
                frame = targets.run(spec.for_user(str(user)))
            except PersonalizeLabError as e:
                frame = pd.DataFrame({"error": [str(e)]})
            frame.insert(0, "userId", str(user))
            frame.insert(0, "variant", name)
            parts.append(frame)
            done += 1
            if progress is not None:
                progress(done, total)
    return _concat(parts)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=["variant", "userId", "rank", "itemId"])
    frame = pd.concat(parts, ignore_index=True)
    frame["variant"] = pd.Categorical(frame["variant"], categories=list(dict.fromkeys(frame["variant"])))
    return frame


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
