"""Service time of the local Personalize's GetRecommendations against the numpy floor, and training cost.

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/emulator.py [--sizes 2000,100000,1000000] [--repeats 50]``

For each catalog size it builds a synthetic store (``demo_store`` with explicit sizes), trains the
User-Personalization model, and times one engine call (no wire) — plain, with a filter, and with a filter
plus a promotion — against the floor measured in the same run on the same catalog: one float32
matrix-vector product with a 64-dim user vector plus ``argpartition`` of the top 25 and a sort of the winners.
Figures are medians; ratios are what the targets are about (≤ 1.5× the floor at 100k and 1M items).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from personalize_lab.datasets import demo_store
from personalize_lab.datasets.config import CampaignSpec, FilterSpec, ProjectConfig
from personalize_lab.emulator import EmulatorOptions, LocalPersonalize

CONFIG = ProjectConfig(
    dataset_group="bench",
    campaigns=(
        CampaignSpec("up", "aws-user-personalization", {"itemExplorationConfig": {"explorationWeight": "0"}}),
    ),
    filters=(
        FilterSpec("category", "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)"),
        FilterSpec("brand", "INCLUDE ItemID WHERE Items.BRAND IN ($BRAND)"),
    ),
)


def median_ms(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(n_items: int, repeats: int) -> dict[str, float]:
    n_interactions = max(50_000, n_items)
    n_users = max(1_000, n_interactions // 40)
    t = time.perf_counter()
    data = demo_store(n_users=n_users, n_items=n_items, n_interactions=n_interactions, seed=1)
    gen_s = time.perf_counter() - t
    t = time.perf_counter()
    local = LocalPersonalize(data, config=CONFIG, options=EmulatorOptions(seed=1))
    build_s = time.perf_counter() - t
    campaign = local.campaign_arns["up"]
    t = time.perf_counter()
    _ = local.deployment(campaign, kind="campaign").model
    train_s = time.perf_counter() - t
    users = local.users[: repeats + 1]
    category = str(local.items["CATEGORY_L1"].dropna().iloc[0])
    brand = str(local.items["BRAND"].dropna().iloc[0])
    k = iter(range(10**9))

    def plain() -> None:
        local.get_recommendations(campaignArn=campaign, userId=users[next(k) % len(users)], numResults=25)

    def filtered() -> None:
        local.get_recommendations(
            campaignArn=campaign,
            userId=users[next(k) % len(users)],
            numResults=25,
            filterArn=local.filter_arns["category"],
            filterValues={"CATEGORY": f'"{category}"'},
        )

    def promoted() -> None:
        local.get_recommendations(
            campaignArn=campaign,
            userId=users[next(k) % len(users)],
            numResults=25,
            filterArn=local.filter_arns["category"],
            filterValues={"CATEGORY": f'"{category}"'},
            promotions=[
                {
                    "name": "p",
                    "percentPromotedItems": 20,
                    "filterArn": local.filter_arns["brand"],
                    "filterValues": {"BRAND": f'"{brand}"'},
                }
            ],
        )

    rng = np.random.default_rng(0)
    factors = rng.standard_normal((len(local.catalog), 64)).astype(np.float32)
    user_vectors = rng.standard_normal((64, 64)).astype(np.float32)

    def floor() -> None:
        scores = factors @ user_vectors[next(k) % 64]
        top = np.argpartition(-scores, 25)[:25]
        top[np.argsort(-scores[top])]

    result = {
        "items": len(local.catalog),
        "interactions": len(data.interactions),
        "generate_s": gen_s,
        "build_s": build_s,
        "train_s": train_s,
        "floor_ms": median_ms(floor, repeats),
        "plain_ms": median_ms(plain, repeats),
        "filter_ms": median_ms(filtered, repeats),
        "filter_promotion_ms": median_ms(promoted, repeats),
        "peak_rss_mb": peak_rss_mb(),
    }
    return result


def training(sizes: list[str]) -> None:
    """Training cost of the demo store's User-Personalization model: small (target < 2 s) and medium
    (1M interactions, target < 60 s), with the process's peak memory."""
    print(
        f"{'store':>8} {'interactions':>12} {'generate s':>10} {'build s':>8} {'train s':>8} {'peak MB':>8}"
    )
    for size in sizes:
        t = time.perf_counter()
        data = demo_store(size, seed=0)
        gen = time.perf_counter() - t
        t = time.perf_counter()
        local = LocalPersonalize(data, config=CONFIG, options=EmulatorOptions(seed=0))
        build = time.perf_counter() - t
        t = time.perf_counter()
        _ = local.deployment(local.campaign_arns["up"], kind="campaign").model
        train = time.perf_counter() - t
        print(
            f"{size:>8} {len(data.interactions):>12} {gen:>10.2f} {build:>8.2f} {train:>8.2f} {peak_rss_mb():>8.0f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument(
        "--training", default="small,medium", help="demo sizes to time training on ('' skips)"
    )
    args = parser.parse_args()
    if args.training:
        training(args.training.split(","))
    header = (
        f"{'items':>9} {'inter.':>9} {'train s':>8} {'floor ms':>9} {'plain ms':>9} {'×':>5} "
        f"{'filter ms':>9} {'×':>5} {'+promo ms':>9} {'×':>5} {'peak MB':>8}"
    )
    print(header)
    for size in (int(s) for s in args.sizes.split(",") if s):
        r = bench(size, args.repeats)
        f = r["floor_ms"]
        print(
            f"{r['items']:>9} {r['interactions']:>9} {r['train_s']:>8.2f} {f:>9.2f} {r['plain_ms']:>9.2f} "
            f"{r['plain_ms'] / f:>5.2f} {r['filter_ms']:>9.2f} {r['filter_ms'] / f:>5.2f} "
            f"{r['filter_promotion_ms']:>9.2f} {r['filter_promotion_ms'] / f:>5.2f} {r['peak_rss_mb']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
