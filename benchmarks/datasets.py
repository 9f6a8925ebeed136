"""How fast the data layer is: demo-store generation and loading a 1M-interaction folder.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/datasets.py [small|medium|all]``.
Loading is printed next to its floor measured in the same run (pyarrow reading the same CSV as plain
strings, no validation), so the ratio is what our checks and typing cost.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from personalize_lab.datasets import demo_store, load_dir, write_dir


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(which: str = "all") -> None:
    seconds, small = best_of(3, lambda: demo_store("small"))
    print(f"demo_store('small')  {len(small.interactions):>9,} interactions  {seconds:6.2f} s (best of 3)")
    if which == "small":
        return
    seconds, medium = best_of(1, lambda: demo_store("medium"))
    print(f"demo_store('medium') {len(medium.interactions):>9,} interactions  {seconds:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "medium"
        seconds, _ = best_of(1, lambda: write_dir(medium, folder))
        print(f"write_dir(medium)                            {seconds:6.2f} s")
        csv = folder / "interactions.csv"
        header = csv.open().readline().strip().split(",")
        floor, _ = best_of(
            3,
            lambda: pacsv.read_csv(
                csv, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()))
            ),
        )
        seconds, loaded = best_of(3, lambda: load_dir(folder))
        print(
            f"load_dir(medium)     {len(loaded.interactions):>9,} interactions  {seconds:6.2f} s "
            f"(pyarrow string read floor {floor:.2f} s, ratio {seconds / floor:.1f}x)"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "all")
