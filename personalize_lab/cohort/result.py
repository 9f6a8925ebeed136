"""What a cohort run returns: the long recommendation frame, the errors frame and the run's counts.

The long frame is ``variant``, ``userId`` (or ``seedItemId``), then the recommendation columns of the
frame contract (``frames.py``) with their dtypes, variants in the order given and ids in the order given.
It is built by :func:`personalize_lab.frames.answers_frame` — once per variant, on the variant's
answers laid end to end, each read into columns as it arrived (while its dicts are still in the CPU cache):
building 10,000 small frames and concatenating them would cost more than the requests on a local backend.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from personalize_lab import frames
from personalize_lab.cohort.plan import Plan, PlannedRequest

__all__ = ["CohortResult", "build_errors", "build_frame"]

_STRING = pd.StringDtype()


@dataclass
class CohortResult:
    """``frame`` (one row per recommended item), ``errors`` (one row per failed request, or one per
    variant that fails for every id), ``stats`` (counts and seconds) and whether it was ``interrupted``.

    Unpacks as a pair: ``frame, errors = lab.recommend_many(...)``.
    """

    frame: pd.DataFrame
    errors: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.frame, self.errors))

    def __repr__(self) -> str:
        s = self.stats
        return (
            f"CohortResult({len(self.frame)} rows, {s.get('requests', '?')} requests: "
            f"{s.get('sent', 0)} sent, {s.get('from_cache', 0)} cached, "
            f"{s.get('from_checkpoint', 0)} from checkpoint, {len(self.errors)} errors"
            f"{', interrupted' if self.interrupted else ''}; {s.get('seconds', 0):.2f} s)"
        )

    def _repr_html_(self) -> str:
        head = f"<p><b>{html.escape(repr(self))}</b></p>"
        errors = ""
        if len(self.errors):
            errors = "<p>Errors</p>" + self.errors.head(20).to_html(index=False, escape=True)
        return head + frames.render_html(self.frame, max_rows=10) + errors


def _strings(values: Any) -> pd.api.extensions.ExtensionArray:
    return pd.array(values, dtype=_STRING)


def _variant_frame(
    name: str, key_column: str, keys: Sequence[str], answers: Sequence[frames.Answer], **kw: Any
) -> pd.DataFrame:
    frame = frames.answers_frame(answers, **kw)
    counts = np.fromiter(map(len, answers), dtype=np.int64, count=len(answers))
    n = len(frame)
    # each key repeated once per recommended item: arrow's take, not 250,000 Python strings
    key_of_row = np.repeat(np.arange(len(keys), dtype=np.int64), counts)
    key_values = pa.array(keys, type=pa.large_string()).take(pa.array(key_of_row))
    frame.insert(0, key_column, pd.Series(pd.arrays.ArrowStringArray(key_values)))
    variant = pa.repeat(pa.scalar(name, type=pa.large_string()), n)
    frame.insert(0, "variant", pd.Series(pd.arrays.ArrowStringArray(variant)))
    return frame


def build_frame(
    plan: Plan, requests: Sequence[PlannedRequest], answers: Mapping[int, frames.Answer], *, source: str
) -> pd.DataFrame:
    """The long frame of every answered request, in request order (``answers`` by request index, each
    read with :func:`personalize_lab.frames.read_answer` as it arrived)."""
    parts = []
    for v, variant in enumerate(plan.variants):
        idx = [i for i, r in enumerate(requests) if r.variant == v and i in answers]
        parts.append(
            _variant_frame(
                variant.name,
                plan.key_column,
                [requests[i].key for i in idx],
                [answers[i] for i in idx],
                request=variant.template.kwargs,
                source=source,
                operation=variant.operation,
            )
        )
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    for col in frame.columns:  # a metadata column only some variants asked for stays a string column
        if col not in ("rank", "score", "reason") and frame[col].dtype != _STRING:
            frame[col] = frame[col].astype(_STRING)
    operations = {v.name: v.operation for v in plan.variants}
    frame.attrs = {
        "source": source,
        # one operation, or "mixed" when ranking variants sit beside recommendation variants
        "operation": next(iter(set(operations.values()))) if len(set(operations.values())) == 1 else "mixed",
        "operations": operations,
        "requests": {
            v.name: {k: val for k, val in v.template.kwargs.items() if k != plan.key_field}
            for v in plan.variants
        },
        "requested_promotion": {
            v.name: v.promotion_percent for v in plan.variants if v.promotion_percent is not None
        },
    }
    return frame


def build_errors(
    plan: Plan, requests: Sequence[PlannedRequest], errors: Sequence[tuple[int, str | None, str, str, int]]
) -> pd.DataFrame:
    """One row per failed request (``key`` <NA> for a variant that fails for every id), request order."""
    rows = sorted(errors, key=lambda e: (e[0], e[1] is not None))
    return pd.DataFrame(
        {
            "variant": _strings([plan.variants[requests[i].variant].name for i, *_ in rows]),
            plan.key_column: _strings([key for _, key, *_ in rows]),
            "code": _strings([code for _, _, code, _, _ in rows]),
            "message": _strings([message for *_, message, _ in rows]),
            "attempts": pd.array([attempts for *_, attempts in rows], dtype="Int64"),
        }
    )
