"""``personalize-lab.json``: which campaigns, recommenders, filters and event trackers a data folder declares.

docs/config.md shows a complete example and what every key means.

The local Personalize reads this file next to the CSVs of the directory contract. Recipes are kept as the
strings given (short name or ARN); resolving them is the emulator's job. Keys and nested config objects
use the service's camelCase spelling, so ``CampaignSpec.campaign_config`` can be passed on as
``campaignConfig`` unchanged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from personalize_lab import filters
from personalize_lab.datasets.bounded import read_json, show
from personalize_lab.errors import DataError, FilterError
from personalize_lab.recipes_known import CUSTOM_RECIPES, DOMAIN_RECIPES, resolve_recipe

__all__ = [
    "ACCEPTED_KEYS",
    "CONFIG_FILE",
    "CampaignSpec",
    "EventTrackerSpec",
    "FilterSpec",
    "ProjectConfig",
    "RecommenderSpec",
    "load_config",
    "parse_config",
]

CONFIG_FILE = "personalize-lab.json"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_DATASET_GROUP = "personalize-lab"
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-_]*$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ACCOUNT = re.compile(r"^\d{12}$")

_TOP_KEYS = ("region", "account", "datasetGroup", "campaigns", "recommenders", "filters", "eventTrackers")
_CAMPAIGN_KEYS = ("name", "recipe", "campaignConfig")
_CAMPAIGN_CONFIG_KEYS = (
    "itemExplorationConfig",
    "enableMetadataWithRecommendations",
    "syncWithLatestSolutionVersion",
    "rankingInfluence",
)
_RECOMMENDER_KEYS = ("name", "recipe", "recommenderConfig")
_RECOMMENDER_CONFIG_KEYS = (
    "itemExplorationConfig",
    "minRecommendationRequestsPerSecond",
    "trainingDataConfig",
    "enableMetadataWithRecommendations",
)
_FILTER_KEYS = ("name", "expression")
_TRACKER_KEYS = ("name",)

# Every key the loader accepts, by where it sits ("[]" marks a list element); docs/config.md documents
# each of them and a test keeps the two in step.
ACCEPTED_KEYS: dict[str, tuple[str, ...]] = {
    "": _TOP_KEYS,
    "campaigns[]": _CAMPAIGN_KEYS,
    "campaigns[].campaignConfig": _CAMPAIGN_CONFIG_KEYS,
    "recommenders[]": _RECOMMENDER_KEYS,
    "recommenders[].recommenderConfig": _RECOMMENDER_CONFIG_KEYS,
    "filters[]": _FILTER_KEYS,
    "eventTrackers[]": _TRACKER_KEYS,
}


@dataclass(frozen=True, eq=True)
class CampaignSpec:
    name: str
    recipe: str
    campaign_config: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, eq=True)
class RecommenderSpec:
    name: str
    recipe: str
    recommender_config: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class FilterSpec:
    name: str
    expression: str


@dataclass(frozen=True)
class EventTrackerSpec:
    name: str


@dataclass(frozen=True)
class ProjectConfig:
    """A parsed ``personalize-lab.json``. Empty tuples mean "not declared" (the emulator picks defaults)."""

    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    dataset_group: str = DEFAULT_DATASET_GROUP
    campaigns: tuple[CampaignSpec, ...] = ()
    recommenders: tuple[RecommenderSpec, ...] = ()
    filters: tuple[FilterSpec, ...] = ()
    event_trackers: tuple[EventTrackerSpec, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document this config was (or would be) read from."""
        out: dict[str, Any] = {
            "region": self.region,
            "account": self.account,
            "datasetGroup": self.dataset_group,
        }
        if self.campaigns:
            out["campaigns"] = [
                {"name": c.name, "recipe": c.recipe}
                | ({"campaignConfig": c.campaign_config} if c.campaign_config else {})
                for c in self.campaigns
            ]
        if self.recommenders:
            out["recommenders"] = [
                {"name": r.name, "recipe": r.recipe}
                | ({"recommenderConfig": r.recommender_config} if r.recommender_config else {})
                for r in self.recommenders
            ]
        if self.filters:
            out["filters"] = [{"name": f.name, "expression": f.expression} for f in self.filters]
        if self.event_trackers:
            out["eventTrackers"] = [{"name": t.name} for t in self.event_trackers]
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def load_config(path: str | Path) -> ProjectConfig:
    """Read and validate a ``personalize-lab.json`` file (at most 1 MiB of UTF-8 JSON)."""
    p = Path(path)
    return parse_config(read_json(p, "config file"), source=str(p))


