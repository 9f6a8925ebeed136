"""ARNs and resource names in the exact formats Amazon Personalize uses, so emulated ARNs look real.

Formats (personalize-semantics.md §10): ``arn:aws:personalize:{region}:{account}:{type}/{name}``, with
``dataset/{datasetGroupName}/{TYPE}`` and ``solution/{name}/{versionId}`` nested, and service-owned
resources (recipes, algorithms, feature transformations) carrying an empty region and account.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.limits import ARN_PATTERN, MAX_ARN_LENGTH, MAX_NAME_LENGTH, NAME_PATTERN

PARTITION = "aws"
SERVICE = "personalize"

DATASET_TYPES = ("INTERACTIONS", "ITEMS", "USERS", "ACTIONS", "ACTION_INTERACTIONS")


@dataclass(frozen=True)
class ParsedArn:
    """The parts of a Personalize ARN; ``resource_id`` is everything after ``{resource_type}/``."""

    partition: str
    region: str
    account: str
    resource_type: str
    resource_id: str


def _arn(region: str, account: str, resource: str) -> str:
    return f"arn:{PARTITION}:{SERVICE}:{region}:{account}:{resource}"


def dataset_group_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"dataset-group/{name}")


def dataset_arn(dataset_group_name: str, dataset_type: str, region: str, account: str) -> str:
    return _arn(region, account, f"dataset/{dataset_group_name}/{dataset_type}")


def schema_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"schema/{name}")


def solution_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"solution/{name}")


def solution_version_arn(solution: str, version_id: str) -> str:
    """``solution/{name}/{versionId}``: a version ARN is its solution's ARN plus an id."""
    return f"{solution}/{version_id}"


def solution_version_id(solution: str, sequence: int) -> str:
    """An 8-hex-digit version id, deterministic so emulated ARNs are stable across runs."""
    return hashlib.sha1(f"{solution}#{sequence}".encode()).hexdigest()[:8]


def dataset_import_job_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"dataset-import-job/{name}")


def dataset_export_job_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"dataset-export-job/{name}")


def campaign_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"campaign/{name}")


def filter_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"filter/{name}")


def recommender_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"recommender/{name}")


def event_tracker_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"event-tracker/{name}")


def metric_attribution_arn(name: str, region: str, account: str) -> str:
    return _arn(region, account, f"metric-attribution/{name}")


def tracking_id(event_tracker: str) -> str:
    """A UUID-shaped tracking id, derived from the tracker's ARN so it is stable across runs."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, event_tracker))


def recipe_arn(name: str) -> str:
    """Service-owned: ``arn:aws:personalize:::recipe/{name}`` (no region, no account)."""
    return _arn("", "", f"recipe/{name}")


def algorithm_arn(name: str) -> str:
    return _arn("", "", f"algorithm/{name}")


def feature_transformation_arn(name: str) -> str:
    return _arn("", "", f"feature-transformation/{name}")


def parse(arn: str) -> ParsedArn:
    """Split a Personalize ARN; anything else is InvalidInputException naming the value and the format."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != SERVICE or "/" not in parts[5]:
        raise InvalidInputException(
            f"{arn!r} is not a Personalize ARN; expected "
            "arn:aws:personalize:{region}:{account}:{resource-type}/{name}"
        )
    resource_type, resource_id = parts[5].split("/", 1)
    return ParsedArn(parts[1], parts[3], parts[4], resource_type, resource_id)


def name_of(arn: str) -> str:
    """The resource name in an ARN: the first path segment after the resource type."""
    return parse(arn).resource_id.split("/", 1)[0]


def validate_name(name: str, field: str = "name") -> str:
    """Check a resource name against the model (1–63 chars, ``^[a-zA-Z0-9][a-zA-Z0-9\\-_]*``).

    Messages follow the service's validation wording, naming the value, the field and the constraint.
    """
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise InvalidInputException(
            f"1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: "
            f"Member must have length between 1 and {MAX_NAME_LENGTH}"
        )
    if NAME_PATTERN.fullmatch(name) is None:
        raise InvalidInputException(
            f"1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*"
        )
    return name


def validate_arn(arn: str, field: str) -> str:
    """Check an ARN against the model's loose ``Arn`` shape (≤256 chars, the Arn pattern)."""
    if len(arn) > MAX_ARN_LENGTH:
        raise InvalidInputException(
            f"1 validation error detected: Value '{arn}' at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_ARN_LENGTH}"
        )
    if ARN_PATTERN.fullmatch(arn) is None:
        raise InvalidInputException(
            f"1 validation error detected: Value '{arn}' at '{field}' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: arn:([a-z\\d-]+):personalize:.*:.*:.+"
        )
    return arn
