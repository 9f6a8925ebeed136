"""How much the local Personalize adds on top of botocore, and what its HTTP server sustains.

In-process: the same boto3 call answered by the engine through the ``before-send`` handler versus a
handler that returns a fixed response of the same bytes (botocore's own floor: validation, serialisation,
signing, parsing), measured side by side in one run, so the ratio is the engine's and wire layer's cost.
The headline row is GetRecommendations on the demo store (25 items with scores); two control-plane calls
follow. Target: at most 1.5× the floor for GetRecommendations.

HTTP: requests per second and p50/p99 latency of GetRecommendations with 1, 4 and 16 concurrent boto3
clients on loopback, each level bounded by a request count and a time limit.

Run: ``python -m benchmarks.wire`` (``--calls``, ``--requests``, ``--seconds`` to scale it). Figures and
where the time goes: ``docs/emulator-benchmarks.md``.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from threadpoolctl import threadpool_limits

from personalize_lab.emulator import LocalPersonalize, wire
from personalize_lab.emulator.server import running

DUMMY = {"aws_access_key_id": "x", "aws_secret_access_key": "x", "region_name": "us-east-1"}
TARGET_RATIO = 1.5
PAIRS = 20


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def _fixed_client(service: str, operation: str, body: bytes) -> Any:
    """A client whose every ``operation`` request is answered with ``body`` (botocore's floor)."""
    client = boto3.client(service, **DUMMY)
    content_type = wire.JSON_11 if service == wire.CONTROL else wire.REST_JSON
    headers = {"Content-Type": content_type, "x-amzn-RequestId": "fixed"}

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, headers, _Body(body))  # type: ignore[arg-type]

    event_service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register_first(f"before-send.{event_service}.{operation}", answer)
    return client


def _per_call_us(call: Callable[[], Any], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - started) / n * 1e6


def recommendation_request(local: LocalPersonalize) -> dict[str, Any]:
    """GetRecommendations for one demo user on the User-Personalization campaign: 25 scored items."""
    return {"campaignArn": local.campaign_arns["user-personalization"], "userId": "1", "numResults": 25}


def in_process(local: LocalPersonalize, calls: int) -> list[tuple[str, float, float, float]]:
    """(operation, local µs/call, floor µs/call, ratio): medians over PAIRS back-to-back blocks."""
    cases: list[tuple[str, str, dict[str, Any]]] = [
        (wire.RUNTIME, "GetRecommendations", recommendation_request(local)),
        (wire.CONTROL, "ListFilters", {}),
        (wire.CONTROL, "DescribeCampaign", {"campaignArn": local.campaign_arns["user-personalization"]}),
    ]
    rows = []
    for service, operation, params in cases:
        ours_client = local.client(service)
        method = wire.snake_case(operation)
        getattr(ours_client, method)(**params)  # warm: model trained, caches filled
        body = json.dumps(
            getattr(local if service != wire.CONTROL else local.control, method)(**params),
            default=wire._json_default,
            separators=(",", ":"),
        ).encode()
        fixed = _fixed_client(service, operation, body)
        call_local = functools.partial(getattr(ours_client, method), **params)
        call_floor = functools.partial(getattr(fixed, method), **params)
        # many short back-to-back pairs: the load of a shared machine shifts within seconds, and a pair
        # sees the same load, so the median of the pair ratios is steadier than a ratio of two long runs
        block = max(1, calls // PAIRS)
        pairs = [(_per_call_us(call_local, block), _per_call_us(call_floor, block)) for _ in range(PAIRS)]
        ratio = statistics.median(o / f for o, f in pairs)
        rows.append(
            (
                f"{method} ({len(body)} B)",
                statistics.median(o for o, _ in pairs),
                statistics.median(f for _, f in pairs),
                ratio,
            )
        )
    return rows


class _Budget:
    """Shared by the client threads of one level: how many requests remain, until when, and latencies."""

    def __init__(self, requests: int, deadline: float) -> None:
        self.remaining = requests
        self.deadline = deadline
        self.latencies: list[float] = []
        self.lock = threading.Lock()

    def work(self, call: Callable[[], Any]) -> None:
        while time.perf_counter() < self.deadline:
            with self.lock:
                if self.remaining <= 0:
                    return
                self.remaining -= 1
            started = time.perf_counter()
            call()
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies.append(elapsed)


def over_http(
    local: LocalPersonalize, levels: Sequence[int], requests: int, seconds: float
) -> list[tuple[int, int, float, float, float]]:
    """(clients, requests done, requests/s, p50 ms, p99 ms) per concurrency level."""
    rows = []
    params = recommendation_request(local)
    config = Config(retries={"total_max_attempts": 1}, max_pool_connections=4)
    with running(local) as server:
        for clients in levels:
            made = [
                boto3.client("personalize-runtime", endpoint_url=server.url, config=config, **DUMMY)
                for _ in range(clients)
            ]
            for client in made:
                client.get_recommendations(**params)  # warm: connection open, models loaded
            budget = _Budget(requests, time.perf_counter() + seconds)
            threads = [
                threading.Thread(
                    target=budget.work, args=(functools.partial(c.get_recommendations, **params),)
                )
                for c in made
            ]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
            latencies = sorted(budget.latencies)
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            rows.append(
                (
                    clients,
                    len(latencies),
                    len(latencies) / wall,
                    statistics.median(latencies) * 1e3,
                    p99 * 1e3,
                )
            )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="in-process calls per operation and side")
    parser.add_argument("--requests", type=int, default=1000, help="HTTP requests per concurrency level")
    parser.add_argument("--seconds", type=float, default=5.0, help="time limit per concurrency level")
    args = parser.parse_args(argv)
    with threadpool_limits(1, "blas"):  # 2 shared cores: one BLAS thread keeps timings comparable
        local = LocalPersonalize.demo()
        rows = in_process(local, args.calls)
        levels = over_http(local, (1, 4, 16), args.requests, args.seconds)
    print(
        "in-process boto3 call on the demo store: local Personalize vs fixed-response handler "
        f"(botocore floor); target <= {TARGET_RATIO}x for get_recommendations"
    )
    print(f"{'operation':<32} {'local µs':>9} {'floor µs':>9} {'ratio':>6}")
    for name, ours, floor, ratio in rows:
        print(f"{name:<32} {ours:>9.0f} {floor:>9.0f} {ratio:>6.2f}")
    print()
    print("HTTP on loopback, get_recommendations (25 items) on the demo store")
    print(f"{'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
    for clients, done, rps, p50, p99 in levels:
        print(f"{clients:>7} {done:>8} {rps:>8.0f} {p50:>7.2f} {p99:>7.2f}")


if __name__ == "__main__":
    main()
