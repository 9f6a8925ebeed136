"""The recommendation frame: the one column contract every layer above the client relies on.

One row per returned item, columns named as the service names them (ARCHITECTURE.md):

    rank Int64 | itemId string | score Float64 (<NA> where the service sent none, never 0) |
    promotionName string | reason object (tuple of str, () where absent) |
    one string column per requested metadata column | recommendationId string

Exactly two functions build it: :func:`answers_frame` from runtime responses (one, through
:func:`recommendation_frame`, or thousands read one by one as a cohort run receives them) and
:func:`batch_output_frame` from batch-inference output lines. ``DataFrame.attrs`` carries the exact request
(``attrs["request"]``) and where the answer came from (``attrs["source"]``: aws, local, replay or batch).
Action recommendations keep the service's own id column name, ``actionId``, in place of ``itemId``.
"""

from __future__ import annotations

import functools
import html
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from personalize_lab.columns import CORE_COLUMNS

__all__ = [
    "CORE_COLUMNS",
    "SOURCES",
    "Answer",
    "BatchPart",
    "answers_frame",
    "batch_frame",
    "batch_output_frame",
    "batch_output_part",
    "empty_batch_errors",
    "read_answer",
    "recommendation_frame",
    "render_html",
    "style",
]

SOURCES = ("aws", "local", "replay", "batch")
_LIST_KEYS = ("itemList", "personalizedRanking", "actionList")
_STRING = pd.StringDtype()
_OPERATIONS = {
    "itemList": "GetRecommendations",
    "personalizedRanking": "GetPersonalizedRanking",
    "actionList": "GetActionRecommendations",
}


@functools.lru_cache(maxsize=256)
def _columns(names: tuple[str, ...]) -> pd.Index:
    """Column indexes are immutable, so one per column layout is shared.

    Measured (issue 11, pandas 3.1): building the Index on every call costs ~35 µs of a ~70 µs 25-item
    ``recommendation_frame``, which benchmarks/client.py counts as overhead over raw boto3."""
    return pd.Index(names)


def _frame(data: dict[str, Any], n: int, *, consolidate: bool = True) -> pd.DataFrame:
    """DataFrame from ready-made arrays, without copying them.

    ``_from_arrays`` is pandas-private, kept because it measurably matters: the public
    ``pd.DataFrame(data, copy=False)`` sanitises every column again and adds ~45 µs to a ~70 µs 25-item
    ``recommendation_frame`` (issue 11, pandas 3.1). The public path is the fallback if pandas drops it."""
    try:
        if not consolidate:  # keeps an object column as it is (stacking copies it: seconds at 25M rows)
            from pandas.core.internals.construction import arrays_to_mgr

            mgr = arrays_to_mgr(
                list(data.values()),
                _columns(tuple(data)),
                pd.RangeIndex(n),
                verify_integrity=False,
                consolidate=False,
            )
            return pd.DataFrame._from_mgr(mgr, axes=mgr.axes)  # type: ignore[attr-defined,unused-ignore]
        return pd.DataFrame._from_arrays(  # type: ignore[attr-defined,unused-ignore]
            list(data.values()), columns=_columns(tuple(data)), index=pd.RangeIndex(n), verify_integrity=False
        )
    except (AttributeError, TypeError, ImportError):  # pragma: no cover - a future pandas without them
        return pd.DataFrame(data)


def _strings(values: list[Any]) -> pd.api.extensions.ExtensionArray:
    """A pandas ``string`` array (pyarrow-backed, as pandas 3 builds it) straight from a list."""
    return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))


@dataclass(frozen=True, slots=True)
class Answer:
    """One response's item list as columns, read in one go while the response is fresh in memory.

    A cohort run reads each answer as it arrives and builds one frame from thousands of them at the end
    (:func:`answers_frame`): reading 250,000 item dicts again at the end, scattered across the heap,
    costs several times more than reading each list while it is still in the CPU cache.
    """

    ids: list[Any]
    scores: list[Any]  # float, or NaN where the service sent no score
    promotions: list[Any] | None  # None: no item names a promotion
    reasons: list[tuple[str, ...]] | None  # None: no item gives a reason
    metadata: list[Any] | None  # each item's metadata dict (or None); None when no item has any
    recommendation_id: Any

    def __len__(self) -> int:
        return len(self.ids)


