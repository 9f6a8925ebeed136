"""The panels in a real Chromium: JupyterLab runs 01_quickstart and drives the Explorer; Voila serves the
Storefront. Screenshots of each state go to artifacts/; timings are printed and written, never asserted."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import TOKEN, new_page

pytestmark = pytest.mark.browser

# Wait until the Explorer's view carries a newer data-seq than `before` and has drawn it: the table (unless
# an error is shown over the last answer) and both plots (layout.meta.seq) show that request. Returns the
# seq. Runs in the page.
WAIT_UPDATE = """
async ([before, timeout]) => {
  const t0 = performance.now();
  while (performance.now() - t0 < timeout) {
    await new Promise(r => requestAnimationFrame(r));
    const view = document.querySelector('.pl-explorer .pl-view');
    const s = view ? Number(view.dataset.seq) : 0;
    if (s > before && Number(view.dataset.drawnSeq) === s) return s;
  }
  const view = document.querySelector('.pl-explorer .pl-view');
  throw new Error('no update within ' + timeout + ' ms: view ' + JSON.stringify(view && view.dataset));
}
"""

# What each part of the Explorer shows right now: the view's request number, the table's, each plot's.
SHOWN = """
() => {
  const view = document.querySelector('.pl-explorer .pl-view');
  const table = view.querySelector('.pl-table-out [data-seq]');
  const plots = [...view.querySelectorAll('.pl-score-plot .js-plotly-plot, .pl-reason-plot .js-plotly-plot')];
  return {view: Number(view.dataset.seq), drawn: Number(view.dataset.drawnSeq),
          answer: Number(view.dataset.answerSeq),
          table: table ? Number(table.dataset.seq) : null,
          plots: plots.map(p => p.layout && p.layout.meta ? p.layout.meta.seq : null),
          error: !!view.querySelector('.pl-message .pl-error')};
}
"""

# One timed control change: click "random user", wait for table and both plots. Runs in the page.
TIMED_CHANGE = """
async () => {
  const view = document.querySelector('.pl-explorer .pl-view');
  const before = Number(view.dataset.seq);
  const t0 = performance.now();
  document.querySelector('.pl-explorer button.pl-random').click();
  while (performance.now() - t0 < 20000) {
    await new Promise(r => requestAnimationFrame(r));
    const s = Number(view.dataset.seq);
    if (s > before && Number(view.dataset.drawnSeq) === s) return {ms: performance.now() - t0};
  }
  throw new Error('timeout: before ' + before + ' view ' + JSON.stringify(view.dataset));
}
"""

# One timed Storefront click: press the first Buy, wait for the refreshed shelf (newer data-seq) and the
# confirmation. Runs in the page.
TIMED_BUY = """
async () => {
  const root = document.querySelector('.pl-storefront');
  const seq = () => Number(root.querySelector('[data-seq]').dataset.seq);
  const before = seq();
  const t0 = performance.now();
  root.querySelector('button.pl-buy').click();
  while (performance.now() - t0 < 20000) {
    await new Promise(r => requestAnimationFrame(r));
    if (seq() > before && root.querySelector('.pl-done'))
      return {ms: performance.now() - t0, kernel_ms: Number(root.querySelector('[data-seq]').dataset.kernelMs)};
  }
  throw new Error('no refreshed shelf within 20 s');
}
"""

# the reasons the Explorer's reason plot counts (its bars' labels)
REASONS = """
() => document.querySelector('.pl-explorer .pl-reason-plot .js-plotly-plot').data
  .filter(t => t.x && t.x.length).flatMap(t => [...t.y])
