"""Is a variant's difference from the reference real? Paired statistics across users, one row per metric.

Every per-user metric is compared user by user (the same users saw both variants), so the tests are
paired on d_u = metric(variant, u) − metric(reference, u). Users with NaN on either side (for example
no held-out items, or an empty list for a share) are left out of that metric's test.

- mean difference with a percentile **bootstrap** CI: users are resampled with replacement
  (``n_resamples`` times, seeded). The resamples are drawn once as a count matrix W and applied to every
  metric with one matrix product, so 100,000 users × 2,000 resamples costs seconds, not minutes.
- the p-value comes from one named test:
  ``"wilcoxon"``: ``scipy.stats.wilcoxon`` on the differences with ``zero_method="wilcox"`` (scipy's
  default: zero differences are dropped before ranking, so the test is about users whose lists changed);
  when every difference is zero there is nothing to rank and p is reported as 1.0.
  ``"permutation"``: a paired sign-flip permutation test of the mean difference (each user's sign
  flipped at random, seeded, ``n_resamples`` times), p = (1 + #|null| ≥ |observed|) / (1 + n_resamples),
  the same test ``scipy.stats.permutation_test(..., permutation_type="samples")`` runs, vectorised.
- effect size: Cohen's d_z = mean(d) / sd(d) (ddof=1); 0 when all differences are 0.
- with more than one variant against the reference, p-values of each metric are adjusted across the
  variants (``"holm"`` by default, ``"bh"`` for Benjamini–Hochberg via scipy, or ``"none"``).

Each column names its own method: ``test`` and ``correction`` for the p-value, ``ci_method`` for the
interval (which is *not* corrected). The verdict (``significant``, ``finding``, ``verdict``) follows the
rule in :mod:`personalize_lab.analysis.verdict`: ``significant`` is the corrected test's decision
(adjusted p < 1 − confidence); a *difference* is stated only when that test and the interval agree, and a
disagreement is called *inconclusive* with the reason in words.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from personalize_lab.analysis import verdict
from personalize_lab.columns import VARIANT
from personalize_lab.errors import ValidationError

Test = Literal["wilcoxon", "permutation"]
Correction = Literal["holm", "bh", "none"]
_CHUNK_CELLS = 4_000_000  # resamples × users drawn at once: ~32 MB of int64 indices


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm–Bonferroni step-down adjusted p-values (NaN kept in place)."""
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * q[order])
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    out[ok] = result
    return out


def adjust(p_values: np.ndarray, method: Correction) -> np.ndarray:
    """Adjust a family of p-values; ``"bh"`` uses ``scipy.stats.false_discovery_control``."""
    p = np.asarray(p_values, dtype=np.float64)
    if method == "none" or len(p) <= 1:
        return p.copy()
    if method == "holm":
        return holm(p)
    if method == "bh":
        out = np.full_like(p, np.nan)
        ok = ~np.isnan(p)
        if ok.any():
            out[ok] = sps.false_discovery_control(p[ok], method="bh")
        return out
    raise ValidationError(field="correction", value=method, rule="must be 'holm', 'bh' or 'none'")


