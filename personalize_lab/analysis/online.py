"""Online A/B statistics: rates per visit with shoppers as clusters, two-sample tests, and power.

An online test randomises *shoppers* to variants (each shopper sees one variant for the whole test, as a
production split by user does) and counts *visits*: conversion is purchases-visits over visits, value is
value over visits. A shopper who visits ten times contributes ten correlated visits, so every interval and
test here treats the shopper as the unit of resampling (a cluster), not the visit:

- **rate per visit** R = Σ yₛ / Σ vₛ over the shoppers s of a variant (yₛ: the shopper's converted visits or
  value, vₛ: their visits), with the delta-method standard error SE² = Σ (yₛ − R vₛ)² / (Σ vₛ)². When every
  shopper visits once this is the textbook √(p(1−p)/n).
- **difference** D = R_variant − R_reference: a **percentile bootstrap** interval (shoppers resampled with
  replacement within each variant, seeded) and a **two-sample z-test** z = D / √(SE_ref² + SE_var²)
  (the variants' shoppers are disjoint, so their estimates are independent). With one visit per shopper
  this is exactly the unpooled two-proportion z-test; with repeat visits it is its cluster-robust form.
- with more than one variant against the reference, p-values are Holm-adjusted across variants, and the
  verdict follows :mod:`personalize_lab.analysis.verdict` (a difference only when the adjusted test and the
  interval agree).
- **power**: :func:`visits_needed` is the closed form for two proportions (normal approximation, no
  continuity correction; Fleiss, *Statistical Methods for Rates and Proportions*, eq. 4.14 without the
  correction): n per variant = (z₁₋α/₂ √(2 p̄ q̄) + z₁₋β √(p₁q₁ + p₂q₂))² / (p₂ − p₁)². It assumes independent
  visits; :func:`design_effect` (observed clustered variance ÷ binomial variance) says how many more visits
  repeat shoppers cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from personalize_lab.analysis import verdict
from personalize_lab.analysis.stats import Correction, adjust
from personalize_lab.columns import VARIANT
from personalize_lab.errors import ValidationError

__all__ = [
    "ClusteredRate",
    "clustered_rate",
    "design_effect",
    "two_sample_tests",
    "visits_needed",
]

TEST_NAME = "two-sample z-test, clustered by shopper"
_NORMAL = NormalDist()


@dataclass(frozen=True)
class ClusteredRate:
    """A rate per visit over shoppers: the estimate, its clustered standard error and the counts."""

    rate: float
    se: float
    visits: int
    shoppers: int


def clustered_rate(y: np.ndarray, v: np.ndarray) -> ClusteredRate:
    """R = Σy/Σv with the delta-method SE (``y``, ``v``: one entry per shopper; see the module docstring)."""
    y, v = np.asarray(y, dtype=np.float64), np.asarray(v, dtype=np.float64)
    total = float(v.sum())
    if total <= 0:
        return ClusteredRate(float("nan"), float("nan"), 0, len(v))
    rate = float(y.sum()) / total
    se = math.sqrt(float(((y - rate * v) ** 2).sum())) / total
    return ClusteredRate(rate, se, int(total), len(v))


def design_effect(y: np.ndarray, v: np.ndarray) -> float:
    """Clustered variance of a 0/1 rate ÷ the variance if its visits were independent (1 = no clustering).

    ``y`` counts converted visits per shopper, ``v`` visits per shopper. NaN when the rate is 0 or 1.
    """
    est = clustered_rate(y, v)
    binomial = est.rate * (1 - est.rate) / est.visits if est.visits else float("nan")
    if not binomial or math.isnan(binomial):
        return float("nan")
    return est.se**2 / binomial


def _bootstrap_rates(y: np.ndarray, v: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Rates of ``n_resamples`` resamples of the shoppers (with replacement), one array."""
    n = len(v)
    out = np.empty(n_resamples)
    step = max(1, 2_000_000 // max(n, 1))
    for start in range(0, n_resamples, step):
        b = min(step, n_resamples - start)
        idx = rng.integers(0, n, size=(b, n))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + b] = y[idx].sum(axis=1) / v[idx].sum(axis=1)
    return out


def _check(confidence: float, n_resamples: int) -> None:
    if not 0 < confidence < 1:
        raise ValidationError(
            field="confidence", value=confidence, rule="must lie strictly between 0 and 1", fix="e.g. 0.95"
        )
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 1:
        raise ValidationError(
            field="n_resamples", value=n_resamples, rule="an integer >= 1", fix="e.g. n_resamples=2000"
        )


