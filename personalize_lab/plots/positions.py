"""Figures about list positions: why items sit where they do, where promotions land, how ranks moved."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from personalize_lab.analysis.comparison import Comparison
from personalize_lab.analysis.encoding import reason_codes, request_key, validate_frame, variant_order
from personalize_lab.columns import DOCUMENTED_REASONS, ITEM_ID, RANK, REASON, VARIANT
from personalize_lab.errors import ValidationError
from personalize_lab.plots.figure_dicts import FigureDict, axis_refs, grid_layout, merge, subplot_figure
from personalize_lab.plots.one_list import no_reason_message
from personalize_lab.plots.text import escape, escape_all
from personalize_lab.plots.theme import DOWN, MUTED, REASON_COLORS, UP, themed, themed_dict, variant_colors

NO_REASON = "No reason"
REASON_ORDER = (*DOCUMENTED_REASONS, NO_REASON)


def reason_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Share of items at each rank per reason label, per variant (long: variant, rank, reason, share).

    An item with several reasons counts 1/n toward each, so the shares at one rank sum to 1.
    """
    validate_frame(frame)
    rows = frame[frame[ITEM_ID].notna()]
    reasons = rows[REASON] if REASON in rows.columns else pd.Series([()] * len(rows), index=rows.index)
    # group on the distinct reason tuples first: there are a handful, while rows can be millions
    codes, distinct = reason_codes(reasons)
    codes = np.where(codes < 0, len(distinct) - 1, codes)
    grouped = (
        pd.DataFrame(
            {
                VARIANT: rows[VARIANT].astype(str).to_numpy(),
                "rank": rows[RANK].to_numpy(dtype="int64"),
                "code": codes,
            }
        )
        .groupby([VARIANT, "rank", "code"], sort=False)
        .size()
        .rename("n")
        .reset_index()
    )
    label_rows = []
    for code, reason_tuple in enumerate(distinct):
        labels = list(reason_tuple) or [NO_REASON]
        for label in labels:
            label_rows.append({"code": code, "reason": label, "weight": 1.0 / len(labels)})
    expanded = grouped.merge(pd.DataFrame(label_rows), on="code")
    expanded["n"] = expanded["n"] * expanded["weight"]
    counts = expanded.groupby([VARIANT, "rank", "reason"], sort=False)["n"].sum()
    totals = counts.groupby(level=[0, 1]).transform("sum")
    out = (counts / totals).rename("share").reset_index()
    return out.astype({VARIANT: "str", "rank": "int64", "reason": "str"})


def reason_breakdown(data: Comparison | pd.DataFrame) -> go.Figure:
    """Stacked bars: at each rank, the share of items by reason; one panel per variant.

    ``data`` is a :class:`Comparison` or a long recommendation frame.
    """
    frame = data.frame if isinstance(data, Comparison) else data
    variants = variant_order(frame)
    return subplot_figure(reason_breakdown_dict(frame), 1, max(len(variants), 1), **_reason_grid(variants))


def _reason_grid(variants: list[str]) -> dict[str, Any]:
    return {"shared_yaxes": True, "subplot_titles": escape_all(variants), "horizontal_spacing": 0.04}


def reason_breakdown_dict(frame: pd.DataFrame) -> FigureDict:
    """:func:`reason_breakdown` as a plain plotly dict (see :mod:`personalize_lab.plots.figure_dicts`)."""
    variants = variant_order(frame)
    shares = reason_shares(frame)
    present = set(shares["reason"])
    labels = [r for r in REASON_ORDER if r in present]
    labels += sorted(present - set(labels))  # any label the service adds later
    layout = grid_layout(1, max(len(variants), 1), **_reason_grid(variants))
    data: list[FigureDict] = []
    in_legend: set[str] = set()
    names = shares[VARIANT].to_numpy()
    reasons = shares["reason"].to_numpy()
    ranks = shares["rank"].to_numpy()
    values = shares["share"].to_numpy()
    for col, v in enumerate(variants, start=1):
        mine = names == v
        for label in labels:
            rows = mine & (reasons == label)
            if not rows.any():
                continue
            order = np.argsort(ranks[rows], kind="stable")
            data.append(
                {
                    "type": "bar",
                    "x": ranks[rows][order].tolist(),
                    "y": values[rows][order].tolist(),
                    "name": escape(label),
                    "legendgroup": escape(label),
                    "showlegend": label not in in_legend,
                    "legendrank": 100 + labels.index(label),
                    "marker": {"color": REASON_COLORS.get(label, MUTED)},
                    "hovertemplate": "rank %{x}: %{y:.0%} %{fullData.name}<extra></extra>",
                    **axis_refs(col),
                }
            )
            in_legend.add(label)
        axis = "xaxis" if col == 1 else f"xaxis{col}"
        merge(
            layout,
            {axis: {"title": {"text": "Rank"}, "dtick": 5 if mine.any() and ranks[mine].max() > 10 else 1}},
        )
    merge(
        layout,
        {
            "yaxis": {"title": {"text": "Share of items"}, "tickformat": ".0%", "range": [0, 1]},
            "barmode": "stack",
            "bargap": 0.1,
        },
    )
    # a grey wall says nothing: say why it is grey. The note is always there (hidden when reasons are
    # given) so a figure updated in place from one answer to the next keeps the same annotations.
    headline, detail = no_reason_message(None)
    layout["annotations"].append(
        {
            "text": f"<b>{headline}</b><br>{detail}",
            "visible": labels == [NO_REASON],
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "bgcolor": "rgba(255,255,255,0.9)",
            "font": {"size": 13, "color": "#3E4C59"},
        }
    )
    by = " and variant" if len(variants) > 1 else ""
    return themed_dict({"data": data, "layout": layout}, title=f"Why items are recommended, by rank{by}")


