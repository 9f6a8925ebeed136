"""Figures that explain one answer: why each item sits at its rank, and which reasons the answer gives.

A cohort view (histograms, shares per rank) says little about one list of 25 items. These figures read one
list item by item. A list is sorted by score except where the service says otherwise: promoted items go
to random positions (semantics §4), explored items are sampled into a few slots (§5, labelled
``Exploration`` by User-Personalization-v2 only), and v2 appends scoreless "Popular item" placeholders.
An item below which a higher-scored ordinary item sits is *out of order*; when no reason explains it (v1
recipes label nothing) it is almost always exploration, and the figure says so in words.

Both builders return plain JSON-ready dicts (lists, ``None`` for a missing score, no numpy values) so a
widget can send them to the browser as they are; ``layout.meta`` is left to the caller.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from personalize_lab.columns import (
    DOCUMENTED_REASONS,
    ITEM_ID,
    PROMOTION_NAME,
    RANK,
    REASON,
    REASON_EXPLORATION,
    REASON_POPULAR,
    REASON_PROMOTED,
    REQUEST_KEYS,
    SCORE,
    VARIANT,
)
from personalize_lab.errors import ValidationError
from personalize_lab.plots.figure_dicts import FigureDict
from personalize_lab.plots.text import escape, escape_all
from personalize_lab.plots.theme import (
    ITEM_MARKERS,
    LEGEND_BELOW,
    MUTED,
    REASON_COLORS,
    score_axis,
    themed_dict,
    variant_colors,
)

NO_REASON_GIVEN = "No reason given"
#: The kinds of item the rank figure marks, in legend order.
KINDS = ("in score order", "out of order", "explored", "promoted", "placeholder", "no score")
_REASON_COLOR = {**REASON_COLORS, NO_REASON_GIVEN: REASON_COLORS["No reason"]}
_LINE = 88  # characters of subtitle per line at 620 px (11 px font)


@dataclass(frozen=True)
class _List:
    """One list as plain arrays in rank order."""

    rank: np.ndarray  # int64
    item: list[str]
    title: list[str] | None  # the TITLE metadata column when the answer carries it
    score: np.ndarray  # float64, NaN = no score
    promotion: list[str | None]
    reasons: list[tuple[str, ...]]
    variant: str

    @property
    def promoted(self) -> np.ndarray:
        return np.array(
            [
                p is not None or REASON_PROMOTED in r
                for p, r in zip(self.promotion, self.reasons, strict=True)
            ],
            dtype=bool,
        )

    def has(self, label: str) -> np.ndarray:
        return np.array([label in r for r in self.reasons], dtype=bool)


def _one_list(frame: pd.DataFrame, what: str) -> _List:
    """``frame``'s single list, validated: rank and itemId are needed; variant and request key optional."""
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(
            f"frame must be a pandas DataFrame, got {type(frame).__name__}",
            field="frame",
            fix="pass one answer's frame (lab.recommend(...) or one list of a long frame)",
        )
    missing = [c for c in (RANK, ITEM_ID) if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"frame is missing column(s) {missing}; it has {list(map(str, frame.columns))}",
            field="frame",
            rule=f"{what} needs rank and itemId",
            fix="pass the frame lab.recommend(...) returns",
        )
    for column in (VARIANT, *REQUEST_KEYS):
        if column in frame.columns and frame[column].nunique(dropna=False) > 1:
            values = [str(v) for v in pd.unique(frame[column].astype(str))][:5]
            raise ValidationError(
                field=column,
                value=values,
                rule=f"{what} draws one list, this frame holds several",
                fix=f"select one list first, e.g. frame[frame[{column!r}] == {values[0]!r}]",
            )
    rows = frame[frame[ITEM_ID].notna()].sort_values(RANK, kind="stable")
    n = len(rows)
    score = (
        pd.to_numeric(rows[SCORE], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        if SCORE in rows.columns
        else np.full(n, np.nan)
    )
    promotion: list[str | None] = (
        [None if pd.isna(p) else str(p) for p in rows[PROMOTION_NAME]]
        if PROMOTION_NAME in rows.columns
        else [None] * n
    )
    reasons: list[tuple[str, ...]] = (
        [tuple(r) if isinstance(r, (list, tuple)) else () for r in rows[REASON]]
        if REASON in rows.columns
        else [()] * n
    )
    title = [str(t) for t in rows["TITLE"].fillna("")] if "TITLE" in rows.columns else None
    variant = str(rows[VARIANT].iloc[0]) if VARIANT in rows.columns and n else ""
    return _List(
        rank=rows[RANK].to_numpy(dtype="int64", na_value=0),
        item=[str(i) for i in rows[ITEM_ID]],
        title=title,
        score=score,
        promotion=promotion,
        reasons=reasons,
        variant=variant,
    )


def _higher_below(lst: _List, ordinary: np.ndarray) -> np.ndarray:
    """Per item: how many later ordinary items have a higher score (0 for scoreless items).

    Only ordinary items (scored, neither promoted nor explored) count as "later": a promoted item placed
    low with a high score does not make the items above it out of order; it is the one out of place.
    """
    s = lst.score
    later = np.triu(np.ones((len(s), len(s)), dtype=bool), k=1)  # later[i, j]: j comes after i
    with np.errstate(invalid="ignore"):
        higher = s[None, :] > s[:, None]  # NaN compares False: scoreless items never count
    return (later & higher & ordinary[None, :]).sum(axis=1)


def _kinds(lst: _List) -> tuple[np.ndarray, np.ndarray]:
    """Each item's kind (one of :data:`KINDS`) and how many later ordinary items outscore it.

    The service's own marks come first (a v2 explored item may have no score: it was sampled from
    outside the scored pool); scoreless items keep their kind and are drawn in the "no score" strip.
    """
    scored = ~np.isnan(lst.score)
    promoted, explored, popular = lst.promoted, lst.has(REASON_EXPLORATION), lst.has(REASON_POPULAR)
    ordinary = scored & ~promoted & ~explored & ~popular
    above = _higher_below(lst, ordinary)
    kind = np.select(
        [promoted, explored, popular, ~scored, above > 0],
        ["promoted", "explored", "placeholder", "no score", "out of order"],
        "in score order",
    )
    return kind, above


def _ranks_text(ranks: np.ndarray, noun: str = "item") -> str:
    """``Rank 4`` / ``Ranks 4, 9, 11`` / ``5 items`` (more than three ranks read worse than a count)."""
    if len(ranks) == 1:
        return f"Rank {ranks[0]}"
    if len(ranks) <= 3:
        return "Ranks " + ", ".join(str(r) for r in ranks)
    return f"{len(ranks)} {noun}s"


def _plural(ranks: np.ndarray, one: str, many: str) -> str:
    return one if len(ranks) == 1 else many


def explain_order(lst: _List, kind: np.ndarray) -> list[str]:
    """Sentences that say why items sit where they do, most surprising first."""
    r = lst.rank
    sentences = []
    unmarked = r[kind == "out of order"]
    if len(unmarked):
        sentences.append(
            f"{_ranks_text(unmarked)} {_plural(unmarked, 'sits', 'sit')} above higher-scored items"
            ", unlabelled: exploration (v1 gives no reasons)."
        )
    explored = r[kind == "explored"]
    if len(explored):
        sentences.append(
            f"{_ranks_text(explored)} {_plural(explored, 'is', 'are')} exploration"
            " (new or rarely seen items)."
        )
    promoted = r[kind == "promoted"]
    if len(promoted):
        sentences.append(
            f"{_ranks_text(promoted)} {_plural(promoted, 'is', 'are')} promoted:"
            " promotions go to random positions."
        )
    placeholders = r[kind == "placeholder"]
    if len(placeholders):
        sentences.append(
            f"{_ranks_text(placeholders)} {_plural(placeholders, 'is a', 'are')} popular"
            f" placeholder{_plural(placeholders, '', 's')}: the filter left too few items."
        )
    scoreless = r[kind == "no score"]
    if len(scoreless) == len(r) and len(r):
        sentences.append("No item has a score: this recipe orders items without one.")
    elif len(scoreless):
        sentences.append(
            f"{_ranks_text(scoreless)} {_plural(scoreless, 'has', 'have')} no score: drawn in the strip"
            " below, never as 0."
        )
    if not sentences:
        sentences.append("Every item sits in score order.")
    return sentences


def _wrap(sentences: list[str], width: int = _LINE, lines: int = 2) -> str:
    """The sentences as at most ``lines`` lines of ``width`` characters (the hover keeps every detail)."""
    wrapped = textwrap.wrap(" ".join(sentences), width=width, max_lines=lines, placeholder=" …")
    return "<br>".join(wrapped)


def _why(lst: _List, i: int, kind: str, above: int) -> str:
    """One item's hover line: what it is and why it sits there."""
    outscored = f", above {above} higher-scored item{'s' if above != 1 else ''}" if above else ""
    return {
        "promoted": f"promoted ({escape(lst.promotion[i] or REASON_PROMOTED)}): placed at a random"
        f" position{outscored}",
        "explored": f"exploration (reason Exploration){outscored}",
        "placeholder": "a popular placeholder (reason Popular item): the filter left too few items",
        "out of order": f"no reason given{outscored}: exploration (v1 recipes do not label it)",
        "no score": "no score (not drawn as 0)",
    }.get(kind, "in score order")


def _hover(lst: _List, i: int, kind: str, above: int) -> str:
    name = lst.item[i] + (f" · {lst.title[i]}" if lst.title and lst.title[i] else "")
    score = "no score" if np.isnan(lst.score[i]) else f"score {lst.score[i]:.3g}"
    reasons = f"<br>reason: {escape(', '.join(lst.reasons[i]))}" if lst.reasons[i] else ""
    return f"rank {lst.rank[i]} · {escape(name)}<br>{score}{reasons}<br>{_why(lst, i, kind, above)}"


def rank_scores(frame: pd.DataFrame) -> go.Figure:
    """Score against rank for one list, with promoted, explored, out-of-order and scoreless items marked.

    The subtitle says in words why items sit above higher-scored ones; each marker's hover says it for
    that item. Items without a score sit in a strip under the axis labelled "no score", never at 0.
    """
    return go.Figure(rank_scores_dict(frame))


def rank_scores_dict(frame: pd.DataFrame) -> FigureDict:
    """:func:`rank_scores` as a plain JSON-ready plotly dict."""
    lst = _one_list(frame, "rank_scores")
    kind, above = _kinds(lst)
    scored = ~np.isnan(lst.score)
    ranks = lst.rank.tolist()
    data: list[FigureDict] = [
        {
            "type": "scatter",
            "x": lst.rank[scored].tolist(),
            "y": lst.score[scored].tolist(),
            "mode": "lines",
            "line": {"color": "#CBD2D9", "width": 1.5},
            "name": "score",
            "showlegend": False,
            "hoverinfo": "skip",
        }
    ]
    shown: set[str] = set()
    # an axis no trace needs would still paint its background over the score axis: no strip, no y2
    strip = bool((~scored).any())
    for name in KINDS:
        # each kind twice: on the score axis, and in the "no score" strip (y2) for its scoreless items
        for on_strip in (False, True):
            mine = np.flatnonzero((kind == name) & (scored != on_strip)).tolist()
            first = name not in shown and bool(len(mine))
            shown.update([name] if first else [])
            data.append(
                {
                    "type": "scatter",
                    "x": [ranks[i] for i in mine],
                    "y": [0.5] * len(mine) if on_strip else lst.score[mine].tolist(),
                    "mode": "markers",
                    "name": name,
                    "legendgroup": name,
                    "legendrank": KINDS.index(name),
                    "showlegend": first,
                    "marker": {"size": 8, **ITEM_MARKERS[name]},
                    "text": [_hover(lst, i, name, int(above[i])) for i in mine],
                    "hovertemplate": "%{text}<extra></extra>",
                    "yaxis": "y2" if on_strip and strip else "y",
                }
            )
    n = max(len(ranks), 1)
    layout: FigureDict = {
        "xaxis": {
            "title": {"text": "Rank", "standoff": 4},
            "range": [0.4, max(ranks, default=1) + 0.6],
            "dtick": 1 if n <= 12 else 5,
            "tick0": 0 if n > 12 else 1,
            "automargin": True,
            "zeroline": False,
        },
        "yaxis": {**score_axis(lst.score), "automargin": True},
        "legend": dict(LEGEND_BELOW),
        "hovermode": "closest",
        "showlegend": True,
    }
    if strip:
        _strip(layout, has_scored=bool(scored.any()))
    title = "Score by rank" + (f" · {escape(lst.variant)}" if lst.variant else "")
    figure = themed_dict({"data": data, "layout": layout}, title=title)
    figure["layout"]["title"]["subtitle"] = {
        "text": _wrap(explain_order(lst, kind)),
        "font": {"size": 11, "color": "#52606D"},
    }
    return figure


def _strip(layout: FigureDict, *, has_scored: bool) -> None:
    """Give scoreless items their own strip under the score axis (the whole plot when none is scored)."""
    layout["yaxis2"] = {
        "domain": [0.0, 0.13 if has_scored else 1.0],
        "range": [0, 1],
        "tickvals": [0.5],
        "ticktext": ["no score"],
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
        "automargin": True,
    }
    layout["xaxis"]["anchor"] = "y2"
    if has_scored:
        layout["yaxis"]["domain"] = [0.25, 1.0]
    else:
        layout["yaxis"]["visible"] = False


def reason_counts(frame: pd.DataFrame, *, recipe: str | None = None) -> go.Figure:
    """How many items carry each reason (``No reason given`` included), per variant; says when none do.

    ``recipe`` (e.g. ``lab.recipe.recipe_name``) only sharpens the wording when no item gives a reason:
    a recipe other than v2 "returns no reasons"; a v2 list simply had nothing promoted, explored or
    placeheld. An item with several reasons counts once toward each.
    """
    return go.Figure(reason_counts_dict(frame, recipe=recipe))


def reason_counts_dict(frame: pd.DataFrame, *, recipe: str | None = None) -> FigureDict:
    """:func:`reason_counts` as a plain JSON-ready plotly dict."""
    if not isinstance(frame, pd.DataFrame) or ITEM_ID not in frame.columns:
        _one_list(frame, "reason_counts")  # raises the error that names the gap
    rows = frame[frame[ITEM_ID].notna()]
    variants = (
        [str(v) for v in pd.unique(rows[VARIANT].astype(str))] if VARIANT in rows.columns else [""]
    ) or [""]
    names = rows[VARIANT].astype(str).to_numpy() if VARIANT in rows.columns else np.full(len(rows), "")
    reasons: list[tuple[str, ...]] = (
        [tuple(r) if isinstance(r, (list, tuple)) else () for r in rows[REASON]]
        if REASON in rows.columns
        else [()] * len(rows)
    )
    promoted_v1 = (
        rows[PROMOTION_NAME].notna().to_numpy()
        if PROMOTION_NAME in rows.columns
        else np.zeros(len(rows), bool)
    )
    ranks = (
        rows[RANK].to_numpy(dtype="int64", na_value=0)
        if RANK in rows.columns
        else np.zeros(len(rows), "int64")
    )
    present = {label for r in reasons for label in r}
    labels = [*(r for r in DOCUMENTED_REASONS if r in present), *sorted(present - set(DOCUMENTED_REASONS))]
    labels.append(NO_REASON_GIVEN)
    colors = variant_colors(variants)
    data: list[FigureDict] = []
    for v in variants:
        mine = names == v
        counts, hovers = [], []
        for label in labels:
            hit = (
                np.array([(not r) if label == NO_REASON_GIVEN else (label in r) for r in reasons], dtype=bool)
                & mine
            )
            counts.append(int(hit.sum()))
            hovers.append(_count_hover(label, ranks[hit], int(mine.sum())))
        single = len(variants) == 1
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": escape_all(labels),
                "x": counts,
                "name": escape(v) if v else "items",
                "marker": {
                    "color": [_REASON_COLOR.get(label, MUTED) for label in labels] if single else colors[v]
                },
                "text": [f"{c:,}" for c in counts],
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": hovers,
                "hovertemplate": "%{customdata}<extra></extra>",
                "showlegend": not single,
            }
        )
    layout: FigureDict = {
        "barmode": "group",
        "xaxis": {"rangemode": "tozero", "automargin": True},
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
        "legend": dict(LEGEND_BELOW),
        "annotations": [],
    }
    title = "Reasons given" + (", by variant" if len(variants) > 1 else "")
    if not present:
        _no_reasons(layout, data, len(rows), recipe, bool(promoted_v1.any()))
    figure = themed_dict({"data": data, "layout": layout}, title=title)
    if present:
        figure["layout"]["title"]["subtitle"] = {
            "text": f"Items per reason (of {len(rows):,}); an item with several reasons counts toward each",
            "font": {"size": 11, "color": "#52606D"},
        }
    return figure


