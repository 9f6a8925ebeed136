"""Bar figures of tables: metric changes with confidence intervals and verdict marks, and the category mix."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from personalize_lab.analysis import labels
from personalize_lab.analysis.comparison import Comparison
from personalize_lab.columns import VARIANT
from personalize_lab.errors import ValidationError
from personalize_lab.plots.text import escape, escape_all
from personalize_lab.plots.theme import CATEGORY_PALETTE, MUTED, themed, variant_colors

_TEST_COLUMNS = ("metric", VARIANT, "reference", "mean_reference", "mean_diff", "ci_low", "ci_high")
_MARKS = {"difference": "*", "inconclusive": "?"}
_PANELS = {
    "level": "Change vs {ref} (% of {ref}'s mean)",
    "share": "Change vs {ref} (percentage points)",
}


def _marks(table: pd.DataFrame, alpha: float) -> list[str]:
    """``*`` where the verdict found a difference, ``?`` where it is inconclusive (``analysis.verdict``).

    A tests frame without a ``finding`` column (hand-built) falls back to adjusted p < ``alpha``.
    """
    if "finding" in table.columns:
        return [_MARKS.get(str(f), "") for f in table["finding"]]
    p_col = "p_adjusted" if "p_adjusted" in table.columns else "p_value"
    p = table[p_col].to_numpy(dtype=np.float64) if p_col in table.columns else np.full(len(table), np.nan)
    return ["*" if q < alpha else "" for q in p]


def _scaled(tests: pd.DataFrame, metrics: list[str] | None) -> pd.DataFrame:
    """Rows that can be drawn, with change/low/high in the verdict's unit and the panel they go in."""
    table = tests if metrics is None else tests[tests["metric"].isin(metrics)]
    table = table[table["mean_diff"].notna()].copy()
    scale = np.array(
        [labels.relative_scale(m, r) for m, r in zip(table["metric"], table["mean_reference"], strict=True)],
        dtype=np.float64,
    )
    table["change"] = table["mean_diff"] * scale
    table["low"] = table["ci_low"] * scale
    table["high"] = table["ci_high"] * scale
    table["panel"] = ["share" if labels.is_share(m) else "level" for m in table["metric"]]
    table["name"] = [labels.label(m) for m in table["metric"]]
    return table[np.isfinite(scale)]


def metric_bars(
    data: Comparison | pd.DataFrame, *, metrics: Iterable[str] | None = None, alpha: float = 0.05
) -> go.Figure:
    """Change of each metric against the reference: bars with the bootstrap interval as whiskers.

    ``data`` is a :class:`Comparison` or its :meth:`Comparison.tests` table. Changes are in the unit the verdicts use: levels (list length,
    popularity, NDCG) as % of the reference's mean in the left panel, shares (promoted, exploration) in
    percentage points in the right one; a level whose reference mean is 0 has no relative change and is
    left out (its absolute change is in the table). Marks sit beyond the whisker's end, never under it:
    ``*`` where the verdict finds a difference (the corrected test rejects and the interval excludes 0),
    ``?`` where it is inconclusive (they disagree). Metric names are the human ones (``analysis.labels``).
    """
    tests = data.tests() if isinstance(data, Comparison) else data
    missing = [c for c in _TEST_COLUMNS if c not in tests.columns]
    if missing:
        raise ValidationError(f"tests frame is missing column(s) {missing}", field="tests")
    table = _scaled(tests, None if metrics is None else list(metrics))
    table["mark"] = _marks(table, alpha)
    reference = str(tests["reference"].iloc[0]) if len(tests) else "reference"
    variants = [str(v) for v in pd.unique(table[VARIANT].astype(str))]
    colors = variant_colors([reference, *variants])
    panels = [p for p in _PANELS if (table["panel"] == p).any()] or ["level"]
    widths = [max(1, table.loc[table["panel"] == p, "metric"].nunique()) for p in panels]
    fig = make_subplots(
        rows=1, cols=len(panels), column_widths=[w / sum(widths) for w in widths], horizontal_spacing=0.1
    )
    for col, panel in enumerate(panels, start=1):
        part = table[table["panel"] == panel]
        span = float(np.nanmax(np.r_[part["high"], 0.0]) - np.nanmin(np.r_[part["low"], 0.0])) or 1.0
        pad = 0.06 * span
        for v in variants:
            rows = part[part[VARIANT] == v]
            _add_variant(fig, rows, v, reference, colors[v], pad, col=col, legend=col == 1)
        top = np.nanmax(np.r_[part["high"], 0.0]) + 2.5 * pad
        bottom = np.nanmin(np.r_[part["low"], 0.0]) - 2.5 * pad
        suffix = "%" if panel == "level" else ""
        fig.update_yaxes(
            title_text=_PANELS[panel].format(ref=escape(reference)),
            ticksuffix=suffix,
            range=[bottom, top],
            col=col,
        )
        fig.add_hline(y=0, line={"color": MUTED, "width": 1}, col=col)
    fig.update_xaxes(tickangle=-30)
    fig.update_xaxes(title_text="Metric (per user, paired)", col=1)
    fig.update_layout(barmode="group", scattermode="group")
    level = float(tests["ci_level"].iloc[0]) if "ci_level" in tests.columns and len(tests) else 0.95
    method = _method(tests, level, alpha)
    themed(fig, title=f"Change against {escape(reference)}, with {level:.0%} bootstrap intervals", height=480)
    fig.update_layout(title={"subtitle": {"text": method, "font": {"size": 12, "color": MUTED}}})
    return fig


