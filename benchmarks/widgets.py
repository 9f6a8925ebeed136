"""Where the Explorer's kernel time goes per control change, without a browser.

The browser test (``tests/browser``) measures the whole round trip; this splits the kernel's share into
the stages :attr:`Explorer.timings` records: controls (spec, user history, the panel's own checks),
request (Lab: validation, the call, the frame), figures (building the plotly figure dicts), table (the result HTML) and view (the figures as plain JSON and the one state update of
the ResultView).

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python -m benchmarks.widgets [--changes 40]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from personalize_lab.client import Lab
from personalize_lab.widgets import Explorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=40, help="random-user clicks to time")
    parser.add_argument("--target", default="user-personalization-v2", help="campaign name to select")
    args = parser.parse_args()

    lab = Lab.demo()
    explorer = Explorer(lab)
    for label, value in explorer.target.options:
        if label.endswith(args.target):
            explorer.target.value = value
    # the browser test's state: category filter with Books, a 20 % Toys promotion
    explorer.filter.dropdown.value = "category"
    explorer.filter.placeholders.inputs["CATEGORY"].value = ("Books",)
    explorer.promotion.enabled.value = True
    explorer.promotion.filter.dropdown.value = "category"
    explorer.promotion.filter.placeholders.inputs["CATEGORY"].value = ("Toys",)
    assert explorer.error is None, explorer.error
    for _ in range(5):  # warm up caches (models, plotly validators)
        explorer.pick_random_user()
    samples: list[dict[str, float]] = []
    started = time.perf_counter()
    for _ in range(args.changes):
        explorer.pick_random_user()
        assert explorer.error is None, explorer.error
        samples.append(dict(explorer.timings))
    wall = (time.perf_counter() - started) * 1000 / args.changes
    stages = list(samples[0])
    medians = {k: round(statistics.median(s[k] for s in samples), 2) for k in stages}
    print(
        json.dumps({"changes": args.changes, "median_ms": medians, "mean_wall_ms": round(wall, 2)}, indent=2)
    )


if __name__ == "__main__":
    main()
