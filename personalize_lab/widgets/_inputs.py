"""Input groups shared by the panels: a filter with one typed input per placeholder, a promotion, context rows.

Each group is a small object holding its widgets (``.box``) and turning their values into the Python
values :meth:`Lab.recommend` takes (``.values()``). The placeholders come from the filter's parsed
expression (``filters.parse(expr).placeholders``), so the inputs follow the language's own rules: IN
placeholders take several values, comparisons exactly one number; INCLUDE placeholders are required and an
empty EXCLUDE placeholder silently drops its clause.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from personalize_lab import filters
from personalize_lab.errors import ValidationError
from personalize_lab.requests import Promotion

NONE = ""
MAX_CHOICES = 400  # a multi-select with more values than this is unusable; offer free text instead


class Catalog:
    """Known values of item and user fields (local backend only), for multi-selects and hints."""

    def __init__(self, items: pd.DataFrame | None, users: pd.DataFrame | None) -> None:
        self.items = items
        self.users = users

    def _table(self, dataset: str) -> pd.DataFrame | None:
        return {
            "Items": self.items,
            "CurrentItem": self.items,
            "CurrentUser": self.users,
            "Users": self.users,
        }.get(dataset)

    def known(self, dataset: str, field: str) -> set[str] | None:
        """Every value ``dataset.field`` holds, or None where the backend cannot list them (AWS).

        Categorical metadata may hold several values joined by ``|`` (the service's convention); each
        part is a value a filter can match.
        """
        table = self._table(dataset)
        if table is None or field not in table.columns:
            return None
        return {part for v in table[field].dropna().unique() for part in str(v).split("|")}

    def choices(self, dataset: str, field: str) -> list[str]:
        values = self.known(dataset, field)
        return sorted(values) if values is not None and len(values) <= MAX_CHOICES else []

    def numeric_range(self, dataset: str, field: str) -> tuple[float, float] | None:
        table = self._table(dataset)
        if table is None or field not in table.columns:
            return None
        column = pd.to_numeric(table[field], errors="coerce").dropna()
        return (float(column.min()), float(column.max())) if len(column) else None


def _number(name: str, text: str) -> float | int:
    try:
        number = float(text)
    except ValueError as e:
        raise ValidationError(
            f"filter value {name}={text!r} must be a number (the filter compares it with <, >, <= or >=). "
            f"Fix: type a number such as 50",
            field=f"filterValues.{name}",
            value=text,
            rule="comparison placeholders take one number",
        ) from e
    return int(number) if number.is_integer() else number


class PlaceholderInputs:
    """One typed input per placeholder of one filter expression, labelled required/optional."""

    def __init__(self, expression: str | None, catalog: Catalog, on_change: Callable[[], None]) -> None:
        self.expression = expression
        self.inputs: dict[str, w.Widget] = {}
        self.kinds: dict[str, str] = {}
        self.required: dict[str, bool] = {}
        self.catalog = catalog
        self.placeholders: dict[str, filters.Placeholder] = {}
        rows: list[w.Widget] = []
        placeholders = filters.parse(expression).placeholders if expression else ()
        seen: dict[str, filters.Placeholder] = {}
        for p in placeholders:
            if p.name in seen:  # one value serves every use; required if any use is required
                self.required[p.name] = self.required[p.name] or p.required
                continue
            seen[p.name] = p
            self.required[p.name] = p.required
        self.placeholders = seen
        for name, p in seen.items():
            widget: w.Widget
            choices = catalog.choices(p.dataset, p.field) if p.is_list else []
            if p.is_list and choices:
                widget = w.SelectMultiple(
                    options=choices, rows=min(6, len(choices)), layout={"width": "260px"}
                )
                self.kinds[name] = "multi"
            elif p.is_list:
                widget = w.Text(placeholder="values, comma separated: a, b", layout={"width": "260px"})
                self.kinds[name] = "list"
            else:
                span = catalog.numeric_range(p.dataset, p.field)
                hint = f"number ({span[0]:g} – {span[1]:g})" if span else "number"
                widget = w.Text(placeholder=hint, continuous_update=False, layout={"width": "260px"})
                self.kinds[name] = "number"
            widget.observe(lambda _change: on_change(), names="value")
            widget.add_class(f"pl-ph-{name}")
            self.inputs[name] = widget
            need = self.required[name]
            tag = (
                '<span style="color:#B44A00;font-weight:600">required</span> (INCLUDE)'
                if need
                else '<span style="color:#52606D">optional</span> (EXCLUDE: left empty, its clause is dropped)'
            )
            label = w.HTML(
                f"<b>${name}</b> <span style='color:#7B8794'>{p.dataset}.{p.field} {p.operator}</span><br>{tag}",
                layout={"width": "220px"},
            )
            rows.append(w.HBox([label, widget]))
        self.box = w.VBox(rows)

    def set(self, values: dict[str, Any]) -> None:
        """Fill inputs from Python values (used when restoring a request from history)."""
        for name, value in values.items():
            widget = self.inputs.get(name)
            if widget is None:
                continue
            if self.kinds[name] == "multi":
                widget.value = tuple(str(v) for v in (value if isinstance(value, (list, tuple)) else [value]))
            elif self.kinds[name] == "list":
                widget.value = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
            else:
                widget.value = str(value)

    def missing(self) -> list[str]:
        """Required placeholders left empty: the request cannot be sent until they are filled."""
        filled = self.values_or_empty()
        return [name for name, need in self.required.items() if need and name not in filled]

    def unknown(self) -> dict[str, list[str]]:
        """Typed values that match nothing in the known catalog, by placeholder (empty when unknowable)."""
        found: dict[str, list[str]] = {}
        for name, value in self.values_or_empty().items():
            p = self.placeholders[name]
            known = self.catalog.known(p.dataset, p.field) if p.is_list else None
            if known is not None:
                misses = [str(v) for v in value if str(v) not in known]
                if misses:
                    found[name] = misses
        return found

    def values_or_empty(self) -> dict[str, Any]:
        """Like :meth:`values`, but a number that does not parse counts as empty instead of raising."""
        try:
            return self.values()
        except ValidationError:
            return {}

    def values(self) -> dict[str, Any]:
        """Filled placeholders only: an empty input is left out (the client says if it was required)."""
        out: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            kind = self.kinds[name]
            if kind == "multi" and widget.value:
                out[name] = list(widget.value)
            elif kind == "list" and widget.value.strip():
                out[name] = [v.strip() for v in widget.value.split(",") if v.strip()]
            elif kind == "number" and widget.value.strip():
                out[name] = _number(name, widget.value.strip())
        return out


class FilterPicker:
    """A filter dropdown (names from the control plane) and the inputs of its placeholders."""

    def __init__(
        self,
        filter_table: pd.DataFrame,
        catalog: Catalog,
        on_change: Callable[[], None],
        description: str = "Filter",
    ) -> None:
        self.catalog = catalog
        self.on_change = on_change
        self.expressions = {str(r["name"]): r["expression"] for _, r in filter_table.iterrows()}
        options = [("— none —", NONE)] + [(name, name) for name in self.expressions]
        self.dropdown = w.Dropdown(
            options=options, value=NONE, description=description, layout={"width": "360px"}
        )
        self.expression = w.HTML()
        self.placeholders = PlaceholderInputs(None, catalog, on_change)
        self.box = w.VBox([self.dropdown, self.expression, self.placeholders.box])
        self.dropdown.observe(self._picked, names="value")

    def _picked(self, _change: Any = None) -> None:
        self.rebuild()
        self.on_change()

    def rebuild(self) -> None:
        name = self.dropdown.value
        expr = self.expressions.get(name) if name else None
        self.expression.value = (
            f"<code style='font-size:11px;color:#52606D'>{_esc(expr)}</code>" if expr else ""
        )
        self.placeholders = PlaceholderInputs(
            None if expr is None or pd.isna(expr) else str(expr), self.catalog, self.on_change
        )
        self.box.children = [self.dropdown, self.expression, self.placeholders.box]

    @property
    def name(self) -> str | None:
        return self.dropdown.value or None

    def values(self) -> dict[str, Any] | None:
        return self.placeholders.values() or None if self.name else None


def _esc(text: Any) -> str:
    from personalize_lab.widgets._html import esc

    return esc(text)


class PromotionEditor:
    """Promotion name, percent and its own filter (with placeholder inputs); off until ticked."""

    def __init__(self, filter_table: pd.DataFrame, catalog: Catalog, on_change: Callable[[], None]) -> None:
        self.enabled = w.Checkbox(value=False, description="Promote", indent=False, layout={"width": "90px"})
        self.name = w.Text(
            value="featured", description="Name", continuous_update=False, layout={"width": "220px"}
        )
        self.percent = w.IntSlider(
            value=20,
            min=1,
            max=100,
            description="Percent",
            continuous_update=False,
            layout={"width": "320px"},
        )
        self.filter = FilterPicker(filter_table, catalog, on_change, description="Promote")
        self.details = w.VBox([self.name, self.percent, self.filter.box])
        self.details.layout.display = "none"
        self.box = w.VBox([self.enabled, self.details])
        for widget in (self.name, self.percent):
            widget.observe(lambda _c: on_change(), names="value")

        def toggled(_change: Any) -> None:
            self.details.layout.display = None if self.enabled.value else "none"
            on_change()

        self.enabled.observe(toggled, names="value")

    def value(self) -> Promotion | None:
        if not self.enabled.value:
            return None
        return Promotion(
            name=self.name.value.strip(),
            percent=int(self.percent.value),
            filter=self.filter.name,
            filter_values=self.filter.values(),
        )


class ContextRows:
    """Context key/value rows; keys suggested from the Interactions schema (DEVICE on the demo)."""

    def __init__(self, keys: list[str], on_change: Callable[[], None]) -> None:
        self.keys = keys
        self.on_change = on_change
        self.rows: list[tuple[w.Combobox, w.Text, w.HBox]] = []
        self.add_button = w.Button(description="+ context", layout={"width": "110px"})
        self.add_button.on_click(lambda _b: self.add())
        self.list = w.VBox([])
        hint = f"schema keys: {', '.join(keys)}" if keys else "no context fields in the Interactions schema"
        self.box = w.VBox(
            [w.HBox([self.add_button, w.HTML(f"<span class='pl-note'>{_esc(hint)}</span>")]), self.list]
        )

    def add(self, key: str = "", value: str = "") -> None:
        key_box = w.Combobox(
            value=key or (self.keys[0] if self.keys else ""),
            options=self.keys,
            placeholder="key",
            layout={"width": "160px"},
            continuous_update=False,
        )
        value_box = w.Text(
            value=value, placeholder="value", layout={"width": "160px"}, continuous_update=False
        )
        remove = w.Button(description="✕", layout={"width": "36px"})
        row = w.HBox([key_box, value_box, remove])
        self.rows.append((key_box, value_box, row))
        self.list.children = [r[2] for r in self.rows]
        key_box.observe(lambda _c: self.on_change(), names="value")
        value_box.observe(lambda _c: self.on_change(), names="value")

        def drop(_b: Any) -> None:
            self.rows = [r for r in self.rows if r[2] is not row]
            self.list.children = [r[2] for r in self.rows]
            self.on_change()

        remove.on_click(drop)
        if value:
            self.on_change()

    def set(self, context: dict[str, str]) -> None:
        self.rows = []
        self.list.children = []
        for key, value in context.items():
            self.add(key, value)

    def values(self) -> dict[str, str] | None:
        found = {k.value.strip(): v.value for k, v, _ in self.rows if k.value.strip() and v.value != ""}
        return found or None
