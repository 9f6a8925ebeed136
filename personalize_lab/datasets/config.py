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
from typing import Any

from personalize_lab.errors import DataError

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
    """Read and validate a ``personalize-lab.json`` file."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DataError(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}", file=str(p)) from e
    return parse_config(doc, source=str(p))


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
    filters = []
    for where, o in ctx.items(top, "filters", _FILTER_KEYS):
        expression = ctx.string(o, "expression", where)
        if not 1 <= len(expression) <= 2500:
            ctx.fail(f"{where}.expression", expression[:40], "must be 1 to 2500 characters long")
        filters.append(FilterSpec(ctx.name(o.get("name"), f"{where}.name"), expression))
    trackers = tuple(
        EventTrackerSpec(ctx.name(o.get("name"), f"{where}.name"))
        for where, o in ctx.items(top, "eventTrackers", _TRACKER_KEYS)
    )
    for kind, specs in (
        ("campaigns", campaigns),
        ("recommenders", recommenders),
        ("filters", filters),
        ("eventTrackers", trackers),
    ):
        names = [s.name for s in specs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            ctx.fail(kind, dupes[0], "is declared twice; names must be unique within a kind")
    return ProjectConfig(region, account, group, campaigns, recommenders, tuple(filters), trackers)


class _Ctx:
    """Validation helpers that all raise DataError naming the file and the JSON path of the problem."""

    def __init__(self, source: str | None) -> None:
        self.source = source

    def fail(self, where: str, value: Any, rule: str, fix: str | None = None) -> None:
        raise DataError(
            f"{where}={value!r} {rule}", file=self.source, column=where, value=value, rule=rule, fix=fix
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