def _weights_chunks(
    n: int, n_resamples: int, rng: np.random.Generator, *, signs: bool
) -> Iterator[np.ndarray]:
    """Yield (chunk, n) float matrices: bootstrap counts (multinomial via bincount) or ±1 sign flips."""
    step = max(1, min(n_resamples, _CHUNK_CELLS // max(n, 1)))
    done = 0
    while done < n_resamples:
        b = min(step, n_resamples - done)
        if signs:
            yield (rng.integers(0, 2, size=(b, n), dtype=np.int8) * 2 - 1).astype(np.float64)
        else:
            idx = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
            yield np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)
        done += b


def bootstrap_means(diffs: np.ndarray, *, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(n_resamples, metrics) bootstrap means of the columns of ``diffs`` (users × metrics, NaN = absent).

    One user resample is shared by all metrics; for a metric with missing users the statistic is the
    mean over the resampled users that have a value.
    """
    valid = ~np.isnan(diffs)
    filled = np.where(valid, diffs, 0.0)
    mask = valid.astype(np.float64)
    parts = []
    for w in _weights_chunks(diffs.shape[0], n_resamples, rng, signs=False):
        with np.errstate(invalid="ignore", divide="ignore"):
            parts.append((w @ filled) / (w @ mask))
    return np.vstack(parts)


def sign_flip_pvalues(diffs: np.ndarray, *, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Two-sided paired sign-flip permutation p-values of the mean difference, one per column."""
    valid = ~np.isnan(diffs)
    filled = np.where(valid, diffs, 0.0)
    count = valid.sum(axis=0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.abs(filled.sum(axis=0) / count)
        exceed = np.zeros(diffs.shape[1])
        for s in _weights_chunks(diffs.shape[0], n_resamples, rng, signs=True):
            null = np.abs((s @ filled) / count)
            # a relative tolerance keeps exact ties (e.g. all-zero differences) counted as ≥
            exceed += (null >= observed * (1 - 1e-12)).sum(axis=0)
        p = (1.0 + exceed) / (1.0 + n_resamples)
    return np.where(count > 0, p, np.nan)


def _wilcoxon(d: np.ndarray) -> tuple[float, float]:
    d = d[~np.isnan(d)]
    if len(d) == 0:
        return float("nan"), float("nan")
    if np.all(d == 0):
        return float("nan"), 1.0
    res = sps.wilcoxon(d, zero_method="wilcox", alternative="two-sided")
    return float(res.statistic), float(res.pvalue)


def describe_test(test: Test, *, n_resamples: int, seed: int) -> str:
    """The human name of a test, as shown in the ``test`` column."""
    if test == "wilcoxon":
        return "Wilcoxon signed-rank (scipy, zero_method='wilcox')"
    return f"paired sign-flip permutation ({n_resamples} resamples, seed {seed})"


def describe_interval(confidence: float, *, n_resamples: int, seed: int, n_compared: int) -> str:
    """The interval's method in words, as shown in the ``ci_method`` column."""
    corrected = f"; not corrected for the {n_compared} variants compared" if n_compared > 1 else ""
    return (
        f"{confidence:.0%} percentile bootstrap CI of the mean paired difference "
        f"({n_resamples:,} resamples of users, seed {seed}{corrected})"
    )


def paired_tests(
    per_user: pd.DataFrame,
    *,
    reference: str,
    metrics: list[str] | None = None,
    test: Test = "wilcoxon",
    correction: Correction = "holm",
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    unit: str = "users",
) -> pd.DataFrame:
    """Paired comparison of every variant with ``reference`` on every per-user metric.

    ``per_user`` is wide: index (variant, user), one float column per metric. Returns one row per
    (metric, variant) with: reference, n_users, mean_reference, mean_variant, mean_diff, ci_low, ci_high,
    ci_level, ci_method, effect_size_dz, test, statistic, p_value, p_adjusted, correction, significant,
    finding and verdict (one sentence; ``unit`` names what a row of ``per_user`` is, e.g. "seed items").
    """
    if test not in ("wilcoxon", "permutation"):
        raise ValidationError(field="test", value=test, rule="must be 'wilcoxon' or 'permutation'")
    if correction not in ("holm", "bh", "none"):
        raise ValidationError(field="correction", value=correction, rule="must be 'holm', 'bh' or 'none'")
    if not 0 < confidence < 1:
        raise ValidationError(field="confidence", value=confidence, rule="must lie strictly between 0 and 1")
    if n_resamples < 1:
        raise ValidationError(field="n_resamples", value=n_resamples, rule="must be at least 1")
    variants = [str(v) for v in per_user.index.get_level_values(VARIANT).unique()]
    if reference not in variants:
        raise ValidationError(
            field="reference", value=reference, rule=f"not a variant; variants are {variants}"
        )
    metrics = list(per_user.columns) if metrics is None else metrics
    ref = per_user.xs(reference, level=VARIANT)[metrics].astype(np.float64)
    alpha = (1 - confidence) / 2
    name = describe_test(test, n_resamples=n_resamples, seed=seed)
    rows = []
    for offset, variant in enumerate(v for v in variants if v != reference):
        other = per_user.xs(variant, level=VARIANT)[metrics].astype(np.float64).reindex(ref.index)
        a, b = ref.to_numpy(), other.to_numpy()
        diffs = b - a
        diffs[np.isnan(a) | np.isnan(b)] = np.nan
        rng = np.random.default_rng([seed, offset])
        boot = bootstrap_means(diffs, n_resamples=n_resamples, rng=rng)
        with warnings.catch_warnings():
            # a metric no user has in both variants (score mass of a scoreless recipe) is all NaN: its
            # interval is NaN, which is the answer, not something to warn about
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = np.nanquantile(boot, [alpha, 1 - alpha], axis=0)
        perm = sign_flip_pvalues(diffs, n_resamples=n_resamples, rng=rng) if test == "permutation" else None
        for j, metric in enumerate(metrics):
            d = diffs[:, j]
            ok = ~np.isnan(d)
            n = int(ok.sum())
            mean_d = float(d[ok].mean()) if n else np.nan
            sd = float(d[ok].std(ddof=1)) if n > 1 else np.nan
            dz = 0.0 if n and np.all(d[ok] == 0) else (mean_d / sd if sd and sd > 0 else np.nan)
            if test == "wilcoxon":
                statistic, p = _wilcoxon(d)
            else:
                statistic, p = mean_d, float(perm[j]) if perm is not None else np.nan
            rows.append(
                {
                    "metric": metric,
                    VARIANT: variant,
                    "reference": reference,
                    "n_users": n,
                    "mean_reference": float(a[ok, j].mean()) if n else np.nan,
                    "mean_variant": float(b[ok, j].mean()) if n else np.nan,
                    "mean_diff": mean_d,
                    "ci_low": float(low[j]),
                    "ci_high": float(high[j]),
                    "ci_level": confidence,
                    "effect_size_dz": dz,
                    "test": name,
                    "statistic": statistic,
                    "p_value": p,
                }
            )
    columns = [
        "metric", VARIANT, "reference", "n_users", "mean_reference", "mean_variant", "mean_diff",
        "ci_low", "ci_high", "ci_level", "effect_size_dz", "test", "statistic", "p_value",
    ]  # fmt: skip
    table = pd.DataFrame(rows, columns=columns)
    n_compared = len(variants) - 1
    method: Correction = correction if n_compared > 1 else "none"
    table["p_adjusted"] = np.nan
    for _, idx in table.groupby("metric", sort=False).groups.items():
        table.loc[idx, "p_adjusted"] = adjust(table.loc[idx, "p_value"].to_numpy(), method)
    table["correction"] = {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "none"}[method]
    table.insert(
        list(table.columns).index("ci_level") + 1,
        "ci_method",
        describe_interval(confidence, n_resamples=n_resamples, seed=seed, n_compared=n_compared),
    )
    verdict.add_verdicts(table, test=test, unit=unit, n_compared=n_compared)
    return table.astype(
        {"metric": "str", VARIANT: "str", "reference": "str", "test": "str", "correction": "str"}
    )
