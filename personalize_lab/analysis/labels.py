"""What every analysis column is called for people: one table of names, used by reports, figures and panels.

Frames keep their snake_case columns (code selects them by name); anything a person reads — the HTML
report, figure axes, the ComparePanel's tables, the verdict sentences — goes through :func:`label`, so a
metric reads the same everywhere and a new name is added here once.

Each per-user metric also says how a change in it is worded (:class:`MetricWording`): a *level* (list
length, popularity, NDCG) changes by a percentage of the reference's mean; a *share* (promoted share,
empty lists) changes by percentage points, because a relative change of a share that starts near 0 is
meaningless (0 → 20 % promoted is not "+∞ %").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from personalize_lab.columns import VARIANT

Kind = Literal["level", "share"]


@dataclass(frozen=True)
class MetricWording:
    """A per-user metric's human name, how its change is measured, and optional verdict phrases.

    ``more`` / ``less`` are sentence fragments with ``{x}`` for the amount, e.g. ``"lists {x} less popular
    items"`` → "B lists 17% less popular items than A". Without them the verdict says "B's <label> is 17%
    lower than A's".
    """

    label: str
    kind: Kind = "level"
    more: str | None = None
    less: str | None = None


#: Per-user metrics (the rows of ``Comparison.tests()``), by column name.
METRICS: dict[str, MetricWording] = {
    "list_length": MetricWording(
        "List length", "level", "returns {x} longer lists", "returns {x} shorter lists"
    ),
    "empty": MetricWording(
        "Empty lists", "share", "returns {x} more empty lists", "returns {x} fewer empty lists"
    ),
    "promoted_share": MetricWording(
        "Promoted share", "share", "shows {x} more promoted items", "shows {x} fewer promoted items"
    ),
    "exploration_share": MetricWording(
        "Exploration share", "share", "shows {x} more exploration items", "shows {x} fewer exploration items"
    ),
    "placeholder_share": MetricWording(
        "Placeholder share (popular-item fill)",
        "share",
        "fills {x} more slots with popular placeholders",
        "fills {x} fewer slots with popular placeholders",
    ),
    "scoreless_share": MetricWording(
        "Scoreless share",
        "share",
        "returns {x} more items without a score",
        "returns {x} fewer items without a score",
    ),
    "score_mass": MetricWording("Score mass (sum of scores per list)"),
    "mean_popularity": MetricWording(
        "Popularity (mean interaction count)",
        "level",
        "lists {x} more popular items",
        "lists {x} less popular items",
    ),
    "novelty": MetricWording(
        "Novelty (mean self-information, bits)",
        "level",
        "lists {x} more novel items",
        "lists {x} less novel items",
    ),
    "intra_list_diversity": MetricWording(
        "Intra-list diversity", "level", "makes {x} more diverse lists", "makes {x} less diverse lists"
    ),
    # online A/B (personalize_lab.simulation): rates per visit
    "conversion": MetricWording(
        "Conversion (visits with a purchase)",
        "share",
        "converts {x} more visits",
        "converts {x} fewer visits",
    ),
    "click_through": MetricWording(
        "Click-through (visits with a click)",
        "share",
        "gets clicks on {x} more visits",
        "gets clicks on {x} fewer visits",
    ),
    "value_per_visit": MetricWording(
        "Value per visit", "level", "earns {x} more per visit", "earns {x} less per visit"
    ),
}

#: Columns of ``Comparison.summary()`` (one row per variant) that are not per-user metrics (those
#: shared with :data:`METRICS`, e.g. ``promoted_share``, are named there once).
SUMMARY: dict[str, str] = {
    VARIANT: "Variant",
    "users": "Users",
    "empty_lists": "Empty lists",
    "mean_list_length": "List length (mean)",
    "items": "Items recommended",
    "distinct_items": "Distinct items",
    "catalog_coverage": "Catalog coverage",
    "requested_promoted_share": "Promoted share requested",
    "mean_promoted_position": "Promoted position (mean)",
    "scored_items": "Scored items",
    "scoreless_items": "Scoreless items",
    "mean_score_mass": "Score mass (mean per list)",
    "score_min": "Score min",
    "score_p25": "Score 25th percentile",
    "score_median": "Score median",
    "score_p75": "Score 75th percentile",
    "score_max": "Score max",
    "score_mean": "Score mean",
    "popularity_gini": "Popularity Gini (of recommendation counts)",
    "mean_jaccard": "Jaccard vs reference (mean)",
    "mean_rbo": "RBO vs reference (mean)",
}

#: Columns of ``Comparison.tests()`` and ``Comparison.overlap()``.
COLUMNS: dict[str, str] = {
    "metric": "Metric",
    "reference": "Reference",
    "n_users": "Users",
    "mean_reference": "Reference mean",
    "mean_variant": "Variant mean",
    "mean_diff": "Δ mean",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "ci_level": "CI level",
    "ci_method": "Interval",
    "effect_size_dz": "Effect size (dz)",
    "test": "Test",
    "statistic": "Statistic",
    "p_value": "p",
    "p_adjusted": "p (adjusted)",
    "correction": "Correction",
    "significant": "Significant (test)",
    "finding": "Finding",
    "verdict": "Verdict",
    "variant_a": "Reference",
    "variant_b": "Variant",
    "jaccard": "Jaccard",
    "rbo": "RBO",
    "shared": "Shared items",
    "gained": "Gained items",
    "lost": "Lost items",
    "mean_abs_rank_shift": "Rank shift (mean absolute)",
    "mean_rank_shift": "Rank shift (mean)",
}

_ACCURACY = {
    "precision": "Precision",
    "recall": "Recall",
    "ndcg": "NDCG",
    "mrr": "MRR",
    "hit_rate": "Hit rate",
}
_AT = re.compile(r"^(?P<name>[a-z_]+)@(?P<k>\w+)$")

#: Why a summary column can be empty for every variant, and what fills it.
EMPTY_BECAUSE: dict[str, str] = {
    "catalog_coverage": "the catalog size is unknown (pass catalog_size= to compare; "
    "lab.compare and the ComparePanel fill it from the Items dataset)",
    "requested_promoted_share": "no variant asked for a promotion",
    "mean_promoted_position": "no variant has promoted items",
    "mean_score_mass": "no variant returned scores",
    **{c: "no variant returned scores" for c in ("score_min", "score_p25", "score_median", "score_p75")},
    **{c: "no variant returned scores" for c in ("score_max", "score_mean")},
}


def label(column: object) -> str:
    """The human name of an analysis column (never snake_case: unknown names are spelled out)."""
    name = str(column)
    if name in METRICS:
        return METRICS[name].label
    if name in SUMMARY:
        return SUMMARY[name]
    if name in COLUMNS:
        return COLUMNS[name]
    at = _AT.match(name)
    if at:
        base, k = at["name"], at["k"]
        if base in _ACCURACY:
            return f"{_ACCURACY[base]}@{k}"
        if base in ("mean_overlap", "overlap"):
            return f"Overlap@{k}" + (" (mean)" if base == "mean_overlap" else "")
        if base.startswith("mean_") and base[5:] in _ACCURACY:
            return f"{_ACCURACY[base[5:]]}@{k} (mean)"
    if name in _ACCURACY:
        return _ACCURACY[name]
    return name.replace("_", " ").strip().capitalize() or name


def wording(metric: str) -> MetricWording:
    """How a change in ``metric`` is worded: its label, level or share, and optional phrases."""
    return METRICS.get(metric) or MetricWording(label(metric))


def readable_summary(summary: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """``Comparison.summary()`` for people: human column names, columns empty for every variant dropped.

    ``columns`` picks and orders the columns (``variant`` is always first). What was dropped and why is
    in ``attrs["notes"]`` (a list of sentences) so a table can say so under itself.
    """
    chosen = [c for c in (columns if columns is not None else summary.columns) if c in summary.columns]
    chosen = [VARIANT, *[c for c in chosen if c != VARIANT]] if VARIANT in summary.columns else chosen
    empty = [c for c in chosen if c != VARIANT and summary[c].isna().all()]
    notes = [f"{label(c)} is not shown: {EMPTY_BECAUSE.get(c, 'no variant has a value')}." for c in empty]
    out = summary[[c for c in chosen if c not in empty]].rename(columns=label)
    out.attrs["notes"] = notes
    return out


def readable_tests(tests: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """``Comparison.tests()`` for people: human metric names in the Metric column, human column names.

    ``columns`` picks and orders the columns (default: metric, variant, Δ mean, interval, adjusted p,
    verdict). The interval and test methods are in ``attrs["notes"]``.
    """
    default = ("metric", VARIANT, "mean_diff", "ci_low", "ci_high", "p_adjusted", "verdict")
    chosen = [c for c in (columns or default) if c in tests.columns]
    out = tests[chosen].copy()
    if "metric" in out.columns:
        out["metric"] = out["metric"].map(label)
    out = out.rename(columns=label)
    notes = []
    if len(tests):
        first = tests.iloc[0]
        for col, prefix in (("test", "Test"), ("correction", "Correction"), ("ci_method", "Interval")):
            if col in tests.columns:
                notes.append(f"{prefix}: {first[col]}.")
    out.attrs["notes"] = notes
    return out


def is_share(metric: str) -> bool:
    """True when a change in ``metric`` is worded in percentage points rather than a relative %."""
    return wording(metric).kind == "share"


def relative_scale(metric: str, reference_mean: float) -> float:
    """Factor turning an absolute difference into the unit the verdict uses (%, points), or NaN (absolute)."""
    if is_share(metric):
        return 100.0
    if reference_mean is None or not np.isfinite(reference_mean) or abs(reference_mean) < 1e-12:
        return float("nan")
    return 100.0 / abs(reference_mean)


__all__ = [
    "COLUMNS",
    "METRICS",
    "SUMMARY",
    "MetricWording",
    "label",
    "readable_summary",
    "readable_tests",
    "wording",
]
