"""The recommendation frame: the one column contract every layer above the client relies on.

One row per returned item, columns named as the service names them (ARCHITECTURE.md):

    rank Int64 | itemId string | score Float64 (<NA> where the service sent none, never 0) |
    promotionName string | reason object (tuple of str, () where absent) |
    one string column per requested metadata column | recommendationId string

Exactly two functions build it: :func:`recommendation_frame` from a runtime response and
:func:`batch_output_frame` from batch-inference output lines. ``DataFrame.attrs`` carries the exact request
(``attrs["request"]``) and where the answer came from (``attrs["source"]``: aws, local, replay or batch).
Action recommendations keep the service's own id column name, ``actionId``, in place of ``itemId``.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "CORE_COLUMNS",
    "SOURCES",
    "batch_output_frame",
    "empty_batch_errors",
    "recommendation_frame",
    "render_html",
    "style",
]

SOURCES = ("aws", "local", "replay", "batch")
CORE_COLUMNS = ("rank", "itemId", "score", "promotionName", "reason", "recommendationId")
_LIST_KEYS = ("itemList", "personalizedRanking", "actionList")
_STRING = pd.StringDtype()


def _metadata_columns(request: Mapping[str, Any] | None, items: Sequence[Mapping[str, Any]]) -> list[str]:
    """Requested columns first, in request order (so an absent value still gets a column), then any extra."""
    cols: list[str] = []
    if request:
        cols.extend((request.get("metadataColumns") or {}).get("ITEMS", []))
    for item in items:
        for key in item.get("metadata") or {}:
            if key not in cols:
                cols.append(key)
    return cols


@functools.lru_cache(maxsize=256)
def _columns(names: tuple[str, ...]) -> pd.Index:
    """Column indexes are immutable, so one per column layout is shared (building one costs ~50 µs)."""
    return pd.Index(names)


def _frame(data: dict[str, Any], n: int) -> pd.DataFrame:
    """DataFrame from ready-made arrays. ``_from_arrays`` skips the per-column sanitising that makes the
    public constructor cost ~5x more on a 25-row frame; the public path is the fallback if it changes."""
    try:
        return pd.DataFrame._from_arrays(  # type: ignore[attr-defined,unused-ignore]
            list(data.values()), columns=_columns(tuple(data)), index=pd.RangeIndex(n), verify_integrity=False
        )
    except (AttributeError, TypeError):  # pragma: no cover - a future pandas without the helper
        return pd.DataFrame(data)


def _strings(values: list[Any]) -> pd.api.extensions.ExtensionArray:
    """A pandas ``string`` array (pyarrow-backed, as pandas 3 builds it) straight from a list."""
    return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))


def recommendation_frame(
    response: Mapping[str, Any],
    *,
    request: Mapping[str, Any] | None = None,
    source: str = "aws",
) -> pd.DataFrame:
    """Build the recommendation frame from a GetRecommendations / GetPersonalizedRanking /
    GetActionRecommendations response (a boto3 result dict).

    ``request`` is the exact kwargs that were sent; it names the metadata columns to expect and is kept
    in ``attrs["request"]``. ``source`` says where the answer came from.
    """
    if source not in SOURCES:
        raise ValueError(f"source={source!r} is not one of {SOURCES}")
    key = next((k for k in _LIST_KEYS if k in response), None)
    if key is None:
        raise ValueError(f"response has none of {_LIST_KEYS}: keys are {sorted(response)}")
    items: Sequence[Mapping[str, Any]] = response[key] or []
    id_key = "actionId" if key == "actionList" else "itemId"
    n = len(items)
    meta_cols = _metadata_columns(request, items)
    # direct array constructors: pd.array(list, dtype=...) costs several times more per call, and this
    # runs once per request (benchmarks/client.py keeps the overhead over raw boto3 small)
    scores = np.array([it.get("score", np.nan) for it in items], dtype=np.float64)
    reasons = np.empty(n, dtype=object)
    reasons[:] = [tuple(it.get("reason") or ()) for it in items]
    data: dict[str, Any] = {
        "rank": pd.arrays.IntegerArray(np.arange(1, n + 1, dtype=np.int64), np.zeros(n, dtype=bool)),
        id_key: _strings([it.get(id_key) for it in items]),
        # absent score stays <NA>: SIMS, popularity and domain recommenders send no score at all
        "score": pd.arrays.FloatingArray(scores, np.isnan(scores)),
        "promotionName": _strings([it.get("promotionName") for it in items]),
        "reason": reasons,
    }
    for col in meta_cols:
        data[col] = _strings([(it.get("metadata") or {}).get(col) for it in items])
    rid = response.get("recommendationId")
    data["recommendationId"] = _strings([rid] * n)
    frame = _frame(data, n)
    frame.attrs["request"] = dict(request) if request is not None else None
    frame.attrs["source"] = source
    frame.attrs["operation"] = {
        "itemList": "GetRecommendations",
        "personalizedRanking": "GetPersonalizedRanking",
        "actionList": "GetActionRecommendations",
    }[key]
    return frame


# --- batch inference output ------------------------------------------------------------------------

BATCH_ERROR_COLUMNS = ("line", "userId", "seedItemId", "error", "raw")


def empty_batch_errors() -> pd.DataFrame:
    """The error frame with no rows (same columns and dtypes as a filled one)."""
    return pd.DataFrame(
        {
            "line": pd.array([], dtype="Int64"),
            "userId": pd.array([], dtype=_STRING),
            "seedItemId": pd.array([], dtype=_STRING),
            "error": pd.array([], dtype=_STRING),
            "raw": pd.array([], dtype=_STRING),
        }
    )


def _field(struct: pa.StructArray, name: str) -> pa.Array:
    if struct.type.get_field_index(name) < 0:
        return pa.nulls(len(struct), pa.large_string())
    return struct.field(name)


def batch_output_frame(
    table: pa.Table, *, line_numbers: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build (recommendation frame, error frame) from batch-inference output lines.

    ``table`` holds the parsed lines as an arrow table with columns ``input`` (struct with userId,
    itemId), ``output`` (struct with ``recommendedItems`` and optional ``scores`` lists) and ``error``
    (string), one row per line; ``line_numbers`` are the rows' 1-based file line numbers (default 1..n).
    The frame gets ``userId`` and ``seedItemId`` in front of the contract columns; lines with a
    non-null ``error`` go to the error frame (with their line number), never silently dropped.
    """
    n_lines = table.num_rows
    if line_numbers is None:
        line_numbers = np.arange(1, n_lines + 1, dtype=np.int64)
    inp = table.column("input").combine_chunks() if "input" in table.column_names else None
    out = table.column("output").combine_chunks()
    err = (
        table.column("error").combine_chunks()
        if "error" in table.column_names
        else pa.nulls(n_lines, pa.large_string())
    )
    users = _field(inp, "userId") if inp is not None else pa.nulls(n_lines, pa.large_string())
    seeds = _field(inp, "itemId") if inp is not None else pa.nulls(n_lines, pa.large_string())
    items = out.field("recommendedItems")
    scores = _field(out, "scores") if out.type.get_field_index("scores") >= 0 else None

    is_error = pc.is_valid(err)
    if pc.any(is_error).as_py():
        idx = pc.indices_nonzero(is_error)
        errors = pd.DataFrame(
            {
                "line": pd.array(line_numbers[np.asarray(idx, dtype=np.int64)], dtype="Int64"),
                "userId": pd.array(pc.take(users, idx).to_pylist(), dtype=_STRING),
                "seedItemId": pd.array(pc.take(seeds, idx).to_pylist(), dtype=_STRING),
                "error": pd.array(pc.take(err, idx).to_pylist(), dtype=_STRING),
                "raw": pd.array([None] * len(idx), dtype=_STRING),
            }
        )
    else:
        errors = empty_batch_errors()

    lengths = pc.fill_null(pc.list_value_length(items), 0)
    counts = np.asarray(lengths, dtype=np.int64)
    total = int(counts.sum())
    parents = np.repeat(np.arange(n_lines, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(total, dtype=np.int64) - np.repeat(starts, counts) + 1
    flat_items = pc.list_flatten(items)

    score_arr: pd.api.extensions.ExtensionArray
    if scores is not None and total:
        # scores line up with recommendedItems only where a line has exactly as many scores as items
        s_len = np.asarray(pc.fill_null(pc.list_value_length(scores), -1), dtype=np.int64)
        aligned = s_len == counts
        flat_scores = np.asarray(pc.list_flatten(pc.if_else(pa.array(aligned), scores, None)), dtype=float)
        values = np.full(total, np.nan)
        mask = np.repeat(aligned, counts)
        values[mask] = flat_scores
        score_arr = pd.arrays.FloatingArray(values, ~mask)
    else:
        score_arr = pd.arrays.FloatingArray(np.zeros(total), np.ones(total, dtype=bool))

    take = pa.array(parents)
    del parents, starts
    data = {
        "userId": _arrow_strings(pc.take(users, take)),
        "seedItemId": _arrow_strings(pc.take(seeds, take)),
        "rank": pd.arrays.IntegerArray(rank, np.zeros(total, dtype=bool)),
        "itemId": _arrow_strings(flat_items),
        "score": score_arr,
        "promotionName": _arrow_strings(pa.nulls(total, pa.large_string())),
        "reason": _empty_tuples(total),
        "recommendationId": _arrow_strings(pa.nulls(total, pa.large_string())),
    }
    # no-copy assembly: the public constructor copies every column of a dict (2x peak on big files)
    return _frame(data, total), errors


def _arrow_strings(values: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    """pandas ``string`` column over arrow memory; a cast only when the input is not large_string."""
    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    return pd.arrays.ArrowStringArray(values)


def _empty_tuples(n: int) -> np.ndarray:
    arr = np.empty(n, dtype=object)
    arr.fill(())  # one shared empty tuple: no per-row allocation on multi-million-row batch files
    return arr


# --- notebook rendering ----------------------------------------------------------------------------

_PROMOTED_STYLE = "background-color:#fff4d6"


def _cell(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(html.escape(str(v)) for v in value)
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return '<span style="color:#999">&lt;NA&gt;</span>'
    if isinstance(value, float):
        return html.escape(f"{value:.6g}")
    return html.escape(str(value))


def render_html(frame: pd.DataFrame, *, max_rows: int = 100) -> str:
    """A small, self-contained HTML table: promoted rows highlighted, reasons joined, every value escaped.

    Used for notebooks (``_repr_html_``) and reports; no JavaScript, no pandas Styler dependency (jinja2).
    """
    cols = [str(c) for c in frame.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    promoted = frame["promotionName"].notna() if "promotionName" in frame else None
    rows = []
    for i, row in enumerate(frame.head(max_rows).itertuples(index=False, name=None)):
        style = f' style="{_PROMOTED_STYLE}"' if promoted is not None and bool(promoted.iloc[i]) else ""
        rows.append(f"<tr{style}>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>")
    caption = ""
    source = frame.attrs.get("source")
    if source:
        caption = f"<caption>{html.escape(str(source))} · {len(frame)} rows"
        if promoted is not None and promoted.any():
            caption += f" · {int(promoted.sum())} promoted (highlighted)"
        caption += "</caption>"
    more = f"<p>… {len(frame) - max_rows} more rows</p>" if len(frame) > max_rows else ""
    return (
        f'<table class="personalize-lab-frame">{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )


class _Rendered:
    """Wraps a frame so Jupyter shows :func:`render_html`; ``.data`` is the frame itself."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.data = frame

    def _repr_html_(self) -> str:
        return render_html(self.data)

    def __repr__(self) -> str:
        return repr(self.data)


def style(frame: pd.DataFrame) -> _Rendered:
    """Notebook view of a recommendation frame: ``pl.frames.style(df)`` as the last line of a cell."""
    return _Rendered(frame)