"""


def _seq(page: Any) -> int:
    return int(page.evaluate("Number(document.querySelector('.pl-explorer .pl-view').dataset.seq)"))


def _wait(page: Any, before: int, timeout: int = 30_000) -> int:
    """Wait for the update after ``before`` and check every part shows that request; returns its seq."""
    seq = int(page.evaluate(WAIT_UPDATE, [before, timeout]))
    assert_consistent(page, seq)
    return seq


def assert_consistent(page: Any, seq: int | None = None) -> None:
    """Table and both plots show the request the view holds (the table keeps the last answer, greyed,
    while an error is shown above it)."""
    shown = page.evaluate(SHOWN)
    expected = shown["view"] if seq is None else seq
    assert shown["view"] == expected, shown
    assert shown["drawn"] == expected, shown
    assert len(shown["plots"]) == 2, shown
    answer = shown["answer"]
    assert shown["plots"] == [answer, answer], shown
    assert shown["table"] == answer, shown
    assert answer == expected or shown["error"], shown


def _shot(page: Any, selector: str, path: Path) -> None:
    page.locator(selector).first.scroll_into_view_if_needed()
    page.locator(selector).first.screenshot(path=str(path))


SCORES = """[...document.querySelectorAll('.pl-explorer .pl-table-out tbody tr')]
  .map(r => r.querySelector('.pl-scorecell').dataset.sort)"""


def _table_column(page: Any, header: str, *, visible: bool = False) -> list[str]:
    return list(
        page.evaluate(
            """([h, visible]) => { const t = document.querySelector('.pl-explorer .pl-table-out table');
                 const i = [...t.querySelectorAll('th')].findIndex(th => th.textContent === h);
                 return [...t.querySelectorAll('tbody tr')].filter(r => !visible || !r.hidden)
                   .map(r => r.children[i].textContent); }""",
            [header, visible],
        )
    )


def test_jupyterlab_runs_quickstart_and_explorer_reacts(
    servers: dict[str, Any], browser: Any, artifacts_dir: Path
) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    page = new_page(browser, dialogs, errors, height=1900)  # tall enough for the whole Explorer
    lab = servers["lab"]
    page.goto(f"{lab.url}/lab/tree/01_quickstart.ipynb?reset&token={TOKEN}")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
        timeout=90_000,
    )
    page.evaluate("window.jupyterapp.shell.collapseLeft && window.jupyterapp.shell.collapseLeft()")
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".pl-explorer .pl-table-out [data-seq]", timeout=150_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.pl-explorer .js-plotly-plot').length === 2", timeout=60_000
    )
    page.evaluate("document.querySelector('.pl-explorer').scrollIntoView()")
    _shot(page, ".pl-explorer", artifacts_dir / "explorer-1-initial.png")
    assert not page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'] .ansi-red-fg"
    ).count()

    # switch to the v2 campaign: the only recipe that returns reasons
    seq = _seq(page)
    page.locator(".pl-explorer .pl-target select").select_option(label="campaign: user-personalization-v2")
    seq = _wait(page, seq)
    first_items = page.evaluate(
        "[...document.querySelectorAll('.pl-explorer tbody tr')].map(r => r.dataset.item)"
    )

    # change the user
    page.locator(".pl-explorer .pl-user input").fill("7")
    page.locator(".pl-explorer .pl-user input").press("Enter")
    seq = _wait(page, seq)
    items_user7 = page.evaluate(
        "[...document.querySelectorAll('.pl-explorer tbody tr')].map(r => r.dataset.item)"
    )
    assert items_user7 != first_items
    assert "userId='7'" in page.locator(".pl-explorer .pl-code").inner_text()
    scores_before = page.evaluate(
        "document.querySelector('.pl-explorer .pl-score-plot .js-plotly-plot').data[0].y"
    )

    # pick the category filter: its required placeholder is still empty → readable error in the panel
    page.locator(".pl-explorer .pl-filter select").first.select_option("category")
    seq = _wait(page, seq)
    error = page.locator(".pl-explorer .pl-message .pl-error")
    assert "Pick at least one CATEGORY value under Filter" in error.inner_text()
    assert "Traceback" not in error.inner_text()
    assert "required" in page.locator(".pl-explorer .pl-filter").inner_text()
    # the last answer stays, greyed; the call shown is the request not sent, not the previous call
    assert page.locator(".pl-explorer .pl-table-section.pl-stale tbody tr").count() == 25
    assert (
        "lab.recommend(user_id='7', filter='category'" in page.locator(".pl-explorer .pl-code").inner_text()
    )
    _shot(page, ".pl-explorer", artifacts_dir / "explorer-2-required-placeholder.png")

    # fill it: every row is a Book, the score plot changed
    page.locator(
        ".pl-explorer .pl-filter select.pl-ph-CATEGORY, .pl-explorer .pl-filter .pl-ph-CATEGORY select"
    ).first.select_option(["Books"])
    seq = _wait(page, seq)
    assert page.locator(".pl-explorer .pl-message .pl-error").count() == 0
    assert set(_table_column(page, "CATEGORY_L1")) == {"Books"}
    scores_after = page.evaluate(
        "document.querySelector('.pl-explorer .pl-score-plot .js-plotly-plot').data[0].y"
    )
    assert scores_after != scores_before
    assert "Promoted item" not in page.evaluate(REASONS)
    _shot(page, ".pl-explorer", artifacts_dir / "explorer-3-filter-filled.png")

    # add a promotion of Toys: badges in the table, "Promoted item" in the reason plot
    page.locator(".pl-explorer .pl-promote input[type=checkbox]").check()
    seq = _wait(page, seq)  # no filter yet: the panel says so in a note, not an error
    assert page.locator(".pl-explorer .pl-message .pl-error").count() == 0
    assert "Pick the promotion's filter" in page.locator(".pl-explorer .pl-message").inner_text()
    page.locator(".pl-explorer .pl-promotion-filter select").first.select_option("category")
    seq = _wait(page, seq)
    page.locator(
        ".pl-explorer .pl-promotion-filter .pl-ph-CATEGORY select, .pl-explorer .pl-promotion-filter select.pl-ph-CATEGORY"
    ).first.select_option(["Toys"])
    seq = _wait(page, seq)
    assert page.locator(".pl-explorer .pl-message .pl-error").count() == 0
    badges = page.locator(".pl-explorer .pl-table-out .pl-badge").count()
    assert badges == 5  # 20% of 25
    assert set(_table_column(page, "CATEGORY_L1")) == {"Books", "Toys"}
    assert "Promoted item" in page.evaluate(REASONS)
    _shot(page, ".pl-explorer", artifacts_dir / "explorer-4-promotion.png")

    # the table: search narrows the rows, a header click sorts, export and copy hand over the data
    page.locator(".pl-explorer .pl-search").fill("Toys")
    assert page.locator(".pl-explorer .pl-count").inner_text() == "5 of 25 rows"
    assert set(_table_column(page, "CATEGORY_L1", visible=True)) == {"Toys"}
    page.locator(".pl-explorer .pl-search").fill("")
    page.locator(".pl-explorer .pl-table-out th", has_text="Score").click()
    shown = [float(x) for x in page.evaluate(SCORES) if x]
    assert shown == sorted(shown)
    with page.expect_download() as download:
        page.locator(".pl-explorer .pl-export-csv").click()
    csv_text = Path(download.value.path()).read_text()
    assert csv_text.splitlines()[0].startswith("rank,itemId,score,promotionName,reason,TITLE")
    assert len(csv_text.splitlines()) == 26
    page.locator(".pl-explorer .pl-copy-call").click()
    page.wait_for_selector(".pl-explorer .pl-copy-call[data-copied='1']")
    _shot(page, ".pl-explorer", artifacts_dir / "explorer-5-sorted.png")

    # a reload of the tab with the kernel running: the restored view shows the latest request
    # (saved first: a dirty notebook asks "leave the page?", which would block the reload)
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
    page.reload()
    page.wait_for_function(
        "s => { const v = document.querySelector('.pl-explorer .pl-view');"
        " return v && Number(v.dataset.drawnSeq) === s; }",
        arg=seq,
        timeout=90_000,
    )
    assert_consistent(page, seq)
    assert "Promoted item" in page.evaluate(REASONS)
    page.locator(".pl-explorer .pl-promote input[type=checkbox]").uncheck()
    seq = _wait(page, seq)  # ...and keeps updating after it
    assert "Promoted item" not in page.evaluate(REASONS)
    _shot(page, ".pl-explorer", artifacts_dir / "explorer-6-after-reload.png")

    # speed: 20 control changes (random user), click to table and both plots drawn
    samples = [page.evaluate(TIMED_CHANGE) for _ in range(20)]
    servers["timings"]["explorer_change_to_update_ms_median"] = round(
        statistics.median(s["ms"] for s in samples), 1
    )
    assert_consistent(page)
    assert not dialogs, dialogs


def test_voila_storefront_renders_and_a_click_refreshes(
    servers: dict[str, Any], browser: Any, artifacts_dir: Path
) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    page = new_page(browser, dialogs, errors)
    started = time.perf_counter()
    page.goto(f"{servers['demo'].url}/", timeout=120_000)  # `personalize-lab demo`
    page.wait_for_selector(".pl-storefront .pl-card", timeout=120_000)
    page.wait_for_function("() => document.querySelectorAll('.pl-storefront button.pl-buy').length >= 12")
    interactive_ms = page.evaluate("performance.now()")
    timings = servers["timings"]
    timings["voila_page_to_interactive_ms"] = round(interactive_ms, 1)
    timings["voila_wall_clock_s"] = round(time.perf_counter() - started, 2)
    nav = page.evaluate("(({responseStart, domContentLoadedEventEnd}) => [responseStart, domContentLoadedEventEnd])"
                        "(performance.getEntriesByType('navigation')[0])")  # fmt: skip
    timings["voila_first_byte_ms"], timings["voila_dom_content_loaded_ms"] = (round(v, 1) for v in nav)
    assert page.locator(".pl-storefront .pl-card").count() == 12
    assert "Recently" in page.locator(".pl-storefront").inner_text()
    # every Buy button lies inside its card's box and is no wider than it
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.pl-storefront .pl-slot')].map(s => {
             const o = s.getBoundingClientRect(), b = s.querySelector('button.pl-buy').getBoundingClientRect();
             return [b.left >= o.left, b.right <= o.right, b.bottom <= o.bottom, b.width < o.width]; })"""
    )
    assert len(boxes) == 12
    assert all(all(b) for b in boxes), boxes
    fills = page.evaluate(
        "() => [...document.querySelectorAll('.pl-storefront .pl-tile svg stop:first-child')]"
        ".map(s => s.getAttribute('stop-color'))"
    )
    assert len(set(fills)) >= 6, fills  # tiles vary in shade even within one category
    page.screenshot(path=str(artifacts_dir / "storefront-1-initial.png"), full_page=True)

    cards = "[...document.querySelectorAll('.pl-storefront .pl-card')].map(c => c.dataset.item)"
    heading_seq = "Number(document.querySelector('.pl-storefront [data-seq]').dataset.seq)"
    before_items, before_seq = page.evaluate(cards), page.evaluate(heading_seq)
    page.locator(".pl-storefront button.pl-buy").first.click()
    page.wait_for_function(f"s => {heading_seq} > s", arg=before_seq, timeout=30_000)
    page.wait_for_selector(".pl-storefront .pl-note:has-text('Recorded Purchase')")
    after_items = page.evaluate(cards)
    assert before_items[0] not in after_items  # bought: the exclude-purchased filter drops it
    assert before_items[0] in page.locator(".pl-storefront .pl-history").inner_text()  # now in "Recently"
    note = page.locator(".pl-storefront .pl-done").bounding_box()
    assert note is not None
    assert note["y"] + note["height"] <= 1000
    page.screenshot(path=str(artifacts_dir / "storefront-2-after-click.png"), full_page=False)
    samples = [page.evaluate(TIMED_BUY) for _ in range(7)]
    timings["storefront_click_ms_median"] = round(statistics.median(s["ms"] for s in samples), 1)
    timings["storefront_click_ms_all"] = [round(s["ms"], 1) for s in samples]
    timings["storefront_click_kernel_ms_median"] = round(
        statistics.median(s["kernel_ms"] for s in samples), 1
    )

    seq = page.evaluate(heading_seq)
    page.locator(".pl-storefront .widget-toggle-buttons button").nth(1).click()
    page.wait_for_function(f"s => {heading_seq} > s", arg=seq, timeout=30_000)
    assert page.locator(".pl-storefront .pl-card .pl-badge").count() == 3
    page.screenshot(path=str(artifacts_dir / "storefront-3-variant-b.png"), full_page=True)

    picker = page.locator(".pl-storefront .pl-persona input")  # type-to-search over 1,000 shoppers
    options = page.evaluate(
        "() => [...document.querySelectorAll('.pl-storefront .pl-persona datalist option')].map(o => o.value)"
    )
    assert len(options) == 1000
    assert options[:3] == ["User 1 · age 48 · membership free", *options[1:3]]
    assert [o.split(" ")[1] for o in options[:11]] == [str(k) for k in range(1, 12)]  # numeric order
    seq = page.evaluate(heading_seq)
    picker.fill(options[41])
    picker.press("Enter")
    page.wait_for_function(f"s => {heading_seq} > s", arg=seq, timeout=30_000)
    assert "picks for user 42" in page.locator(".pl-storefront .pl-shelf-head").inner_text()
    page.screenshot(path=str(artifacts_dir / "storefront-5-persona-42.png"), full_page=False)
    print(
        "\nstorefront timings:",
        json.dumps({k: v for k, v in timings.items() if "voila" in k or "store" in k}),
    )
    assert not dialogs, dialogs


