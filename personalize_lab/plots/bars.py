"""Bar figures of tables: metric changes with confidence intervals, and the category mix per variant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from personalize_lab.analysis._columns import VARIANT
from personalize_lab.errors import ValidationError
from personalize_lab.plots.theme import CATEGORY_PALETTE, MUTED, themed, variant_colors

_TEST_COLUMNS = ("metric", VARIANT, "reference", "mean_reference", "mean_diff", "ci_low", "ci_high")


def metric_bars(tests: pd.DataFrame, *, metrics: list[str] | None = None, alpha: float = 0.05) -> go.Figure:
    """Relative change of each metric against the reference (%), bars with bootstrap CI error bars.

    ``tests`` is :meth:`Comparison.tests`. Relative change = mean difference / |reference mean|, so
    metrics of different scales share one axis; metrics whose reference mean is 0 are left out (their
    absolute change is in the table). Bars whose adjusted p-value is below ``alpha`` are marked ``*``.
    """
    missing = [c for c in _TEST_COLUMNS if c not in tests.columns]
    if missing:
        raise ValidationError(f"tests frame is missing column(s) {missing}", field="tests")
    table = tests if metrics is None else tests[tests["metric"].isin(metrics)]
    base = table["mean_reference"].abs()
    table = table[(base > 0) & table["mean_diff"].notna()].copy()
    scale = 100.0 / table["mean_reference"].abs()
    table["change"] = table["mean_diff"] * scale
    table["low"] = table["ci_low"] * scale
    table["high"] = table["ci_high"] * scale
    p_col = "p_adjusted" if "p_adjusted" in table.columns else "p_value"
    reference = str(tests["reference"].iloc[0]) if len(tests) else "reference"
    variants = [str(v) for v in pd.unique(table[VARIANT].astype(str))]
    colors = variant_colors([reference, *variants])
    fig = go.Figure()
    for v in variants:
        part = table[table[VARIANT] == v]
        p = part[p_col].to_numpy(dtype=np.float64) if p_col in part.columns else np.full(len(part), np.nan)
        fig.add_trace(
            go.Bar(
                x=part["metric"].to_numpy(),
                y=part["change"].to_numpy(),
                name=f"{v} vs {reference}",
                marker={"color": colors[v]},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["high"] - part["change"]).to_numpy(),
                    "arrayminus": (part["change"] - part["low"]).to_numpy(),
                    "color": "#3E4C59",
                    "thickness": 1.5,
                },
                text=["*" if q < alpha else "" for q in p],
                textposition="outside",
                customdata=np.c_[part["mean_diff"].to_numpy(), p],
                hovertemplate=(
                    "%{x}: %{y:+.1f}%<br>Δ = %{customdata[0]:.4g}, p = %{customdata[1]:.3g}<extra></extra>"
                ),
            )
        )
    level = float(tests["ci_level"].iloc[0]) * 100 if "ci_level" in tests.columns and len(tests) else 95.0
    fig.add_hline(y=0, line={"color": MUTED, "width": 1})
    fig.update_xaxes(title_text="Metric (per user, paired)", tickangle=-30)
    fig.update_yaxes(title_text=f"Change vs {reference} (%)", ticksuffix="%")
    fig.update_layout(barmode="group")
    return themed(
        fig, title=f"Change against {reference}, with {level:.0f}% bootstrap intervals (* p<{alpha})"
    )


def category_mix(mix: pd.DataFrame, *, column: str | None = None) -> go.Figure:
    """Horizontal stacked bars: the share of recommended items per category, one bar per variant.

    ``mix`` is :meth:`Comparison.category_mix` (variant, category, share).
    """
    missing = [c for c in (VARIANT, "category", "share") if c not in mix.columns]
    if missing:
        raise ValidationError(f"category mix frame is missing column(s) {missing}", field="mix")
    variants = [str(v) for v in pd.unique(mix[VARIANT].astype(str))]
    order = mix.groupby("category")["share"].sum().sort_values(ascending=False).index
    fig = go.Figure()
    palette = CATEGORY_PALETTE
    for i, cat in enumerate(order):
        part = mix[mix["category"] == cat].set_index(VARIANT)["share"].reindex(variants).fillna(0.0)
        fig.add_trace(
            go.Bar(
                y=variants,
                x=part.to_numpy(),
                name=str(cat),
                orientation="h",
                marker={"color": MUTED if cat in ("(other)", "(missing)") else palette[i % len(palette)]},
                hovertemplate="%{y}: %{x:.1%}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_xaxes(title_text="Share of recommended items", tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title_text="Variant", type="category", autorange="reversed")
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    label = f" ({column})" if column else ""
    return themed(fig, title=f"Category mix per variant{label}", height=max(300, 80 * len(variants) + 200))
