"""Recommendation quality and training cost of the local Personalize's recipes, measured side by side.

Per-user temporal split: for every user with at least 5 interactions, the newest 10% (at least one) are held
out. Each recipe is fitted on the rest and asked for 10 items per test user (items the user already has in
training are excluded, as are held-out targets that were already in training). Printed next to two baselines
computed in the same run: raw popularity and EASE (binary X, λ tuned on a small grid on the test split itself,
which favours the baseline).

    python benchmarks/quality.py                       # demo store (or the built-in synthetic store)
    python benchmarks/quality.py --movielens ~/ml-100k  # u.data or ratings.csv folder
    python benchmarks/quality.py --demo small --no-scale

Metrics: NDCG@10 with binary gains and the ideal DCG over min(10, |targets|); Recall@10 = hits /
min(10, |targets|); coverage@10 = distinct recommended items / catalog size.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from personalize_lab.emulator.recipes import REGISTRY, Model, TrainingData, get_recipe

K = 10
DAY = 86_400


# -- data ------------------------------------------------------------------------------------------------
@dataclass
class Frames:
    name: str
    interactions: pd.DataFrame
    items: pd.DataFrame | None = None
    users: pd.DataFrame | None = None


def synthetic_store(
    n_users: int = 1000,
    n_items: int = 2000,
    n_interactions: int = 50_000,
    seed: int = 0,
    dims: int = 16,
    min_per_user: int = 3,
) -> Frames:
    """Latent-factor users and items, Zipf item popularity, View/AddToCart/Purchase events, a DEVICE
    context that shifts choices, over 120 days. Used until ``personalize_lab.datasets`` ships its store."""
    rng = np.random.default_rng(seed)
    users = rng.normal(size=(n_users, dims)).astype(np.float32)
    items = rng.normal(size=(n_items, dims)).astype(np.float32)
    pop = 1.0 / np.arange(1, n_items + 1) ** 0.9
    log_pop = np.log(rng.permutation(pop)).astype(np.float32)
    mobile_taste = rng.random(n_items).astype(np.float32)  # how much an item suits mobile
    activity = rng.lognormal(0.0, 0.8, n_users)
    counts = np.maximum(min_per_user, np.round(activity / activity.sum() * n_interactions)).astype(int)
    start = 1_700_000_000
    rows_u, rows_i, rows_t, rows_d = [], [], [], []
    chunk = 1000
    for lo in range(0, n_users, chunk):
        block = slice(lo, min(lo + chunk, n_users))
        logits = 0.6 * users[block] @ items.T + log_pop
        base = np.exp(logits - logits.max(axis=1, keepdims=True))
        # inverse-CDF sampling from two choice sets per user: desktop and mobile tastes differ
        cdfs = [np.cumsum(base * np.exp(1.5 * w), axis=1) for w in (1 - mobile_taste, mobile_taste)]
        for off in range(base.shape[0]):
            u = lo + off
            n = counts[u]
            mobile = rng.random(n) < 0.4
            chosen = np.empty(n, dtype=np.int64)
            for flag in (0, 1):
                sel = mobile == bool(flag)
                cdf = cdfs[flag][off]
                draws = rng.random(int(sel.sum())) * cdf[-1]
                chosen[sel] = np.minimum(np.searchsorted(cdf, draws, side="right"), n_items - 1)
            rows_u.append(np.full(n, u))
            rows_i.append(chosen)
            rows_t.append(np.sort(rng.integers(start, start + 120 * DAY, n)))
            rows_d.append(mobile)
    u = np.concatenate(rows_u)
    i = np.concatenate(rows_i)
    t = np.concatenate(rows_t)
    d = np.concatenate(rows_d)
    event = rng.choice(
        np.array(["View", "AddToCart", "Purchase"], dtype=object), size=len(u), p=[0.75, 0.15, 0.1]
    )
    interactions = pd.DataFrame(
        {
            "USER_ID": pd.Series(u).map("u{}".format),
            "ITEM_ID": pd.Series(i).map("i{}".format),
            "TIMESTAMP": t.astype(np.int64),
            "EVENT_TYPE": pd.Series(event, dtype="str"),
            "DEVICE": pd.Series(np.where(d, "mobile", "desktop"), dtype="str"),
        }
    )
    category = np.argmax(items[:, :8], axis=1)
    item_frame = pd.DataFrame(
        {
            "ITEM_ID": [f"i{k}" for k in range(n_items)],
            "CATEGORY": [f"cat{c}" for c in category],
            "PRICE": np.round(rng.lognormal(3, 1, n_items), 2),
            "CREATION_TIMESTAMP": rng.integers(start - 365 * DAY, start + 120 * DAY, n_items).astype(
                np.int64
            ),
        }
    )
    return Frames(f"synthetic {n_users}u/{n_items}i/{len(u)}x", interactions, item_frame)


def movielens_shaped(seed: int = 0) -> Frames:
    """A synthetic store with ml-100k's shape (943 users, 1,682 items, 100k interactions, every user with
    at least 20), for when ml-100k itself is not on the machine: code here never downloads it."""
    frames = synthetic_store(943, 1682, 100_000, seed=seed, min_per_user=20)
    frames.name = f"movielens-shaped {frames.name}"
    return frames


def demo_frames(size: str) -> Frames:
    """The package's demo store when it exists, else the synthetic store above."""
    import importlib

    for module, attr in (
        ("personalize_lab.datasets", "demo_store"),
        ("personalize_lab.datasets.demo", "demo_store"),
    ):
        try:
            make = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            continue
        if callable(make):
            data = make(size, seed=0)
            return Frames(f"demo store ({size})", data.interactions, data.items, data.users)
    print("(personalize_lab.datasets has no demo store yet: using the built-in synthetic store)")
    return synthetic_store()


