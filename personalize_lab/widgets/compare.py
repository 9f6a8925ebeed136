"""The ComparePanel: 2–4 variants over a cohort, with significance, overlap, plots and a drill-down.

Variants are edited like the Explorer's request (target, filter with placeholder inputs, promotion, or
the items to rank on a Personalized-Ranking campaign) or come from the Explorer's pins. The cohort runs
in a worker thread through :meth:`Lab.recommend_many` (rate limit, retries, cache; its progress callback
and cancel event drive the bar and *Cancel*; failed requests come back in its errors frame and are shown,
counted, in the panel); :func:`personalize_lab.analysis.compare` does every number and
:mod:`personalize_lab.plots` every figure; ``comparison.to_html`` writes the report.
"""

from __future__ import annotations

import os
import random
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go

from personalize_lab import analysis, plots, report
from personalize_lab.errors import PersonalizeLabError, ValidationError
from personalize_lab.limits import MAX_RESULTS_WITH_METADATA
from personalize_lab.widgets import _html
from personalize_lab.widgets._inputs import Catalog, FilterPicker, PromotionEditor
from personalize_lab.widgets._request import RequestSpec, Targets, discover, target_options
from personalize_lab.widgets._roles import item_roles
from personalize_lab.widgets._state import pins_of
from personalize_lab.widgets.view import ResultView

if TYPE_CHECKING:
    from personalize_lab.client import Lab
    from personalize_lab.cohort import CohortResult, Progress

MAX_VARIANTS = 4
NAMES = "ABCD"
PLOT_WIDTH = 560  # two plots side by side in a notebook's width; the reason plot spans both
#: failed requests quoted in the panel (the rest are counted; ``panel.errors`` holds them all)
ERRORS_SHOWN = 3


class VariantEditor:
    """One variant: target, filter and its placeholders, promotion (the Explorer's controls, compact)."""

    def __init__(self, name: str, panel: ComparePanel, request: RequestSpec | None = None) -> None:
        self.name = w.Text(value=name, description="Variant", layout={"width": "200px"})
        self.target = w.Dropdown(
            options=panel.target_options, description="Target", layout={"width": "360px"}
        )
        self.filter = FilterPicker(panel.filter_table, panel.catalog, lambda: None)
        self.promotion = PromotionEditor(panel.filter_table, panel.catalog, lambda: None)
        self.items = w.Textarea(
            placeholder="itemIds to rank, comma separated", description="Rank", layout={"width": "400px"}
        )
        self.remove = w.Button(description="✕", layout={"width": "36px"})
        self._targets = panel.targets
        self.target.observe(lambda _c: self._target_changed(), names="value")
        self._target_changed()
        self.box = w.VBox(
            [w.HBox([self.name, self.remove]), self.target, self.filter.box, self.items, self.promotion.box],
            layout={
                "border": "1px solid #E4E7EB",
                "padding": "8px",
                "margin": "0 8px 8px 0",
                "width": "420px",
            },
        )
        if request is not None:
            self.load(request)

    @property
    def ranking(self) -> bool:
        """The target is a Personalized-Ranking campaign: the variant ranks the listed items per user."""
        arn, kind = self.target.value
        try:
            return (
                kind == "campaign" and self._targets.lab(arn, kind).recipe.behaviour == "PERSONALIZED_RANKING"
            )
        except PersonalizeLabError:  # a role that may not describe the campaign: treat it as recommend
            return False

    def _target_changed(self) -> None:
        ranking = self.ranking
        self.items.layout.display = None if ranking else "none"
        self.promotion.box.layout.display = "none" if ranking else None

    def load(self, request: RequestSpec) -> None:
        option = (request.target_arn, request.target_kind)
        if option in [v for _, v in self.target.options]:
            self.target.value = option
        if request.operation == "rank":
            self.items.value = ", ".join(request.kwargs.get("items") or [])
        self.filter.dropdown.value = request.kwargs.get("filter") or ""
        self.filter.placeholders.set(dict(request.kwargs.get("filter_values") or {}))
        promo = request.kwargs.get("promotion")
        if promo is not None:
            self.promotion.enabled.value = True
            self.promotion.name.value = promo.name
            self.promotion.percent.value = promo.percent
            self.promotion.filter.dropdown.value = promo.filter or ""
            self.promotion.filter.placeholders.set(dict(promo.filter_values or {}))

    def request(self, num_results: int, metadata: list[str] | None) -> RequestSpec:
        arn, kind = self.target.value
        kwargs: dict[str, Any] = {
            "filter": self.filter.name,
            "filter_values": self.filter.values(),
            "metadata": metadata,
        }
        if self.ranking:
            items = [i.strip() for i in self.items.value.replace("\n", ",").split(",") if i.strip()]
            return RequestSpec(arn, kind, "rank", {**kwargs, "items": items}, label=self.name.value)
        kwargs["num_results"] = num_results
        promo = self.promotion.value()
        if promo is not None:
            kwargs["promotion"] = promo
        return RequestSpec(arn, kind, "recommend", kwargs, label=self.name.value)