def parse_config(doc: Any, *, source: str | None = None) -> ProjectConfig:
    """Validate a config document (already parsed JSON) into a :class:`ProjectConfig`."""
    ctx = _Ctx(source)
    top = ctx.obj(doc, "", _TOP_KEYS)
    region = ctx.string(top, "region", "", DEFAULT_REGION)
    if not _REGION.match(region):
        ctx.fail("region", region, "is not an AWS region name like us-east-1")
    account = ctx.string(top, "account", "", DEFAULT_ACCOUNT)
    if not _ACCOUNT.match(account):
        ctx.fail("account", account, "must be 12 digits")
    group = ctx.name(top.get("datasetGroup", DEFAULT_DATASET_GROUP), "datasetGroup")
    campaigns = tuple(
        CampaignSpec(
            ctx.name(o.get("name"), f"{where}.name"),
            ctx.string(o, "recipe", where),
            ctx.config(o, "campaignConfig", where, _CAMPAIGN_CONFIG_KEYS),
        )
        for where, o in ctx.items(top, "campaigns", _CAMPAIGN_KEYS)
    )
    recommenders = tuple(
        RecommenderSpec(
            ctx.name(o.get("name"), f"{where}.name"),
            ctx.string(o, "recipe", where),
            ctx.config(o, "recommenderConfig", where, _RECOMMENDER_CONFIG_KEYS),
        )
        for where, o in ctx.items(top, "recommenders", _RECOMMENDER_KEYS)
    )
    filters_ = []
    for where, o in ctx.items(top, "filters", _FILTER_KEYS):
        expression = ctx.string(o, "expression", where)
        if not 1 <= len(expression) <= 2500:
            ctx.fail(f"{where}.expression", expression[:40], "must be 1 to 2500 characters long")
        filters_.append(FilterSpec(ctx.name(o.get("name"), f"{where}.name"), expression))
    trackers = tuple(
        EventTrackerSpec(ctx.name(o.get("name"), f"{where}.name"))
        for where, o in ctx.items(top, "eventTrackers", _TRACKER_KEYS)
    )
    for kind, specs in (
        ("campaigns", campaigns),
        ("recommenders", recommenders),
        ("filters", filters_),
        ("eventTrackers", trackers),
    ):
        names = [s.name for s in specs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            ctx.fail(kind, dupes[0], "is declared twice; names must be unique within a kind")
    _check_semantics(ctx, campaigns, recommenders, filters_)
    return ProjectConfig(region, account, group, campaigns, recommenders, tuple(filters_), trackers)


def _check_semantics(
    ctx: _Ctx,
    campaigns: tuple[CampaignSpec, ...],
    recommenders: tuple[RecommenderSpec, ...],
    filter_specs: list[FilterSpec],
) -> None:
    """What the local Personalize would refuse when it creates the resources, checked while the file is
    read so the error names the entry: recipes it deploys, exploration settings, filter expressions."""
    custom = ", ".join(a.rsplit("/", 1)[-1] for a in CUSTOM_RECIPES)
    domain = ", ".join(a.rsplit("/", 1)[-1] for a in DOMAIN_RECIPES)
    for i, c in enumerate(campaigns):
        where = f"campaigns[{i}]"
        if resolve_recipe(c.recipe) is None:
            ctx.fail(
                f"{where}.recipe",
                c.recipe,
                "is not a recipe the local Personalize deploys",
                f"use one of {custom} (or a domain use case: {domain})",
            )
        _check_exploration(ctx, f"{where}.campaignConfig", c.campaign_config)
    for i, r in enumerate(recommenders):
        where = f"recommenders[{i}]"
        if resolve_recipe(r.recipe) not in DOMAIN_RECIPES:
            ctx.fail(
                f"{where}.recipe",
                r.recipe,
                "is not a domain use case; recommenders take ECOMMERCE or VIDEO_ON_DEMAND recipes",
                f"use one of {domain}, or declare a campaign for a custom recipe",
            )
        _check_exploration(ctx, f"{where}.recommenderConfig", r.recommender_config)
    for i, f in enumerate(filter_specs):
        try:
            filters.parse(f.expression)
        except FilterError as e:
            raise DataError(
                f"filters[{i}].expression={show(f.expression)} does not parse: {e}",
                file=ctx.source,
                column=f"filters[{i}].expression",
                value=f.expression,
                rule="filter expression language",
                fix="see docs/filters.md for the grammar",
            ) from None


# itemExplorationConfig entry -> (lowest allowed, lowest included?, highest allowed), the emulator's rules
_EXPLORATION_RANGES = {
    "explorationWeight": (0.0, True, 1.0),
    "explorationItemAgeCutOff": (0.0, False, float("inf")),
}


def _check_exploration(ctx: _Ctx, where: str, config: dict[str, Any]) -> None:
    for key, raw in (config.get("itemExplorationConfig") or {}).items():
        path = f"{where}.itemExplorationConfig.{key}"
        if key not in _EXPLORATION_RANGES:
            continue  # the emulator reads only these two; others pass as the service's model allows
        low, low_included, high = _EXPLORATION_RANGES[key]
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        ok = (low <= value if low_included else low < value) and value <= high
        if not ok:
            rule = (
                "must be a number from 0 to 1 written as a string"
                if key == "explorationWeight"
                else "must be a positive number of days written as a string"
            )
            ctx.fail(path, raw, rule, f'e.g. "{key}": "0.3"' if key == "explorationWeight" else None)


class _Ctx:
    """Validation helpers that all raise DataError naming the file and the JSON path of the problem."""

    def __init__(self, source: str | None) -> None:
        self.source = source

    def fail(self, where: str, value: Any, rule: str, fix: str | None = None) -> NoReturn:
        raise DataError(
            f"{where}={show(value)} {rule}", file=self.source, column=where, value=value, rule=rule, fix=fix
        )

    def obj(self, value: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        label = where or "the config"
        if not isinstance(value, dict):
            raise DataError(f"{label} must be a JSON object, got {type(value).__name__}", file=self.source)
        for key in value:
            if key not in allowed:
                path = f"{where}.{key}" if where else key
                raise DataError(
                    f"unknown key {path!r} in {label}; allowed keys are {', '.join(allowed)}",
                    file=self.source,
                    column=path,
                    value=key,
                    rule="unknown key",
                )
        return value

    def items(
        self, top: dict[str, Any], key: str, allowed: tuple[str, ...]
    ) -> list[tuple[str, dict[str, Any]]]:
        raw = top.get(key, [])
        if not isinstance(raw, list):
            raise DataError(f"{key} must be a list of objects", file=self.source, column=key)
        return [(f"{key}[{i}]", self.obj(o, f"{key}[{i}]", allowed)) for i, o in enumerate(raw)]

    def string(self, o: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        path = f"{where}.{key}" if where else key
        value = o.get(key, default)
        if value is None:
            raise DataError(f"{path} is required", file=self.source, column=path)
        if not isinstance(value, str) or not value:
            self.fail(path, value, "must be a non-empty string")
        return str(value)

    def name(self, value: Any, where: str) -> str:
        if value is None:
            raise DataError(f"{where} is required", file=self.source, column=where)
        if not isinstance(value, str) or not 1 <= len(value) <= 63 or not _NAME.match(value):
            self.fail(where, value, "must be 1-63 characters matching ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*")
        return str(value)

    def config(self, o: dict[str, Any], key: str, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        raw = self.obj(o.get(key, {}), f"{where}.{key}", allowed)
        path = f"{where}.{key}"
        if "itemExplorationConfig" in raw:
            iec = raw["itemExplorationConfig"]
            if not isinstance(iec, dict) or not all(isinstance(v, str) for v in iec.values()):
                self.fail(
                    f"{path}.itemExplorationConfig",
                    iec,
                    "must map names to string values",
                    'write numbers as strings, e.g. {"explorationWeight": "0.3"}',
                )
        if "enableMetadataWithRecommendations" in raw and not isinstance(
            raw["enableMetadataWithRecommendations"], bool
        ):
            self.fail(
                f"{path}.enableMetadataWithRecommendations",
                raw["enableMetadataWithRecommendations"],
                "must be true or false",
            )
        return dict(raw)