def _count_hover(label: str, ranks: np.ndarray, total: int) -> str:
    where = (
        ""
        if not len(ranks)
        else " (ranks "
        + ", ".join(map(str, sorted(ranks.tolist())[:12]))
        + (", …)" if len(ranks) > 12 else ")")
    )
    return f"{escape(label)}: {len(ranks)} of {total} items{where}"


def no_reason_message(recipe: str | None) -> tuple[str, str]:
    """The headline and the explanation shown when no item of the answer gives a reason."""
    if recipe is not None and "v2" not in recipe.lower():
        return (
            "This recipe returns no reasons",
            f"{recipe} labels no item; only User-Personalization-v2 gives reasons.",
        )
    if recipe is not None:
        return (
            "No item in this list carries a reason",
            "v2 labels only promoted, explored and popular placeholder items.",
        )
    return (
        "No item carries a reason",
        "Only User-Personalization-v2 gives reasons (promoted, explored, popular placeholders).",
    )


def _no_reasons(
    layout: FigureDict, data: list[FigureDict], n: int, recipe: str | None, promoted: bool
) -> None:
    """Replace the one grey bar by words: what is missing, and why."""
    headline, detail = (escape(text) for text in no_reason_message(recipe))
    count = f"All {n:,} item{'s' if n != 1 else ''}: no reason given."
    if promoted:
        count += " Promoted items are marked by promotionName instead."
    for trace in data:
        trace["visible"] = False  # kept, so the set of traces stays the same from one answer to the next
    layout["xaxis"]["visible"] = False
    layout["yaxis"]["visible"] = False
    layout["annotations"] = [
        {
            "text": f"<b>{headline}</b><br><span style='font-size:12px'>{detail}<br>{count}</span>",
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "align": "center",
            "font": {"size": 15, "color": "#3E4C59"},
            "name": "no reasons",
        }
    ]