def test_voila_explorer_plots_follow_the_table_through_50_changes(
    servers: dict[str, Any], browser: Any, artifacts_dir: Path
) -> None:
    """Voila renders the Explorer after the notebook ran: the first render and every one of 50 changes
    of every kind of control show one request in the table and both plots."""
    dialogs: list[str] = []
    errors: list[str] = []
    page = new_page(browser, dialogs, errors, height=1700)
    page.goto(f"{servers['voila'].url}/voila/render/explorer.ipynb", timeout=120_000)
    page.wait_for_function(
        "() => { const v = document.querySelector('.pl-explorer .pl-view');"
        " return v && v.dataset.drawnSeq && Number(v.dataset.drawnSeq) === Number(v.dataset.seq); }",
        timeout=120_000,
    )
    assert_consistent(page)  # the first render
    ex = ".pl-explorer"
    campaigns = ["campaign: user-personalization", "campaign: user-personalization-v2"]

    def num_results(k: int) -> None:
        box = page.locator(f"{ex} .pl-num-results input")
        box.fill(str(10 + k))
        box.press("Enter")  # numResults is sent on Enter (or when the box loses focus)

    changes = [
        lambda k: page.locator(f"{ex} button.pl-random").click(),
        lambda k: page.locator(f"{ex} .pl-target select").select_option(label=campaigns[0]),
        lambda k: page.locator(f"{ex} .pl-filter select").first.select_option("exclude-purchased"),
        num_results,
        lambda k: page.locator(f"{ex} .pl-target select").select_option(label=campaigns[-1]),
        lambda k: page.locator(f"{ex} button.pl-random").click(),
        lambda k: page.locator(f"{ex} .pl-filter select").first.select_option(label="— none —"),
        lambda k: page.locator(f"{ex} .pl-promote input[type=checkbox]").click(),
    ]
    seq = _seq(page)
    for k in range(50):
        changes[k % len(changes)](k)
        seq = _wait(page, seq)
    page.screenshot(path=str(artifacts_dir / "explorer-7-voila-after-50-changes.png"), full_page=True)
    timed = page.evaluate(TIMED_CHANGE)
    servers["timings"]["voila_explorer_change_ms"] = round(timed["ms"], 1)
    assert_consistent(page)
    assert not errors, errors
    assert not dialogs, dialogs


