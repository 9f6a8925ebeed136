"""The one place a long recommendation frame is checked and encoded for analysis (and the plots above it).

Column names come from :mod:`personalize_lab.columns`, so analysis works on any long frame (a cohort run,
batch output, a hand-built test frame) without importing the client. :func:`encode` turns such a frame
into integer codes once, so every metric can be a ``bincount``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from personalize_lab.columns import (
    ITEM_ID,
    PROMOTION_NAME,
    RANK,
    REASON,
    REASON_EXPLORATION,
    REASON_POPULAR,
    REASON_PROMOTED,
    REQUEST_KEYS,
    SCORE,
    SEED_ITEM_ID,
    USER_ID,
    VARIANT,
)
from personalize_lab.errors import ValidationError

#: Columns every analysed frame must have, besides one request key (userId or seedItemId).
REQUIRED = (VARIANT, RANK, ITEM_ID)


def request_key(frame: pd.DataFrame) -> str:
    """The column naming who a list was made for: ``userId``, else ``seedItemId`` (related-items)."""
    for key in REQUEST_KEYS:
        if key in frame.columns:
            return key
    raise ValidationError(
        f"frame has neither {USER_ID!r} nor {SEED_ITEM_ID!r}: columns are {list(map(str, frame.columns))}",
        field="frame",
        rule="a long recommendation frame names the request key in front of the recommendation columns",
        fix="pass the frame from lab.recommend_many / batch output, or add a userId column",
    )


def validate_frame(frame: pd.DataFrame) -> str:
    """Check the columns analysis needs; return the request key column. Raises ValidationError naming gaps."""
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(
            f"frame must be a pandas DataFrame, got {type(frame).__name__}",
            field="frame",
            fix="pass the long recommendation frame (one row per recommended item)",
        )
    missing = [c for c in REQUIRED if c not in frame.columns]
    key = None
    try:
        key = request_key(frame)
    except ValidationError:
        missing.append(f"{USER_ID} (or {SEED_ITEM_ID})")
    if missing:
        raise ValidationError(
            f"frame is missing required column(s) {', '.join(missing)}; "
            f"it has {list(map(str, frame.columns))}",
            field="frame",
            value=None,
            rule="analysis needs variant, userId (or seedItemId), rank and itemId",
            fix="add the missing columns (see the recommendation frame contract in the README)",
        )
    assert key is not None  # for mypy: request_key succeeded when nothing is missing
    return key


@dataclass(frozen=True)
class Encoded:
    """A long frame as integer codes, sorted by (variant, user, position).

    ``list_id = variant_code * n_users + user_code`` indexes every (variant, user) list, including
    lists that came back empty (a user seen in one variant but not another has an empty list there).
    """

    key: str
    variants: list[str]
    users: pd.Index
    items: pd.Index
    variant: np.ndarray  # int64, per row
    user: np.ndarray  # int64, per row
    item: np.ndarray  # int64, per row
    position: np.ndarray  # int64, 1-based position in the (possibly truncated) list
    score: np.ndarray  # float64, NaN where the service returned no score
    promoted: np.ndarray  # bool
    exploration: np.ndarray  # bool
    placeholder: np.ndarray  # bool

    @property
    def n_lists(self) -> int:
        return len(self.variants) * len(self.users)

    @property
    def list_id(self) -> np.ndarray:
        return self.variant * len(self.users) + self.user

    def list_index(self) -> pd.MultiIndex:
        """(variant, user) for every list_id, in list_id order."""
        return pd.MultiIndex.from_product([self.variants, self.users], names=[VARIANT, self.key])


def reason_codes(reasons: pd.Series) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Factorize the ``reason`` column: per-row codes into a list of distinct reason tuples.

    There are a handful of distinct reason tuples and millions of rows, so every label test runs on
    the distinct tuples only. Missing values and empty lists become the empty tuple.
    """
    values = reasons.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # lists are unhashable: normalise to tuples first
        values = np.array(
            [tuple(r) if isinstance(r, list | tuple) else r for r in values] + [None], dtype=object
        )[:-1]
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = [tuple(str(x) for x in u) if isinstance(u, list | tuple) else () for u in uniques]
    distinct.append(())  # code -1 (missing) indexes this last entry
    return np.asarray(codes, dtype=np.int64), distinct


def _has_label(codes: np.ndarray, distinct: list[tuple[str, ...]], label: str) -> np.ndarray:
    return np.array([label in r for r in distinct], dtype=bool)[codes]