class ComparePanel:
    """Build variants, pick a cohort, run it (progress, cancel), read the comparison, export a report."""

    def __init__(self, lab: Lab, *, users: int = 50, num_results: int = 25, seed: int = 0) -> None:
        self.lab = lab
        self.targets = Targets(lab)
        self.catalog = Catalog(lab.item_table(), lab.user_table())
        table, self.filter_table, _, _ = discover(lab)
        # title and category for the drill-down and the category mix; only from a catalog the backend
        # holds, because asking AWS for metadata columns a campaign does not return is an error
        self.roles = item_roles(self.catalog.items)
        self.target_options = target_options(table)
        self.known_users = lab.known_users()
        self.seed = seed
        self.frame = pd.DataFrame()
        self.comparison: analysis.Comparison | None = None
        self.error: BaseException | None = None
        self.runs = 0
        self.result: CohortResult | None = None  # the last run: frame, errors, stats
        self._cancel = threading.Event()
        self._worker: threading.Thread | None = None

        self._variant_controls()
        self._cohort_controls(users)
        self._run_controls(num_results)
        self._output_controls()
        self.widget = self._layout()

    def _variant_controls(self) -> None:
        """One editor per pinned request (or two empty ones) and the *+ variant* button."""
        self.editors: list[VariantEditor] = []
        self.variant_box = w.HBox([], layout={"flex_flow": "row wrap"})
        self.add_variant_button = w.Button(description="+ variant", layout={"width": "100px"})
        self.add_variant_button.on_click(lambda _b: self.add_variant())
        pins = pins_of(self.lab)
        if pins:
            for name in sorted(pins)[:MAX_VARIANTS]:
                self.add_variant(pins[name], name=name)
        else:
            self.add_variant()
            self.add_variant()

    def _cohort_controls(self, users: int) -> None:
        """N random known users, a typed list, or a segment of the Users dataset."""
        people = self.catalog.users
        segment_columns = [] if people is None else [c for c in people.columns if c != "USER_ID"]
        self.cohort_kind = w.ToggleButtons(options=["random users", "list", "segment"], value="random users")
        self.cohort_size = w.BoundedIntText(value=users, min=1, max=100_000, description="Users")
        self.cohort_list = w.Textarea(
            placeholder="userIds, comma or newline separated", layout={"width": "420px"}
        )
        self.segment_column = w.Dropdown(options=segment_columns, description="Column")
        self.segment_value = w.Dropdown(options=[], description="Value")
        self.segment_column.observe(lambda _c: self._segment_values(), names="value")
        self._segment_values()
        self.cohort_kind.observe(lambda _c: self._cohort_visibility(), names="value")
        self.cohort_inputs = w.VBox()
        self._cohort_visibility()

    def _run_controls(self, num_results: int) -> None:
        self.num_results = w.BoundedIntText(
            value=num_results, min=1, max=MAX_RESULTS_WITH_METADATA, description="numResults"
        )
        self.run_button = w.Button(
            description="Run comparison", button_style="primary", layout={"width": "160px"}
        )
        self.cancel_button = w.Button(description="Cancel", disabled=True, layout={"width": "90px"})
        self.progress = w.IntProgress(value=0, min=0, max=1, description="0 / 0")
        self.run_button.on_click(lambda _b: self.run(background=True))
        self.cancel_button.on_click(lambda _b: self.cancel())

    def _output_controls(self) -> None:
        """Message, summary, the figures' view, the one-user drill-down and the report export."""
        self.message = w.HTML()
        self.summary = w.HTML()
        # the latest run's figures (plain figures; the view draws them from its whole state)
        self.overlap_plot = go.Figure()
        self.score_plot = go.Figure()
        self.reason_plot = go.Figure()
        self.plots = ResultView()
        self.drill_user = w.Dropdown(options=[], description="User")
        self.drill = w.HTML()
        self.report_path = w.Text(
            value="comparison-report.html", description="Report", layout={"width": "360px"}
        )
        self.export_button = w.Button(description="Export HTML report", disabled=True)
        self.drill_user.observe(lambda _c: self.show_user(), names="value")
        self.export_button.on_click(lambda _b: self.export())

    def _layout(self) -> w.Widget:
        def section(title: str) -> w.HTML:
            return w.HTML(f"<div style='font-weight:600;color:#52606D;margin-top:10px'>{title}</div>")

        root = w.VBox(
            [
                w.HTML(_html.STYLE + "<div class='pl-root pl-h'>Compare variants</div>"),
                section("Variants"),
                w.HBox([self.variant_box, self.add_variant_button]),
                section("Cohort"),
                self.cohort_kind,
                self.cohort_inputs,
                w.HBox([self.num_results, self.run_button, self.cancel_button, self.progress]),
                self.message,
                section("Summary"),
                self.summary,
                self.plots,
                section("One user, side by side (green: gained against the reference, red: lost)"),
                self.drill_user,
                self.drill,
                w.HBox([self.report_path, self.export_button]),
            ]
        )
        root.add_class("pl-compare")
        return root

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # --- variants and cohort -------------------------------------------------------------------------

    def add_variant(
        self, request: RequestSpec | None = None, name: str | None = None
    ) -> VariantEditor | None:
        if len(self.editors) >= MAX_VARIANTS:
            self.message.value = _html.note(f"At most {MAX_VARIANTS} variants.")
            return None
        editor = VariantEditor(name or NAMES[len(self.editors)], self, request)

        def drop(_b: Any) -> None:
            if len(self.editors) > 2:
                self.editors.remove(editor)
                self.variant_box.children = [e.box for e in self.editors]

        editor.remove.on_click(drop)
        self.editors.append(editor)
        self.variant_box.children = [e.box for e in self.editors]
        return editor

    def _segment_values(self) -> None:
        people = self.lab.user_table()
        column = self.segment_column.value
        if people is None or not column:
            self.segment_value.options = []
            return
        self.segment_value.options = sorted({str(v) for v in people[column].dropna().unique()})[:200]

    def _cohort_visibility(self) -> None:
        kind = self.cohort_kind.value
        self.cohort_inputs.children = {
            "random users": [self.cohort_size],
            "list": [self.cohort_list],
            "segment": [w.HBox([self.segment_column, self.segment_value]), self.cohort_size],
        }[kind]

    def cohort(self) -> list[str]:
        """The users to run: N random known users, a typed list, or N users of a user-metadata segment."""
        kind = self.cohort_kind.value
        if kind == "list":
            users = [u.strip() for u in self.cohort_list.value.replace("\n", ",").split(",") if u.strip()]
            if not users:
                raise ValidationError(
                    "cohort list is empty. Fix: type userIds, comma separated", field="cohort"
                )
            return list(dict.fromkeys(users))
        pool = self.known_users
        if kind == "segment":
            people = self.lab.user_table()
            if people is None or not self.segment_column.value:
                raise ValidationError(
                    "no Users dataset to segment by. Fix: use random users or a list", field="cohort"
                )
            mask = people[self.segment_column.value].astype(str) == str(self.segment_value.value)
            pool = sorted(people.loc[mask, "USER_ID"].astype(str))
        if not pool:
            raise ValidationError(
                "no known users to sample (against AWS the service cannot list users). Fix: paste a list",
                field="cohort",
            )
        n = min(int(self.cohort_size.value), len(pool))
        return random.Random(self.seed).sample(pool, n)

    def variants(self) -> dict[str, RequestSpec]:
        metadata = [c for c in (self.roles.title, self.roles.category) if c is not None]
        names = [e.name.value.strip() for e in self.editors]
        if len(set(names)) != len(names) or not all(names):
            raise ValidationError(f"variant names {names} must be distinct and non-empty", field="variant")
        return {
            e.name.value.strip(): e.request(int(self.num_results.value), metadata or None)
            for e in self.editors
        }

    # --- running -------------------------------------------------------------------------------------

    def run(self, *, background: bool = False) -> None:
        """Run every variant for every cohort user, then compare (in a thread when ``background``)."""
        try:
            variants, users = self.variants(), self.cohort()
        except Exception as e:  # shown in the panel
            self._fail(e)
            return
        self._cancel.clear()
        self.progress.max = max(1, len(users) * len(variants))
        self.progress.value = 0
        self.run_button.disabled, self.cancel_button.disabled = True, False
        self.message.value = _html.note(f"Running {len(variants)} variants × {len(users)} users…")
        if background:
            self._worker = threading.Thread(target=self._work, args=(variants, users), daemon=True)
            self._worker.start()
        else:
            self._work(variants, users)

    def _progress(self, done: int, total: int) -> None:
        self.progress.value = done
        self.progress.description = f"{done} / {total}"

    def _on_progress(self, p: Progress) -> None:
        self._progress(p.done, p.total)

    def _work(self, variants: dict[str, RequestSpec], users: list[str]) -> None:
        """The run itself: ``recommend_many`` (rate limit, retries, cache); failed requests stay in its
        errors frame and are shown in the panel, the others are compared."""
        try:
            result = self.lab.recommend_many(
                users,
                variants={name: request.variant() for name, request in variants.items()},
                progress=self._on_progress,
                cancel=self._cancel,
                warn=False,  # the panel shows the errors and the cancel itself
            )
            self.result, self.frame = result, result.frame
            if len(result.frame):
                self._analyse(result.frame, variants)
            self.error = None
            self.message.value = _html.STYLE + run_outcome(result)
        except Exception as e:  # shown in the panel
            self._fail(e)
        finally:
            self.run_button.disabled, self.cancel_button.disabled = False, True

    @property
    def errors(self) -> pd.DataFrame | None:
        """The last run's failed requests (variant, userId, code, message, attempts), or None before one."""
        return None if self.result is None else self.result.errors

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        if self._worker is not None:
            self._worker.join(timeout)

    def _fail(self, error: BaseException) -> None:
        self.error = error
        self.message.value = _html.STYLE + _html.error_box(error)

    def _analyse(self, frame: pd.DataFrame, variants: dict[str, RequestSpec]) -> None:
        rows = frame[frame["itemId"].notna()] if "itemId" in frame.columns else frame
        if not len(rows):
            raise ValidationError("no recommendations came back; nothing to compare", field="cohort")
        requested = {
            n: float(s.kwargs["promotion"].percent) for n, s in variants.items() if s.kwargs.get("promotion")
        }
        category = self.roles.category if self.roles.category in frame.columns else None
        comparison = analysis.compare(
            frame,
            category_column=category,
            requested_promotion=requested or None,
            n_resamples=500,
            catalog_size=None if self.catalog.items is None else len(self.catalog.items),  # coverage
        )
        self.comparison = comparison
        self.error = None
        summary = comparison.summary()
        tests = comparison.tests()
        kpi = [("users", str(len(comparison.encoded.users))), ("reference", comparison.reference)]
        if "mean_rbo" in summary.columns:
            for _, row in summary.iterrows():
                if row["variant"] != comparison.reference:
                    kpi.append((f"RBO {row['variant']} vs {comparison.reference}", f"{row['mean_rbo']:.2f}"))
        shown = [c for c in ("variant", "users", "mean_list_length", "promoted_share", "mean_rbo", "catalog_coverage")
                 if c in summary.columns]  # fmt: skip
        sig, table = comparison.readable_tests(), comparison.readable_summary(shown)  # human names, verdict
        self.summary.value = (
            f"<div class='pl-root'>{_html.kpis(kpi)}</div>"
            + _html.frame_table(table)
            + "".join(_html.note(n) for n in table.attrs["notes"])
            + (
                f"<div class='pl-note'>Paired test: {_html.esc(tests['test'].iloc[0])}; "
                f"correction: {_html.esc(tests['correction'].iloc[0])}; "
                f"interval: {_html.esc(tests['ci_method'].iloc[0])}</div>" + _html.frame_table(sig)
                if len(sig)
                else ""
            )
        )
        rows = frame[frame["itemId"].notna()]
        half = {"height": 360, "width": PLOT_WIDTH}
        self.overlap_plot = plots.overlap_histogram(comparison.overlap()).update_layout(**half)
        self.score_plot = plots.score_distribution(rows).update_layout(**half)
        self.reason_plot = plots.reason_breakdown(rows).update_layout(width=2 * PLOT_WIDTH + 8)
        self.runs += 1
        self.plots.show(
            seq=self.runs,
            figures=[self.overlap_plot, self.score_plot, self.reason_plot],
            plot_classes=["pl-overlap-plot", "pl-score-plot", "pl-reason-plot"],
        )
        users = [str(u) for u in comparison.encoded.users]
        self.drill_user.options = users
        if users:
            self.drill_user.value = comparison.typical_user()
        self.export_button.disabled = False
        self.show_user()

    def show_user(self) -> None:
        """One user's lists side by side: gained (green) and lost (red) against the reference."""
        if self.comparison is None or not self.drill_user.value:
            return
        user = str(self.drill_user.value)
        frame = self.frame[(self.frame["userId"] == user) & self.frame["itemId"].notna()]
        ref = self.comparison.reference
        lists = {str(v): frame[frame["variant"] == v] for v in self.comparison.variants}
        ref_items = set(lists[ref]["itemId"].astype(str))
        others = (
            set().union(*(set(f["itemId"].astype(str)) for v, f in lists.items() if v != ref))
            if len(lists) > 1
            else set()
        )
        columns = []
        for name, part in lists.items():
            items = set(part["itemId"].astype(str))
            if name == ref:
                marks = {i: "pl-lost" for i in items - others} if others else {}
            else:
                marks = {i: "pl-gained" for i in items - ref_items}
            table = _html.result_table(
                part.drop(columns=["variant", "userId"]), [], title_column=self.roles.title, row_classes=marks
            )
            columns.append(
                f"<div style='flex:1;min-width:0'><div class='pl-h' style='font-size:15px'>{_html.esc(name)}</div>{table}</div>"
            )
        self.drill.value = f"<div class='pl-root' style='display:flex;gap:12px'>{''.join(columns)}</div>"

    def export(self, path: str | Path | None = None) -> Path | None:
        """Write the comparison's standalone HTML report (opens without Python)."""
        if self.comparison is None:
            self._fail(
                ValidationError("nothing to export yet. Fix: run the comparison first", field="report")
            )
            return None
        try:
            written = report.to_html(self.comparison, Path(path or self.report_path.value))
        except Exception as e:  # shown in the panel
            self._fail(e)
            return None
        self.message.value = _html.STYLE + written_link(written)
        return written


