"""How well each variant's lists hit held-out interactions: precision, recall, NDCG, MRR, hit rate @k.

Metric specs are strings in the ranx style (``"ndcg@10"``, ``"mrr"``) parsed once into
:class:`MetricSpec`. Relevance is binary (an item the user interacted with in ``truth``). Only users
with at least one held-out item are evaluated; the others get NaN so they drop out of means and paired
tests instead of counting as failures. All metrics are computed for every list at once from one merge.

- precision@k = hits in the top k / k
- recall@k = hits in the top k / |truth|
- ndcg@k = Σ_hits 1/log2(pos+1) / Σ_{i=1..min(k,|truth|)} 1/log2(i+1)
- mrr@k = 1 / position of the first hit in the top k (0 without one)
- hit_rate@k = 1 if any of the top k is a hit, else 0
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from personalize_lab.analysis.encoding import Encoded
from personalize_lab.columns import ITEM_ID, USER_ID
from personalize_lab.errors import ValidationError

METRICS = ("precision", "recall", "ndcg", "mrr", "hit_rate")
_SPEC = re.compile(r"^(?P<name>[a-z_]+)(?:@(?P<k>\d+))?$")
_ALIASES = {"hits": "hit_rate", "hitrate": "hit_rate", "hr": "hit_rate", "p": "precision", "r": "recall"}


@dataclass(frozen=True)
class MetricSpec:
    """One accuracy metric and its cutoff; ``k=None`` means the whole list."""

    name: str
    k: int | None = None

    def __str__(self) -> str:
        return self.name if self.k is None else f"{self.name}@{self.k}"


def parse_metric(spec: str | MetricSpec) -> MetricSpec:
    """Parse ``"ndcg@10"`` into ``MetricSpec("ndcg", 10)``; errors list the known metrics."""
    if isinstance(spec, MetricSpec):
        return spec
    match = _SPEC.match(str(spec).strip().lower())
    name = _ALIASES.get(match["name"], match["name"]) if match else None
    if match is None or name not in METRICS:
        raise ValidationError(
            field="metrics",
            value=spec,
            rule=f"unknown metric spec; known metrics are {', '.join(METRICS)}, written like 'ndcg@10'",
            fix="use NAME or NAME@K with K a positive integer",
        )
    k = int(match["k"]) if match["k"] else None
    if k == 0:
        raise ValidationError(field="metrics", value=spec, rule="the cutoff k must be at least 1")
    return MetricSpec(name, k)


def parse_metrics(specs: Iterable[str | MetricSpec]) -> list[MetricSpec]:
    """Parse several specs once, keeping their order and dropping repeats."""
    return list(dict.fromkeys(parse_metric(s) for s in specs))


def default_metrics(k: int | None) -> list[MetricSpec]:
    """precision, recall, ndcg, mrr and hit_rate at ``k``."""
    return [MetricSpec(name, k) for name in METRICS]


def normalize_truth(truth: pd.DataFrame) -> pd.DataFrame:
    """Accept Personalize's USER_ID/ITEM_ID or the frame contract's userId/itemId; return userId/itemId."""
    if not isinstance(truth, pd.DataFrame):
        raise ValidationError(field="truth", value=type(truth).__name__, rule="must be a DataFrame")
    renames = {"USER_ID": USER_ID, "ITEM_ID": ITEM_ID}
    cols = {c: renames.get(str(c), str(c)) for c in truth.columns}
    out = truth.rename(columns=cols)
    missing = [c for c in (USER_ID, ITEM_ID) if c not in out.columns]
    if missing:
        raise ValidationError(
            f"truth is missing column(s) {', '.join(missing)}; it has {list(map(str, truth.columns))}",
            field="truth",
            rule="held-out interactions need USER_ID and ITEM_ID (or userId and itemId)",
            fix="pass the test split of your interactions dataset",
        )
    return out[[USER_ID, ITEM_ID]].dropna().astype(str).drop_duplicates()


def _held_out(row_pair: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """``np.isin(row_pair, pairs)`` by binary search in the (small) held-out set, without sorting the
    rows together with it (the rows are millions, the held-out pairs far fewer)."""
    known = np.unique(pairs)
    if not len(known):
        return np.zeros(len(row_pair), dtype=bool)
    pos = np.searchsorted(known, row_pair)
    np.minimum(pos, len(known) - 1, out=pos)
    return known[pos] == row_pair


def accuracy_metrics(enc: Encoded, truth: pd.DataFrame, specs: Iterable[MetricSpec]) -> pd.DataFrame:
    """Per (variant, user) accuracy columns named like ``ndcg@10``; NaN for users without held-out items."""
    truth = normalize_truth(truth)
    n_users = len(enc.users)
    user_code = enc.users.get_indexer(pd.Index(truth[USER_ID]))
    item_code = enc.items.get_indexer(pd.Index(truth[ITEM_ID]))
    known_user = user_code >= 0
    n_truth = np.bincount(user_code[known_user], minlength=n_users).astype(np.float64)
    pairs = (
        user_code[known_user & (item_code >= 0)] * max(len(enc.items), 1)
        + item_code[known_user & (item_code >= 0)]
    )
    hit = _held_out(enc.user * max(len(enc.items), 1) + enc.item, pairs)
    list_id = enc.list_id
    n_lists = enc.n_lists
    truth_per_list = np.tile(n_truth, len(enc.variants))
    evaluated = truth_per_list > 0
    columns: dict[str, np.ndarray] = {}
    for spec in specs:
        cutoff = spec.k if spec.k is not None else int(enc.position.max(initial=1))
        in_k = hit & (enc.position <= cutoff)
        # only the (few) hit rows are gathered: summing the misses' zeros changed nothing but memory
        hit_list = list_id[in_k]
        hits = np.bincount(hit_list, minlength=n_lists).astype(np.float64)
        if spec.name == "precision":
            value = hits / cutoff
        elif spec.name == "recall":
            value = hits / np.maximum(truth_per_list, 1)
        elif spec.name == "hit_rate":
            value = (hits > 0).astype(np.float64)
        elif spec.name == "mrr":
            first = np.full(n_lists, np.inf)
            np.minimum.at(first, hit_list, enc.position[in_k].astype(np.float64))
            value = np.where(np.isfinite(first), 1.0 / first, 0.0)
        else:  # ndcg
            discount = 1.0 / np.log2(enc.position[in_k] + 1.0)
            dcg = np.bincount(hit_list, weights=discount, minlength=n_lists)
            ideal_table = np.r_[0.0, np.cumsum(1.0 / np.log2(np.arange(2, cutoff + 2)))]
            ideal = ideal_table[np.minimum(truth_per_list, cutoff).astype(np.int64)]
            value = np.divide(dcg, ideal, out=np.zeros(n_lists), where=ideal > 0)
        columns[str(spec)] = np.where(evaluated, value, np.nan)
    return pd.DataFrame(columns, index=enc.list_index())
