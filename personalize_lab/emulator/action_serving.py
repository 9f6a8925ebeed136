"""GetActionRecommendations: the Next-Best-Action answer, as named steps over Python values.

1. :func:`validate_action_request` — the service's checks in its order (campaign, PERSONALIZED_ACTIONS
   recipe, userId, numResults, filter) into an :class:`ActionRequest`;
2. :func:`propensities` — per action of the Actions dataset, the probability the user takes it (the model's
   log-odds through a sigmoid) and whether the action has a real score: an action scores only with at least
   ``EmulatorOptions.action_min_interactions`` TAKEN and as many NOT_TAKEN/VIEWED interactions within
   ``action_recent_days`` of the newest one (the guide: 50 each, 6 weeks); every other action scores 0.0;
3. :func:`eligible` — what may be recommended now: not expired (``ACTION_EXPIRATION_TIMESTAMP`` at or before
   the clock), not taken by this user within its ``REPEAT_FREQUENCY`` days, and kept by the ActionID filter;
4. :func:`choose` — scored actions by propensity, equally likely ones (within
   ``EmulatorOptions.action_value_tie``) by greater VALUE; exploration slots at the end of the list go to
   actions without a real score (score 0.0, random picks), which also fill a list the scored ones cannot;
   zero-score actions are listed by VALUE, so the answer stays in descending score order.

The clock is the control plane's (``LocalPersonalize.control.clock``, injectable), so expiration and repeat
frequency are testable.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.recipes.next_best_action import ActionModel
from personalize_lab.emulator.validation import check_arn, check_filter_values, check_id, check_num_results
from personalize_lab.limits import DEFAULT_ACTION_RESULTS, MAX_ACTION_RESULTS

if TYPE_CHECKING:
    from personalize_lab.emulator.actions import ActionCatalog
    from personalize_lab.emulator.deployments import Deployment
    from personalize_lab.emulator.engine import LocalPersonalize
    from personalize_lab.emulator.filter_resources import FilterResource
    from personalize_lab.emulator.serving import RequestRandomness

SECONDS_PER_DAY = 86_400.0


@dataclass(slots=True)
class ActionRequest:
    """A GetActionRecommendations request the service accepted, as Python values."""

    deployment: Deployment
    user_id: str
    num_results: int
    filter: FilterResource | None
    filter_values: dict[str, str]
    rng: RequestRandomness


@dataclass(frozen=True, slots=True)
class RecommendedAction:
    action_id: str
    score: float


def validate_action_request(
    engine: LocalPersonalize, params: Mapping[str, Any], rng: RequestRandomness
) -> ActionRequest:
    """Every check the service makes on GetActionRecommendations, in its order."""
    if engine.options.latency_ms > 0:
        time.sleep(engine.options.latency_ms / 1000.0)
    arn = params.get("campaignArn")
    if not arn:
        raise InvalidInputException("campaignArn is required for GetActionRecommendations.")
    dep = engine.deployment(check_arn("campaignArn", arn), kind="campaign")
    if dep.recipe.recipe_type != "PERSONALIZED_ACTIONS":
        raise InvalidInputException(
            f"{dep.label} deploys {dep.recipe.short_name}, which is not a PERSONALIZED_ACTIONS recipe "
            "(aws-next-best-action): call GetRecommendations instead of GetActionRecommendations."
        )
    user_id = params.get("userId")
    if not user_id:
        raise InvalidInputException("userId is required for GetActionRecommendations (Next-Best-Action).")
    check_id("userId", user_id)
    num_results = check_num_results(
        params.get("numResults"),
        default=DEFAULT_ACTION_RESULTS,
        maximum=MAX_ACTION_RESULTS,
        with_metadata=False,
        zero_is_error=engine.options.min_zero_results_error,
    )
    resource = None
    if params.get("filterArn"):
        resource = engine.filter_resource(check_arn("filterArn", params["filterArn"]))
        if resource.expression.target != "ActionID":
            raise InvalidInputException(
                f"filter {resource.arn} is an {resource.expression.target} filter; GetActionRecommendations "
                'takes ActionID filters (e.g. EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("TAKEN")).'
            )
    filter_values = check_filter_values(params.get("filterValues"))
    return ActionRequest(dep, str(user_id), num_results, resource, filter_values, rng)


def recommend_actions(engine: LocalPersonalize, request: ActionRequest) -> list[RecommendedAction]:
    """The answer to a validated request (see the module docstring for the steps)."""
    catalog = engine.action_catalog()
    scores, scored = propensities(engine, request.deployment, request.user_id, catalog)
    allowed = eligible(engine, request, catalog)
    chosen = choose(engine, catalog, scores, scored, allowed, request)
    return [RecommendedAction(catalog.ids[k], float(scores[k]) if scored[k] else 0.0) for k in chosen]


def propensities(
    engine: LocalPersonalize, dep: Deployment, user_id: str, catalog: ActionCatalog
) -> tuple[np.ndarray, np.ndarray]:
    """(propensity, has a real score) per action of the catalog, in catalog order."""
    model = dep.model
    if not isinstance(model, ActionModel):  # pragma: no cover - the recipe type was checked
        raise InvalidInputException(f"{dep.label} does not deploy a Next-Best-Action model.")
    logits = model.relevance_for_user(user_id).astype(np.float64)
    taken, other = model.recent_counts(engine.options.action_recent_days)
    enough = engine.options.action_min_interactions
    trained = (taken >= enough) & (other >= enough)
    scores = np.zeros(len(catalog))
    scored = np.zeros(len(catalog), dtype=bool)
    index = model.catalog.index
    for k, action_id in enumerate(catalog.ids):
        j = index.get(action_id)
        if j is not None and trained[j]:
            scores[k] = 1.0 / (1.0 + math.exp(-logits[j]))
            scored[k] = True
    return scores, scored


def eligible(engine: LocalPersonalize, request: ActionRequest, catalog: ActionCatalog) -> np.ndarray:
    """bool[actions]: not expired, outside the user's repeat-frequency window, kept by the filter."""
    now = engine.control.clock()
    expires = catalog.numbers("ACTION_EXPIRATION_TIMESTAMP")
    allowed = ~(expires <= now)  # NaN (no expiration) compares False: allowed
    repeat = catalog.numbers("REPEAT_FREQUENCY")
    default = engine.options.action_repeat_default_days
    if default is not None:
        repeat = np.where(np.isnan(repeat), float(default), repeat)
    last = engine.action_history().last_taken(request.user_id, catalog.ids)
    allowed &= ~(now < last + repeat * SECONDS_PER_DAY)  # NaN (never taken / no frequency): allowed
    if request.filter is not None:
        allowed &= request.filter.compiled.mask(
            filter_values=request.filter_values,
            history=engine.action_history().by_event_type(request.user_id),
            current_user=engine.user_metadata.row(request.user_id),
        )
    return allowed


