"""What each variant's lists look like, per user and per variant, without any ground truth.

Per-user metrics (one row per variant × user) feed the paired statistics; per-variant summaries pool
items. Every metric is a ``bincount`` over the encoded frame (see ``encoding.encode``), so the cost is
linear in rows. Shares in the per-variant summary are item-weighted (promoted items / all items), which
is what a ``percentPromotedItems`` request asks for.

Definitions (why each choice was made is next to it):

- ``scoreless``: items the service returned without a score (SIMS, popularity, recommenders, placeholders).
  They are counted, never treated as score 0; ``score_mass`` sums scored items only and is NaN for a
  list with none.
- ``novelty``: mean self-information −log2 p(i) with p(i) = popularity(i) / Σ popularity. Items with no
  recorded popularity are given a count of 1 (the rarest observable item) rather than an infinite value.
- ``popularity_gini``: Gini of how often each catalog item was recommended; with ``catalog_size`` the
  never-recommended items count as zeros, otherwise only recommended items are ranked.
- ``intra_list_diversity``: mean over distinct item pairs of a list of 1 − Jaccard(values_i, values_j),
  values split on ``|``. For single-valued columns that is the share of pairs with different values.
  Items with a missing value are left out of the pairs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from personalize_lab.analysis.encoding import Encoded
from personalize_lab.columns import VARIANT
from personalize_lab.errors import ValidationError

MULTI_VALUE_SEPARATOR = "|"


def _per_list(enc: Encoded, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(enc.list_id, weights=weights, minlength=enc.n_lists).astype(np.float64)


def list_metrics(enc: Encoded) -> pd.DataFrame:
    """Per (variant, user): list_length, empty, shares (promoted, exploration, ...), score mass."""
    length = _per_list(enc)
    scored = ~np.isnan(enc.score)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = {
            "promoted_share": _per_list(enc, enc.promoted.astype(np.float64)) / length,
            "exploration_share": _per_list(enc, enc.exploration.astype(np.float64)) / length,
            "placeholder_share": _per_list(enc, enc.placeholder.astype(np.float64)) / length,
            "scoreless_share": _per_list(enc, (~scored).astype(np.float64)) / length,
        }
    n_scored = _per_list(enc, scored.astype(np.float64))
    mass = _per_list(enc, np.where(scored, enc.score, 0.0))
    return pd.DataFrame(
        {
            "list_length": length,
            "empty": (length == 0).astype(np.float64),
            **share,
            "score_mass": np.where(n_scored > 0, mass, np.nan),
        },
        index=enc.list_index(),
    )


def _popularity_codes(enc: Encoded, item_popularity: pd.Series) -> np.ndarray:
    """Popularity count of every encoded item (0 where unknown)."""
    if not isinstance(item_popularity, pd.Series):
        raise ValidationError(
            field="item_popularity",
            value=type(item_popularity).__name__,
            rule="must be a pandas Series of interaction counts indexed by itemId",
            fix="pass e.g. interactions['ITEM_ID'].value_counts()",
        )
    pop = pd.to_numeric(item_popularity, errors="coerce").fillna(0.0)
    pop.index = pop.index.astype(str)
    pop = pop.groupby(level=0).sum()
    if (pop < 0).any():
        raise ValidationError(field="item_popularity", rule="counts must be non-negative")
    return pop.reindex(enc.items).fillna(0.0).to_numpy(dtype=np.float64)


def popularity_metrics(enc: Encoded, item_popularity: pd.Series) -> tuple[pd.DataFrame, float]:
    """Per (variant, user): mean_popularity and novelty. Also returns Σ popularity (for the summary)."""
    counts = _popularity_codes(enc, item_popularity)
    total = float(pd.to_numeric(item_popularity, errors="coerce").fillna(0.0).clip(lower=0).sum())
    if total <= 0:
        raise ValidationError(field="item_popularity", rule="needs at least one positive count")
    row_pop = counts[enc.item]
    info = -np.log2(np.maximum(row_pop, 1.0) / total)
    length = _per_list(enc)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame = pd.DataFrame(
            {
                "mean_popularity": _per_list(enc, row_pop) / length,
                "novelty": _per_list(enc, info) / length,
            },
            index=enc.list_index(),
        )
    return frame, total


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = perfectly even, → 1 = all mass on one value)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * x) / (n * x.sum()))


def _metadata_codes(frame: pd.DataFrame, enc: Encoded, column: str) -> pd.Series:
    """The metadata value of each encoded item (first seen), as a Series indexed by item code."""
    if column not in frame.columns:
        raise ValidationError(
            f"metadata column {column!r} is not in the frame; columns are {list(map(str, frame.columns))}",
            field="column",
            value=column,
            fix="request it with metadataColumns or pick one of the frame's columns",
        )
    values = frame[["itemId", column]].dropna(subset=["itemId"])
    first = values.drop_duplicates("itemId").set_index("itemId")[column]
    first.index = first.index.astype(str)
    return first.reindex(enc.items).reset_index(drop=True)


_DENSE_VOCABULARY = 256  # up to this many distinct values, batched matrix products beat a self-merge
_DENSE_CELLS = 40_000_000  # lists × slots × max(slots, values) per batch: ~160 MB of float32


def _shared_similarity_dense(
    sets: list[list[str]], vocab: dict[str, int], row_item: np.ndarray, list_id: np.ndarray, n_lists: int
) -> np.ndarray:
    """Σ over item pairs of each list of Jaccard(values_i, values_j), with batched indicator products.

    Each list becomes a (slots × values) 0/1 matrix X; X Xᵀ holds every pair's intersection size.
    """
    indicator = np.zeros((len(sets), max(len(vocab), 1)), dtype=np.float32)
    for i, values in enumerate(sets):
        indicator[i, [vocab[x] for x in values]] = 1.0
    same = np.zeros(n_lists)
    if not len(list_id):
        return same
    starts = np.r_[0, np.flatnonzero(np.diff(list_id)) + 1]
    run_start = np.zeros(len(list_id), dtype=np.int64)
    run_start[starts] = starts
    slot = np.arange(len(list_id)) - np.maximum.accumulate(run_start)
    width = int(slot.max()) + 1
    lists = np.unique(list_id)
    batch = max(1, _DENSE_CELLS // (width * max(width, indicator.shape[1])))
    for lo in range(0, len(lists), batch):
        chosen = lists[lo : lo + batch]
        rows = np.flatnonzero((list_id >= chosen[0]) & (list_id <= chosen[-1]))
        local = np.searchsorted(chosen, list_id[rows])
        x = np.zeros((len(chosen), width, indicator.shape[1]), dtype=np.float32)
        x[local, slot[rows]] = indicator[row_item[rows]]
        inter = x @ x.transpose(0, 2, 1)
        size = x.sum(axis=2)
        union = size[:, :, None] + size[:, None, :] - inter
        sim = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        # the diagonal holds each item with itself (similarity 1); pairs are counted twice
        same[chosen] = (sim.sum(axis=(1, 2)) - np.trace(sim, axis1=1, axis2=2)) / 2.0
    return same


def _shared_similarity_sparse(
    sets: list[list[str]], vocab: dict[str, int], row_item: np.ndarray, list_id: np.ndarray, n_lists: int
) -> np.ndarray:
    """The same sum for large vocabularies: only pairs sharing a value are formed (one self-merge)."""
    size = np.array([len(s) for s in sets], dtype=np.float64)
    counts = size.astype(np.int64)
    offsets = np.r_[0, np.cumsum(counts)]
    flat = np.array([vocab[x] for s in sets for x in s], dtype=np.int64)
    per_row = counts[row_item]
    row = np.repeat(np.arange(len(row_item)), per_row)
    within = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    value = flat[offsets[row_item[row]] + within]
    exploded = pd.DataFrame({"row": row, "value": value, "list": list_id[row]})
    pairs_df = exploded.merge(exploded, on=["list", "value"], suffixes=("_i", "_j"))
    pairs_df = pairs_df[pairs_df["row_i"] < pairs_df["row_j"]]
    inter = pairs_df.groupby(["row_i", "row_j"]).size()
    ri = inter.index.get_level_values(0).to_numpy()
    rj = inter.index.get_level_values(1).to_numpy()
    row_size = size[row_item]
    sim = inter.to_numpy() / (row_size[ri] + row_size[rj] - inter.to_numpy())
    return np.bincount(list_id[ri], weights=sim, minlength=n_lists)


def intra_list_diversity(frame: pd.DataFrame, enc: Encoded, column: str) -> pd.Series:
    """Per (variant, user) diversity over ``column`` (see the module docstring); NaN below two items.

    Values are parsed once per distinct item (thousands), not once per row (millions).
    """
    values = _metadata_codes(frame, enc, column).astype("string")
    item_values = [None if v is pd.NA or v == "" else str(v) for v in values]
    item_has = np.array([v is not None for v in item_values], dtype=bool)
    has_value = item_has[enc.item] if len(item_has) else np.zeros(len(enc.item), dtype=bool)
    if has_value.all():  # every item has a value: no filtered copies of the row arrays
        list_id, row_item = enc.list_id, enc.item
    else:
        list_id, row_item = enc.list_id[has_value], enc.item[has_value]
    del has_value
    n = np.bincount(list_id, minlength=enc.n_lists).astype(np.float64)
    pairs = n * (n - 1) / 2
    present = [v for v in item_values if v is not None]
    if not any(MULTI_VALUE_SEPARATOR in v for v in present):
        # Σ_v C(n_v, 2) pairs share a value; all others differ
        item_code, _ = pd.factorize(np.array(item_values, dtype=object))
        codes = item_code[row_item]
        n_codes = int(codes.max()) + 1 if len(codes) else 1
        keys = list_id * n_codes + codes
        del codes
        if enc.n_lists * n_codes <= 2 * len(keys):  # few values: count them in place, no sort of all rows
            counts = np.bincount(keys, minlength=enc.n_lists * n_codes).reshape(enc.n_lists, n_codes)
            same = (counts * (counts - 1) // 2).sum(axis=1).astype(np.float64)
        else:
            keys, per_value = np.unique(keys, return_counts=True)
            same = np.bincount(
                keys // n_codes, weights=per_value * (per_value - 1) / 2.0, minlength=enc.n_lists
            )
    else:
        sets = [sorted(set(v.split(MULTI_VALUE_SEPARATOR)) - {""}) if v else [] for v in item_values]
        vocab = {x: i for i, x in enumerate(sorted({x for s in sets for x in s}))}
        if len(vocab) <= _DENSE_VOCABULARY:
            same = _shared_similarity_dense(sets, vocab, row_item, list_id, enc.n_lists)
        else:
            same = _shared_similarity_sparse(sets, vocab, row_item, list_id, enc.n_lists)
    with np.errstate(invalid="ignore", divide="ignore"):
        ild = np.where(pairs > 0, 1.0 - same / np.where(pairs > 0, pairs, 1.0), np.nan)
    return pd.Series(ild, index=enc.list_index(), name="intra_list_diversity")


def category_mix(frame: pd.DataFrame, column: str, *, top: int | None = None) -> pd.DataFrame:
    """Share of recommended items per value of ``column``, per variant (long: variant, category, share).

    A multi-valued item (``a|b``) counts 1/n toward each of its n values, so shares sum to 1 per variant.
    Items with no value count as ``(missing)``. With ``top``, the rest is pooled as ``(other)``.
    """
    if column not in frame.columns:
        raise ValidationError(
            f"category column {column!r} is not in the frame; columns are {list(map(str, frame.columns))}",
            field="category_column",
            value=column,
            fix="request it with metadataColumns or pick one of the frame's columns",
        )
    rows = frame[[VARIANT, "itemId", column]].dropna(subset=["itemId"])
    labels = rows[column].astype("string").fillna("(missing)").str.split(MULTI_VALUE_SEPARATOR)
    exploded = pd.DataFrame(
        {VARIANT: rows[VARIANT].astype(str).to_numpy(), "category": labels.to_numpy()}
    ).explode("category")
    exploded["weight"] = 1.0 / exploded.groupby(level=0)["category"].transform("size")
    sums = exploded.groupby([VARIANT, "category"], sort=False)["weight"].sum()
    mix = (sums / sums.groupby(level=0).transform("sum")).rename("share").reset_index()
    if top is not None:
        keep = mix.groupby("category")["share"].sum().nlargest(top).index
        mix["category"] = mix["category"].where(mix["category"].isin(keep), "(other)")
        mix = mix.groupby([VARIANT, "category"], sort=False)["share"].sum().reset_index()
    return mix.astype({VARIANT: "str", "category": "str"}).reset_index(drop=True)


def promoted_positions(enc: Encoded) -> pd.DataFrame:
    """Count of promoted items at each list position, per variant (long: variant, position, promoted)."""
    mask = enc.promoted
    max_pos = int(enc.position.max()) if len(enc.position) else 0
    rows = []
    for code, name in enumerate(enc.variants):
        sel = mask & (enc.variant == code)
        counts = np.bincount(enc.position[sel], minlength=max_pos + 1)[1:]
        rows.append(pd.DataFrame({VARIANT: name, "position": np.arange(1, max_pos + 1), "promoted": counts}))
    out = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=[VARIANT, "position", "promoted"])
    )
    return out.astype({VARIANT: "str", "position": "int64", "promoted": "int64"})


def variant_summary(
    enc: Encoded,
    per_user: pd.DataFrame,
    *,
    catalog_size: int | None = None,
    requested_promotion: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One row per variant: pooled list, promotion, reason, score, coverage and popularity figures."""
    if catalog_size is not None and (not isinstance(catalog_size, int | np.integer) or catalog_size < 1):
        raise ValidationError(field="catalog_size", value=catalog_size, rule="must be a positive integer")
    requested = dict(requested_promotion or {})
    unknown = sorted(set(requested) - set(enc.variants))
    if unknown:
        raise ValidationError(
            f"requested_promotion names unknown variant(s) {unknown}; variants are {enc.variants}",
            field="requested_promotion",
            value=requested,
            fix="key it by the frame's variant names, e.g. {'B': 20} for percentPromotedItems=20",
        )
    rows = []
    for code, name in enumerate(enc.variants):
        sel = enc.variant == code
        n_items = int(sel.sum())
        scores = enc.score[sel]
        scored = scores[~np.isnan(scores)]
        rec_counts = np.bincount(enc.item[sel], minlength=len(enc.items))
        rec_counts = rec_counts[rec_counts > 0]
        distinct = len(rec_counts)
        if catalog_size is not None:
            rec_counts = np.r_[rec_counts, np.zeros(max(catalog_size - distinct, 0))]
        pu = per_user.xs(name, level=VARIANT)
        promoted_pos = enc.position[sel & enc.promoted]
        row: dict[str, object] = {
            VARIANT: name,
            "users": len(pu),
            "empty_lists": int(pu["empty"].sum()),
            "mean_list_length": float(pu["list_length"].mean()),
            "items": n_items,
            "distinct_items": distinct,
            "catalog_coverage": distinct / catalog_size if catalog_size else np.nan,
            "promoted_share": enc.promoted[sel].mean() if n_items else np.nan,
            "requested_promoted_share": requested[name] / 100.0 if name in requested else np.nan,
            "mean_promoted_position": promoted_pos.mean() if len(promoted_pos) else np.nan,
            "exploration_share": enc.exploration[sel].mean() if n_items else np.nan,
            "placeholder_share": enc.placeholder[sel].mean() if n_items else np.nan,
            "scored_items": len(scored),
            "scoreless_items": n_items - len(scored),
            "mean_score_mass": float(pu["score_mass"].mean()) if len(scored) else np.nan,
        }
        for label, q in (("score_min", 0.0), ("score_p25", 0.25), ("score_median", 0.5), ("score_p75", 0.75)):
            row[label] = float(np.quantile(scored, q)) if len(scored) else np.nan
        row["score_max"] = float(scored.max()) if len(scored) else np.nan
        row["score_mean"] = float(scored.mean()) if len(scored) else np.nan
        row["popularity_gini"] = gini(rec_counts)
        for extra in ("mean_popularity", "novelty", "intra_list_diversity"):
            if extra in pu.columns:
                row[extra] = float(pu[extra].mean())
        rows.append(row)
    return pd.DataFrame(rows).astype({VARIANT: "str"})
