"""ResultView: one widget whose state is everything a request shows — table, figures, call and message.

Why not ``go.FigureWidget``: it keeps the figure it was created with as its synced state and sends every
later change as a one-off message (``_py2js_update``). A browser tab reloaded with the kernel running, a
Voila page whose view renders after those messages, or a message lost while the front end initialises
all show the *first* figure next to the latest table (issue 10). Here the synced state is the whole
figure: the front end redraws from it with ``Plotly.react`` (which diffs), so whatever renders the
model — a reload, Voila, a second view of the same panel — draws the request the kernel holds. Table,
figures and call change in one message (:meth:`ResultView.show`), so they can never show different
requests once the message has arrived.

plotly.js comes from the plotly package itself (:func:`plotly.offline.get_plotlyjs`) and is evaluated
once per page: nothing is fetched.
"""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import traitlets as t
from plotly.offline import get_plotlyjs

STATIC = Path(__file__).with_name("static")


@functools.cache
def _module() -> str:
    """The ES module: plotly.js wrapped so it registers once per page, then the view's own code."""
    prelude = (
        "function loadPlotly() {\n"
        "  if (!globalThis.__personalizeLabPlotly) {\n"
        "    const module = { exports: {} };\n"
        "    (function (module, exports, define) {\n"
        f"{get_plotlyjs()}\n"
        "    }).call(globalThis, module, module.exports, undefined);\n"
        "    globalThis.__personalizeLabPlotly = module.exports;\n"
        "  }\n"
        "  return globalThis.__personalizeLabPlotly;\n"
        "}\n"
    )
    return prelude + (STATIC / "view.js").read_text()


@functools.cache
def _template(name: str) -> dict[str, Any]:
    """A registered plotly template as plain JSON (plotly.js knows no template names)."""
    return dict(_plain(pio.templates[name].to_plotly_json()))


def figure_json(figure: Mapping[str, Any] | go.Figure) -> dict[str, Any]:
    """A figure dict (or ``go.Figure``) as the JSON plotly.js draws: arrays as lists, NaN as null, a
    template given by name replaced by its content. Widget state must be strict JSON: a NaN would make
    the browser drop the whole update."""
    plain: dict[str, Any] = _plain(figure.to_dict() if isinstance(figure, go.Figure) else figure)
    layout = plain.setdefault("layout", {})
    if isinstance(layout.get("template"), str):
        layout["template"] = _template(layout["template"])
    return plain


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        if "bdata" in value and "dtype" in value:  # plotly's typed-array encoding of a validated figure
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            shape = value.get("shape")
            value = array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
        else:
            return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


class ResultView(anywidget.AnyWidget):
    """The output side of a panel: message, table (sort, search, CSV export, copy), figures and call.

    Set it with :meth:`show` (a new answer) or :meth:`fail` (an error: the last answer stays, greyed, with
    the message above it). ``seq`` numbers the updates and ``answer_seq`` is the update whose answer the
    table and figures show (older than ``seq`` while an error is shown). In the browser each figure
    carries ``answer_seq`` as ``layout.meta.seq`` and the view's root ``data-seq`` / ``data-drawn-seq``
    once everything is drawn: what the browser tests compare.
    """

    _esm = _module()
    _css = (STATIC / "view.css").read_text()

    seq = t.Int(0).tag(sync=True)
    answer_seq = t.Int(0).tag(sync=True)
    message = t.Unicode("").tag(sync=True)
    table_html = t.Unicode("").tag(sync=True)
    csv = t.Unicode("").tag(sync=True)
    csv_name = t.Unicode("recommendations.csv").tag(sync=True)
    figures = t.List(t.Dict()).tag(sync=True)
    plot_classes = t.List(t.Unicode()).tag(sync=True)
    call = t.Unicode("").tag(sync=True)
    call_title = t.Unicode("The exact boto3 call").tag(sync=True)
    stale = t.Bool(False).tag(sync=True)

    def show(
        self,
        *,
        seq: int,
        table_html: str = "",
        csv: str = "",
        figures: Sequence[Mapping[str, Any]] = (),
        plot_classes: Sequence[str] = (),
        call: str = "",
        message: str = "",
    ) -> None:
        """Show one answer: every part in one message, so the browser never mixes two requests."""
        with self.hold_sync():
            self.seq = seq
            self.answer_seq = seq
            self.message = message
            self.table_html = table_html
            self.csv = csv
            self.figures = [figure_json(f) for f in figures]
            self.plot_classes = list(plot_classes)
            self.call = call
            self.call_title = "The exact boto3 call"
            self.stale = False

    def fail(self, *, seq: int, message: str, call: str = "", call_title: str = "") -> None:
        """Show an error above the last answer, which stays visible but greyed (``stale``)."""
        with self.hold_sync():
            self.seq = seq
            self.message = message
            self.stale = bool(self.table_html or self.figures)
            if call:
                self.call = call
                self.call_title = call_title or "The request that failed"