def read_answer(response: Mapping[str, Any], key: str = "itemList", id_key: str = "itemId") -> Answer:
    """The columns of ``response[key]`` (a runtime response's item list)."""
    items: Sequence[Mapping[str, Any]] = response.get(key) or []
    if set(map(len, items)) == {2}:
        # the common answer (an id and a score per item, nothing else): two reads instead of five
        try:
            ids, scores = [it[id_key] for it in items], [it["score"] for it in items]
        except KeyError:
            pass
        else:
            return Answer(ids, scores, None, None, None, response.get("recommendationId"))
    metadata = [it.get("metadata") for it in items]
    return Answer(
        [it.get(id_key) for it in items],
        [it.get("score", np.nan) for it in items],
        [it.get("promotionName") for it in items],
        [tuple(it.get("reason") or ()) for it in items],
        metadata if any(metadata) else None,
        response.get("recommendationId"),
    )


def _metadata_columns(request: Mapping[str, Any] | None, answers: Sequence[Answer]) -> list[str]:
    """Requested columns first, in request order (so an absent value still gets a column), then any extra."""
    cols: list[str] = []
    if request:
        cols.extend((request.get("metadataColumns") or {}).get("ITEMS", []))
    for answer in answers:
        for meta in answer.metadata or ():
            for key in meta or {}:
                if key not in cols:
                    cols.append(key)
    return cols


def _joined(answers: Sequence[Answer], column: str, absent: Any = None) -> list[Any] | None:
    """One column of every answer end to end (``absent`` for an answer without it); None when no answer
    has it at all."""
    columns = [getattr(a, column) for a in answers]
    if all(c is None for c in columns):
        return None
    if len(answers) == 1:
        values: list[Any] = columns[0]
        return values
    return list(
        itertools.chain.from_iterable(
            c if c is not None else [absent] * len(a) for a, c in zip(answers, columns, strict=True)
        )
    )


def _metadata_values(answers: Sequence[Answer], col: str) -> list[Any]:
    values: list[Any] = []
    for answer in answers:
        if answer.metadata is None:
            values.extend([None] * len(answer))
        else:
            values.extend([(meta or {}).get(col) for meta in answer.metadata])
    return values


def answers_frame(
    answers: Sequence[Answer],
    *,
    request: Mapping[str, Any] | None = None,
    source: str = "aws",
    operation: str = "GetRecommendations",
    id_key: str = "itemId",
) -> pd.DataFrame:
    """The recommendation frame of several answers laid end to end: ``rank`` restarts at 1 and
    ``recommendationId`` changes with each answer. ``request`` names the metadata columns to expect."""
    if source not in SOURCES:
        raise ValueError(f"source={source!r} is not one of {SOURCES}")
    counts = np.fromiter(map(len, answers), dtype=np.int64, count=len(answers))
    n = int(counts.sum())
    meta_cols = _metadata_columns(request, answers)
    # direct array constructors: pd.array(list, dtype=...) costs several times more per call, and this
    # runs once per request (benchmarks/client.py keeps the overhead over raw boto3 small)
    scores = np.array(_joined(answers, "scores") or [], dtype=np.float64)
    reason_values = _joined(answers, "reasons", ())
    if reason_values is None:
        reasons = _empty_tuples(n)
    else:
        reasons = np.empty(n, dtype=object)
        reasons[:] = reason_values
    promotions = _joined(answers, "promotions")
    if len(answers) == 1:
        rank = np.arange(1, n + 1, dtype=np.int64)
        rids = _strings([answers[0].recommendation_id] * n)
    else:
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        rank = np.arange(n, dtype=np.int64) - starts + 1
        answer_of_row = np.repeat(np.arange(len(answers), dtype=np.int64), counts)
        ids = pa.array([a.recommendation_id for a in answers], type=pa.large_string())
        rids = pd.arrays.ArrowStringArray(ids.take(pa.array(answer_of_row)))
    data: dict[str, Any] = {
        "rank": pd.arrays.IntegerArray(rank, np.zeros(n, dtype=bool)),
        id_key: _strings(_joined(answers, "ids") or []),
        # absent score stays <NA>: SIMS, popularity and domain recommenders send no score at all
        "score": pd.arrays.FloatingArray(scores, np.isnan(scores)),
        "promotionName": _arrow_strings(pa.nulls(n, pa.large_string()))
        if promotions is None
        else _strings(promotions),
        "reason": reasons,
    }
    for col in meta_cols:
        data[col] = _strings(_metadata_values(answers, col))
    data["recommendationId"] = rids
    frame = _frame(data, n)
    frame.attrs["request"] = dict(request) if request is not None else None
    frame.attrs["source"] = source
    frame.attrs["operation"] = operation
    return frame


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
    id_key = "actionId" if key == "actionList" else "itemId"
    return answers_frame(
        [read_answer(response, key, id_key)],
        request=request,
        source=source,
        operation=_OPERATIONS[key],
        id_key=id_key,
    )


