"""Server-side checks of a campaign's ``campaignConfig`` that boto3 leaves to the service.

botocore checks the shapes' types and ``min`` constraints on the client (so a negative rankingInfluence
weight never leaves boto3), but not enum map keys, ``max`` constraints or rules between members. The service
answers those with InvalidInputException; these are its checks:

- ``rankingInfluence``: a map ``{POPULARITY|FRESHNESS: double}`` with values in [0, 1] (botocore's
  ``RankingInfluenceType`` enum and ``RankingInfluenceWeight`` range; ``API_CampaignConfig``).
- ``syncWithLatestSolutionVersion``: true needs the solution version given as ``<solutionArn>/$LATEST``
  (``API_CreateCampaign``: "You must use this format if you set syncWithLatestSolutionVersion to True").
  The ``$LATEST`` form without sync is accepted too: it deploys the solution's latest version.

Messages follow the service's validation wording (``1 validation error detected: …``) where the constraint
is a model constraint, and name field, value, rule and fix where it is a rule between members [inferred].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.influence import RANKING_INFLUENCE_TYPES, RankingInfluence, Scoring

__all__ = [
    "LATEST_SUFFIX",
    "check_campaign_config",
    "deployment_scoring",
    "is_latest_form",
    "ranking_influence",
]

#: ``<solutionArn>/$LATEST``: the solution's latest version, followed automatically when synced.
LATEST_SUFFIX = "/$LATEST"
_FIELD = "campaignConfig.rankingInfluence"


def is_latest_form(solution_version_arn: str) -> bool:
    """Whether the ARN names a solution's latest version (``<solutionArn>/$LATEST``)."""
    return solution_version_arn.endswith(LATEST_SUFFIX)


def _java_map(values: Mapping[str, Any]) -> str:
    """A map as the service's validation messages print it: ``{FOO=0.5, BAR=1.0}``."""
    return "{" + ", ".join(f"{k}={v}" for k, v in values.items()) + "}"


def ranking_influence(values: Any, *, scale: float = 1.0) -> RankingInfluence:
    """The checked weights of a ``rankingInfluence`` map (None: no influence)."""
    if values is None:
        return RankingInfluence(scale=scale)
    if not isinstance(values, Mapping):
        raise InvalidInputException(
            f"{_FIELD} must be a map of POPULARITY and/or FRESHNESS to a number between 0.0 and 1.0, "
            f"got {values!r}."
        )
    bad_keys = [k for k in values if k not in RANKING_INFLUENCE_TYPES]
    if bad_keys:
        raise InvalidInputException(
            f"1 validation error detected: Value '{_java_map(values)}' at '{_FIELD}' failed to satisfy "
            "constraint: Map keys must satisfy constraint: [Member must satisfy enum value set: "
            f"[{', '.join(RANKING_INFLUENCE_TYPES)}]]"
        )
    weights: dict[str, float] = {}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInputException(
                f"{_FIELD}.{key} must be a number between 0.0 and 1.0, got {value!r}."
            )
        if value > 1:
            raise InvalidInputException(
                f"1 validation error detected: Value '{_java_map(values)}' at '{_FIELD}' failed to satisfy "
                "constraint: Map value must satisfy constraint: [Member must have value less than or equal "
                "to 1]"
            )
        if value < 0:  # botocore refuses this before sending; the Python API reaches here
            raise InvalidInputException(
                f"1 validation error detected: Value '{_java_map(values)}' at '{_FIELD}' failed to satisfy "
                "constraint: Map value must satisfy constraint: [Member must have value greater than or "
                "equal to 0]"
            )
        weights[key] = float(value)
    return RankingInfluence(weights.get("POPULARITY", 0.0), weights.get("FRESHNESS", 0.0), scale)


def check_campaign_config(config: Mapping[str, Any] | None, solution_version_arn: str) -> RankingInfluence:
    """Refuse what the service refuses in a CreateCampaign ``campaignConfig``; the ranking influence it sets.

    ``solution_version_arn`` is the request's, so ``syncWithLatestSolutionVersion`` can be checked against
    its form.
    """
    config = config or {}
    sync = config.get("syncWithLatestSolutionVersion", False)
    if not isinstance(sync, bool):
        raise InvalidInputException(
            f"campaignConfig.syncWithLatestSolutionVersion must be true or false, got {sync!r}."
        )
    if sync and not is_latest_form(solution_version_arn):
        raise InvalidInputException(
            f"campaignConfig.syncWithLatestSolutionVersion is true but solutionVersionArn "
            f"'{solution_version_arn}' names one solution version. A campaign that follows its solution's "
            f"latest version must be given the solution ARN in SolutionArn{LATEST_SUFFIX} format: pass "
            f"'<solutionArn>{LATEST_SUFFIX}', or set syncWithLatestSolutionVersion to false."
        )
    return ranking_influence(config.get("rankingInfluence"))


def deployment_scoring(
    config: Mapping[str, Any], *, has_scores: bool, influence_scale: float, temperature: float
) -> Scoring:
    """The :class:`Scoring` of a campaign (or recommender) config; the temperature only for recipes whose
    answers carry scores, so unscored use cases keep their exploration draws."""
    influence = ranking_influence(config.get("rankingInfluence"), scale=influence_scale)
    return Scoring(influence, temperature if has_scores else 1.0)
