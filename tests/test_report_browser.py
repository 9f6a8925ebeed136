"""The HTML report opened from file:// in headless Chromium with no network: every figure draws, no errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from personalize_lab import plots
from personalize_lab.analysis import compare
from personalize_lab.report import to_html
from tests.support.analysis_frames import demo_frame

pytestmark = pytest.mark.browser

LINK = '<a href="https://evil.example">x</a>'
STYLE = '<span style="color:red">y</span>'
XSS_TITLE = "<img src=x onerror=alert(1)> A/B: filter + promotion"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ALLOWED = ("file://", "data:", "blob:", "http://127.0.0.1", "ws://127.0.0.1")


def test_report_renders_offline(chromium: str, artifacts_dir: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    frame = demo_frame()
    frame.loc[frame["genre"] == "Kids", "genre"] = "<img src=x onerror=alert(2)>"  # hostile metadata
    popularity = frame.loc[frame["variant"] == "A", "itemId"].value_counts()
    truth = frame.loc[(frame["variant"] == "A") & (frame["rank"] % 6 == 0), ["userId", "itemId"]]
    result = compare(
        frame,
        k=20,
        truth=truth,
        item_popularity=popularity,
        catalog_size=400,
        diversity_column="genre",
        category_column="genre",
        requested_promotion={"B": 20},
    )
    path = to_html(result, artifacts_dir / "report.html", title=XSS_TITLE)
    n_figures = len(plots.figures(result))

    console_errors: list[str] = []
    dialogs: list[str] = []
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def route(r):  # type: ignore[no-untyped-def]
                if r.request.url.startswith(ALLOWED):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: console_errors.append(str(e)))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(path.resolve().as_uri())
            page.wait_for_function(
                "n => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".filter(el => el.querySelector('svg.main-svg')).length >= n",
                arg=n_figures,
                timeout=30_000,
            )
            rendered = page.evaluate(
                "Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".filter(el => el.querySelector('svg.main-svg g.trace')).length"
            )
            assert rendered == n_figures
            assert page.title() == XSS_TITLE  # the title is text, not markup
            assert page.locator("header h1").inner_text() == XSS_TITLE
            assert page.locator("img").count() == 0
            page.screenshot(path=str(artifacts_dir / "report.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == []
    assert console_errors == []
    assert blocked == []  # the report asks for nothing outside the file


#: Per figure div: the elements whose attributes point at the hostile link or carry its style.
_LIVE_MARKUP = """() => Array.from(document.querySelectorAll('.figure > .plot')).map(div => ({
  id: div.id,
  links: Array.from(div.querySelectorAll('a')).filter(a => Array.from(a.attributes)
    .some(x => x.value.includes('evil.example'))).length,
  styled: Array.from(div.querySelectorAll('[style]'))
    .filter(el => /(^|;)\\s*(color|fill)\\s*:\\s*red/.test(el.getAttribute('style'))).length,
  text: Array.from(div.querySelectorAll('text')).map(t => t.textContent).join('\\n'),
}))"""


def test_markup_in_data_stays_text_in_the_figures(chromium: str, tmp_path: Path) -> None:
    """A link and a style in variant names, categories and item ids show as text, never live.

    The last figure is a control the caller passes in unescaped: there the same probe finds the live
    link and the style, so the probe can tell.
    """
    from playwright.sync_api import sync_playwright

    frame = demo_frame(n_users=30)
    frame["variant"] = frame["variant"].map({"A": f"A {LINK}", "B": f"B {STYLE}"})
    frame["genre"] = frame["genre"].replace({"Drama": LINK, "Comedy": STYLE})
    first = frame["itemId"].iloc[0]
    frame["itemId"] = frame["itemId"].replace({first: LINK})
    result = compare(frame, category_column="genre", n_resamples=50)
    figs = plots.figures(result)
    control = go.Figure(go.Bar(x=[LINK, STYLE], y=[1, 2], name=LINK))
    path = to_html(result, tmp_path / "hostile.html", figures={**figs, "control": control})
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(ALLOWED) else r.abort())
            page.goto(path.resolve().as_uri())
            page.wait_for_function(
                "n => document.querySelectorAll('.js-plotly-plot svg.main-svg g.trace').length >= n",
                arg=len(figs) + 1,
                timeout=30_000,
            )
            # a hover label on every figure: hover text goes through the same renderer
            page.evaluate(
                "document.querySelectorAll('.figure > .plot').forEach(d => {"
                " try { Plotly.Fx.hover(d, [{curveNumber: 0, pointNumber: 0}]); } catch (e) {} })"
            )
            hovers = page.locator(".figure .hoverlayer .hovertext").all_text_contents()
            found = page.evaluate(_LIVE_MARKUP)
        finally:
            browser.close()
    *data, probe = found
    assert len(data) == len(figs)
    assert probe["links"] >= 1  # the unescaped control: plotly.js made a live link ...
    assert probe["styled"] >= 1  # ... and a red style
    for fig in data:
        assert fig["links"] == 0, fig["id"]
        assert fig["styled"] == 0, fig["id"]
    shown = "\n".join(fig["text"] for fig in data)
    assert f"A {LINK}" in shown  # the variant name, as written, in legends and ticks
    assert STYLE in shown  # a category (legend of the category mix)
    assert len(hovers) >= len(figs)  # the control's hover too
    assert any("evil.example" in h for h in hovers[:-1])  # shown as text in a data figure's hover


def test_summary_is_readable_as_table() -> None:
    frame = demo_frame(n_users=40)
    summary = compare(frame, n_resamples=50).summary()
    assert isinstance(summary, pd.DataFrame)
    assert list(summary["variant"]) == ["A", "B"]