# --- batch inference output ------------------------------------------------------------------------


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


def _column(table: pa.Table, name: str) -> pa.Array | None:
    if name not in table.column_names:
        return None
    column = table.column(name)
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()  # one chunk: no copy


@dataclass(frozen=True, slots=True)
class BatchPart:
    """One block of batch-inference output, already in the frame's column layout.

    A large output file is read block by block (``batch.read_batch_output``): each block becomes a part
    while its parsed lines are still in memory and in cache, then the nested lines are dropped, so the
    peak stays near the size of the finished frame instead of frame + every parsed line.
    """

    users: pa.Array  # large_string, one per item row
    seeds: pa.Array | None  # large_string per item row; None when no line of the block has an itemId
    items: pa.Array  # large_string
    counts: np.ndarray  # int64, items per line (ranks are made once for all parts)
    scores: np.ndarray  # float64, NaN where a line's scores do not line up with its items
    scored: np.ndarray | None  # bool per item row; None when every row is scored
    errors: pd.DataFrame | None  # the block's error lines, None when it has none

    def __len__(self) -> int:
        return len(self.items)


def _large(values: pa.Array) -> pa.Array:
    return values if values.type == pa.large_string() else values.cast(pa.large_string())


def _error_part(
    users: pa.Array, seeds: pa.Array, err: pa.Array, line_numbers: np.ndarray
) -> pd.DataFrame | None:
    is_error = pc.is_valid(err)
    if not pc.any(is_error).as_py():
        return None
    idx = pc.indices_nonzero(is_error)
    return pd.DataFrame(
        {
            "line": pd.array(line_numbers[np.asarray(idx, dtype=np.int64)], dtype="Int64"),
            "userId": pd.array(pc.take(users, idx).to_pylist(), dtype=_STRING),
            "seedItemId": pd.array(pc.take(seeds, idx).to_pylist(), dtype=_STRING),
            "error": pd.array(pc.take(err, idx).to_pylist(), dtype=_STRING),
            "raw": pd.array([None] * len(idx), dtype=_STRING),
        }
    )


def _ranks(counts: np.ndarray) -> np.ndarray:
    """1-based position of each item row within its line (lines without items have no rows)."""
    counts = counts[counts > 0]
    if len(counts) and (counts == counts[0]).all():  # the usual file: every line has numResults items
        grid = np.empty((len(counts), int(counts[0])), dtype=np.int64)
        grid[:] = np.arange(1, int(counts[0]) + 1, dtype=np.int64)  # a broadcast copy: np.tile is 5x slower
        return grid.reshape(-1)
    rank = np.ones(int(counts.sum()), dtype=np.int64)
    rank[np.cumsum(counts)[:-1]] = 1 - counts[:-1]  # each line's first row steps back to 1
    return np.cumsum(rank, out=rank)


