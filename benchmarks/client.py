"""Client overhead and batch-file reading speed, each against its baseline measured in the same run.

1. ``lab.recommend`` vs raw ``client.get_recommendations`` + ``pd.DataFrame(resp["itemList"])`` at 25 and
   500 items, on the same transport: the embedded ``LocalPersonalize.demo()`` when it is importable, and
   always a canned in-process answer (a before-send handler), which isolates our own overhead.
2. Reading a large batch-inference output file: ``read_batch_output`` vs ``pandas.read_json(lines=True)``;
   rows per second and peak memory (max RSS of a fresh subprocess, minus its RSS before reading).

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python -m benchmarks.client [--mb 200] [--repeat 300]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pandas as pd
from botocore.awsrequest import AWSResponse

from personalize_lab.client import Lab

CAMPAIGN = "arn:aws:personalize:us-east-1:123456789012:campaign/bench"
RECIPE = "arn:aws:personalize:::recipe/aws-user-personalization"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def canned_clients() -> tuple[Any, Any]:
    """boto3 clients answered in-process with fixed bytes (the cheapest possible transport)."""
    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    runtime = session.client("personalize-runtime")
    control = session.client("personalize")
    answers: dict[int, bytes] = {}

    def runtime_answer(request: Any, **_: Any) -> AWSResponse:
        n = json.loads(request.body)["numResults"]
        if n not in answers:
            items = [{"itemId": str(i), "score": 1.0 / (i + 2)} for i in range(n)]
            answers[n] = json.dumps({"itemList": items, "recommendationId": "RID-1"}).encode()
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, _Raw(answers[n]))

    def control_answer(request: Any, event_name: str, **_: Any) -> AWSResponse:
        op = event_name.rsplit(".", 1)[-1]
        body = {
            "DescribeCampaign": {
                "campaign": {"campaignArn": CAMPAIGN, "solutionVersionArn": CAMPAIGN + "/sv"}
            },
            "DescribeSolutionVersion": {"solutionVersion": {"solutionArn": CAMPAIGN, "recipeArn": RECIPE}},
            "DescribeRecipe": {"recipe": {"recipeArn": RECIPE, "recipeType": "USER_PERSONALIZATION"}},
        }[op]
        return AWSResponse(
            request.url, 200, {"Content-Type": "application/json"}, _Raw(json.dumps(body).encode())
        )

    runtime.meta.events.register("before-send.personalize-runtime", runtime_answer)
    control.meta.events.register("before-send.personalize", control_answer)
    return runtime, control


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    for _ in range(max(5, repeat // 10)):
        fn()  # warm caches (describe calls, botocore model loading)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def bench_recommend(lab: Lab, user: str, label: str, repeat: int) -> None:
    client = lab.client
    arn = lab.campaign_arn
    for n in (25, 500):

        def raw(n: int = n) -> pd.DataFrame:
            resp = client.get_recommendations(campaignArn=arn, userId=user, numResults=n)
            return pd.DataFrame(resp["itemList"])

        def ours(n: int = n) -> pd.DataFrame:
            return lab.recommend(user, num_results=n)

        # interleave the two so a busy neighbour on the shared cores hits both alike
        raw_ms, ours_ms = [], []
        for _ in range(3):
            raw_ms.append(_median_ms(raw, repeat // 3))
            ours_ms.append(_median_ms(ours, repeat // 3))
        r, o = statistics.median(raw_ms), statistics.median(ours_ms)
        print(
            f"  {label:<16} n={n:<4} raw {r:7.3f} ms   lab.recommend {o:7.3f} ms   "
            f"overhead {100 * (o / r - 1):+6.1f}%"
        )


# --- batch output reading ---------------------------------------------------------------------------


def make_batch_output(path: Path, megabytes: int, seed: int = 0) -> int:
    """A realistic output file: UP lines with 25 items and scores, ~1% error lines. Returns line count."""
    rng = random.Random(seed)
    target = megabytes * 2**20
    written = lines = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < target:
            buf = []
            for _ in range(1000):
                user = str(rng.randrange(10**6))
                if rng.random() < 0.01:
                    line = {
                        "input": {"userId": user},
                        "output": {"recommendedItems": []},
                        "error": "User error: Required fields for the provided recipe are userId",
                    }
                else:
                    items = [str(rng.randrange(10**5)) for _ in range(25)]
                    scores = sorted((round(rng.random() / 1000, 7) for _ in range(25)), reverse=True)
                    line = {
                        "input": {"userId": user},
                        "output": {"recommendedItems": items, "scores": scores},
                        "error": None,
                    }
                buf.append(json.dumps(line, separators=(",", ":")))
            text = "\n".join(buf) + "\n"
            fh.write(text)
            written += len(text)
            lines += len(buf)
    return lines


_READER = r"""
import json, resource, sys, time, warnings
import pandas as pd
which, path = sys.argv[1], sys.argv[2]
if which == "ours":
    from personalize_lab.batch import read_batch_output
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if which == "ours":
    frame, errors = read_batch_output(path, errors="frame")
    rows = len(frame)
else:
    raw = pd.read_json(path, lines=True)
    rows = len(raw)  # one row per line, still nested: exploding it would cost more time and memory
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "rows": rows, "peak_mb": (peak - before) / 1024}))
"""


def _run_reader(which: str, path: Path) -> dict[str, float]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", _READER, which, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_batch(megabytes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "users.json.out"
        t0 = time.perf_counter()
        lines = make_batch_output(path, megabytes)
        size = path.stat().st_size / 2**20
        print(f"  generated {size:.0f} MB, {lines:,} lines in {time.perf_counter() - t0:.1f} s")
        ours = _run_reader("ours", path)
        theirs = _run_reader("pandas", path)
        for label, r, unit in (
            ("read_batch_output", ours, "item rows (exploded, contract dtypes)"),
            ("pandas.read_json", theirs, "line rows (nested, not exploded)"),
        ):
            print(
                f"  {label:<18} {r['seconds']:6.2f} s  {r['rows'] / r['seconds']:>12,.0f} {unit}/s  "
                f"{lines / r['seconds']:>10,.0f} lines/s  peak +{r['peak_mb']:,.0f} MB"
            )
        print(
            f"  speed (lines/s) ratio ours/pandas: {theirs['seconds'] / ours['seconds']:.2f}x, "
            f"peak memory ratio ours/pandas: {ours['peak_mb'] / max(theirs['peak_mb'], 1):.2f}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300, help="calls per timing (median)")
    parser.add_argument("--mb", type=int, default=200, help="size of the generated batch output file")
    parser.add_argument("--user", default="1", help="a user of the local demo store")
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args(argv)

    print("lab.recommend vs raw boto3 + pd.DataFrame (median per call)")
    runtime, control = canned_clients()
    bench_recommend(
        Lab(CAMPAIGN, client=runtime, control_client=control), "u1", "canned transport", args.repeat
    )
    try:
        from personalize_lab.emulator import LocalPersonalize  # type: ignore[attr-defined,unused-ignore]
    except ImportError as e:
        print(f"  local Personalize: skipped ({e}); the canned transport above measures our overhead alone")
    else:
        lab = Lab.local(LocalPersonalize.demo())
        bench_recommend(lab, args.user, "LocalPersonalize", args.repeat)
    if not args.skip_batch:
        print(f"\nbatch output ({args.mb} MB): read_batch_output vs pandas.read_json(lines=True)")
        bench_batch(args.mb)


if __name__ == "__main__":
    main()
