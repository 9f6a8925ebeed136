"""One plain-language sentence per tested metric, and the rule that keeps interval, p-value and verdict in step.

The paired statistics report two things made by two methods: a percentile bootstrap interval of the mean
paired difference (not corrected for multiple comparisons) and a p-value from a named test (Wilcoxon
signed-rank on the differences, or a sign-flip permutation test of the mean), corrected across variants
(Holm by default). They can disagree — a Wilcoxon test asks whether most users moved, the interval how
far the mean moved; the correction raises p but not the interval — and a table that shows "95% CI excludes
0" beside "significant: no" reads as a contradiction. So the verdict follows one rule:

- ``significant`` is the corrected test's decision alone: adjusted p < α, with α = 1 − the interval's level.
- ``finding`` is ``"difference"`` only when that test rejects **and** the interval excludes 0;
  ``"no detectable difference"`` when neither does; ``"inconclusive"`` when they disagree — and the
  sentence says which said what (for example "not after Holm correction for 3 variants").
- ``"not tested"`` when no user has the metric in both variants.

Changes are worded against the reference's mean for levels (``"17% less popular items"``) and in
percentage points for shares (:mod:`personalize_lab.analysis.labels`); the p-value is written
``p < 0.001`` / ``p = 0.03``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from personalize_lab.analysis import labels
from personalize_lab.columns import VARIANT

DIFFERENCE = "difference"
NO_DIFFERENCE = "no detectable difference"
INCONCLUSIVE = "inconclusive"
NOT_TESTED = "not tested"

_SHORT_TEST = {"wilcoxon": "paired Wilcoxon", "permutation": "paired permutation test"}


def short_test_name(test: str) -> str:
    """``"paired Wilcoxon"`` / ``"paired permutation test"``: the test as a verdict names it."""
    return _SHORT_TEST.get(test, test)


def format_p(p: float, *, alpha: float = 0.05, adjusted_by: str = "none") -> str:
    """``p < 0.001``, ``p = 0.004`` or ``p = 0.03`` (one or two significant digits, never rounded across
    ``alpha``: 0.0496 reads 0.0496, not 0.05)."""
    prefix = "" if adjusted_by in ("none", "") else f"{adjusted_by}-adjusted "
    if p is None or not math.isfinite(p):
        return f"{prefix}p not available"
    if p < 0.001:
        return f"{prefix}p < 0.001"
    text = f"{p:.1g}" if p < 0.01 else f"{p:.2g}"
    if p < alpha <= float(text):
        text = f"{p:.3g}"
    return f"{prefix}p = {text}"


def _number(x: float) -> str:
    x = abs(x)
    if x >= 10:
        return f"{x:,.0f}"
    if x >= 1:
        return f"{x:.1f}".removesuffix(".0")
    return f"{x:.2g}"


def _signed(x: float) -> str:
    if x == 0:
        return "0"
    return ("+" if x > 0 else "−") + _number(x)


class _Amount:
    """How one metric's differences are written: relative %, percentage points, or absolute values."""

    def __init__(self, metric: str, reference_mean: float) -> None:
        self.scale = labels.relative_scale(metric, reference_mean)
        self.share = labels.is_share(metric)

    def _scaled(self, x: float) -> float:
        return x if math.isnan(self.scale) else x * self.scale

    def size(self, x: float) -> str:
        """Unsigned: ``17%``, ``20 percentage points``, ``0.0031``."""
        v = self._scaled(x)
        if self.share:
            return f"{_number(v)} percentage point{'' if _number(v) == '1' else 's'}"
        if math.isnan(self.scale):
            return f"{abs(v):.3g}"
        return f"{_number(v)}%"

    def signed(self, x: float) -> str:
        v = self._scaled(x)
        if self.share:
            return f"{_signed(v)} points"
        if math.isnan(self.scale):
            return f"{v:+.3g}".replace("-", "−")
        return f"{_signed(v)}%"

    def interval(self, low: float, high: float, level: float) -> str:
        lo, hi = self.signed(low), self.signed(high)
        if self.share:
            lo = lo.removesuffix(" points")
        return f"{level:.0%} CI {lo} to {hi}"