def _score_part(
    scores: pa.Array | None, counts: np.ndarray, total: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Scores per item row; a line's scores count only where it has exactly as many as items."""
    if scores is None or not total:
        return np.full(total, np.nan), np.zeros(total, dtype=bool)
    s_len = np.asarray(pc.fill_null(pc.list_value_length(scores), -1), dtype=np.int64)
    aligned = (s_len == counts) | (counts == 0)  # a line without items (an error line) has nothing to align
    if aligned.all():
        return np.asarray(pc.list_flatten(scores), dtype=float), None
    flat_scores = np.asarray(pc.list_flatten(pc.if_else(pa.array(aligned), scores, None)), dtype=float)
    values = np.full(total, np.nan)
    mask = np.repeat(aligned, counts)
    values[mask] = flat_scores
    return values, mask


def batch_output_part(table: pa.Table, *, line_numbers: np.ndarray | None = None) -> BatchPart:
    """One block of parsed output lines (see :func:`batch_output_frame`) as a :class:`BatchPart`."""
    n_lines = table.num_rows
    if line_numbers is None:
        line_numbers = np.arange(1, n_lines + 1, dtype=np.int64)
    inp = _column(table, "input")
    out = _column(table, "output")
    assert out is not None, "batch output lines have an output column"
    err = _column(table, "error")
    err = pa.nulls(n_lines, pa.large_string()) if err is None else err
    users = _field(inp, "userId") if inp is not None else pa.nulls(n_lines, pa.large_string())
    seeds = _field(inp, "itemId") if inp is not None else pa.nulls(n_lines, pa.large_string())
    items = out.field("recommendedItems")
    scores = _field(out, "scores") if out.type.get_field_index("scores") >= 0 else None

    counts = np.asarray(pc.fill_null(pc.list_value_length(items), 0), dtype=np.int64)
    total = int(counts.sum())
    values, scored = _score_part(scores, counts, total)
    take = pa.array(np.repeat(np.arange(n_lines, dtype=np.int32), counts))
    return BatchPart(
        users=_large(pc.take(users, take)),
        seeds=None if seeds.null_count == n_lines else _large(pc.take(seeds, take)),
        items=_large(pc.list_flatten(items)),
        counts=counts,
        scores=values,
        scored=scored,
        errors=_error_part(users, seeds, err, line_numbers),
    )


def _chunked(chunks: list[pa.Array], total: int) -> pd.api.extensions.ExtensionArray:
    return pd.arrays.ArrowStringArray(pa.chunked_array(chunks or [pa.nulls(total, pa.large_string())]))


def batch_frame(parts: Sequence[BatchPart]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(recommendation frame, error frame) of the parts laid end to end, in order."""
    total = sum(len(p) for p in parts)
    nulls = pa.nulls(total, pa.large_string())  # immutable: shared by every all-<NA> string column
    if all(p.seeds is None for p in parts):
        seeds = _arrow_strings(nulls)
    else:
        seeds = _chunked(
            [pa.nulls(len(p), pa.large_string()) if p.seeds is None else p.seeds for p in parts], total
        )
    if all(p.scored is None for p in parts):
        mask = np.zeros(total, dtype=bool)
    else:
        mask = ~np.concatenate([np.ones(len(p), dtype=bool) if p.scored is None else p.scored for p in parts])
    scores = np.concatenate([p.scores for p in parts]) if parts else np.zeros(0)
    data = {
        "userId": _chunked([p.users for p in parts], total),
        "seedItemId": seeds,
        "rank": pd.arrays.IntegerArray(
            _ranks(np.concatenate([p.counts for p in parts])) if parts else np.zeros(0, dtype=np.int64),
            np.zeros(total, dtype=bool),
        ),
        "itemId": _chunked([p.items for p in parts], total),
        "score": pd.arrays.FloatingArray(scores, mask),
        "promotionName": _arrow_strings(nulls),
        "reason": _empty_tuples(total),
        "recommendationId": _arrow_strings(nulls),
    }
    error_parts = [p.errors for p in parts if p.errors is not None]
    errors = pd.concat(error_parts, ignore_index=True) if error_parts else empty_batch_errors()
    return _frame(data, total, consolidate=False), errors


def batch_output_frame(
    table: pa.Table, *, line_numbers: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build (recommendation frame, error frame) from batch-inference output lines.

    ``table`` holds the parsed lines as an arrow table with columns ``input`` (struct with userId,
    itemId), ``output`` (struct with ``recommendedItems`` and optional ``scores`` lists) and ``error``
    (string), one row per line; ``line_numbers`` are the rows' 1-based file line numbers (default 1..n).
    The frame gets ``userId`` and ``seedItemId`` in front of the contract columns; lines with a
    non-null ``error`` go to the error frame (with their line number), never silently dropped.
    Large files go block by block instead: :func:`batch_output_part` per block, :func:`batch_frame`.
    """
    return batch_frame([batch_output_part(table, line_numbers=line_numbers)])


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
