"""Simulated online A/B on the demo store: visits per second, end to end (target: 10,000 visits < 60 s).

A visit is one GetRecommendations through the Lab's boto3 client, the click model, and one PutEvents per
click and per purchase (with recommendationId, impression and attribution source), all against the
embedded local Personalize. The set-up (demo store, per-user temporal split, training on first request)
is timed apart. Prints one table.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python -m benchmarks.simulation [--visits 10000] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd

import personalize_lab as pl
from personalize_lab.simulation import holdout_split

VARIANTS = {"A": {}, "B": {"filter": "exclude-purchased"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    train, future = holdout_split(pl.demo_store(), fraction=0.1)
    local = pl.LocalPersonalize(train)
    lab = pl.Lab.local(local)
    lab.recommend(future["USER_ID"].iloc[0])  # trains the model: set-up, not visits
    setup = time.perf_counter() - started

    started = time.perf_counter()
    result = lab.simulate(future, VARIANTS, visits=args.visits, seed=args.seed)
    total = time.perf_counter() - started
    row = {
        "visits": args.visits,
        "setup s": round(setup, 2),
        "run s": round(total, 2),
        "visits/s": round(args.visits / total, 1),
        "events sent": result.events_sent,
        "events/visit": round(result.events_sent / args.visits, 3),
        "target": "10,000 visits < 60 s",
        "met": total * 10_000 / args.visits < 60,
    }
    print(pd.DataFrame([row]).to_string(index=False))
    print(f"visits/s: {row['visits/s']}")


if __name__ == "__main__":
    main()