def movielens_frames(path: Path) -> Frames:
    """ml-100k ``u.data`` or ml-latest ``ratings.csv`` (+ ``movies.csv`` genres) as Personalize frames."""
    if (path / "u.data").exists():
        raw = pd.read_csv(path / "u.data", sep="\t", names=["u", "i", "r", "t"])
    elif (path / "ratings.csv").exists():
        raw = pd.read_csv(path / "ratings.csv").rename(
            columns={"userId": "u", "movieId": "i", "rating": "r", "timestamp": "t"}
        )
    else:
        raise SystemExit(f"{path}: no u.data or ratings.csv")
    interactions = pd.DataFrame(
        {
            "USER_ID": raw["u"].astype(str),
            "ITEM_ID": raw["i"].astype(str),
            "TIMESTAMP": raw["t"].astype(np.int64),
            "EVENT_TYPE": "rating",
            "EVENT_VALUE": raw["r"].astype(float),
        }
    )
    items = None
    if (path / "movies.csv").exists():
        movies = pd.read_csv(path / "movies.csv")
        items = pd.DataFrame(
            {"ITEM_ID": movies["movieId"].astype(str), "GENRES": movies["genres"].astype(str)}
        )
    return Frames(f"movielens {path.name}", interactions, items)


# -- split and metrics -----------------------------------------------------------------------------------
@dataclass
class Split:
    train: pd.DataFrame
    targets: dict[str, set[str]]


def temporal_split(interactions: pd.DataFrame, fraction: float = 0.1, min_interactions: int = 5) -> Split:
    frame = interactions.sort_values(["USER_ID", "TIMESTAMP"], kind="stable").reset_index(drop=True)
    size = frame.groupby("USER_ID", sort=False)["ITEM_ID"].transform("size").to_numpy()
    pos = frame.groupby("USER_ID", sort=False).cumcount().to_numpy()
    held = np.maximum(1, np.ceil(size * fraction)).astype(int)
    test = (size >= min_interactions) & (pos >= size - held)
    train, tail = frame[~test], frame[test]
    seen = train.groupby("USER_ID")["ITEM_ID"].agg(set).to_dict()
    targets: dict[str, set[str]] = {}
    for user, group in tail.groupby("USER_ID")["ITEM_ID"]:
        fresh = set(group) - seen.get(user, set())
        if fresh:
            targets[str(user)] = fresh
    return Split(train.reset_index(drop=True), targets)


def ranking_metrics(
    recommended: dict[str, list[str]], targets: dict[str, set[str]], n_items: int
) -> dict[str, float]:
    """Mean NDCG@K and Recall@K over users with targets, and catalog coverage@K."""
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    ndcg, recall, distinct = [], [], set()
    for user, truth in targets.items():
        recs = recommended.get(user, [])[:K]
        distinct.update(recs)
        hits = np.asarray([r in truth for r in recs], dtype=float)
        ideal = discounts[: min(len(truth), K)].sum()
        ndcg.append(float((hits * discounts[: len(hits)]).sum() / ideal))
        recall.append(float(hits.sum() / min(len(truth), K)))
    return {
        "ndcg@10": float(np.mean(ndcg)),
        "recall@10": float(np.mean(recall)),
        "coverage@10": len(distinct) / n_items,
    }


