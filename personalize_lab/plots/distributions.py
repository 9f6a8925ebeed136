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

from personalize_lab.analysis.comparison import Comparison
from personalize_lab.analysis.encoding import validate_frame, variant_order
from personalize_lab.columns import SCORE, VARIANT
from personalize_lab.errors import ValidationError
from personalize_lab.plots.figure_dicts import FigureDict, axis_refs, grid_layout, merge, subplot_figure
from personalize_lab.plots.text import escape, escape_all
from personalize_lab.plots.theme import LEGEND_BELOW, MUTED, themed, themed_dict, variant_colors

_SCORE_GRID: dict[str, Any] = {
    "column_widths": [0.78, 0.22],
    "horizontal_spacing": 0.12,
    "subplot_titles": ("Scored items", "No score"),
}


def _score_grid(n_variants: int) -> tuple[int, dict[str, Any]]:
    """Columns and ``make_subplots`` options: the scoreless panel only when there are variants to compare.

    With one variant the side panel would be one bar in a fifth of the width (its labels clipped at
    the Explorer's 620 px); its count goes into a note on the histogram instead.
    """
    return (2, _SCORE_GRID) if n_variants > 1 else (1, {})


def score_distribution(data: Comparison | pd.DataFrame, *, bins: int | None = None) -> go.Figure:
    """Per-variant step histogram of scores on a log x axis, plus a bar of scoreless items per variant.

    ``data`` is a :class:`Comparison` or a long recommendation frame (one list is a frame too).

    Non-positive scores (possible only for Personalized-Ranking's unknown items) are counted in the
    right panel as well, labelled ``score ≤ 0``, because a log axis cannot show them. With one variant
    the figure is the histogram alone, and the scoreless count is a note on it. ``bins`` defaults to
    about two per square root of the scored items (8 to 40), so one list of 25 is not a comb.
    """
    frame = data.frame if isinstance(data, Comparison) else data
    validate_frame(frame)
    cols, grid = _score_grid(len(variant_order(frame)))
    return subplot_figure(score_distribution_dict(frame, bins=bins), 1, cols, **grid)


def score_distribution_dict(frame: pd.DataFrame, *, bins: int | None = None) -> FigureDict:
    """:func:`score_distribution` as a plain JSON-ready plotly dict (see :mod:`personalize_lab.plots.figure_dicts`)."""
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
    cols, grid = _score_grid(len(variants))
    layout = grid_layout(1, cols, **grid)
    data: list[FigureDict] = []
    if len(positive):
        lo, hi = positive.min(), positive.max()
        if lo == hi:
            lo, hi = lo / 1.5, hi * 1.5
        n_bins = bins or int(np.clip(round(2 * np.sqrt(len(positive))), 8, 40))
        edges = np.geomspace(lo, hi, n_bins + 1)
        centers = np.sqrt(edges[:-1] * edges[1:]).tolist()
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
                    "y": counts.tolist(),
                    "name": escape(v),
                    "legendgroup": escape(v),
                    "showlegend": cols > 1,
                    "mode": "lines",
                    "line": {"shape": "hvh", "color": colors[v], "width": 2},
                    "fill": "tozeroy",
                    "opacity": 0.6,
                    "hovertemplate": "%{fullData.name}<br>score ≈ %{x:.3g}<br>%{y} items<extra></extra>",
                    **axis_refs(1),
                }
            )
    merge(
        layout,
        {
            "xaxis": {**_log_ticks(positive), "type": "log", "title": {"text": "Score (log scale)"}},
            "yaxis": {"title": {"text": "Items"}, "rangemode": "tozero"},
            "legend": dict(LEGEND_BELOW),
        },
    )
    if cols > 1:
        _scoreless_panel(layout, data, variants, colors, scoreless, nonpositive)
    else:
        layout.setdefault("annotations", []).append(_scoreless_note(sum(scoreless), nonpositive))
    title = "Score distribution" + (" by variant" if len(variants) > 1 else "")
    return themed_dict({"data": data, "layout": layout}, title=title)


def _log_ticks(positive: np.ndarray) -> dict[str, Any]:
    """One labelled tick per decade when the scores span one (no "2" and "5" minor labels)."""
    if len(positive) and positive.max() / positive.min() >= 10:
        return {"dtick": 1, "exponentformat": "power", "showexponent": "all", "minor": {"ticks": ""}}
    return {"exponentformat": "power", "showexponent": "all"}


