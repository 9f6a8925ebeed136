"""The real local Personalize that the wire, transport, server and control tests run against.

The tiny known store of ``tests/support/tiny_store.py`` (45 items in three categories, 60 users loyal to
one each): building it costs ~30 ms and training its small models a few ms each, so tests that change
state take a fresh one and read-only tests share one per module.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from personalize_lab.datasets.config import CampaignSpec, ProjectConfig, RecommenderSpec
from personalize_lab.emulator import EmulatorOptions, LocalPersonalize
from tests.support.tiny_store import tiny_config, tiny_frames

REGION_ACCOUNT = "arn:aws:personalize:us-east-1:123456789012"
DATASET_GROUP = f"{REGION_ACCOUNT}:dataset-group/tiny"
SEED = 7


def campaign(name: str) -> str:
    return f"{REGION_ACCOUNT}:campaign/{name}"


def recommender(name: str) -> str:
    return f"{REGION_ACCOUNT}:recommender/{name}"


def filter_arn(name: str) -> str:
    return f"{REGION_ACCOUNT}:filter/{name}"


def wire_config() -> ProjectConfig:
    """The tiny store's resources plus a Personalized-Ranking-v2 campaign and an item-to-item recommender
    with metadata: every custom recipe, and both kinds of domain use case."""
    base = tiny_config()
    also_viewed = RecommenderSpec(
        "also-viewed",
        "aws-ecomm-customers-who-viewed-x-also-viewed",
        {"enableMetadataWithRecommendations": True},
    )
    return dataclasses.replace(
        base,
        campaigns=(*base.campaigns, CampaignSpec("ranking-v2", "aws-personalized-ranking-v2", {})),
        recommenders=(*base.recommenders, also_viewed),
    )


def tiny_local(config: ProjectConfig | None = None, **options: Any) -> LocalPersonalize:
    """A fresh tiny store (seeded, per-request randomness, so answers are stable)."""
    interactions, items, users = tiny_frames()
    return LocalPersonalize.from_frames(
        interactions,
        items,
        users,
        config=config or wire_config(),
        options=EmulatorOptions(seed=SEED, **options),
    )
