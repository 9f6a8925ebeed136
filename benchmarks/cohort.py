"""Cohort runs against their baselines, measured side by side in one run; prints a table.

1. 2 variants × N users (default 5,000) × 25 items on the local Personalize: ``lab.recommend_many``
   (cache off) vs the same requests in a plain sequential boto3 loop (responses kept as dicts), and vs
   that loop plus the per-response ``pd.DataFrame`` + ``concat`` a user would write to get one frame.
2. The local Personalize with ``EmulatorOptions(latency_ms=50)`` (simulated network time per call):
   the worker pool vs the sequential loop for 1, 2, 4, 8 and 16 workers, and 16 workers under a
   100 requests/s rate limit (the pool must stop at the limit).
3. ``analysis.compare`` on 2 × 100,000 users × 25 items: ``benchmarks/analysis.py`` is run as a
   subprocess (same frame, same options, its own peak-memory figure), not duplicated here.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python -m benchmarks.cohort [--users 5000] [--latency-requests 200]
[--skip-analysis]``. Timings are the best of ``--repeat`` alternating rounds, so a neighbour's burst on a
shared machine hits both sides alike.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd

from personalize_lab.client import Lab
from personalize_lab.cohort.plan import make_plan
from personalize_lab.datasets import demo_store
from personalize_lab.emulator import EmulatorOptions, LocalPersonalize
from personalize_lab.emulator.demo import demo_config

ROOT = Path(__file__).resolve().parents[1]
VARIANTS: dict[str, dict[str, Any]] = {"A": {}, "B": {"filter": "in-stock"}}


def _lab(n_users: int, latency_ms: float = 0.0) -> Lab:
    data = demo_store(n_users=n_users, n_items=2_000, n_interactions=25 * n_users, seed=0)
    local = LocalPersonalize(data, config=demo_config(), options=EmulatorOptions(latency_ms=latency_ms))
    return Lab.local(local)


def _requests(lab: Lab, users: list[str]) -> list[dict[str, Any]]:
    plan = make_plan(lab, users=users, items=None, variants=VARIANTS, num_results=25)
    return [r.request.kwargs for r in plan.requests()]


def _sequential(lab: Lab, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    call = lab.client.get_recommendations
    return [call(**kwargs) for kwargs in requests]


def _sequential_frames(lab: Lab, requests: list[dict[str, Any]]) -> pd.DataFrame:
    parts = []
    for kwargs in requests:
        frame = pd.DataFrame(lab.client.get_recommendations(**kwargs)["itemList"])
        frame.insert(0, "userId", kwargs["userId"])
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def _best(rounds: int, *fns: Callable[[], object]) -> list[tuple[float, float]]:
    """(best wall seconds, best CPU seconds of this process) of each function, rounds interleaved."""
    best = [(float("inf"), float("inf"))] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[i] = (min(best[i][0], wall), min(best[i][1], cpu))
    return best


def _row(label: str, timing: tuple[float, float], n: int, base: tuple[float, float] | None = None) -> str:
    wall, cpu = timing
    ratio = f"{base[0] / wall:6.2f}×" if base else "      "
    cpu_ratio = f"{base[1] / cpu:6.2f}×" if base else "      "
    return f"  {label:<50} {wall:7.2f} s {n / wall:7.0f} req/s {ratio}   cpu {cpu:6.2f} s {cpu_ratio}"


HEADER = f"  {'':<50} {'wall':>9} {'rate':>13} {'vs loop':>7}   {'cpu (this process)':>20}"


def part1(n_users: int, rounds: int) -> None:
    lab = _lab(n_users)
    users = lab.local_personalize.users[:n_users]
    requests = _requests(lab, users)
    n = len(requests)
    _sequential(lab, requests[:: max(1, n // 50)])  # train both models, warm the filter caches

    def many(**kw: Any) -> object:
        return lab.recommend_many(users, variants=VARIANTS, cache=False, progress=False, **kw)

    seq, framed, one, eight = _best(
        rounds,
        lambda: _sequential(lab, requests),
        lambda: _sequential_frames(lab, requests),
        many,
        lambda: many(workers=8),
    )
    print(
        f"\n(1) {len(VARIANTS)} variants × {len(users):,} users × 25 items on the local Personalize "
        f"({n:,} requests; best of {rounds} interleaved rounds)"
    )
    print(HEADER)
    print(_row("plain sequential boto3 loop (dicts)", seq, n, seq))
    print(_row("plain loop + pd.DataFrame per response + concat", framed, n, seq))
    print(_row("lab.recommend_many (default: 1 worker in-process)", one, n, seq))
    print(_row("lab.recommend_many(workers=8)", eight, n, seq))


def part1_overhead(n: int, rounds: int) -> None:
    """Our own cost per request, on a transport that answers instantly with canned bytes."""
    from benchmarks.client import CAMPAIGN, canned_clients

    runtime, control = canned_clients()
    lab = Lab(CAMPAIGN, client=runtime, control_client=control)
    users = [f"u{k}" for k in range(n)]
    kwargs = [{"campaignArn": CAMPAIGN, "userId": u, "numResults": 25} for u in users]

    def loop() -> object:
        return [runtime.get_recommendations(**kw) for kw in kwargs]

    def many() -> object:
        return lab.recommend_many(users, cache=False, progress=False, workers=1, rate_limit=None)

    loop(), many()  # warm: botocore's model, the describe calls
    (base, ours) = _best(rounds, loop, many)
    extra = (ours[1] - base[1]) / n * 1e6
    print(f"\n(1b) canned in-process answers (no model), {n:,} requests: our own cost per request")
    print(HEADER)
    print(_row("plain sequential boto3 loop (dicts)", base, n, base))
    print(_row("lab.recommend_many(workers=1)", ours, n, base))
    print(f"  → recommend_many adds {extra:.0f} µs of CPU per request (frame included) to boto3's own cost")


def part2(n_requests: int, rounds: int) -> None:
    lab = _lab(1_000, latency_ms=50.0)
    users = lab.local_personalize.users[: n_requests // len(VARIANTS)]
    requests = _requests(lab, users)
    n = len(requests)
    _sequential(lab, requests[:4])  # train the models outside the timings
    (seq,) = _best(1, lambda: _sequential(lab, requests))
    print(f"\n(2) local Personalize with 50 ms simulated latency per call, {n} requests")
    print(HEADER.replace("vs loop", "speedup"))
    print(_row("plain sequential boto3 loop", seq, n, seq))
    for workers, limit in ((1, None), (2, None), (4, None), (8, None), (16, None), (16, 100.0)):
        (t,) = _best(
            rounds,
            lambda w=workers, r=limit: lab.recommend_many(
                users, variants=VARIANTS, cache=False, progress=False, workers=w, rate_limit=r
            ),
        )
        label = f"recommend_many(workers={workers}" + (f", rate_limit={limit:g})" if limit else ")")
        print(_row(label, t, n, seq))


def part3(n_users: int) -> None:
    print(f"\n(3) analysis.compare on 2 × {n_users:,} users × 25 items (python -m benchmarks.analysis)")
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.analysis", "--users", str(n_users)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, OPENBLAS_NUM_THREADS="1"),
    )
    for line in out.stdout.splitlines():
        print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--latency-requests", type=int, default=200)
    parser.add_argument("--analysis-users", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-analysis", action="store_true")
    args = parser.parse_args()
    part1(args.users, args.repeat)
    part1_overhead(args.users, args.repeat)
    part2(args.latency_requests, 1)
    if not args.skip_analysis:
        part3(args.analysis_users)


if __name__ == "__main__":
    main()
