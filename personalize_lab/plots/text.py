"""Data text in figures: plotly.js reads a subset of HTML in every string it draws, so data is escaped.

Trace names, tick labels, hover text, annotations, subplot titles and titles all go through plotly.js's
text renderer (``svg_text_utils.convertToTspans``): ``<a href="https://…">`` becomes a live link,
``<span style="…">`` a style, ``<b>``, ``<i>``, ``<sub>``, ``<sup>``, ``<br>`` formatting. After reading
the tags it decodes the entities ``&lt;``, ``&gt;``, ``&amp;`` (and numeric ones) into characters. So
every string that comes from the user's data — variant names, categories, item ids, titles, reasons,
promotion names, user ids — passes through :func:`escape` on its way into a figure: the figure shows it
exactly as written, and none of it can open a tag. Markup of our own (``<br>``, ``<b>``) is written
around escaped data, never through it. ``&quot;`` is not one of plotly.js's entities (it would show as
typed) and a quote outside a tag opens nothing, so quotes stay as they are.

Hovertemplates are a second language: ``%{x}`` inside data placed in a template would be filled in.
Data therefore never goes into a hovertemplate; it reaches the hover through ``%{fullData.name}``,
``%{text}`` or ``%{customdata}``, whose values plotly.js inserts without reading them as a template.
"""

from __future__ import annotations

from collections.abc import Iterable

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(value: object) -> str:
    """``value`` as text plotly.js shows literally: ``&``, ``<`` and ``>`` as the entities it decodes."""
    return str(value).translate(_ENTITIES)


def escape_all(values: Iterable[object]) -> list[str]:
    """:func:`escape` of each value, as a list (tick labels, ``x``/``y`` categories, ``text`` arrays)."""
    return [str(v).translate(_ENTITIES) for v in values]


__all__ = ["escape", "escape_all"]