def _done(stats: dict[str, Any]) -> int:
    """Requests finished in a run: answered (sent, cache, checkpoint), failed, or skipped."""
    return sum(int(stats.get(k, 0)) for k in ("sent", "from_cache", "from_checkpoint", "skipped"))


def run_outcome(result: CohortResult) -> str:
    """What a run did, for the panel: done or cancelled, and the failed requests counted and quoted."""
    stats, errors = result.stats, result.errors
    done, total = _done(stats), int(stats.get("requests", 0))
    answered = result.frame.groupby(["variant", "userId"], observed=True).ngroups if len(result.frame) else 0
    if result.interrupted:
        text = f"Cancelled after {done} requests (of {total}); the comparison uses the {answered} lists that came back."
    elif answered:
        cached = int(stats.get("from_cache", 0)) + int(stats.get("from_checkpoint", 0))
        text = f"Done: {answered} lists, {len(result.frame)} rows ({cached} answered from the cache) in {stats.get('seconds', 0):.1f} s."
    else:
        text = "No list came back: nothing to compare."
    return _html.note(text) + (errors_box(errors, total) if len(errors) else "")


def errors_box(errors: pd.DataFrame, total: int) -> str:
    """The errors frame in a few lines: how many failed, by code, and the first messages."""
    codes = ", ".join(f"{code} ×{n}" for code, n in errors["code"].value_counts().items())
    lines = []
    for variant, user, message in errors[["variant", "userId", "message"]].head(ERRORS_SHOWN).to_numpy():
        who = f"user {user}" if isinstance(user, str) else "every user"  # <NA>: the variant failed whole
        lines.append(f"variant {variant}, {who}: {message}")
    more = len(errors) - len(lines)
    if more > 0:
        lines.append(f"… and {more} more (panel.errors holds them all)")
    head = f"{len(errors)} of {total} requests failed ({codes}); the others are compared."
    body = "".join(f"<li>{_html.esc(line)}</li>" for line in lines)
    return f'<div class="pl-error" role="alert"><b>{_html.esc(head)}</b><ul>{body}</ul></div>'


def written_link(path: Path) -> str:
    """A link to a written file, relative to the notebook's folder (the kernel's working directory, where
    Jupyter resolves a relative href), and its absolute path as text for a terminal or file browser."""
    absolute = path.resolve()
    relative = Path(os.path.relpath(absolute, Path.cwd())).as_posix()
    return (
        f"<div class='pl-note'>Report written: <a href='{_html.esc(quote(relative))}' target='_blank' "
        f"rel='noopener'>{_html.esc(relative)}</a> · <code>{_html.esc(absolute)}</code></div>"
    )