def _first_of_each_item(
    list_id: np.ndarray, item: np.ndarray, n_items: int, *, step: int = 1 << 20
) -> np.ndarray | None:
    """Mask of each list's first row of every item; None when no list names an item twice.

    Rows are sorted by list, so this goes slice by slice (each widened to whole lists): the same first
    occurrences as one ``np.unique`` over all rows, without sorting 50M keys at once."""
    keep = None
    for start in range(0, len(list_id), step):
        stop = min(start + step, len(list_id))
        lo = int(np.searchsorted(list_id, list_id[start], side="left"))
        hi = int(np.searchsorted(list_id, list_id[stop - 1], side="right"))
        pair = (list_id[lo:hi] - list_id[lo]) * n_items + item[lo:hi]
        _, first = np.unique(pair, return_index=True)
        if len(first) == hi - lo:
            continue
        if keep is None:
            keep = np.ones(len(list_id), dtype=bool)
        keep[lo:hi] = False
        keep[lo + first] = True
    return keep


def variant_order(frame: pd.DataFrame) -> list[str]:
    """Variants in order of first appearance (or category order when the column is categorical)."""
    col = frame[VARIANT]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [str(c) for c in col.cat.categories]
    return [str(v) for v in pd.unique(col.astype(str))]


def encode(frame: pd.DataFrame, *, k: int | None = None) -> Encoded:
    """Validate and encode ``frame``; keep the top ``k`` of each list when ``k`` is given.

    Rows whose itemId is missing mark a request that returned an empty list: the user is kept, the row
    is not. Duplicate items within one list keep their best rank.
    """
    key = validate_frame(frame)
    if k is not None and (not isinstance(k, int | np.integer) or k < 1):
        raise ValidationError(field="k", value=k, rule="must be a positive integer", fix="pass e.g. k=10")
    variants = variant_order(frame)
    # the categorical's own small codes until the rows are sorted (int64 only for the kept array)
    var_codes = pd.Categorical(frame[VARIANT].astype(str), categories=variants).codes
    user_codes, users = pd.factorize(frame[key].astype(str), sort=False)
    rank = pd.to_numeric(frame[RANK], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    item_col = frame[ITEM_ID]
    present = item_col.notna().to_numpy()
    item_codes, items = pd.factorize(item_col.astype("string"), sort=False, use_na_sentinel=True)
    # temporaries are dropped as soon as they are used: a 50M-row frame makes each one 400 MB
    rank = np.where(np.isnan(rank), np.inf, rank)
    order = np.lexsort((rank, user_codes, var_codes))
    del rank
    if not present.all():
        order = order[present[order]]
    del present
    v = var_codes[order].astype(np.int64)
    del var_codes
    u = user_codes[order].astype(np.int64, copy=False)
    del user_codes
    it = item_codes[order].astype(np.int64, copy=False)
    del item_codes
    # drop repeated items inside one list (keep the first, i.e. best-ranked, occurrence)
    n_users, n_items = max(len(users), 1), max(len(items), 1)
    list_id = v * n_users + u
    keep = _first_of_each_item(list_id, it, n_items)
    if keep is not None:
        # one at a time, so each old array is freed before the next copy is made
        order = order[keep]
        v = v[keep]
        u = u[keep]
        it = it[keep]
        list_id = list_id[keep]
        del keep
    score = (
        pd.to_numeric(frame[SCORE], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)[order]
        if SCORE in frame.columns
        else np.full(len(order), np.nan)
    )
    promoted = (
        frame[PROMOTION_NAME].notna().to_numpy()[order]
        if PROMOTION_NAME in frame.columns
        else np.zeros(len(order), dtype=bool)
    )
    if REASON in frame.columns:
        # labels of the column as it is (no copy of its objects), then only the booleans are reordered
        codes, distinct = reason_codes(frame[REASON])
        exploration = _has_label(codes, distinct, REASON_EXPLORATION)[order]
        placeholder = _has_label(codes, distinct, REASON_POPULAR)[order]
        promoted |= _has_label(codes, distinct, REASON_PROMOTED)[order]
        del codes
    else:
        exploration = placeholder = np.zeros(len(order), dtype=bool)
    del order
    # position = 1-based index within each list, from the sorted order (robust to gaps in `rank`);
    # one array: ones, each list's first row stepping back to 1, summed in place
    position = np.ones(len(list_id), dtype=np.int64)
    if len(list_id):
        starts = np.flatnonzero(np.diff(list_id)) + 1
        position[starts] = 1 - np.diff(np.r_[0, starts])
        np.cumsum(position, out=position)
    del list_id
    if k is not None:
        top = position <= k
        v, u, it, position = v[top], u[top], it[top], position[top]
        score, promoted, exploration, placeholder = (
            score[top],
            promoted[top],
            exploration[top],
            placeholder[top],
        )
    return Encoded(
        key=key,
        variants=variants,
        users=pd.Index(users, dtype="str"),
        items=pd.Index(items, dtype="str"),
        variant=v,
        user=u,
        item=it,
        position=position,
        score=score,
        promoted=promoted,
        exploration=exploration,
        placeholder=placeholder,
    )


__all__ = ["REQUIRED", "Encoded", "encode", "reason_codes", "request_key", "validate_frame", "variant_order"]
