"""What each variant's lists look like, per user and per variant, without any ground truth.

Per-user metrics (one row per variant × user) feed the paired statistics; per-variant summaries pool
items. Every metric is a ``bincount`` over the encoded frame (see ``_columns.encode``), so the cost is
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

from personalize_lab.analysis._columns import VARIANT, Encoded
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


def intra_list_diversity(frame: pd.DataFrame, enc: Encoded, column: str) -> pd.Series:
    """Per (variant, user) diversity over ``column`` (see the module docstring); NaN below two items."""
    values = _metadata_codes(frame, enc, column).astype("string")
    row_values = np.asarray(values.astype(object).where(values.notna(), None), dtype=object)[enc.item]
    has_value = np.array([v is not None and v != "" for v in row_values], dtype=bool)
    list_id = enc.list_id[has_value]
    kept = row_values[has_value]
    n = np.bincount(list_id, minlength=enc.n_lists).astype(np.float64)
    pairs = n * (n - 1) / 2
    multi = any(MULTI_VALUE_SEPARATOR in v for v in pd.unique(kept))
    if not multi:
        # Σ_v C(n_v, 2) pairs share a value; all others differ
        codes, _ = pd.factorize(kept)
        n_codes = int(codes.max()) + 1 if len(codes) else 1
        keys, per_value = np.unique(list_id * n_codes + codes, return_counts=True)
        same = np.bincount(keys // n_codes, weights=per_value * (per_value - 1) / 2.0, minlength=enc.n_lists)
    else:
        # similarity only for pairs sharing a value: explode (row, value), self-merge on (list, value)
        row = np.arange(len(kept))
        sets = [frozenset(v.split(MULTI_VALUE_SEPARATOR)) - {""} for v in kept]
        size = np.array([len(s) for s in sets], dtype=np.float64)
        exploded = pd.DataFrame({"row": row, "sets": [list(s) for s in sets]}).explode("sets")
        exploded["list"] = list_id[exploded["row"].to_numpy()]
        pairs_df = exploded.merge(exploded, on=["list", "sets"], suffixes=("_i", "_j"))
        pairs_df = pairs_df[pairs_df["row_i"] < pairs_df["row_j"]]
        inter = pairs_df.groupby(["row_i", "row_j"]).size()
        ri = inter.index.get_level_values(0).to_numpy()
        rj = inter.index.get_level_values(1).to_numpy()
        sim = inter.to_numpy() / (size[ri] + size[rj] - inter.to_numpy())
        same = np.bincount(list_id[ri], weights=sim, minlength=enc.n_lists)
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
