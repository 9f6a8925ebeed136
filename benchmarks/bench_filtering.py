"""Filter mask cost per request at 1M items, as ratios to the floor of one pass over a bool array.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python -m benchmarks.bench_filtering [n_items]``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from personalize_lab.emulator.filtering import FilterCatalog, compile_item_filter
from personalize_lab.filters import parse


def best_of(fn: Callable[[], object], repeat: int = 30) -> float:
    """Best wall time of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main(n: int = 1_000_000) -> None:
    rng = np.random.default_rng(7)
    categories = np.array([f"C{i}" for i in range(200)], dtype=object)
    cat = categories[rng.integers(0, 200, n)]
    multi = rng.random(n) < 0.2  # a fifth of the items carry two categories
    cat[multi] = cat[multi] + "|" + categories[rng.integers(0, 200, int(multi.sum()))]
    items = pd.DataFrame(
        {
            "ITEM_ID": pd.Series([f"i{i}" for i in range(n)], dtype="str"),
            "CATEGORY": pd.Series(cat, dtype="str"),
            "PRICE": rng.uniform(1, 100, n).round(2),
        }
    )
    arr = rng.random(n) < 0.5
    floor = best_of(lambda: np.ones(n, bool) & arr)
    # np.zeros is lazily zeroed memory: also time a consumer that touches every byte of the mask.
    floor_used = best_of(lambda: np.count_nonzero(np.ones(n, bool) & arr))
    print(f"n={n:,} items; floor np.ones(n, bool) & arr: {floor:.3f} ms ({floor_used:.3f} ms + count)")
    catalog = FilterCatalog(items)
    cases = [
        ("INCLUDE ItemID WHERE Items.CATEGORY IN ($C)", {"C": '"C1","C2","C3"'}),
        ("INCLUDE ItemID WHERE Items.PRICE <= $P", {"P": '"20"'}),
        (
            "INCLUDE ItemID WHERE Items.CATEGORY IN ($C) AND Items.PRICE <= $P"
            ' | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")',
            {"C": '"C1","C2","C3"', "P": '"20"'},
        ),
    ]
    history = {"click": rng.integers(0, n, 100)}
    for text, values in cases:
        start = time.perf_counter()
        compiled = compile_item_filter(parse(text), catalog)
        compiled.mask(filter_values=values, history=history)  # first call builds the lookups lazily
        compile_ms = (time.perf_counter() - start) * 1000
        ms = best_of(lambda c=compiled, v=values: c.mask(filter_values=v, history=history))
        used = best_of(
            lambda c=compiled, v=values: np.count_nonzero(c.mask(filter_values=v, history=history))
        )
        print(
            f"{ms:7.3f} ms ({ms / floor:4.1f}x floor); + count {used:6.3f} ms ({used / floor_used:4.1f}x); "
            f"compile {compile_ms:6.1f} ms (shared catalog)  {text}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