def _in_sentence(name: str) -> str:
    """``Popularity (…)`` → ``popularity (…)``; acronyms (``NDCG@10``, ``RBO``) keep their case."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def _change(row: Any, amount: _Amount) -> str:
    """``B lists 17% less popular items than A`` or ``B's NDCG@10 is 12% higher than A's``."""
    words = labels.wording(row["metric"])
    variant, reference, d = row[VARIANT], row["reference"], row["mean_diff"]
    if d == 0:
        return f"{variant}'s {_in_sentence(words.label)} equals {reference}'s on average"
    phrase = words.more if d > 0 else words.less
    if phrase:
        return f"{variant} {phrase.format(x=amount.size(d))} than {reference}"
    direction = "higher" if d > 0 else "lower"
    return f"{variant}'s {_in_sentence(words.label)} is {amount.size(d)} {direction} than {reference}'s"


def verdict(row: Any, *, test: str, unit: str, n_compared: int) -> tuple[str, str]:
    """(finding, sentence) for one row of the paired-tests table (see the module docstring for the rule)."""
    level = float(row["ci_level"])
    alpha = 1 - level
    name = _in_sentence(labels.label(row["metric"]))
    over = f"{short_test_name(test)} over {int(row['n_users']):,} {unit}"
    if not row["n_users"] or pd.isna(row["mean_diff"]):
        return NOT_TESTED, f"Not tested: no {unit} have {name} in both {row[VARIANT]} and {row['reference']}"
    amount = _Amount(str(row["metric"]), float(row["mean_reference"]))
    interval = amount.interval(float(row["ci_low"]), float(row["ci_high"]), level)
    correction = str(row["correction"])
    p_adj, p_raw = float(row["p_adjusted"]), float(row["p_value"])
    p_text = format_p(p_adj, alpha=alpha, adjusted_by=correction)
    rejects = math.isfinite(p_adj) and p_adj < alpha
    excludes = bool(row["ci_low"] > 0 or row["ci_high"] < 0)
    if rejects and excludes:
        return DIFFERENCE, f"{_change(row, amount)} ({interval}), {p_text}, {over}"
    if not rejects and not excludes:
        shift = amount.signed(float(row["mean_diff"]))
        return NO_DIFFERENCE, (
            f"No detectable difference in {name} between {row[VARIANT]} and {row['reference']} "
            f"({shift}, {interval}), {p_text}, {over}"
        )
    if excludes and correction != "none" and math.isfinite(p_raw) and p_raw < alpha:
        why = (
            f"but not after {correction} correction for {n_compared} variants "
            f"({p_text}; uncorrected {format_p(p_raw, alpha=alpha)}), {over}"
        )
        return (
            INCONCLUSIVE,
            f"Inconclusive: {_change(row, amount)} by the mean ({interval}, uncorrected) {why}",
        )
    if excludes:
        return INCONCLUSIVE, (
            f"Inconclusive: {_change(row, amount)} by the mean ({interval}), but the {over} "
            f"finds no consistent shift ({p_text})"
        )
    return INCONCLUSIVE, (
        f"Inconclusive: the {over} finds a shift in {name} ({p_text}), but the {interval} of the "
        "mean difference includes 0"
    )


def add_verdicts(table: pd.DataFrame, *, test: str, unit: str, n_compared: int) -> pd.DataFrame:
    """Add ``significant`` (the corrected test's decision), ``finding`` and ``verdict`` columns in place."""
    alpha = 1 - table["ci_level"].astype(float)
    table["significant"] = (table["p_adjusted"] < alpha).fillna(False).astype(bool)
    pairs = [verdict(row, test=test, unit=unit, n_compared=n_compared) for _, row in table.iterrows()]
    table["finding"] = pd.Series([f for f, _ in pairs], index=table.index, dtype="str")
    table["verdict"] = pd.Series([s for _, s in pairs], index=table.index, dtype="str")
    return table


__all__ = ["DIFFERENCE", "INCONCLUSIVE", "NOT_TESTED", "NO_DIFFERENCE", "add_verdicts", "format_p", "verdict"]