def choose(
    engine: LocalPersonalize,
    catalog: ActionCatalog,
    scores: np.ndarray,
    scored: np.ndarray,
    allowed: np.ndarray,
    request: ActionRequest,
) -> list[int]:
    """Catalog positions of the answer: best scored actions, then exploration/zero-score actions."""
    value = np.nan_to_num(catalog.numbers("VALUE"), nan=-np.inf)
    ids = np.asarray(catalog.ids, dtype=object)
    tie = engine.options.action_value_tie
    bucket = np.round(scores / (2 * tie)) if tie > 0 else scores
    good = np.flatnonzero(allowed & scored)
    good = good[np.lexsort((ids[good], -value[good], -bucket[good]))]
    cold = np.flatnonzero(allowed & ~scored)
    cold = cold[np.lexsort((ids[cold], -value[cold]))]
    wanted = request.num_results
    share = engine.options.action_exploration_share
    n_explore = min(len(cold), math.ceil(wanted * share)) if len(good) and share > 0 else 0
    regular = list(good[: max(wanted - n_explore, 0)])
    explore_n = wanted - len(regular)
    if len(cold) > explore_n and len(good):
        picked = request.rng().choice(len(cold), size=explore_n, replace=False)
        zero = sorted(int(p) for p in picked)  # cold is sorted by VALUE: keep that order
        explored = [int(cold[p]) for p in zero]
    else:
        explored = [int(c) for c in cold[:explore_n]]
    return [int(k) for k in regular] + explored