def _method(tests: pd.DataFrame, level: float, alpha: float) -> str:
    """The subtitle: what the whiskers are and what ``*`` / ``?`` mean, in the tests' own terms."""
    if not len(tests) or "test" not in tests.columns:
        return f"* p < {alpha:g}"
    row = tests.iloc[0]
    correction = str(row.get("correction", "none"))
    adjusted = "" if correction == "none" else f"{escape(correction)}-adjusted "
    test = escape(str(row["test"]).split(" (")[0])
    return (
        f"Whiskers: {level:.0%} bootstrap CI of the mean (not corrected). * difference: {adjusted}"
        f"{test} p < {1 - level:.2g} and the interval excludes 0; ? inconclusive: they disagree"
    )


def _add_variant(
    fig: go.Figure,
    rows: pd.DataFrame,
    variant: str,
    reference: str,
    color: str,
    pad: float,
    *,
    col: int,
    legend: bool,
) -> None:
    """One variant's bars and, beside each whisker's far end, its mark (same offset group)."""
    x = escape_all(rows["name"])
    verdicts = escape_all(rows["verdict"]) if "verdict" in rows.columns else [""] * len(rows)
    fig.add_trace(
        go.Bar(
            x=x,
            y=rows["change"].to_numpy(),
            name=escape(f"{variant} vs {reference}"),
            legendgroup=escape(variant),
            showlegend=legend,
            offsetgroup=escape(variant),
            marker={"color": color},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (rows["high"] - rows["change"]).to_numpy(),
                "arrayminus": (rows["change"] - rows["low"]).to_numpy(),
                "color": "#3E4C59",
                "thickness": 1.5,
            },
            customdata=np.c_[rows["mean_diff"].to_numpy(), np.array(verdicts, dtype=object)],
            hovertemplate="%{x}: %{y:+.3g}<br>Δ mean = %{customdata[0]:.4g}<br>%{customdata[1]}<extra></extra>",
        ),
        row=1,
        col=col,
    )
    up = rows["change"].to_numpy() >= 0
    fig.add_trace(
        go.Scatter(
            x=x,
            y=np.where(up, rows["high"] + 0.5 * pad, rows["low"] - 0.5 * pad),
            mode="text",
            text=rows["mark"].to_numpy(),
            textposition=["top center" if u else "bottom center" for u in up],
            textfont={"size": 16, "color": "#1F2933"},
            offsetgroup=escape(variant),
            legendgroup=escape(variant),
            showlegend=False,
            hoverinfo="skip",
            cliponaxis=False,
        ),
        row=1,
        col=col,
    )


def category_mix(data: Comparison | pd.DataFrame, *, column: str | None = None) -> go.Figure:
    """Horizontal stacked bars: the share of recommended items per category, one bar per variant.

    ``data`` is a :class:`Comparison` (``column`` defaults to its ``category_column``) or a table like
    :meth:`Comparison.category_mix` (variant, category, share; ``column`` then only labels the title).
    """
    if isinstance(data, Comparison):
        column = column or data.settings.get("category_column")
        mix = data.category_mix(column)
    else:
        mix = data
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
                y=escape_all(variants),
                x=part.to_numpy(),
                name=escape(cat),
                orientation="h",
                marker={"color": MUTED if cat in ("(other)", "(missing)") else palette[i % len(palette)]},
                hovertemplate="%{y}: %{x:.1%}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_xaxes(title_text="Share of recommended items", tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title_text="Variant", type="category", autorange="reversed")
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    label = f" ({escape(column)})" if column else ""
    return themed(fig, title=f"Category mix per variant{label}", height=max(300, 80 * len(variants) + 200))
