"""The Explorer: the AWS console's test panel, plus plots, the exact boto3 call, history and A/B pins.

It only wires state. Controls become a :class:`RequestSpec`; the panel checks what it can say in its own
words first (a required placeholder left empty, a value the catalog does not hold), then the request goes
through :class:`Lab` (validation, errors, the frame); the table comes from ``_html`` and the figures from
:mod:`personalize_lab.plots`, and all of them reach the browser together in one :class:`ResultView`
update, so the plots always show the request the table shows. Every change re-runs the request at once.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from personalize_lab.errors import PersonalizeLabError, ValidationError
from personalize_lab.limits import MAX_ACTION_RESULTS, MAX_RESULTS, MAX_RESULTS_WITH_METADATA
from personalize_lab.plots.figure_dicts import FigureDict, merge
from personalize_lab.plots.one_list import rank_scores_dict, reason_counts_dict
from personalize_lab.widgets import _advice, _html
from personalize_lab.widgets._inputs import Catalog, ContextRows, FilterPicker, PromotionEditor
from personalize_lab.widgets._request import RequestSpec, Targets, discover, target_options
from personalize_lab.widgets._roles import item_roles
from personalize_lab.widgets._state import pins_of
from personalize_lab.widgets.view import ResultView

if TYPE_CHECKING:
    from personalize_lab.client import Lab

PLOT_WIDTH = 620
PLOT_CLASSES = ("pl-score-plot", "pl-reason-plot")


class Explorer:
    """One request at a time against a campaign or recommender, with everything a newcomer needs to see.

    ``lab.explorer()`` builds it; display it as the last expression of a cell. ``frame`` is the latest
    result, ``message`` the latest error (empty when the request worked).
    """

    def __init__(
        self, lab: Lab, *, user_id: str | None = None, metadata: tuple[str, ...] | None = None
    ) -> None:
        self.targets = Targets(lab)
        self.lab = lab
        self.frame: pd.DataFrame = pd.DataFrame()
        self.error: BaseException | None = None
        self.seq = 0
        #: milliseconds per stage of the latest update (controls, request, figures, table, view, total):
        #: what ``benchmarks/widgets.py`` reports, so a slow change can be traced to its stage
        self.timings: dict[str, float] = {}
        self.history: list[RequestSpec] = []
        self.position = -1
        self._quiet = True
        self._rng = random.Random(0)
        self.users = lab.known_users()
        self.catalog = Catalog(lab.item_table(), lab.user_table())
        table, filter_table, context_keys, item_fields = discover(lab)
        self.roles = item_roles(self.catalog.items, item_fields)

        self._request_controls(table, user_id, item_fields, metadata)
        self.context = ContextRows(context_keys, self._changed)
        self.filter = FilterPicker(filter_table, self.catalog, self._changed)
        self.promotion = PromotionEditor(filter_table, self.catalog, self._changed)
        self._history_controls()
        self.header = w.HTML()
        #: message, table, both plots and the call: one widget, one state (see ResultView)
        self.view = ResultView(layout={"flex": "1 1 auto", "min_width": "0"})
        self._wire()

        self.widget = self._layout()
        self._apply_recipe()
        self._quiet = False
        self.run()

    def _request_controls(
        self,
        targets: pd.DataFrame,
        user_id: str | None,
        item_fields: list[str],
        metadata: tuple[str, ...] | None,
    ) -> None:
        """Target, user, item, inputList, metadata columns and numResults."""
        self.target = w.Dropdown(
            options=target_options(targets),
            description="Target",
            layout={"width": "380px"},
        )
        self.user = w.Combobox(
            value=user_id or (self.users[0] if self.users else ""),
            options=self.users[:2000],
            placeholder="userId",
            description="User",
            ensure_option=False,
            continuous_update=False,
            layout={"width": "300px"},
        )
        self.random_user = w.Button(
            description="Random", tooltip="a random known user", layout={"width": "76px"}
        )
        self.user_history = w.HTML()
        items = self.catalog.items
        item_ids = [] if items is None else list(items["ITEM_ID"].astype(str)[:5000])
        self.item = w.Combobox(
            value=item_ids[0] if item_ids else "",
            options=item_ids,
            description="Item",
            placeholder="itemId (related items)",
            continuous_update=False,
            layout={"width": "300px"},
        )
        self.input_list = w.Textarea(
            value=", ".join(item_ids[:25]),
            description="inputList",
            placeholder="itemIds to rank, comma separated",
            continuous_update=False,
            layout={"width": "380px", "height": "60px"},
        )
        columns = [c for c in items.columns if c != "ITEM_ID"] if items is not None else []
        columns = columns or [f for f in item_fields if f != "ITEM_ID"]
        chosen = metadata if metadata is not None else tuple(c for c in self.roles.columns() if c in columns)
        self.metadata = w.SelectMultiple(
            options=columns, value=chosen, description="Metadata", rows=4, layout={"width": "380px"}
        )
        self.num_results = w.BoundedIntText(
            value=25,
            min=1,
            max=MAX_RESULTS_WITH_METADATA,
            description="numResults",
            layout={"width": "200px"},
        )

    def _history_controls(self) -> None:
        self.back = w.Button(description="◀ back", disabled=True, layout={"width": "80px"})
        self.forward = w.Button(description="forward ▶", disabled=True, layout={"width": "90px"})
        self.pin_a = w.Button(description="pin as A", layout={"width": "80px"})
        self.pin_b = w.Button(description="pin as B", layout={"width": "80px"})
        self.pins_note = w.HTML()

    def _wire(self) -> None:
        """CSS handles (for people styling the panel and for the browser tests) and the handlers."""
        for widget, css in (
            (self.target, "pl-target"),
            (self.user, "pl-user"),
            (self.random_user, "pl-random"),
            (self.num_results, "pl-num-results"),
            (self.metadata, "pl-metadata"),
            (self.promotion.enabled, "pl-promote"),
            (self.filter.box, "pl-filter"),
            (self.promotion.filter.box, "pl-promotion-filter"),
        ):
            widget.add_class(css)
        for control in (self.user, self.item, self.input_list, self.num_results):
            control.observe(self._changed, names="value")
        self.metadata.observe(self._metadata_changed, names="value")
        self.target.observe(self._target_changed, names="value")
        self.random_user.on_click(lambda _b: self.pick_random_user())
        self.back.on_click(lambda _b: self.go(-1))
        self.forward.on_click(lambda _b: self.go(+1))
        self.pin_a.on_click(lambda _b: self.pin("A"))
        self.pin_b.on_click(lambda _b: self.pin("B"))

    # --- layout --------------------------------------------------------------------------------------

    def _layout(self) -> w.Widget:
        def section(title: str) -> w.HTML:
            return w.HTML(f"<div style='font-weight:600;color:#52606D;margin-top:8px'>{title}</div>")

        self.item_row = w.VBox([self.item])
        self.rank_row = w.VBox([self.input_list])
        self.context_row = w.VBox([section("Context"), self.context.box])
        self.promotion_row = w.VBox([section("Promotion"), self.promotion.box])
        controls = w.VBox(
            [
                self.target,
                w.HBox([self.user, self.random_user]),
                self.user_history,
                self.item_row,
                self.rank_row,
                self.num_results,
                self.metadata,
                section("Filter"),
                self.filter.box,
                self.promotion_row,
                self.context_row,
                section("History and pins"),
                w.HBox([self.back, self.forward, self.pin_a, self.pin_b]),
                self.pins_note,
            ],
            layout={"width": "430px", "flex": "0 0 430px", "padding": "0 12px 0 0"},
        )
        root = w.VBox([w.HTML(_html.STYLE), self.header, w.HBox([controls, self.view])])
        root.add_class("pl-explorer")
        return root

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # --- state ---------------------------------------------------------------------------------------

    @property
    def current_lab(self) -> Lab:
        arn, kind = self.target.value
        return self.targets.lab(arn, kind)

    def _apply_recipe(self) -> None:
        """Show only the inputs this recipe takes (userId, itemId, inputList, promotions, context).

        Next-Best-Action (PERSONALIZED_ACTIONS) takes a userId, numResults (at most 100) and an ActionID
        filter: no item, promotion, context or metadata."""
        lab = self.current_lab
        recipe = lab.recipe
        ranking = recipe.behaviour == "PERSONALIZED_RANKING"
        actions = recipe.behaviour == "PERSONALIZED_ACTIONS"
        self.item_row.layout.display = None if recipe.item_id != "unused" and not ranking else "none"
        self.rank_row.layout.display = None if ranking else "none"
        self.num_results.layout.display = "none" if ranking else None
        self.promotion_row.layout.display = None if recipe.promotions and not ranking else "none"
        self.context_row.layout.display = None if recipe.context and not actions else "none"
        self.metadata.disabled = not recipe.metadata_enabled or actions
        desc = lab.describe()
        self.header.value = (
            f"<div class='pl-root'><span class='pl-h'>Explorer</span> "
            f"<span class='pl-sub'>{_html.esc(desc.get('name') or lab.campaign_arn or lab.recommender_arn)} · "
            f"{_html.esc(recipe.recipe_name or 'unknown recipe')} · source: {_html.esc(lab.source)}</span></div>"
        )
        self._metadata_limit()

    def _metadata_limit(self) -> None:
        """numResults max follows the metadata rule: 50 with metadataColumns, else 500."""
        limit = (
            MAX_RESULTS_WITH_METADATA if self.metadata.value and not self.metadata.disabled else MAX_RESULTS
        )
        if self.current_lab.recipe.behaviour == "PERSONALIZED_ACTIONS":
            limit = MAX_ACTION_RESULTS
        if self.num_results.value > limit:
            self.num_results.value = limit
        self.num_results.max = limit

    def request(self) -> RequestSpec:
        """The request the controls describe (values are read, nothing is sent)."""
        arn, kind = self.target.value
        recipe = self.current_lab.recipe
        metadata = list(self.metadata.value) if self.metadata.value and not self.metadata.disabled else None
        kwargs: dict[str, Any] = {
            "user_id": self.user.value.strip() or None,
            "context": self.context.values() if recipe.context else None,
            "filter": self.filter.name,
            "filter_values": self.filter.values(),
            "metadata": metadata,
        }
        if recipe.behaviour == "PERSONALIZED_RANKING":
            items = [i.strip() for i in self.input_list.value.replace("\n", ",").split(",") if i.strip()]
            return RequestSpec(arn, kind, "rank", {**kwargs, "items": items})
        if recipe.behaviour == "PERSONALIZED_ACTIONS":
            action_kwargs = {k: kwargs[k] for k in ("user_id", "filter", "filter_values")}
            action_kwargs["num_results"] = int(self.num_results.value)
            return RequestSpec(arn, kind, "recommend_actions", action_kwargs)
        kwargs["num_results"] = int(self.num_results.value)
        if recipe.item_id != "unused":
            kwargs["item_id"] = self.item.value.strip() or None
        if recipe.promotions:
            # a ticked promotion waits for its filter (the panel says so) instead of failing the request
            kwargs["promotion"] = self.promotion.value() if self.promotion.filter.name else None
        return RequestSpec(arn, kind, "recommend", kwargs)

    # --- handlers ------------------------------------------------------------------------------------

    def _changed(self, _change: Any = None) -> None:
        if not self._quiet:
            self.run()

    def _metadata_changed(self, _change: Any = None) -> None:
        self._metadata_limit()
        self._changed()

    def _target_changed(self, _change: Any = None) -> None:
        try:
            self._apply_recipe()
        except PersonalizeLabError as e:
            self._show_error(e, _advice.explain(e), None)
            return
        self._changed()

    def pick_random_user(self) -> None:
        others = [u for u in self.users if u != self.user.value]
        if others:  # never the current user: a click must always change something
            self.user.value = self._rng.choice(others)

    def run(self, *, remember: bool = True) -> pd.DataFrame | None:
        """Send the request the controls describe and update table, plots, call text and history.

        What the panel can tell in its own words comes first: an input it needs (nothing is sent) or a
        value that matches nothing in the known catalog (sent, with a warning above the answer).
        """
        started = time.perf_counter()
        self.seq += 1
        self.timings = {}
        request: RequestSpec | None = None
        try:
            request = self.request()
            self._show_user()
            advice = _advice.check(self.filter, self.promotion)
            if advice.blocking:
                self._show_error(ValidationError(" ".join(advice.blocking)), advice.html(), request)
                return None
            self.timings["controls"] = _ms(started)
            frame = self.targets.run(request)
            self.timings["request"] = _ms(started) - self.timings["controls"]
        except Exception as e:  # every failure becomes a message in the panel
            self._show_error(e, _advice.explain(e), request)
            return None
        self.error = None
        self.frame = frame
        if remember:
            self.history = [*self.history[: self.position + 1], request]
            self.position = len(self.history) - 1
        self._update_nav()
        self._render(frame, request, advice, started)
        return frame

    def _render(
        self, frame: pd.DataFrame, request: RequestSpec, advice: _advice.Advice, started: float
    ) -> None:
        mark = time.perf_counter()
        # one list explained: score against rank (promoted, explored, placeholder and out-of-order items
        # marked and said in words) and the count of every reason, or plainly that the recipe gives none
        recipe = self.current_lab.recipe.recipe_name
        plotted = frame.rename(columns={"actionId": "itemId"})  # an action list plots like an item list
        figures = [_sized(rank_scores_dict(plotted)), _sized(reason_counts_dict(plotted, recipe=recipe))]
        self.timings["figures"] = _ms(mark)
        mark = time.perf_counter()
        metadata = list(request.kwargs.get("metadata") or [])
        title = self.roles.title if self.roles.title in frame.columns else None
        html = _html.result_table(frame, metadata, title_column=title, attrs={"seq": self.seq})
        self.timings["table"] = _ms(mark)
        mark = time.perf_counter()
        self.view.show(
            seq=self.seq,
            message=advice.html(),
            table_html=html,
            csv=_csv(frame),
            figures=figures,
            plot_classes=PLOT_CLASSES,
            call=self.current_lab.last_call(),
        )
        self.timings["view"] = _ms(mark)
        self.timings["total"] = _ms(started)

    @property
    def message(self) -> str:
        """The message above the answer (HTML): an error, or what the panel noticed; empty if none."""
        return self.view.message

    def _show_error(self, error: BaseException, message: str, request: RequestSpec | None) -> None:
        """An error above the last answer, which stays visible but greyed. The call shown is the one
        that failed, or — when nothing was sent (the panel or the client's checks stopped it) — the
        request as the panel has it, so the call on screen is never an older one."""
        self.error = error
        self.frame = pd.DataFrame()
        if isinstance(error, ValidationError):
            call = request.python_call() if request is not None else ""
            title = "Not sent: the request as the panel has it"
        else:
            call, title = self.current_lab.last_call(), "The call that failed"
        self.view.fail(seq=self.seq, message=message, call=call, call_title=title)

    def _show_user(self) -> None:
        user = self.user.value.strip()
        self.user_history.value = (
            _html.history_strip(self.lab.user_history(user, limit=5), title_column=self.roles.title)
            if self.users
            else ""
        )

    def _update_nav(self) -> None:
        self.back.disabled = self.position <= 0
        self.forward.disabled = self.position >= len(self.history) - 1

    def go(self, step: int) -> None:
        """Back (-1) or forward (+1) through the request history: controls restored, request re-sent."""
        target = self.position + step
        if not 0 <= target < len(self.history):
            return
        self.position = target
        self.restore(self.history[target])
        self.run(remember=False)

    def restore(self, request: RequestSpec) -> None:
        """Set the controls from a request without sending anything."""
        self._quiet = True
        try:
            option = (request.target_arn, request.target_kind)
            if self.target.value != option:
                self.target.value = option
                self._apply_recipe()
            kw = request.kwargs
            self.user.value = kw.get("user_id") or ""
            if "item_id" in kw:
                self.item.value = kw["item_id"] or ""
            if "items" in kw:
                self.input_list.value = ", ".join(kw["items"])
            self.metadata.value = tuple(kw.get("metadata") or ())
            self._metadata_limit()
            if "num_results" in kw:
                self.num_results.value = kw["num_results"]
            self.context.set(dict(kw.get("context") or {}))
            self.filter.dropdown.value = kw.get("filter") or ""
            self.filter.rebuild()
            self.filter.placeholders.set(dict(kw.get("filter_values") or {}))
            promo = kw.get("promotion")
            self.promotion.enabled.value = promo is not None
            if promo is not None:
                self.promotion.name.value = promo.name
                self.promotion.percent.value = promo.percent
                self.promotion.filter.dropdown.value = promo.filter or ""
                self.promotion.filter.rebuild()
                self.promotion.filter.placeholders.set(dict(promo.filter_values or {}))
        finally:
            self._quiet = False

    def pin(self, slot: str) -> RequestSpec:
        """Remember the current request as variant ``slot`` (A or B) for ``lab.compare_panel()``."""
        request = self.request()
        request = RequestSpec(
            request.target_arn, request.target_kind, request.operation, dict(request.kwargs), label=slot
        )
        pins = pins_of(self.lab)
        pins[slot] = request
        self.pins_note.value = "".join(
            f"<div class='pl-note'><b>{_html.esc(k)}</b>: {_html.esc(v.describe())}</div>"
            for k, v in sorted(pins.items())
        )
        return request


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def _sized(figure: FigureDict) -> FigureDict:
    merge(
        figure["layout"],
        {
            "width": PLOT_WIDTH,
            "height": 300,
            "margin": {"l": 55, "r": 15, "t": 70, "b": 45},
            "title": {"font": {"size": 14}},
        },
    )
    return figure


def _csv(frame: pd.DataFrame) -> str:
    """The answer as CSV for the view's export and copy buttons (reasons joined with ``|``)."""
    out = frame.copy()
    if "reason" in out.columns:
        out["reason"] = out["reason"].map(lambda r: "|".join(r) if isinstance(r, (tuple, list)) else "")
    return str(out.to_csv(index=False))
