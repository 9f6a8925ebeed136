"""Data text in figures is escaped for plotly.js: a link or a style in the data stays text in every figure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

import personalize_lab.plots as plots
from personalize_lab.analysis import compare
from personalize_lab.plots.one_list import rank_scores_dict, reason_counts_dict
from personalize_lab.plots.text import escape, escape_all
from tests.support.analysis_frames import small_frame

LINK = '<a href="https://evil.example">x</a>'
STYLE = '<span style="color:red">y</span>'
LINK_SHOWN = '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;'
STYLE_SHOWN = '&lt;span style="color:red"&gt;y&lt;/span&gt;'


def hostile_frame() -> pd.DataFrame:
    """small_frame with markup in variant names, categories, item ids, titles, reasons and promotions."""
    frame = small_frame()
    frame["variant"] = frame["variant"].map({"A": f"A {LINK}", "B": f"B {STYLE}"})
    frame["genre"] = frame["genre"].replace({"x": LINK, "y": STYLE})
    frame["itemId"] = frame["itemId"].replace({"a": LINK, "b": STYLE})
    frame["promotionName"] = frame["promotionName"].replace({"promo": STYLE})
    frame["TITLE"] = [LINK if i % 2 else STYLE for i in range(len(frame))]
    frame["reason"] = [(*r, LINK) if r else r for r in frame["reason"]]
    return frame


def strings(obj: Any) -> Iterator[tuple[str, str]]:
    """Every string in a figure as (path, text)."""
    stack: list[tuple[str, Any]] = [("", obj)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            stack.extend((f"{path}.{k}", v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
        elif hasattr(value, "tolist"):
            stack.append((path, value.tolist()))


def as_dict(fig: go.Figure | dict[str, Any]) -> dict[str, Any]:
    return fig.to_plotly_json() if isinstance(fig, go.Figure) else fig


@pytest.fixture(scope="module")
def hostile_figures() -> dict[str, dict[str, Any]]:
    frame = hostile_frame()
    comparison = compare(frame, category_column="genre", n_resamples=50)
    figs = {name: as_dict(fig) for name, fig in plots.figures(comparison).items()}
    one = frame[(frame["variant"] == f"B {STYLE}") & (frame["userId"] == "u1")]
    figs["rank_scores"] = rank_scores_dict(one)
    figs["reason_counts"] = reason_counts_dict(frame)
    figs["reason_counts_none"] = reason_counts_dict(one.assign(reason=[()] * len(one)), recipe=LINK)
    figs["rank_shift_u1"] = as_dict(plots.rank_shift(comparison, "u1"))
    figs["overlap_jaccard"] = as_dict(plots.overlap_histogram(comparison, metric="jaccard"))
    return figs


def test_escape_keeps_text_as_written_for_plotly() -> None:
    assert escape(LINK) == LINK_SHOWN
    assert escape("Rock & Roll") == "Rock &amp; Roll"  # plotly.js decodes &amp; back to &
    assert escape("&lt;") == "&amp;lt;"  # an entity in the data shows as typed, not as <
    assert escape('it\'s "quoted"') == 'it\'s "quoted"'  # &quot; is not a plotly.js entity
    assert escape(12) == "12"
    assert escape_all(["<b>", "a"]) == ["&lt;b&gt;", "a"]


def test_no_figure_holds_markup_from_data(hostile_figures: dict[str, dict[str, Any]]) -> None:
    assert set(hostile_figures) >= {
        "metric_bars", "score_distribution", "reason_breakdown", "promoted_positions",
        "rbo_histogram", "rank_shift", "category_mix",
    }  # fmt: skip
    for name, fig in hostile_figures.items():
        for path, text in strings(fig):
            for raw in ("<a ", "<a>", "</a>", '<span style="color', "</span>y"):
                assert raw not in text, f"{name}{path} holds {raw!r}: {text!r}"


def shown(fig: dict[str, Any], where: str) -> set[str]:
    """The strings of one kind of place in a figure: trace names, categories, texts, titles, ticks."""
    out: set[str] = set()
    for path, text in strings(fig):
        leaf = path.rsplit(".", 1)[-1]
        if leaf.split("[")[0] == where:
            out.add(text)
    return out


def any_holds(texts: set[str], part: str) -> bool:
    return any(part in t for t in texts)


def test_data_text_reaches_every_place_escaped(hostile_figures: dict[str, dict[str, Any]]) -> None:
    f = hostile_figures
    # trace names: variants, categories, reasons
    assert any_holds(shown(f["score_distribution"], "name"), f"A {LINK_SHOWN}")
    assert any_holds(shown(f["metric_bars"], "name"), f"B {STYLE_SHOWN} vs A {LINK_SHOWN}")
    assert {LINK_SHOWN, STYLE_SHOWN} <= shown(f["category_mix"], "name")
    assert any_holds(shown(f["reason_breakdown"], "name"), LINK_SHOWN)
    assert any_holds(shown(f["rbo_histogram"], "name"), STYLE_SHOWN)
    assert any_holds(shown(f["promoted_positions"], "name"), STYLE_SHOWN)
    # category axes (ticks) and subplot titles
    assert any_holds(shown(f["category_mix"], "y"), f"B {STYLE_SHOWN}")
    assert any_holds(shown(f["score_distribution"], "x"), f"A {LINK_SHOWN}")
    assert any_holds(shown(f["reason_breakdown"], "text"), f"B {STYLE_SHOWN}")  # subplot titles
    assert any_holds(shown(f["rank_shift_u1"], "ticktext"), f"A {LINK_SHOWN}")
    assert any_holds(shown(f["reason_counts"], "y"), LINK_SHOWN)
    # item ids, titles, reasons and promotion names in text and hover
    assert any_holds(shown(f["rank_shift_u1"], "text"), LINK_SHOWN)
    hover = shown(f["rank_scores"], "text")
    for part in (f"{STYLE_SHOWN} · {LINK_SHOWN}", f"reason: Promoted item, {LINK_SHOWN}", f"({STYLE_SHOWN})"):
        assert any_holds(hover, part), part
    assert any_holds(shown(f["reason_counts"], "customdata"), LINK_SHOWN)
    assert any_holds(shown(f["metric_bars"], "customdata"), f"B {STYLE_SHOWN}")  # the verdicts
    # titles and annotations
    assert any_holds(shown(f["metric_bars"], "text"), f"Change against A {LINK_SHOWN}")
    assert any_holds(shown(f["rank_scores"], "text"), f"Score by rank · B {STYLE_SHOWN}")
    assert any_holds(shown(f["rank_shift_u1"], "text"), f"A {LINK_SHOWN} → B {STYLE_SHOWN}")
    assert any_holds(shown(f["category_mix"], "text"), "Category mix per variant (genre)")
    assert any_holds(shown(f["reason_counts_none"], "text"), f"{LINK_SHOWN} labels no item")


def test_data_never_enters_a_hovertemplate(hostile_figures: dict[str, dict[str, Any]]) -> None:
    """``%{x}`` in a name must not be filled in by plotly: data reaches the hover as values only."""
    for name, fig in hostile_figures.items():
        for path, text in strings(fig):
            if path.endswith("hovertemplate"):
                assert "evil" not in text, f"{name}{path}: {text!r}"
                assert "color:red" not in text, f"{name}{path}: {text!r}"
    frame = small_frame()
    frame["variant"] = frame["variant"].map({"A": "A %{y} 100%", "B": "B"})
    fig = plots.score_distribution(frame)
    templates = {t.hovertemplate for t in fig.data if t.type == "scatter"}
    assert templates == {"%{fullData.name}<br>score ≈ %{x:.3g}<br>%{y} items<extra></extra>"}
    assert fig.data[0].name == "A %{y} 100%"