def top_k(scores: np.ndarray, exclude: np.ndarray, ids: np.ndarray) -> list[str]:
    s = scores.astype(np.float64).copy()
    s[exclude] = -np.inf
    part = np.argpartition(-s, K)[:K]
    order = part[np.argsort(-s[part], kind="stable")]
    return [str(ids[j]) for j in order if np.isfinite(s[j])]


# -- runs ------------------------------------------------------------------------------------------------
def evaluate(score: Callable[[str, int], np.ndarray], data: TrainingData, split: Split) -> dict[str, float]:
    ids = data.catalog.item_ids
    x = data.user_items
    recs = {}
    for user in split.targets:
        row = data.user_index.get(user, -1)
        seen = x.indices[x.indptr[row] : x.indptr[row + 1]] if row >= 0 else np.zeros(0, dtype=np.int64)
        recs[user] = top_k(score(user, row), seen, ids)
    return ranking_metrics(recs, split.targets, data.n_items)


def last_item(data: TrainingData) -> dict[int, int]:
    """Each user's newest training item (interactions are time-sorted, so the last write wins)."""
    return dict(zip(data.user_idx.tolist(), data.item_idx.tolist(), strict=True))


def recipe_scorer(
    model: Model, data: TrainingData, latest: dict[int, int]
) -> Callable[[str, int], np.ndarray]:
    if model.spec.recipe_type == "RELATED_ITEMS":

        def related(user: str, row: int) -> np.ndarray:
            seed = latest.get(row)
            rel = None if seed is None else model.relevance_for_item(str(data.catalog.item_ids[seed]))
            return model.popularity_logits() if rel is None else rel

        return related
    return lambda user, row: model.relevance_for_user(user)


def ease_baseline(data: TrainingData, split: Split) -> tuple[float, dict[str, float]]:
    x = data.user_items.copy()
    x.data[:] = 1.0
    gram = (x.T @ x).toarray().astype(np.float64)
    best: tuple[float, dict[str, float]] | None = None
    for lam in (50.0, 100.0, 200.0, 500.0, 1000.0):
        g = gram.copy()
        g[np.diag_indices_from(g)] += lam
        p = np.linalg.inv(g)
        b = p / (-np.diag(p))
        b[np.diag_indices_from(b)] = 0.0
        scores = np.asarray(sp.csr_matrix(x) @ b)
        m = evaluate(lambda user, row, s=scores: s[row] if row >= 0 else np.zeros(data.n_items), data, split)
        if best is None or m["ndcg@10"] > best[1]["ndcg@10"]:
            best = (lam, m)
    assert best is not None
    return best


def als_baseline(data: TrainingData, split: Split, factors: int = 64) -> dict[str, float]:
    """Plain implicit ALS: binary X, implicit's defaults (regularization 0.01, alpha 1.0, 15 iterations)
    with User-Personalization's number of factors, scored by user · item factors."""
    from implicit.cpu.als import AlternatingLeastSquares

    x = data.user_items.copy()
    x.data[:] = 1.0
    als = AlternatingLeastSquares(factors=factors, num_threads=1, random_state=0)
    als.fit(sp.csr_matrix(x), show_progress=False)
    users, items = np.asarray(als.user_factors), np.asarray(als.item_factors)
    return evaluate(lambda user, row: items @ users[row] if row >= 0 else np.zeros(data.n_items), data, split)


