"""How long ``analysis.compare`` takes on a cohort-sized frame: 2 variants × 100,000 users × 25 items.

Prints wall seconds of each stage and the peak traced memory (tracemalloc; numpy and pandas buffers are
traced). Run: ``.venv/bin/python benchmarks/analysis.py [--users N]``. The frame is synthetic: Zipf-like
item popularity, B re-ranks A's candidates with 20% promoted items and a few scoreless placeholders.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from personalize_lab import plots
from personalize_lab.analysis import compare, rbo
from personalize_lab.analysis.encoding import encode
from personalize_lab.analysis.overlap import overlap_table


def synthetic_frame(n_users: int, n_items: int = 20_000, depth: int = 25, seed: int = 0) -> pd.DataFrame:
    """A long frame with the contract dtypes, built with numpy (no per-row Python)."""
    rng = np.random.default_rng(seed)
    parts = []
    weights = 1.0 / np.arange(1, n_items + 1) ** 0.8
    weights /= weights.sum()
    base = rng.choice(n_items, size=(n_users, depth + 10), p=weights)
    for variant, shift in (("A", 0), ("B", 3)):
        items = np.sort(base, axis=1)[:, shift : shift + depth]  # B keeps most of A's items, shifted
        items = rng.permuted(items, axis=1) if variant == "B" else items
        n = n_users * depth
        score = rng.dirichlet(np.ones(depth), size=n_users).ravel() * 0.01
        promoted = (rng.random(n) < 0.2) if variant == "B" else np.zeros(n, dtype=bool)
        placeholder = rng.random(n) < 0.02
        labels = {0: (), 1: ("Promoted item",), 2: ("Popular item",)}
        reason = pd.Series(np.where(promoted, 1, np.where(placeholder, 2, 0))).map(labels).to_numpy()
        parts.append(
            pd.DataFrame(
                {
                    "variant": pd.array(np.full(n, variant), dtype="str"),
                    "userId": pd.array(np.repeat(np.arange(n_users), depth).astype(str), dtype="str"),
                    "rank": pd.array(np.tile(np.arange(1, depth + 1), n_users), dtype="Int64"),
                    "itemId": pd.array(
                        ("i" + pd.Series(items.ravel()).astype(str)).to_numpy(), dtype="string"
                    ),
                    "score": pd.array(np.where(placeholder, np.nan, score), dtype="Float64"),
                    "promotionName": pd.array(np.where(promoted, "promo", None), dtype="string"),
                    "reason": reason,
                    "GENRE": pd.array((items.ravel() % 17).astype(str), dtype="string"),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    frame = synthetic_frame(args.users)
    t1 = time.perf_counter()
    popularity = pd.Series(1.0 / np.arange(1, 20_001) ** 0.8 * 1e6, index=[f"i{i}" for i in range(20_000)])
    truth = frame.loc[frame["rank"].to_numpy() % 7 == 0, ["userId", "itemId"]].iloc[::5]
    options = {
        "item_popularity": popularity,
        "catalog_size": 20_000,
        "diversity_column": "GENRE",
        "truth": truth,
        "requested_promotion": {"B": 20},
    }
    t2 = time.perf_counter()
    result = compare(frame, **options)
    t3 = time.perf_counter()
    tracemalloc.start()  # a second run for memory: tracing slows allocation-heavy code down
    compare(frame, **options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"frame: {len(frame):,} rows ({args.users:,} users × 2 variants × 25), built in {t1 - t0:.1f} s")
    print(f"compare (list metrics, overlap/RBO, accuracy@25, bootstrap 2000 + Wilcoxon): {t3 - t2:.1f} s")
    print(f"peak traced memory during compare: {peak / 2**20:,.0f} MiB", flush=True)
    # baseline in the same run: RBO with a per-user Python loop over the same lists, on 5,000 users
    sample = frame[frame["userId"].isin([str(u) for u in range(5_000)])]
    lists = sample.groupby(["variant", "userId"], sort=False)["itemId"].agg(list)
    t_loop = time.perf_counter()
    for user in lists.loc["A"].index:
        rbo(lists.loc[("A", user)], lists.loc[("B", user)])
    t_loop = time.perf_counter() - t_loop
    enc = encode(sample)
    t_vec = time.perf_counter()
    overlap_table(enc, "A", k=25)
    t_vec = time.perf_counter() - t_vec
    print(
        f"overlap on 5,000 users: vectorised {t_vec * 1000:.0f} ms vs per-user loop (RBO only) "
        f"{t_loop * 1000:.0f} ms → {t_loop / t_vec:.0f}× faster"
    )
    t4 = time.perf_counter()
    figures = plots.figures(result)
    t5 = time.perf_counter()
    print(f"figures ({len(figures)}): {t5 - t4:.1f} s")
    print(f"tests table: {len(result.tests())} rows; per-user rows: {len(result.to_frame()):,}")


if __name__ == "__main__":
    main()
