"""Distribution figures: scores on a log axis (scoreless items beside it) and per-user overlap.

Scores from User-Personalization are softmax probabilities over the whole catalog, so they span
orders of magnitude and need a log axis. Items without a score (SIMS, popularity, recommenders,
placeholders) cannot sit on that axis and must never appear as zeros, so they get their own panel.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from personalize_lab.analysis._columns import SCORE, VARIANT, validate_frame, variant_order
from personalize_lab.errors import ValidationError
from personalize_lab.plots._spec import Spec, axis_refs, grid_layout, merge, subplot_figure
from personalize_lab.plots.theme import MUTED, themed, themed_spec, variant_colors

_SCORE_GRID: dict[str, Any] = {
    "column_widths": [0.78, 0.22],
    "horizontal_spacing": 0.1,
    "subplot_titles": ("Scored items", "Items without a score"),
}


def score_distribution(frame: pd.DataFrame, *, bins: int = 40) -> go.Figure:
    """Per-variant step histogram of scores on a log x axis, plus a bar of scoreless items per variant.

    Non-positive scores (possible only for Personalized-Ranking's unknown items) are counted in the
    right panel as well, labelled ``score ≤ 0``, because a log axis cannot show them.
    """
    return subplot_figure(score_distribution_spec(frame, bins=bins), 1, 2, **_SCORE_GRID)


def score_distribution_spec(frame: pd.DataFrame, *, bins: int = 40) -> Spec:
    """:func:`score_distribution` as a plain plotly dict (see :mod:`personalize_lab.plots._spec`)."""
    validate_frame(frame)
    variants = variant_order(frame)
    colors = variant_colors(variants)
    scores = (
        pd.to_numeric(frame[SCORE], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        if SCORE in frame.columns
        else np.full(len(frame), np.nan)
    )
    has_item = frame["itemId"].notna().to_numpy()
    names = frame[VARIANT].astype(str).to_numpy()
    positive = scores[(scores > 0) & has_item]
    layout = grid_layout(1, 2, **_SCORE_GRID)
    data: list[Spec] = []
    if len(positive):
        lo, hi = positive.min(), positive.max()
        if lo == hi:
            lo, hi = lo / 1.5, hi * 1.5
        edges = np.geomspace(lo, hi, bins + 1)
        centers = np.sqrt(edges[:-1] * edges[1:])
    scoreless, nonpositive = [], []
    for v in variants:
        mine = (names == v) & has_item
        s = scores[mine]
        scoreless.append(int(np.isnan(s).sum()))
        nonpositive.append(int((s <= 0).sum()))
        pos = s[s > 0]
        if len(positive):
            counts, _ = np.histogram(pos, bins=edges)
            data.append(
                {
                    "type": "scatter",
                    "x": centers,
                    "y": counts,
                    "name": v,
                    "legendgroup": v,
                    "mode": "lines",
                    "line": {"shape": "hvh", "color": colors[v], "width": 2},
                    "fill": "tozeroy",
                    "opacity": 0.6,
                    "hovertemplate": f"{_hover_safe(v)}<br>score ≈ %{{x:.3g}}<br>%{{y}} items<extra></extra>",
                    **axis_refs(1),
                }
            )
    data.append(
        {
            "type": "bar",
            "x": variants,
            "y": scoreless,
            "name": "no score",
            "marker": {"color": [colors[v] for v in variants], "pattern": {"shape": "/"}},
            "text": [f"{n:,}" for n in scoreless],
            "textposition": "outside",
            "showlegend": False,
            "hovertemplate": "%{x}: %{y} items without a score<extra></extra>",
            **axis_refs(2),
        }
    )
    if any(nonpositive):
        data.append(
            {
                "type": "bar",
                "x": variants,
                "y": nonpositive,
                "name": "score ≤ 0",
                "marker": {"color": MUTED},
                "text": [f"{n:,} ≤ 0" for n in nonpositive],
                "textposition": "outside",
                "showlegend": False,
                **axis_refs(2),
            }
        )
    total = sum(scoreless)
    merge(
        layout,
        {
            "xaxis": {"type": "log", "title": {"text": "Score (log scale)"}},
            "yaxis": {"title": {"text": "Items"}, "rangemode": "tozero"},
            "xaxis2": {"type": "category", "title": {"text": "Variant"}},
            "yaxis2": {
                "title": {"text": "Items"},
                "rangemode": "tozero",
                "range": [0, max([*scoreless, *nonpositive, 1]) * 1.4],
            },
            "barmode": "group",
        },
    )
    layout["annotations"].append(
        {
            "text": f"{total:,} scoreless items,<br>not plotted as 0",
            "xref": "x2 domain",
            "yref": "y2 domain",
            "x": 0.5,
            "y": 1.0,
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 11, "color": MUTED},
        }
    )
    return themed_spec({"data": data, "layout": layout}, title="Score distribution by variant")


def _hover_safe(text: str) -> str:
    """Keep plotly's hovertemplate placeholders from reading variant names as format fields."""
    return text.replace("%", "%%").replace("{", "(").replace("}", ")")


_OVERLAP_TITLES = {
    "rbo": "Rank-biased overlap (p={p})",
    "jaccard": "Jaccard similarity",
    "overlap@k": "Overlap@{k}",
}


def overlap_histogram(
    overlap: pd.DataFrame, *, metric: str = "rbo", p: float = 0.9, k: int | None = None, bins: int = 20
) -> go.Figure:
    """Histogram over users of one overlap measure (0–1) of each variant against the reference.

    ``overlap`` is :meth:`Comparison.overlap` (columns variant_a, variant_b, the measure).
    """
    if metric not in _OVERLAP_TITLES:
        raise ValidationError(field="metric", value=metric, rule=f"must be one of {sorted(_OVERLAP_TITLES)}")
    missing = [c for c in ("variant_a", "variant_b", metric) if c not in overlap.columns]
    if missing:
        raise ValidationError(f"overlap frame is missing column(s) {missing}", field="overlap")
    label = _OVERLAP_TITLES[metric].format(p=p, k=k if k is not None else "k")
    fig = go.Figure()
    pairs = list(
        dict.fromkeys(zip(overlap["variant_a"].astype(str), overlap["variant_b"].astype(str), strict=True))
    )
    all_variants = list(dict.fromkeys([pairs[0][0], *(b for _, b in pairs)])) if pairs else []
    colors = variant_colors(all_variants)
    for a, b in pairs:
        values = overlap.loc[(overlap["variant_a"] == a) & (overlap["variant_b"] == b), metric]
        fig.add_trace(
            go.Histogram(
                x=values.to_numpy(dtype=np.float64),
                name=f"{b} vs {a}",
                marker={"color": colors[b], "line": {"color": "white", "width": 1}},
                xbins={"start": 0.0, "end": 1.0 + 1e-9, "size": 1.0 / bins},
                opacity=0.75,
            )
        )
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text=label, range=[0, 1.0])
    fig.update_yaxes(title_text="Users")
    return themed(fig, title=f"{label} per user, against the reference")