def _scoreless_note(scoreless: int, nonpositive: list[int]) -> FigureDict:
    """The one-variant figure's stand-in for the scoreless panel (top right of the histogram)."""
    text = f"{scoreless:,} item{'s' if scoreless != 1 else ''} without a score, not plotted as 0"
    if any(nonpositive):
        text += f"<br>{sum(nonpositive):,} with score ≤ 0, not on the log axis"
    return {
        "text": text,
        "visible": bool(scoreless or any(nonpositive)),  # kept when hidden: the same layout every answer
        "xref": "x domain",
        "yref": "y domain",
        "x": 1.0,
        "y": 1.0,
        "xanchor": "right",
        "yanchor": "bottom",
        "align": "right",
        "showarrow": False,
        "font": {"size": 11, "color": MUTED},
    }


def _scoreless_panel(
    layout: FigureDict,
    data: list[FigureDict],
    variants: list[str],
    colors: dict[str, str],
    scoreless: list[int],
    nonpositive: list[int],
) -> None:
    """The right panel: a bar of scoreless (and non-positive) items per variant."""
    data.append(
        {
            "type": "bar",
            "x": escape_all(variants),
            "y": scoreless,
            "name": "no score",
            "marker": {"color": [colors[v] for v in variants], "pattern": {"shape": "/"}},
            "text": [f"{n:,}" for n in scoreless],
            "textposition": "outside",
            "cliponaxis": False,
            "showlegend": False,
            "hovertemplate": "%{x}: %{y} items without a score<extra></extra>",
            **axis_refs(2),
        }
    )
    if any(nonpositive):
        data.append(
            {
                "type": "bar",
                "x": escape_all(variants),
                "y": nonpositive,
                "name": "score ≤ 0",
                "marker": {"color": MUTED},
                "text": [f"{n:,} ≤ 0" for n in nonpositive],
                "textposition": "outside",
                "cliponaxis": False,
                "showlegend": False,
                **axis_refs(2),
            }
        )
    total = sum(scoreless)
    merge(
        layout,
        {
            "xaxis2": {
                "type": "category",
                "title": {"text": "Variant"},
                "tickangle": -30,
                "automargin": True,
            },
            "yaxis2": {
                "title": {"text": "Items"},
                "rangemode": "tozero",
                "range": [0, max([*scoreless, *nonpositive, 1]) * 1.7],
            },
            "barmode": "group",
        },
    )
    layout["annotations"].append(
        {
            "text": f"{total:,} item{'s' if total != 1 else ''},<br>not plotted as 0",
            "xref": "x2 domain",
            "yref": "y2 domain",
            "x": 0.5,
            "y": 1.0,
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 11, "color": MUTED},
        }
    )


_OVERLAP_TITLES = {
    "rbo": "Rank-biased overlap (p={p})",
    "jaccard": "Jaccard similarity",
    "overlap@k": "Overlap@{k}",
}


def overlap_histogram(
    data: Comparison | pd.DataFrame,
    *,
    metric: str = "rbo",
    p: float | None = None,
    k: int | None = None,
    bins: int = 20,
) -> go.Figure:
    """Histogram over users of one overlap measure (0–1) of each variant against the reference.

    ``data`` is a :class:`Comparison` (its RBO persistence ``p`` and depth ``k`` label the axis) or a
    table like :meth:`Comparison.overlap` (columns variant_a, variant_b, the measure; ``p`` defaults to 0.9).
    """
    if isinstance(data, Comparison):
        overlap = data.overlap()
        p = data.settings["rbo_p"] if p is None else p
        k = data.k if k is None else k
    else:
        overlap = data
    if metric not in _OVERLAP_TITLES:
        raise ValidationError(field="metric", value=metric, rule=f"must be one of {sorted(_OVERLAP_TITLES)}")
    missing = [c for c in ("variant_a", "variant_b", metric) if c not in overlap.columns]
    if missing:
        raise ValidationError(f"overlap frame is missing column(s) {missing}", field="overlap")
    label = _OVERLAP_TITLES[metric].format(p=0.9 if p is None else p, k=k if k is not None else "k")
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
                name=escape(f"{b} vs {a}"),
                marker={"color": colors[b], "line": {"color": "white", "width": 1}},
                xbins={"start": 0.0, "end": 1.0 + 1e-9, "size": 1.0 / bins},
                opacity=0.75,
            )
        )
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text=label, range=[0, 1.0])
    fig.update_yaxes(title_text="Users")
    return themed(fig, title=f"{label} per user, against the reference")