def quality_table(frames: Frames) -> pd.DataFrame:
    split = temporal_split(frames.interactions)
    t0 = time.perf_counter()
    data = TrainingData.from_frames(split.train, frames.items, frames.users)
    coding = time.perf_counter() - t0
    latest = last_item(data)
    rows = []
    pop = data.item_counts.astype(np.float64)
    rows.append({"model": "baseline: popularity", **evaluate(lambda u, r: pop, data, split), "fit_s": 0.0})
    t0 = time.perf_counter()
    lam, ease = ease_baseline(data, split)
    # fit_s of this row covers the whole λ grid (5 fits and evaluations)
    rows.append({"model": f"baseline: EASE λ={lam:g} (best of 5)", **ease, "fit_s": time.perf_counter() - t0})
    t0 = time.perf_counter()
    factors = get_recipe("aws-user-personalization").spec.config.factors  # type: ignore[union-attr]
    plain = als_baseline(data, split, factors)
    rows.append(
        {"model": f"baseline: implicit ALS {factors}f (defaults)", **plain, "fit_s": time.perf_counter() - t0}
    )
    variants = {short: REGISTRY[arn] for arn in REGISTRY for short in [REGISTRY[arn].spec.short_name]}
    variants["aws-user-personalization [ease]"] = get_recipe("aws-user-personalization").with_hyperparameters(
        algorithm="ease"
    )
    cache: dict[tuple[object, object], tuple[Model, float]] = {}
    for name, recipe in variants.items():
        key = (recipe.builder, recipe.spec.config)
        if key not in cache:
            t0 = time.perf_counter()
            model = recipe.fit(data)
            cache[key] = (model, time.perf_counter() - t0)
        model, fit_s = cache[key]
        model.spec = recipe.spec  # shared fitted state, this recipe's behaviour
        rows.append(
            {"model": name, **evaluate(recipe_scorer(model, data, latest), data, split), "fit_s": fit_s}
        )
    table = pd.DataFrame(rows).set_index("model")
    print(
        f"\n== {frames.name}: {len(frames.interactions):,} interactions, {data.n_users:,} users, "
        f"{data.n_items:,} items, {len(split.targets):,} test users; coding {coding:.2f} s =="
    )
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))
    return table


def training_cost(n_interactions: int) -> pd.DataFrame:
    """Coding + fit time and peak traced memory of the main recipes on a synthetic store of this size."""
    n_users, n_items = max(1000, n_interactions // 20), max(2000, n_interactions // 50)
    t0 = time.perf_counter()
    frames = synthetic_store(n_users, n_items, n_interactions, seed=1)
    gen_s = time.perf_counter() - t0
    rows = []
    tracemalloc.start()
    t0 = time.perf_counter()
    data = TrainingData.from_frames(frames.interactions, frames.items)
    rows.append(
        {
            "step": "TrainingData.from_frames",
            "seconds": time.perf_counter() - t0,
            "peak_MB": tracemalloc.get_traced_memory()[1] / 2**20,
        }
    )
    for short in (
        "aws-user-personalization",
        "aws-popularity-count",
        "aws-trending-now",
        "aws-sims",
        "aws-similar-items",
    ):
        tracemalloc.reset_peak()
        t0 = time.perf_counter()
        model = get_recipe(short).fit(data)
        fit_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        for user in data.user_ids[:200]:
            model.relevance_for_user(str(user))
        per_call_ms = (time.perf_counter() - t1) / 200 * 1000
        algo = getattr(model, "algorithm", "")
        rows.append(
            {
                "step": f"fit {short} {algo}".strip(),
                "seconds": fit_s,
                "peak_MB": tracemalloc.get_traced_memory()[1] / 2**20,
                "relevance_for_user_ms": per_call_ms,
            }
        )
    tracemalloc.stop()
    table = pd.DataFrame(rows).set_index("step")
    print(
        f"\n== training cost: {data.n_interactions:,} interactions, {data.n_users:,} users, {data.n_items:,} "
        f"items (generated in {gen_s:.1f} s, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')})"
    )
    print(table.to_string(float_format=lambda v: f"{v:.2f}"))
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movielens", type=Path, help="folder with u.data or ratings.csv")
    parser.add_argument("--demo", default="small", help="demo store size (default small)")
    parser.add_argument(
        "--movielens-shaped", action="store_true", help="also a synthetic store shaped like ml-100k"
    )
    parser.add_argument("--scale", type=int, default=1_000_000, help="interactions for the training-cost run")
    parser.add_argument("--no-scale", action="store_true", help="skip the training-cost run")
    args = parser.parse_args(argv)
    quality_table(demo_frames(args.demo))
    if args.movielens_shaped:
        quality_table(movielens_shaped())
    if args.movielens:
        quality_table(movielens_frames(args.movielens.expanduser()))
    if not args.no_scale:
        training_cost(args.scale)


if __name__ == "__main__":
    main()
