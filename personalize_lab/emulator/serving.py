"""The runtime operations of the local Personalize: GetRecommendations, GetPersonalizedRanking, actions.

Each method takes the keyword arguments boto3 sends and returns the response dict the service returns, or
raises the service's own exceptions (semantics §1, §10). The order of checks follows the service: resource
lookup (ResourceNotFoundException), then request rules (InvalidInputException), then the answer.

How one GetRecommendations answer is built (semantics §2, §4, §5):

1. relevance: the model's logits for the user (folded-in streamed events, context) or the seed item;
2. scores: a softmax over the whole catalog (User-Personalization), over the v2 candidate pool
   (User-Personalization-v2), or none (SIMS, Similar-Items, popularity, trending, domain recommenders);
3. candidates: the request filter and the recipe's automatic filter, as one boolean mask;
4. promoted items: the promotion filter's own mask (the request filter does not apply to them), best first,
   at random positions among the others;
5. exploration: new or rarely seen items sampled into a few slots (v2 reason "Exploration");
6. v2 placeholders: popular items that pass the filter fill a list the filter emptied (reason "Popular item").
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from personalize_lab.emulator import ids, selection
from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.validation import (
    check_arn,
    check_context,
    check_filter_values,
    check_id,
    check_metadata_columns,
    check_num_results,
    check_promotions,
)
from personalize_lab.limits import MAX_ACTION_RESULTS, MAX_RESULTS, MAX_RESULTS_WITH_METADATA

if TYPE_CHECKING:
    from personalize_lab.emulator.deployments import Deployment
    from personalize_lab.emulator.engine import FilterResource, LocalPersonalize
    from personalize_lab.emulator.userscores import UserScores

REASON_PROMOTED = "Promoted item"
REASON_EXPLORATION = "Exploration"
REASON_POPULAR = "Popular item"


#: json.dumps(..., sort_keys=True, default=str), with one encoder instead of one per request
_CANONICAL = json.JSONEncoder(sort_keys=True, default=str)


def _request_rng(engine: LocalPersonalize, operation: str, params: Mapping[str, Any]) -> np.random.Generator:
    """Seeded randomness: per canonical request (default) or one stream (EmulatorOptions.random_mode)."""
    if engine.options.random_mode == "sequence":
        return engine._rng
    canonical = _CANONICAL.encode([operation, params])
    digest = hashlib.sha256(f"{engine.options.seed}:{canonical}".encode()).digest()
    # what np.random.default_rng(seed) builds, without its argument dispatch (a third of its cost)
    seed = np.random.SeedSequence(int.from_bytes(digest[:8], "little"))
    return np.random.Generator(np.random.PCG64(seed))


class _LazyRng:
    """The request's generator, built on first call only (most answers make no random choice).

    A plain memo: ``functools.cache`` on a fresh lambda costs more than the call it saves."""

    __slots__ = ("_engine", "_params", "_rng")

    def __init__(self, engine: LocalPersonalize, params: Mapping[str, Any]) -> None:
        self._engine, self._params = engine, params
        self._rng: np.random.Generator | None = None

    def __call__(self) -> np.random.Generator:
        if self._rng is None:
            self._rng = _request_rng(self._engine, "GetRecommendations", self._params)
        return self._rng


def _recommendation_id() -> str:
    return f"RID-{ids.uuid4()}"


# ------------------------------------------------------------------ GetRecommendations
def get_recommendations(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    _simulate_latency(engine)
    campaign_arn, recommender_arn = params.get("campaignArn"), params.get("recommenderArn")
    if bool(campaign_arn) == bool(recommender_arn):
        raise InvalidInputException(
            "Provide exactly one of campaignArn or recommenderArn: "
            + ("both were given." if campaign_arn else "neither was given.")
        )
    arn = check_arn("campaignArn" if campaign_arn else "recommenderArn", campaign_arn or recommender_arn)
    dep = engine.deployment(arn, kind="campaign" if campaign_arn else "recommender")
    spec = dep.spec
    if spec.recipe_type == "PERSONALIZED_RANKING":
        raise InvalidInputException(
            f"{dep.label} deploys {spec.short_name}, a PERSONALIZED_RANKING recipe: "
            "call GetPersonalizedRanking with an inputList instead of GetRecommendations."
        )
    user_id = params.get("userId")
    item_id = params.get("itemId")
    if user_id is not None:
        check_id("userId", user_id)
    if item_id is not None:
        check_id("itemId", item_id)
    metadata = (
        check_metadata_columns(
            params.get("metadataColumns"),
            enabled=dep.metadata_enabled,
            available=engine._metadata_columns(),
            owner=dep.label,
        )
        if params.get("metadataColumns")
        else []
    )
    n = check_num_results(
        params.get("numResults"),
        default=25,
        maximum=MAX_RESULTS,
        with_metadata=bool(metadata),
        zero_is_error=engine.options.min_zero_results_error,
    )
    context = _context_for(engine, dep, check_context(params.get("context")))
    filter_values = check_filter_values(params.get("filterValues"))
    request_filter = _request_filter(engine, params)
    promotion = check_promotions(params.get("promotions"))
    promotion_filter = engine.filter_resource(promotion["filterArn"]) if promotion else None
    if promotion and not spec.supports_promotions:
        raise InvalidInputException(f"{dep.label} ({spec.short_name}) does not support promotions.")

    needs_user = spec.needs_user_id or any(
        f is not None and f.needs_user_id for f in (request_filter, promotion_filter)
    )
    if needs_user and not user_id:
        why = "the recipe" if spec.needs_user_id else "the filter (interaction or CurrentUser conditions)"
        raise InvalidInputException(f"userId is required: {why} of {dep.label} ({spec.short_name}) needs it.")
    if spec.needs_item_id and not item_id:
        raise InvalidInputException(
            f"itemId is required: {dep.label} deploys {spec.short_name}, a related-items recipe."
        )
    if spec.recipe_type != "RELATED_ITEMS" and not spec.needs_item_id and item_id and not user_id:
        raise InvalidInputException(
            f"itemId is not used by {spec.short_name} ({dep.label}); pass a userId instead."
        )
    related = spec.recipe_type == "RELATED_ITEMS" or spec.needs_item_id
    for resource in (request_filter, promotion_filter):
        if resource is not None and resource.expression.needs_item_id:
            _check_current_item(resource, dep, related, item_id, engine.catalog.index)

    model = dep.model
    # seeded per request, built only when a choice is random (exploration, promoted positions)
    rng = _LazyRng(engine, params)
    seed_index: int | None = None
    cached: UserScores | None = None  # the user's relevance and its filter-free derivatives, kept per user
    if spec.recipe_type == "RELATED_ITEMS" or spec.needs_item_id:
        relevance = model.relevance_for_item(str(item_id))
        seed_index = model.catalog.index.get(str(item_id))
        if relevance is None:  # unknown item: popular items (semantics §10)
            relevance = model.popularity_logits()
    else:
        cached = dep.user_scores(
            str(user_id) if user_id else "",
            engine.history.streamed_items(str(user_id)) if user_id else None,
            context,
        )
        relevance = cached.relevance
    relevance = np.asarray(relevance, dtype=np.float32)

    # Scores: a softmax over the catalog (v1) or over the v2 candidate pool, normalised once here and
    # evaluated only for the returned items, so the cost is one exp pass, not a full float64 copy.
    pool: np.ndarray | None = None
    log_norm: float | None = None
    if spec.has_scores:
        if spec.reasons:  # v2 scores only a candidate subset
            pool_idx = selection.top_k(relevance, engine.options.v2_candidate_pool)
            pool = np.zeros(len(relevance), dtype=bool)
            pool[pool_idx] = True
            log_norm = selection.log_sum_exp(relevance[pool_idx])
        else:
            log_norm = cached.log_norm() if cached is not None else selection.log_sum_exp(relevance)

    auto_filter = engine._auto_filter(dep)
    filtered = auto_filter is not None or request_filter is not None or promotion_filter is not None
    # what filters read (history, CurrentUser, CurrentItem): gathered only when a filter applies
    fctx = engine._filter_context(user_id, seed_index) if filtered else {}
    mask: np.ndarray | None = None
    if seed_index is not None or spec.recipe_type == "RELATED_ITEMS":
        mask = np.isfinite(relevance)
        if seed_index is not None:
            mask[seed_index] = False
    for compiled in (auto_filter, request_filter.compiled if request_filter else None):
        if compiled is not None:
            m = compiled.mask(filter_values=filter_values, **fctx)
            mask = m if mask is None else mask & m

    promoted: list[int] = []
    if promotion is not None and promotion_filter is not None:
        try:
            promo_mask = promotion_filter.compiled.mask(filter_values=promotion["filterValues"], **fctx)
        except InvalidInputException as error:  # say whose filterValues: the promotion has its own
            raise InvalidInputException(
                f"promotion '{promotion['name']}': {error.message}. A promotion's filter reads the "
                "promotion's own filterValues (promotions[0].filterValues), not the request's."
            ) from None
        if seed_index is not None:
            promo_mask = promo_mask & np.isfinite(relevance)
            promo_mask[seed_index] = False
        want = selection.promoted_count(
            n, promotion["percentPromotedItems"], engine.options.promotion_rounding
        )
        promoted = selection.top_k(relevance, want, promo_mask).tolist()
        if promoted:
            mask = np.ones(len(relevance), dtype=bool) if mask is None else mask.copy()
            mask[promoted] = False

    if pool is not None:
        regular_mask: np.ndarray | None = pool if mask is None else mask & pool
    else:
        regular_mask = mask
    if regular_mask is None and cached is not None:
        regular_full = cached.top(n - len(promoted))
    else:
        regular_full = selection.top_k(relevance, n - len(promoted), regular_mask).tolist()

    explored: list[int] = []
    if dep.explores:
        slots = selection.exploration_slots(
            n - len(promoted), dep.exploration_weight, engine.options.exploration_slot_share
        )
        keep = max(0, len(regular_full) - slots)
        if not slots:
            explored = []
        elif regular_mask is None and cached is not None:  # same candidates, gathered once per user
            idx, base_logits = cached.exploration(n - len(promoted), keep, dep.exploration_candidates)
            explored = selection.gumbel_top(idx, base_logits, slots, rng())
        else:
            candidates = dep.exploration_candidates() if mask is None else dep.exploration_candidates() & mask
            candidates[regular_full[:keep]] = False
            explored = selection.sample_weighted(relevance, candidates, slots, rng())
        taken = set(explored)
        regular = [i for i in regular_full if i not in taken][: n - len(promoted) - len(explored)]
        base = [i for i, _ in selection.interleave(regular, explored, n - len(promoted), rng)]
    else:
        base = regular_full

    placeholders: list[int] = []
    if spec.reasons and len(base) + len(promoted) < n:  # v2 fills the list with popular items
        fill = np.ones(len(relevance), dtype=bool) if mask is None else mask.copy()
        fill[base] = False
        placeholders = selection.top_k(model.popularity, n - len(base) - len(promoted), fill).tolist()
        base = base + placeholders

    ordered = selection.interleave(base, promoted, n, rng)
    # ids and scores of the answer in vectorised lookups, not one scalar lookup per item
    chosen = [index for index, _ in ordered]
    id_strings = model.catalog.id_strings
    item_ids = [id_strings[i] for i in chosen]
    scores: list[float] = []
    if log_norm is not None and pool is None and cached is not None:  # v1 scores, kept per user
        scores = cached.scores(chosen)
    elif log_norm is not None:
        scores = np.exp(relevance[chosen].astype(np.float64) - log_norm).tolist()
    items: list[dict[str, Any]]
    if not (promoted or metadata or spec.reasons):  # the common answer: ids and (v1) scores only
        if scores:
            items = [{"itemId": i, "score": s} for i, s in zip(item_ids, scores, strict=True)]
        else:
            items = [{"itemId": i} for i in item_ids]
        return {"itemList": items, "recommendationId": _recommendation_id()}
    explored_set, placeholder_set = set(explored), set(placeholders)
    promotion_name = promotion["name"] if promotion else None
    scored = [True] * len(chosen) if pool is None else pool[chosen].tolist()
    items = []
    for k, (index, is_promoted) in enumerate(ordered):
        entry: dict[str, Any] = {"itemId": item_ids[k]}
        is_placeholder = index in placeholder_set
        if scores and scored[k] and not is_placeholder:
            entry["score"] = scores[k]
        if is_promoted:
            entry["promotionName"] = promotion_name
        if metadata:
            entry["metadata"] = engine._metadata_for(index, metadata)
        if spec.reasons:
            reasons = []
            if is_promoted:
                reasons.append(REASON_PROMOTED)
            if index in explored_set:
                reasons.append(REASON_EXPLORATION)
            if is_placeholder:
                reasons.append(REASON_POPULAR)
            if reasons:
                entry["reason"] = reasons
        items.append(entry)
    return {"itemList": items, "recommendationId": _recommendation_id()}


# ------------------------------------------------------------------ GetPersonalizedRanking
def get_personalized_ranking(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    dep = _campaign(engine, params, "GetPersonalizedRanking")
    spec = dep.spec
    if spec.recipe_type != "PERSONALIZED_RANKING":
        raise InvalidInputException(
            f"{dep.label} deploys {spec.short_name}, which is not a PERSONALIZED_RANKING recipe: "
            "call GetRecommendations instead of GetPersonalizedRanking."
        )
    user_id = params.get("userId")
    if not user_id:
        raise InvalidInputException("userId is required for GetPersonalizedRanking.")
    check_id("userId", user_id)
    input_list = list(params.get("inputList") or [])
    if not input_list:
        raise InvalidInputException("inputList must name at least one item to rank.")
    metadata = check_metadata_columns(
        params.get("metadataColumns"),
        enabled=dep.metadata_enabled,
        available=engine._metadata_columns(),
        owner=dep.label,
    )
    limit = MAX_RESULTS_WITH_METADATA if metadata else MAX_RESULTS
    if len(input_list) > limit:
        why = " when metadataColumns is set" if metadata else ""
        raise InvalidInputException(
            f"inputList has {len(input_list)} items, more than the maximum of {limit}{why}."
        )
    for item in input_list:
        check_id("inputList.member", item)
    context = _context_for(engine, dep, check_context(params.get("context")))
    filter_values = check_filter_values(params.get("filterValues"))
    request_filter = _request_filter(engine, params)
    if request_filter is not None and request_filter.expression.needs_item_id:
        _check_current_item(request_filter, dep, False, None, {})

    model = dep.model
    relevance = np.asarray(
        dep.scoring.relevance(model, str(user_id), engine.history.streamed_items(str(user_id)), context),
        dtype=np.float64,
    )
    seen: set[str] = set()
    known: list[int] = []
    unknown: list[str] = []
    for item in input_list:
        if item in seen:
            continue
        seen.add(item)
        index = model.catalog.index.get(item)
        if index is None:
            unknown.append(item)
        else:
            known.append(index)
    known_idx = np.asarray(known, dtype=np.int64)
    scores = selection.softmax(relevance[known_idx]) if len(known_idx) else np.empty(0)
    keep = np.ones(len(known_idx), dtype=bool)
    if request_filter is not None and len(known_idx):
        full = request_filter.compiled.mask(
            filter_values=filter_values, **engine._filter_context(user_id, None)
        )
        keep = full[known_idx]
    order = np.lexsort((np.arange(len(known_idx)), -relevance[known_idx]))
    ranking: list[dict[str, Any]] = []
    for pos in order:
        if not keep[pos]:
            continue
        index = int(known_idx[pos])
        entry: dict[str, Any] = {
            "itemId": str(model.catalog.item_ids[index]),
            "score": float(scores[pos]),
        }
        if metadata:
            entry["metadata"] = engine._metadata_for(index, metadata)
        ranking.append(entry)
    for item in unknown:
        entry = {"itemId": item}
        if engine.options.unknown_ranking_item_score is not None:
            entry["score"] = float(engine.options.unknown_ranking_item_score)
        ranking.append(entry)
    return {"personalizedRanking": ranking, "recommendationId": _recommendation_id()}


# ------------------------------------------------------------------ GetActionRecommendations
def get_action_recommendations(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    dep = _campaign(engine, params, "GetActionRecommendations")
    if params.get("filterArn"):
        check_arn("filterArn", params["filterArn"])
    check_num_results(
        params.get("numResults"),
        default=5,
        maximum=MAX_ACTION_RESULTS,
        with_metadata=False,
        zero_is_error=engine.options.min_zero_results_error,
    )
    raise InvalidInputException(
        f"{dep.label} deploys {dep.spec.short_name}, which is not a PERSONALIZED_ACTIONS recipe "
        "(aws-next-best-action): call GetRecommendations instead. The local Personalize does not "
        "emulate Next-Best-Action yet (see docs/emulator-coverage.md)."
    )


# ------------------------------------------------------------------ helpers
def _campaign(engine: LocalPersonalize, params: Mapping[str, Any], operation: str) -> Deployment:
    """The campaign of a campaign-only operation (ranking, actions), after the simulated latency."""
    _simulate_latency(engine)
    arn = params.get("campaignArn")
    if not arn:
        raise InvalidInputException(f"campaignArn is required for {operation}.")
    return engine.deployment(check_arn("campaignArn", arn), kind="campaign")


def _request_filter(engine: LocalPersonalize, params: Mapping[str, Any]) -> FilterResource | None:
    """The request's filter: the ARN checked against the model's pattern first, like every ARN member."""
    arn = params.get("filterArn")
    if not arn:
        return None
    return engine.filter_resource(check_arn("filterArn", arn))


def _check_current_item(
    resource: FilterResource,
    dep: Deployment,
    related: bool,
    item_id: str | None,
    catalog: Mapping[str, int],
) -> None:
    """CurrentItem conditions need a related-items deployment and a seed item the catalog knows (§3.1)."""
    if not related:
        raise InvalidInputException(
            f"filter {resource.arn} reads CurrentItem, which only related-items recipes and use cases "
            f"(SIMS, Similar-Items, More like X...) can use; {dep.label} deploys {dep.spec.short_name}."
        )
    if item_id is not None and item_id not in catalog:
        raise InvalidInputException(
            f"filter {resource.arn} reads CurrentItem, but itemId '{item_id}' is not in the catalog, so "
            "it has no metadata to compare with. Use a filter without CurrentItem for unknown items."
        )


def _simulate_latency(engine: LocalPersonalize) -> None:
    if engine.options.latency_ms > 0:
        time.sleep(engine.options.latency_ms / 1000.0)


def _context_for(engine: LocalPersonalize, dep: Deployment, context: dict[str, str]) -> dict[str, str]:
    """Context keys are Interactions column names; unknown ones are ignored unless strict (§7)."""
    if not context:
        return {}
    known = engine.context_columns
    unknown = sorted(set(context) - set(known))
    if unknown and engine.options.strict_context:
        raise InvalidInputException(
            f"context keys {unknown} are not columns of the Interactions dataset. Known: {sorted(known)}."
        )
    if not dep.spec.supports_context:
        return {}
    return {k: v for k, v in context.items() if k in known}