def test_voila_compare_panel_shows_summary_plots_and_drilldown(
    servers: dict[str, Any], browser: Any, artifacts_dir: Path
) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    page = new_page(browser, dialogs, errors, height=2200)
    page.goto(f"{servers['voila'].url}/voila/render/compare.ipynb", timeout=120_000)
    page.wait_for_selector(".pl-compare .pl-kpi", timeout=120_000)
    page.wait_for_function("() => document.querySelectorAll('.pl-compare .js-plotly-plot').length === 3")
    # every figure sits inside the panel's width (no plot overflows its box)
    overflow = page.evaluate(
        """() => { const box = document.querySelector('.pl-compare').getBoundingClientRect();
             return [...document.querySelectorAll('.pl-compare .js-plotly-plot')]
               .map(p => p.getBoundingClientRect()).filter(r => r.right > box.right + 1).length; }"""
    )
    assert overflow == 0
    text = page.locator(".pl-compare").inner_text()
    assert "Paired test: Wilcoxon signed-rank" in text
    assert page.locator(".pl-compare tr.pl-gained").count() > 0
    assert page.locator(".pl-compare tr.pl-lost").count() > 0
    page.screenshot(path=str(artifacts_dir / "compare-1-summary.png"), full_page=True)
    assert not dialogs, dialogs


def test_voila_script_injection_title_renders_as_text(
    servers: dict[str, Any], browser: Any, artifacts_dir: Path
) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    page = new_page(browser, dialogs, errors)
    page.goto(f"{servers['voila'].url}/voila/render/xss.ipynb", timeout=120_000)
    page.wait_for_selector(".pl-storefront .pl-card", timeout=120_000)
    titles = page.locator(".pl-storefront .pl-card-title").all_inner_texts()
    assert titles
    assert all(t.startswith("<img src=x onerror=alert(1)> ") for t in titles)
    assert page.locator(".pl-storefront img").count() == 0
    assert page.locator(".pl-storefront script").count() == 0
    assert "<img src=x onerror=alert(1)>" in page.locator(".pl-storefront .pl-h").inner_text()
    page.wait_for_timeout(300)  # give an injected handler the chance to fire
    page.screenshot(path=str(artifacts_dir / "storefront-4-script-injection.png"), full_page=True)
    assert not dialogs, dialogs

    timings = servers["timings"]
    (artifacts_dir / "widget-timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print("\nwidget timings:", json.dumps(timings))
