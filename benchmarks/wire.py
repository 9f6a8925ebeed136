"""How much the local Personalize's wire layer adds on top of botocore, and what its HTTP server sustains.

In-process: the same boto3 call through the emulator's ``before-send`` handler versus a handler that
returns a fixed response of the same bytes (botocore's own floor), measured side by side in one run, so
the ratio is the emulator's overhead. HTTP: requests per second and p50/p99 latency with 1, 4 and 16
concurrent boto3 clients on loopback, each level bounded by a request count and a time limit.

Run: ``python -m benchmarks.wire`` (``--calls``, ``--requests``, ``--seconds`` to scale it).
Control-plane calls for now; the engine's get_recommendations joins once the engine is merged.
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

from personalize_lab.emulator import transport, wire
from personalize_lab.emulator.arns import recipe_arn
from personalize_lab.emulator.control import ControlPlane
from personalize_lab.emulator.server import running

DUMMY = {"aws_access_key_id": "x", "aws_secret_access_key": "x", "region_name": "us-east-1"}


class ControlOnlyBackend:
    """The control plane alone, filled like a small real account (20 filters, 3 campaigns)."""

    def __init__(self) -> None:
        self.control = ControlPlane()
        dsg = self.control.add_dataset_group("bench")
        solution = self.control.add_solution("bench-up", dsg, recipe_arn("aws-user-personalization"))
        version = self.control.add_solution_version(solution)
        self.campaigns = [
            self.control.add_campaign(
                f"bench-{k}", version, {"itemExplorationConfig": {"explorationWeight": "0.3"}}
            )
            for k in range(3)
        ]
        for k in range(20):
            self.control.add_filter(f"filter-{k}", dsg, f'EXCLUDE ItemID WHERE ITEMS.GENRE IN ("g{k}")')


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def _fixed_client(operation: str, body: bytes) -> Any:
    """A personalize client whose every request is answered with ``body`` (botocore's floor)."""
    client = boto3.client("personalize", **DUMMY)
    headers = {"Content-Type": wire.JSON_11, "x-amzn-RequestId": "fixed"}

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, headers, _Body(body))  # type: ignore[arg-type]

    client.meta.events.register_first(f"before-send.personalize.{operation}", answer)
    return client


def _per_call_us(call: Callable[[], Any], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - started) / n * 1e6


def in_process(backend: ControlOnlyBackend, calls: int) -> list[tuple[str, float, float]]:
    """(operation, emulator µs/call, floor µs/call), best of 3 interleaved rounds."""
    local = transport.make_client(backend, "personalize")
    campaign = backend.campaigns[0]
    cases: list[tuple[str, dict[str, Any]]] = [
        ("ListFilters", {}),
        ("DescribeCampaign", {"campaignArn": campaign}),
    ]
    rows = []
    for operation, params in cases:
        target = f"AmazonPersonalize.{operation}"
        body = wire.handle(backend, "POST", "/", {"X-Amz-Target": target}, json.dumps(params).encode()).body
        fixed = _fixed_client(operation, body)
        method = wire.snake_case(operation)
        ours, floor = [], []
        call_local = functools.partial(getattr(local, method), **params)
        call_floor = functools.partial(getattr(fixed, method), **params)
        for _ in range(3):
            ours.append(_per_call_us(call_local, calls))
            floor.append(_per_call_us(call_floor, calls))
        rows.append((f"{method} ({len(body)} B)", min(ours), min(floor)))
    return rows


class _Budget:
    """Shared by the client threads of one level: how many requests remain, until when, and latencies."""

    def __init__(self, requests: int, deadline: float) -> None:
        self.remaining = requests
        self.deadline = deadline
        self.latencies: list[float] = []
        self.lock = threading.Lock()

    def work(self, client: Any) -> None:
        while time.perf_counter() < self.deadline:
            with self.lock:
                if self.remaining <= 0:
                    return
                self.remaining -= 1
            started = time.perf_counter()
            client.list_filters(maxResults=5)
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies.append(elapsed)


def over_http(
    backend: ControlOnlyBackend, levels: Sequence[int], requests: int, seconds: float
) -> list[tuple[int, int, float, float, float]]:
    """(clients, requests done, requests/s, p50 ms, p99 ms) per concurrency level."""
    rows = []
    config = Config(retries={"total_max_attempts": 1}, max_pool_connections=4)
    with running(backend) as server:
        for clients in levels:
            made = [
                boto3.client("personalize", endpoint_url=server.url, config=config, **DUMMY)
                for _ in range(clients)
            ]
            for client in made:
                client.list_filters(maxResults=5)  # warm: connection open, models loaded
            budget = _Budget(requests, time.perf_counter() + seconds)
            threads = [threading.Thread(target=budget.work, args=(c,)) for c in made]
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
    parser.add_argument("--calls", type=int, default=1000, help="in-process calls per round")
    parser.add_argument("--requests", type=int, default=600, help="HTTP requests per concurrency level")
    parser.add_argument("--seconds", type=float, default=5.0, help="time limit per concurrency level")
    args = parser.parse_args(argv)
    backend = ControlOnlyBackend()
    print("in-process boto3 call: local Personalize vs fixed-response handler (botocore floor)")
    print(f"{'operation':<28} {'local µs':>9} {'floor µs':>9} {'ratio':>6}")
    for name, ours, floor in in_process(backend, args.calls):
        print(f"{name:<28} {ours:>9.0f} {floor:>9.0f} {ours / floor:>6.2f}")
    print()
    print("HTTP on loopback, list_filters(maxResults=5)")
    print(f"{'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
    for clients, done, rps, p50, p99 in over_http(backend, (1, 4, 16), args.requests, args.seconds):
        print(f"{clients:>7} {done:>8} {rps:>8.0f} {p50:>7.2f} {p99:>7.2f}")


if __name__ == "__main__":
    main()