def promoted_positions(data: Comparison | pd.DataFrame) -> go.Figure:
    """Grouped bars of how many promoted items landed at each position, per variant.

    ``data`` is a :class:`Comparison` or its :meth:`Comparison.promoted_positions` table (variant,
    position, promoted).
    """
    positions = data.promoted_positions() if isinstance(data, Comparison) else data
    missing = [c for c in (VARIANT, "position", "promoted") if c not in positions.columns]
    if missing:
        raise ValidationError(f"positions frame is missing column(s) {missing}", field="positions")
    variants = [str(v) for v in pd.unique(positions[VARIANT].astype(str))]
    colors = variant_colors(variants)
    fig = go.Figure()
    for v in variants:
        part = positions[positions[VARIANT] == v].sort_values("position")
        fig.add_trace(
            go.Bar(
                x=part["position"].to_numpy(),
                y=part["promoted"].to_numpy(),
                name=escape(v),
                marker={"color": colors[v]},
            )
        )
    fig.update_xaxes(title_text="Position in the list", dtick=1)
    fig.update_yaxes(title_text="Promoted items")
    fig.update_layout(barmode="group")
    return themed(fig, title="Where promoted items land")


def rank_shift(
    data: Comparison | pd.DataFrame,
    user: str,
    *,
    variants: tuple[str, str] | None = None,
    k: int | None = None,
) -> go.Figure:
    """Slope chart of one user's list: each shared item joins its rank in ``variants[0]`` and ``[1]``.

    ``data`` is a :class:`Comparison` (``variants`` default: its reference and the first other variant;
    ``k``: its depth) or a long recommendation frame (``variants`` required). Items that moved up are
    green, down orange, unchanged grey; items in only one list are hollow markers on their side. The rank
    axis runs downward (rank 1 on top). :meth:`Comparison.typical_user` picks a fair ``user``.
    """
    if isinstance(data, Comparison):
        frame = data.frame
        other = next((v for v in data.variants if v != data.reference), data.reference)
        variants = variants or (data.reference, other)
        k = data.k if k is None else k
    else:
        frame = data
    if variants is None:
        raise ValidationError(
            field="variants",
            rule="a frame has no reference variant to start from",
            fix="pass variants=('A', 'B'), or a Comparison",
        )
    key = request_key(frame)
    validate_frame(frame)
    left, right = (str(v) for v in variants)
    known = set(variant_order(frame))
    for v in (left, right):
        if v not in known:
            raise ValidationError(
                field="variants", value=v, rule=f"not a variant; variants are {sorted(known)}"
            )
    mine = frame[(frame[key].astype(str) == str(user)) & frame[ITEM_ID].notna()]
    if mine.empty:
        raise ValidationError(field="user", value=user, rule=f"has no recommendations in the frame ({key})")

    def ranks(v: str) -> dict[str, int]:
        part = mine[mine[VARIANT].astype(str) == v].sort_values(RANK)
        items = list(dict.fromkeys(part[ITEM_ID].astype(str)))[:k]
        return {item: i + 1 for i, item in enumerate(items)}

    ra, rb = ranks(left), ranks(right)
    fig = go.Figure()
    groups: dict[str, tuple[list[object], list[object], list[str]]] = {
        "moved up": ([], [], []),
        "moved down": ([], [], []),
        "same rank": ([], [], []),
    }
    # numeric x (0 = left, 1 = right) leaves room beside the markers for the item labels
    for item, a in ra.items():
        if item in rb:
            b = rb[item]
            name = "moved up" if b < a else "moved down" if b > a else "same rank"
            xs, ys, texts = groups[name]
            xs += [0, 1, None]
            ys += [a, b, None]
            texts += [escape(item), escape(item), ""]
    for (name, (xs, ys, texts)), color in zip(groups.items(), (UP, DOWN, MUTED), strict=True):
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines+markers", name=name, line={"color": color, "width": 2},
                marker={"size": 7}, text=texts, hovertemplate="%{text}: rank %{y}<extra></extra>",
            )
        )  # fmt: skip
    only_a = [(i, r) for i, r in ra.items() if i not in rb]
    only_b = [(i, r) for i, r in rb.items() if i not in ra]
    for name, side, items in (
        (f"only in {escape(left)}", 0, only_a),
        (f"only in {escape(right)}", 1, only_b),
    ):
        fig.add_trace(
            go.Scatter(
                x=[side] * len(items), y=[r for _, r in items], mode="markers", name=name,
                marker={"symbol": "circle-open", "size": 9, "color": MUTED, "line": {"width": 2}},
                text=[escape(i) for i, _ in items], hovertemplate="%{text}: rank %{y}<extra></extra>",
            )
        )  # fmt: skip
    pad = "   "
    for side, table, position in ((0, ra, "middle left"), (1, rb, "middle right")):
        fig.add_trace(
            go.Scatter(
                x=[side] * len(table), y=list(table.values()), mode="text",
                text=[f"{escape(i)}{pad}" if side == 0 else f"{pad}{escape(i)}" for i in table],
                textposition=position, showlegend=False, hoverinfo="skip", textfont={"size": 11},
            )
        )  # fmt: skip
    depth = max([*ra.values(), *rb.values(), 1])
    fig.update_yaxes(
        title_text="Rank", autorange=False, range=[depth + 0.8, 0.2], dtick=1 if depth <= 25 else 5
    )
    fig.update_xaxes(
        title_text="Variant", tickvals=[0, 1], ticktext=escape_all([left, right]), range=[-0.45, 1.45],
        showgrid=False, zeroline=False,
    )  # fmt: skip
    return themed(
        fig,
        title=escape(f"Rank shift for {key} {user}: {left} → {right}"),
        height=max(420, 22 * depth + 160),
    )