def two_sample_tests(
    per_shopper: pd.DataFrame,
    *,
    reference: str,
    metrics: Sequence[str],
    visits_column: str = "visits",
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Every variant against ``reference`` on every rate-per-visit metric; one row per (metric, variant).

    ``per_shopper``: one row per shopper with a ``variant`` column, ``visits_column`` and one column per
    metric holding the shopper's total (converted visits, value, …). Columns of the answer follow
    :func:`personalize_lab.analysis.paired_tests` where they mean the same (``n_users`` counts the visits of
    both variants; ``mean_*`` are rates per visit), plus ``se_reference``/``se_variant``, then
    ``significant``, ``finding`` and ``verdict``.
    """
    _check(confidence, n_resamples)
    variants = [str(v) for v in pd.unique(per_shopper[VARIANT])]
    if reference not in variants:
        raise ValidationError(
            field="reference",
            value=reference,
            rule=f"not a variant with visits; variants are {variants}",
            fix="pass one of those names",
        )
    groups = {str(k): g for k, g in per_shopper.groupby(VARIANT, sort=False)}
    alpha = (1 - confidence) / 2
    rows = []
    ref = groups[reference]
    for offset, variant in enumerate(v for v in variants if v != reference):
        other = groups[variant]
        rng = np.random.default_rng([seed, offset])
        ref_v, var_v = ref[visits_column].to_numpy(np.float64), other[visits_column].to_numpy(np.float64)
        for metric in metrics:
            ref_y, var_y = ref[metric].to_numpy(np.float64), other[metric].to_numpy(np.float64)
            a, b = clustered_rate(ref_y, ref_v), clustered_rate(var_y, var_v)
            diff = b.rate - a.rate
            se = math.sqrt(a.se**2 + b.se**2)
            z = diff / se if se > 0 else (0.0 if diff == 0 else math.copysign(math.inf, diff))
            p = 2 * (1 - _NORMAL.cdf(abs(z))) if math.isfinite(z) else 0.0
            boot = _bootstrap_rates(var_y, var_v, n_resamples, rng) - _bootstrap_rates(
                ref_y, ref_v, n_resamples, rng
            )
            low, high = np.nanquantile(boot, [alpha, 1 - alpha])
            rows.append(
                {
                    "metric": metric,
                    VARIANT: variant,
                    "reference": reference,
                    "n_users": a.visits + b.visits,
                    "shoppers": a.shoppers + b.shoppers,
                    "mean_reference": a.rate,
                    "mean_variant": b.rate,
                    "se_reference": a.se,
                    "se_variant": b.se,
                    "mean_diff": diff,
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "ci_level": confidence,
                    "test": TEST_NAME,
                    "statistic": z,
                    "p_value": p,
                }
            )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    n_compared = len(variants) - 1
    method: Correction = "holm" if n_compared > 1 else "none"
    table["p_adjusted"] = np.nan
    for metric in metrics:
        rows_of = table["metric"] == metric
        table.loc[rows_of, "p_adjusted"] = adjust(table.loc[rows_of, "p_value"].to_numpy(), method)
    table["correction"] = "Holm" if method == "holm" else "none"
    table["ci_method"] = (
        f"{confidence:.0%} percentile bootstrap CI of the difference in rate per visit "
        f"({n_resamples:,} resamples of shoppers within each variant, seed {seed})"
    )
    verdict.add_verdicts(table, test=TEST_NAME, unit="visits", n_compared=n_compared)
    return table


def visits_needed(
    baseline: float,
    lift: float,
    *,
    relative: bool = True,
    alpha: float = 0.05,
    power: float = 0.8,
) -> int:
    """Visits per variant for a two-sided two-proportion test to detect ``baseline`` → the lifted rate.

    ``lift`` is relative (0.10: 10% more conversions) unless ``relative=False`` (0.01: one percentage
    point). The closed form in the module docstring; rounded up. 10% → 12% at α = 0.05 and 80% power needs
    3,841 visits per variant.
    """
    for name, value, low, high in (("baseline", baseline, 0.0, 1.0), ("alpha", alpha, 0.0, 1.0)):
        if not low < value < high:
            raise ValidationError(
                field=name,
                value=value,
                rule=f"must lie strictly between {low:g} and {high:g}",
                fix="e.g. 0.05",
            )
    if not 0 < power < 1:
        raise ValidationError(
            field="power", value=power, rule="must lie strictly between 0 and 1", fix="e.g. 0.8"
        )
    p1 = baseline
    p2 = baseline * (1 + lift) if relative else baseline + lift
    if lift == 0 or not 0 < p2 < 1:
        raise ValidationError(
            field="lift",
            value=lift,
            rule=f"the lifted rate must differ from the baseline and lie in (0, 1); got {p2:.4g}",
            fix="e.g. lift=0.1 (10% more conversions than the baseline)",
        )
    z_a, z_b = _NORMAL.inv_cdf(1 - alpha / 2), _NORMAL.inv_cdf(power)
    p_bar = (p1 + p2) / 2
    root = z_a * math.sqrt(2 * p_bar * (1 - p_bar)) + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(root**2 / (p2 - p1) ** 2)
