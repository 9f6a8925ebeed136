"""A/B comparison of recommendation variants on one long frame: the ``compare`` verb and its result.

``compare(frame)`` computes everything once (per-user metrics, overlap with the reference, paired
statistics, per-variant summary) and returns a :class:`Comparison` that holds the data and its tables.
Figures are functions of it in the layer above (``plots.metric_bars(comparison)``, ``plots.figures``),
and so is the HTML report (``report.to_html(comparison, path)``), as ranx keeps Report apart from plot:
analysis imports neither. It works on any long frame with the column contract — a cohort run,
batch-inference output, or a hand-built frame — and never calls the service.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from personalize_lab.analysis import accuracy, labels, metrics, overlap, stats
from personalize_lab.analysis.encoding import Encoded, encode
from personalize_lab.columns import USER_ID, VARIANT
from personalize_lab.errors import ValidationError


@dataclass
class Comparison:
    """The result of :func:`compare`: the frame, its encoding and the tables computed from them."""

    frame: pd.DataFrame = field(repr=False)
    encoded: Encoded = field(repr=False)
    reference: str
    k: int
    settings: dict[str, Any]
    _per_user: pd.DataFrame = field(repr=False)
    _overlap: pd.DataFrame = field(repr=False)
    _tests: pd.DataFrame = field(repr=False)
    _summary: pd.DataFrame = field(repr=False)

    @property
    def variants(self) -> list[str]:
        return list(self.encoded.variants)

    @property
    def unit(self) -> str:
        """What one list is for, in words: ``users`` or ``seed items`` (related-items requests)."""
        return "users" if self.key == USER_ID else "seed items"

    @property
    def key(self) -> str:
        """The request key column (``userId``, or ``seedItemId`` for related-items requests)."""
        return self.encoded.key

    # --- tables -------------------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """One row per variant: list, promotion, reason, score, coverage, popularity and overlap figures."""
        return self._summary.copy()

    def per_user(self) -> pd.DataFrame:
        """Long: one row per user × variant × metric (columns variant, key, metric, value)."""
        stacked = self._per_user.rename_axis(columns="metric").stack(future_stack=True)
        long = pd.Series(stacked, name="value").reset_index()
        return long.astype({VARIANT: "str", self.key: "str", "metric": "str"})

    def to_frame(self) -> pd.DataFrame:
        """Wide per-user table: one row per variant × user, one column per metric (what the tests used)."""
        return self._per_user.reset_index()

    def overlap(self) -> pd.DataFrame:
        """Per user and variant pair (reference = variant_a): overlap@k, Jaccard, RBO, churn, rank shift."""
        return self._overlap.copy()

    def tests(self) -> pd.DataFrame:
        """Paired statistics of every variant against the reference, with the test and correction named.

        Each method is named in its own column (``test``, ``correction``, ``ci_method``); ``verdict`` says
        the result in one sentence and ``finding`` classifies it (see ``analysis.verdict`` for the rule).
        """
        return self._tests.copy()

    # --- tables for people (human names; the frames above keep snake_case for code) -----------------
    def readable_summary(self, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """:meth:`summary` with human column names; columns no variant has a value for are dropped and
        named, with the reason, in ``attrs["notes"]`` (e.g. catalog coverage without a catalog size)."""
        return labels.readable_summary(self._summary, None if columns is None else list(columns))

    def readable_tests(self, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """:meth:`tests` with human metric and column names and the verdict; methods in ``attrs["notes"]``."""
        return labels.readable_tests(self._tests, columns)

    def promoted_positions(self) -> pd.DataFrame:
        """Count of promoted items at each list position, per variant."""
        return metrics.promoted_positions(self.encoded)

    def category_mix(self, column: str | None = None, *, top: int | None = 12) -> pd.DataFrame:
        """Share of recommended items per category value, per variant."""
        column = column or self.settings.get("category_column")
        if column is None:
            raise ValidationError(
                field="column",
                rule="no category column was given",
                fix="pass compare(..., category_column=...)",
            )
        return metrics.category_mix(self.frame, column, top=top)

    def typical_user(self, variant: str | None = None) -> str:
        """A user whose RBO against the reference is the median one: a fair example for a slope chart."""
        ov = self._overlap
        if variant is not None:
            ov = ov[ov["variant_b"] == variant]
        if not len(ov):
            return str(self.encoded.users[0])
        ordered = ov.sort_values(["rbo", self.key], kind="stable")[self.key]
        return str(ordered.iloc[len(ordered) // 2])

    # --- notebook display ---------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        head = (
            f"<p><b>Comparison</b> of {len(self.variants)} variant(s) over {len(self.encoded.users)} "
            f"{self.unit}, reference <code>{html.escape(self.reference)}</code>, k={self.k}</p>"
        )
        table = self.readable_summary(
            ("users", "mean_list_length", "promoted_share", "mean_rbo", "catalog_coverage")
        )
        summary = table.to_html(index=False, escape=True, float_format="{:.4g}".format) + _notes(table)
        tests = ""
        if len(self._tests):
            t = self.readable_tests(("metric", VARIANT, "p_adjusted", "verdict"))
            tests = t.to_html(index=False, escape=True, float_format="{:.4g}".format) + _notes(t)
        return f"<div class='personalize-lab-comparison'>{head}{summary}{tests}</div>"

    def __repr__(self) -> str:
        return (
            f"Comparison(variants={self.variants}, reference={self.reference!r}, k={self.k}, "
            f"users={len(self.encoded.users)})"
        )


def _notes(table: pd.DataFrame) -> str:
    return "".join(f"<p><i>{html.escape(n)}</i></p>" for n in table.attrs.get("notes", []))


def compare(
    frame: pd.DataFrame,
    *,
    reference: str | None = None,
    k: int | None = None,
    truth: pd.DataFrame | None = None,
    metrics_at: Iterable[str] | None = None,
    item_popularity: pd.Series | None = None,
    catalog_size: int | None = None,
    diversity_column: str | None = None,
    category_column: str | None = None,
    requested_promotion: Mapping[str, float] | None = None,
    test: stats.Test = "wilcoxon",
    correction: stats.Correction = "holm",
    n_resamples: int = 2000,
    confidence: float = 0.95,
    rbo_p: float = 0.9,
    seed: int = 0,
) -> Comparison:
    """Compare every variant of a long recommendation frame with a reference variant.

    frame: one row per recommended item with ``variant``, ``userId`` (or ``seedItemId``), ``rank``,
        ``itemId`` and optionally ``score``, ``promotionName``, ``reason`` and metadata columns. A user
        present in one variant but not another counts as an empty list there.
    reference: the variant the others are compared with (default: the first variant in the frame).
    k: analyse the top k of every list (default: the longest list); overlap@k and accuracy use it.
    truth: held-out interactions (USER_ID/ITEM_ID or userId/itemId) for precision, recall, NDCG, MRR and
        hit rate; ``metrics_at`` picks specs like ``["ndcg@10", "mrr"]`` instead of the five at k.
    item_popularity: interaction counts by itemId, for mean popularity and novelty.
    catalog_size: number of items in the catalog, for coverage and the Gini of recommendation counts.
    diversity_column / category_column: metadata columns for intra-list diversity and category mix.
    requested_promotion: ``percentPromotedItems`` asked for, by variant, e.g. ``{"B": 20}``.
    test, correction, n_resamples, confidence, seed: the paired statistics (see ``analysis.stats``).
    rbo_p: persistence of rank-biased overlap (0.9 weighs roughly the top 10 most).
    """
    enc = encode(frame, k=k)
    if not enc.variants:
        raise ValidationError(field="frame", rule="has no rows", fix="pass a frame with at least one variant")
    ref = enc.variants[0] if reference is None else str(reference)
    if ref not in enc.variants:
        raise ValidationError(
            field="reference",
            value=reference,
            rule=f"is not a variant of the frame; variants are {enc.variants}",
        )
    depth = k if k is not None else int(enc.position.max(initial=1))
    parts = [metrics.list_metrics(enc)]
    if item_popularity is not None:
        parts.append(metrics.popularity_metrics(enc, item_popularity)[0])
    if diversity_column is not None:
        parts.append(metrics.intra_list_diversity(frame, enc, diversity_column).to_frame())
    if truth is not None:
        specs = (
            accuracy.parse_metrics(metrics_at) if metrics_at is not None else accuracy.default_metrics(depth)
        )
        parts.append(accuracy.accuracy_metrics(enc, truth, specs))
    elif metrics_at is not None:
        raise ValidationError(
            field="metrics_at", rule="accuracy metrics need truth", fix="pass truth=held_out"
        )
    per_user = pd.concat(parts, axis=1)
    if category_column is not None:
        metrics.category_mix(frame, category_column)  # validate early, before any figure is asked for
    ov = overlap.overlap_table(enc, ref, k=depth, p=rbo_p)
    # `empty` is list_length == 0 restated; all-NaN columns (e.g. no scores at all) have nothing to test
    tested = [c for c in per_user.columns if c != "empty" and per_user[c].notna().any()]
    table = stats.paired_tests(
        per_user[tested],
        reference=ref,
        test=test,
        correction=correction,
        n_resamples=n_resamples,
        confidence=confidence,
        seed=seed,
        unit="users" if enc.key == USER_ID else "seed items",
    )
    summary = metrics.variant_summary(
        enc, per_user, catalog_size=catalog_size, requested_promotion=requested_promotion
    )
    for col in [c for c in per_user.columns if "@" in c]:
        summary[col] = summary[VARIANT].map(per_user[col].groupby(level=VARIANT).mean())
    if len(ov):
        means = ov.groupby("variant_b")[["overlap@k", "jaccard", "rbo"]].mean()
        for col, name in (
            ("overlap@k", f"mean_overlap@{depth}"),
            ("jaccard", "mean_jaccard"),
            ("rbo", "mean_rbo"),
        ):
            summary[name] = summary[VARIANT].map(means[col]).where(summary[VARIANT] != ref, 1.0)
    settings = {
        "truth": truth is not None,
        "catalog_size": catalog_size,
        "diversity_column": diversity_column,
        "category_column": category_column,
        "test": test,
        "correction": correction,
        "n_resamples": n_resamples,
        "confidence": confidence,
        "rbo_p": rbo_p,
        "seed": seed,
    }
    return Comparison(
        frame=frame,
        encoded=enc,
        reference=ref,
        k=depth,
        settings=settings,
        _per_user=per_user,
        _overlap=ov,
        _tests=table,
        _summary=summary,
    )


__all__ = ["Comparison", "compare"]
