"""The runtime answers of the local Personalize, as pipelines of named steps over Python values.

GetRecommendations (semantics §2, §4, §5), one step each:

1. :func:`validate_recommendation_request` — the service's checks, in the service's order (resource lookup:
   ResourceNotFoundException, then request rules: InvalidInputException), into a
   :class:`RecommendationRequest`;
2. :func:`resolve_target` — the relevance of the user (folded-in streamed events, context; kept per user) or
   of the seed item (related-items recipes);
3. :func:`scoring` — a softmax over the catalog (User-Personalization), over the v2 candidate pool
   (User-Personalization-v2), or none (SIMS, Similar-Items, popularity, trending, domain recommenders);
4. :func:`candidate_mask` — the request filter and the use case's automatic filter, as one boolean mask;
5. :func:`promoted_items` — the promotion filter's own best items (the request filter does not apply);
6. :func:`regular_items` and :func:`explore` — the best remaining items, a few slots of which go to new or
   rarely seen items (v2 reason "Exploration");
7. :func:`placeholder_backfill` — v2 fills a list the filter emptied with popular items ("Popular item");
8. :func:`answer` — promoted items at random positions, scores, metadata and reasons: a
   :class:`Recommendations`.

GetPersonalizedRanking: :func:`validate_ranking_request`, then :func:`rank`. The JSON of both is made by
:mod:`personalize_lab.emulator.responses`. GetActionRecommendations has its own pipeline
(:mod:`personalize_lab.emulator.action_serving`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from personalize_lab.canonical import canonical_json
from personalize_lab.emulator import selection
from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.relevance import FreshRelevance, Relevance
from personalize_lab.emulator.selection import Allowed
from personalize_lab.emulator.validation import (
    check_arn,
    check_context,
    check_filter_values,
    check_id,
    check_metadata_columns,
    check_num_results,
    check_promotions,
)
from personalize_lab.limits import (
    DEFAULT_NUM_RESULTS,
    MAX_RESULTS,
    MAX_RESULTS_WITH_METADATA,
)

if TYPE_CHECKING:
    from personalize_lab.emulator.deployments import Deployment
    from personalize_lab.emulator.engine import LocalPersonalize
    from personalize_lab.emulator.filter_resources import FilterResource

REASON_PROMOTED = "Promoted item"
REASON_EXPLORATION = "Exploration"
REASON_POPULAR = "Popular item"

Mask = np.ndarray  # bool[catalog]: which items may be returned


# ------------------------------------------------------------------ the request's randomness
class RequestRandomness:
    """The generator of one request's random choices (exploration picks, promoted positions).

    Built on first call only: most answers make no random choice, and hashing the request costs more than
    the rest of a cached answer. Seeded from ``EmulatorOptions.seed`` and the canonical request
    (``random_mode="per_request"``), or the engine's one stream (``"sequence"``).
    """

    def __init__(self, engine: LocalPersonalize, operation: str, params: Mapping[str, Any]) -> None:
        self._engine, self._operation, self._params = engine, operation, params
        self._rng: np.random.Generator | None = None

    def __call__(self) -> np.random.Generator:
        if self._rng is None:
            self._rng = self._build()
        return self._rng

    def _build(self) -> np.random.Generator:
        options = self._engine.options
        if options.random_mode == "sequence":
            return self._engine.random_stream
        canonical = canonical_json(self._operation, self._params)
        digest = hashlib.sha256(f"{options.seed}:{canonical}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))


# ------------------------------------------------------------------ the model objects
@dataclass(frozen=True, slots=True)
class Promotion:
    """A request's promotion: its name, the share of slots it covers and the filter that picks its items."""

    name: str
    percent: int
    filter: FilterResource
    filter_values: dict[str, str]


@dataclass(slots=True)
class RecommendationRequest:
    """A GetRecommendations request the service accepted, as Python values."""

    deployment: Deployment
    user_id: str | None
    item_id: str | None
    num_results: int
    metadata_columns: list[str]
    context: dict[str, str]
    filter: FilterResource | None
    filter_values: dict[str, str]
    promotion: Promotion | None
    rng: RequestRandomness
    related: bool  # the answer is about a seed item (related-items recipes and use cases)


@dataclass(slots=True)
class Recommendations:
    """One answer: catalog indices and ids in order, and what the service says about each item.

    ``scores[k]`` is None for an item the service returns without a score (outside v2's candidate pool, a
    placeholder); ``scores`` is None for recipes without scores. ``promoted``, ``metadata`` and ``reasons``
    are None when no item carries them.
    """

    indices: list[int]
    item_ids: list[str]
    scores: Sequence[float | None] | None = None
    promotion_name: str | None = None
    promoted: list[bool] | None = None
    metadata: list[dict[str, str]] | None = None
    reasons: list[list[str]] | None = None


@dataclass(slots=True)
class RankedItem:
    item_id: str
    score: float | None
    metadata: dict[str, str] | None = None


@dataclass(slots=True)
class RankingRequest:
    """A GetPersonalizedRanking request the service accepted, as Python values."""

    deployment: Deployment
    user_id: str
    input_list: list[str]
    metadata_columns: list[str]
    context: dict[str, str]
    filter: FilterResource | None
    filter_values: dict[str, str]


@dataclass(slots=True)
class Target:
    """Whom or what the answer is for: the relevance over the catalog and the seed item, if any."""

    relevance: Relevance
    seed_index: int | None = None


@dataclass(slots=True)
class Scoring:
    """How scores are made: a softmax normaliser, over the v2 candidate ``pool`` when there is one."""

    log_norm: float | None = None
    pool: Mask | None = None
    pool_log_norm: float | None = None

    def restrict(self, allowed: Allowed | None) -> Allowed | None:
        """The items the regular list may hold: the allowed ones, within v2's pool."""
        if self.pool is None:
            return allowed
        return Allowed(self.pool) if allowed is None else allowed & self.pool


@dataclass(slots=True)
class Selection:
    """The items chosen before promoted ones are placed: regular (with explored) and placeholders."""

    items: list[int]
    explored: list[int] = field(default_factory=list)
    placeholders: list[int] = field(default_factory=list)


# ------------------------------------------------------------------ GetRecommendations
def recommend(engine: LocalPersonalize, request: RecommendationRequest) -> Recommendations:
    """Steps 2–8 of the module docstring, for a validated request."""
    target = resolve_target(engine, request)
    scores = scoring(request, target, engine.options.v2_candidate_pool)
    reads = filter_reads(engine, request, target)
    allowed = candidate_mask(request, target, reads)
    promoted = promoted_items(engine, request, target, reads)
    if promoted:
        allowed = _without(allowed, promoted, len(target.relevance.relevance))
    wanted = request.num_results - len(promoted)
    regular_allowed = scores.restrict(allowed)
    regular = regular_items(target, regular_allowed, wanted)
    chosen = explore(engine, request, target, allowed, regular_allowed, regular, wanted)
    chosen = placeholder_backfill(request, allowed, chosen, len(promoted))
    return answer(engine, request, target, scores, chosen, promoted)


def validate_recommendation_request(
    engine: LocalPersonalize, params: Mapping[str, Any]
) -> RecommendationRequest:
    """Step 1: every check the service makes, in its order; the request as Python values."""
    dep = _recommending_deployment(engine, params)
    user_id, item_id = params.get("userId"), params.get("itemId")
    if user_id is not None:
        check_id("userId", user_id)
    if item_id is not None:
        check_id("itemId", item_id)
    metadata = _metadata_columns(engine, dep, params) if params.get("metadataColumns") else []
    num_results = check_num_results(
        params.get("numResults"),
        default=DEFAULT_NUM_RESULTS,
        maximum=MAX_RESULTS,
        with_metadata=bool(metadata),
        zero_is_error=engine.options.min_zero_results_error,
    )
    context = _context_for(engine, dep, check_context(params.get("context")))
    filter_values = check_filter_values(params.get("filterValues"))
    request_filter = _request_filter(engine, params)
    promotion = _promotion(engine, dep, params)
    request = RecommendationRequest(
        deployment=dep,
        user_id=user_id,
        item_id=item_id,
        num_results=num_results,
        metadata_columns=metadata,
        context=context,
        filter=request_filter,
        filter_values=filter_values,
        promotion=promotion,
        rng=RequestRandomness(engine, "GetRecommendations", params),
        related=dep.recipe.recipe_type == "RELATED_ITEMS" or dep.recipe.needs_item_id,
    )
    _check_inputs(request, engine.catalog.index)
    return request


def resolve_target(engine: LocalPersonalize, request: RecommendationRequest) -> Target:
    """Step 2: the seed item's relevance (an unknown item: popularity, semantics §10) or the user's."""
    dep = request.deployment
    model = dep.model
    if request.related:
        item_id = str(request.item_id)
        relevance = model.relevance_for_item(item_id)
        if relevance is None:
            relevance = model.popularity_logits()
        return Target(FreshRelevance(relevance), model.catalog.index.get(item_id))
    user_id = request.user_id
    streamed = engine.history.streamed_items(str(user_id)) if user_id else None
    return Target(dep.user_scores(str(user_id) if user_id else "", streamed, request.context))


def scoring(request: RecommendationRequest, target: Target, v2_pool_size: int) -> Scoring:
    """Step 3: normalised once here, evaluated only for the returned items (one exp pass, no copy)."""
    recipe = request.deployment.recipe
    if not recipe.has_scores:
        return Scoring()
    if not recipe.reasons:
        return Scoring(log_norm=target.relevance.log_norm())
    relevance = target.relevance.relevance  # v2 scores only a candidate subset
    pool_idx = selection.top_k(relevance, v2_pool_size)
    pool = np.zeros(len(relevance), dtype=bool)
    pool[pool_idx] = True
    return Scoring(pool=pool, pool_log_norm=selection.log_sum_exp(relevance[pool_idx]))


def filter_reads(engine: LocalPersonalize, request: RecommendationRequest, target: Target) -> dict[str, Any]:
    """What the request's filters read besides their filterValues (the user's history, the CurrentUser and
    CurrentItem rows), gathered only when one of them reads it: a pandas row lookup costs more than the
    rest of a cached filter's answer."""
    promotion_filter = request.promotion.filter if request.promotion else None
    filters = (request.filter, promotion_filter, request.deployment.auto_filter)
    if any(f is not None and (f.needs_user_id or f.needs_item_id) for f in filters):
        return engine.filter_context(request.user_id, target.seed_index)
    return {}


def candidate_mask(
    request: RecommendationRequest, target: Target, reads: Mapping[str, Any]
) -> Allowed | None:
    """Step 4: the items the filters keep (None: every item); never the seed item itself. One filter's
    answer is used as it comes (shared by requests with the same filterValues, see ``CompiledFilter.allowed``)."""
    relevance = target.relevance.relevance
    allowed: Allowed | None = None
    if request.related:
        mask = np.isfinite(relevance)
        if target.seed_index is not None:
            mask[target.seed_index] = False
        allowed = Allowed(mask)
    compiled = [request.deployment.automatic_filter(), request.filter.compiled if request.filter else None]
    for compiled_filter in compiled:
        if compiled_filter is not None:
            kept = compiled_filter.allowed(filter_values=request.filter_values, **reads)
            allowed = kept if allowed is None else allowed & kept.mask
    return allowed


def promoted_items(
    engine: LocalPersonalize, request: RecommendationRequest, target: Target, reads: Mapping[str, Any]
) -> list[int]:
    """Step 5: the promotion filter's most relevant items, for its share of the slots (semantics §4)."""
    promotion = request.promotion
    if promotion is None:
        return []
    try:
        kept = promotion.filter.compiled.allowed(filter_values=promotion.filter_values, **reads)
    except InvalidInputException as error:  # say whose filterValues: the promotion has its own
        raise InvalidInputException(
            f"promotion '{promotion.name}': {error.message}. A promotion's filter reads the "
            "promotion's own filterValues (promotions[0].filterValues), not the request's."
        ) from None
    relevance = target.relevance.relevance
    if target.seed_index is not None:
        mask = kept.mask & np.isfinite(relevance)
        mask[target.seed_index] = False
        kept = Allowed(mask)
    want = selection.promoted_count(request.num_results, promotion.percent, engine.options.promotion_rounding)
    return list(selection.top_k_among(relevance, want, kept.positions).tolist())


def regular_items(target: Target, regular: Allowed | None, wanted: int) -> list[int]:
    """Step 6a: the ``wanted`` most relevant allowed items (kept per user when nothing is filtered)."""
    if regular is None:
        return target.relevance.top(wanted)
    return list(selection.top_k_among(target.relevance.relevance, wanted, regular.positions).tolist())


def explore(
    engine: LocalPersonalize,
    request: RecommendationRequest,
    target: Target,
    allowed: Allowed | None,
    regular_allowed: Allowed | None,
    regular: list[int],
    wanted: int,
) -> Selection:
    """Step 6b: a few of the regular slots go to new or rarely seen items, at random positions (§5)."""
    dep = request.deployment
    if not dep.explores:
        return Selection(regular)
    slots = selection.exploration_slots(wanted, dep.exploration_weight, engine.options.exploration_slot_share)
    keep = max(0, len(regular) - slots)
    explored: list[int] = []
    if not slots:
        explored = []
    elif regular_allowed is None:  # the same candidates for every unfiltered request of the user
        idx, logits = target.relevance.exploration(wanted, keep, dep.exploration_candidates)
        explored = selection.gumbel_top(idx, logits, slots, request.rng())
    else:
        candidates = dep.exploration_candidates()
        if allowed is not None:
            candidates &= allowed.mask
        candidates[regular[:keep]] = False
        explored = selection.sample_weighted(target.relevance.relevance, candidates, slots, request.rng())
    taken = set(explored)
    kept = [i for i in regular if i not in taken][: wanted - len(explored)]
    mixed = [i for i, _ in selection.interleave(kept, explored, wanted, request.rng)]
    return Selection(mixed, explored=explored)


def placeholder_backfill(
    request: RecommendationRequest, allowed: Allowed | None, chosen: Selection, n_promoted: int
) -> Selection:
    """Step 7: v2 fills a short list with the most popular allowed items (reason "Popular item")."""
    missing = request.num_results - len(chosen.items) - n_promoted
    if not request.deployment.recipe.reasons or missing <= 0:
        return chosen
    fill = (
        np.ones(len(request.deployment.model.popularity), dtype=bool)
        if allowed is None
        else allowed.mask.copy()
    )
    fill[chosen.items] = False
    placeholders = selection.top_k(request.deployment.model.popularity, missing, fill).tolist()
    return Selection(chosen.items + placeholders, chosen.explored, placeholders)


def answer(
    engine: LocalPersonalize,
    request: RecommendationRequest,
    target: Target,
    scores: Scoring,
    chosen: Selection,
    promoted: list[int],
) -> Recommendations:
    """Step 8: promoted items at random positions among the others; scores, metadata and reasons."""
    ordered = selection.interleave(chosen.items, promoted, request.num_results, request.rng)
    indices = [index for index, _ in ordered]
    id_strings = request.deployment.model.catalog.id_strings
    result = Recommendations(indices, [id_strings[i] for i in indices])
    result.scores = _scores(target, scores, indices, set(chosen.placeholders))
    if promoted:
        result.promoted = [is_promoted for _, is_promoted in ordered]
        result.promotion_name = request.promotion.name if request.promotion else None
    if request.metadata_columns:
        values = engine.item_metadata.values
        result.metadata = [values(i, request.metadata_columns) for i in indices]
    if request.deployment.recipe.reasons:
        result.reasons = _reasons(ordered, set(chosen.explored), set(chosen.placeholders))
    return result


def _scores(
    target: Target, scores: Scoring, indices: list[int], placeholders: set[int]
) -> Sequence[float | None] | None:
    if scores.log_norm is not None:  # v1: a softmax over the whole catalog
        return target.relevance.scores(indices)
    if scores.pool is None or scores.pool_log_norm is None:
        return None
    relevance = target.relevance.relevance  # v2: over the candidate pool; placeholders have none
    values = np.exp(relevance[indices].astype(np.float64) - scores.pool_log_norm).tolist()
    in_pool = scores.pool[indices].tolist()
    return [
        value if scored and index not in placeholders else None
        for index, value, scored in zip(indices, values, in_pool, strict=True)
    ]


def _reasons(ordered: list[tuple[int, bool]], explored: set[int], placeholders: set[int]) -> list[list[str]]:
    reasons = []
    for index, is_promoted in ordered:
        why = [REASON_PROMOTED] if is_promoted else []
        if index in explored:
            why.append(REASON_EXPLORATION)
        if index in placeholders:
            why.append(REASON_POPULAR)
        reasons.append(why)
    return reasons


def _without(allowed: Allowed | None, promoted: list[int], n_items: int) -> Allowed:
    mask = np.ones(n_items, dtype=bool) if allowed is None else allowed.mask.copy()
    mask[promoted] = False
    return Allowed(mask)


# ------------------------------------------------------------------ GetRecommendations checks
def _recommending_deployment(engine: LocalPersonalize, params: Mapping[str, Any]) -> Deployment:
    """Exactly one of campaignArn / recommenderArn, well formed, ACTIVE, not a ranking recipe."""
    _simulate_latency(engine)
    campaign_arn, recommender_arn = params.get("campaignArn"), params.get("recommenderArn")
    if bool(campaign_arn) == bool(recommender_arn):
        raise InvalidInputException(
            "Provide exactly one of campaignArn or recommenderArn: "
            + ("both were given." if campaign_arn else "neither was given.")
        )
    arn = check_arn("campaignArn" if campaign_arn else "recommenderArn", campaign_arn or recommender_arn)
    dep = engine.deployment(arn, kind="campaign" if campaign_arn else "recommender")
    if dep.recipe.recipe_type == "PERSONALIZED_RANKING":
        raise InvalidInputException(
            f"{dep.label} deploys {dep.recipe.short_name}, a PERSONALIZED_RANKING recipe: "
            "call GetPersonalizedRanking with an inputList instead of GetRecommendations."
        )
    return dep


def _promotion(engine: LocalPersonalize, dep: Deployment, params: Mapping[str, Any]) -> Promotion | None:
    checked = check_promotions(params.get("promotions"))
    if checked is None:
        return None
    resource = engine.filter_resource(checked["filterArn"])
    if not dep.accepts_promotions:
        raise InvalidInputException(f"{dep.label} ({dep.recipe.short_name}) does not support promotions.")
    return Promotion(checked["name"], checked["percentPromotedItems"], resource, checked["filterValues"])


def _check_inputs(request: RecommendationRequest, catalog: Mapping[str, int]) -> None:
    """userId / itemId as the recipe and the filters need them; CurrentItem only with a known seed."""
    dep, recipe = request.deployment, request.deployment.recipe
    user_id, item_id = request.user_id, request.item_id
    promotion_filter = request.promotion.filter if request.promotion else None
    needs_user = recipe.needs_user_id or any(
        f is not None and f.needs_user_id for f in (request.filter, promotion_filter)
    )
    if needs_user and not user_id:
        why = "the recipe" if recipe.needs_user_id else "the filter (interaction or CurrentUser conditions)"
        raise InvalidInputException(
            f"userId is required: {why} of {dep.label} ({recipe.short_name}) needs it."
        )
    if recipe.needs_item_id and not item_id:
        raise InvalidInputException(
            f"itemId is required: {dep.label} deploys {recipe.short_name}, a related-items recipe."
        )
    if not request.related and item_id and not user_id:
        raise InvalidInputException(
            f"itemId is not used by {recipe.short_name} ({dep.label}); pass a userId instead."
        )
    for resource in (request.filter, promotion_filter):
        if resource is not None and resource.needs_item_id:
            _check_current_item(resource, dep, request.related, item_id, catalog)


# ------------------------------------------------------------------ GetPersonalizedRanking
def validate_ranking_request(engine: LocalPersonalize, params: Mapping[str, Any]) -> RankingRequest:
    """Every check the service makes on GetPersonalizedRanking, in its order."""
    dep = _campaign(engine, params, "GetPersonalizedRanking")
    if dep.recipe.recipe_type != "PERSONALIZED_RANKING":
        raise InvalidInputException(
            f"{dep.label} deploys {dep.recipe.short_name}, which is not a PERSONALIZED_RANKING recipe: "
            "call GetRecommendations instead of GetPersonalizedRanking."
        )
    user_id = params.get("userId")
    if not user_id:
        raise InvalidInputException("userId is required for GetPersonalizedRanking.")
    check_id("userId", user_id)
    input_list = list(params.get("inputList") or [])
    if not input_list:
        raise InvalidInputException("inputList must name at least one item to rank.")
    metadata = _metadata_columns(engine, dep, params)
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
    if request_filter is not None and request_filter.needs_item_id:
        _check_current_item(request_filter, dep, False, None, {})
    return RankingRequest(dep, user_id, input_list, metadata, context, request_filter, filter_values)


def rank(engine: LocalPersonalize, request: RankingRequest) -> list[RankedItem]:
    """Known items by relevance (softmax over the input list), the filter applied, then unknown items with
    ``EmulatorOptions.unknown_ranking_item_score`` (0 by default, as the developer guide says)."""
    model = request.deployment.model
    user_id = request.user_id
    known, unknown = _split_known(request.input_list, model.catalog.index)
    relevance = np.asarray(
        request.deployment.scoring.relevance(
            model, str(user_id), engine.history.streamed_items(str(user_id)), request.context
        ),
        dtype=np.float64,
    )[known]
    scores = selection.softmax(relevance) if len(known) else np.empty(0)
    keep = np.ones(len(known), dtype=bool)
    if request.filter is not None and len(known):
        kept = request.filter.compiled.mask(
            filter_values=request.filter_values, **engine.filter_context(user_id, None)
        )
        keep = kept[known]
    order = np.lexsort((np.arange(len(known)), -relevance))
    columns = request.metadata_columns
    ranking = [
        RankedItem(
            str(model.catalog.item_ids[known[pos]]),
            float(scores[pos]),
            engine.item_metadata.values(int(known[pos]), columns) if columns else None,
        )
        for pos in order
        if keep[pos]
    ]
    unknown_score = engine.options.unknown_ranking_item_score
    score = float(unknown_score) if unknown_score is not None else None
    return ranking + [RankedItem(item, score) for item in unknown]


def _split_known(input_list: list[str], catalog: Mapping[str, int]) -> tuple[np.ndarray, list[str]]:
    """Catalog indices of the known items and the unknown ids, each once, in input order."""
    known: list[int] = []
    unknown: list[str] = []
    for item in dict.fromkeys(input_list):
        index = catalog.get(item)
        if index is None:
            unknown.append(item)
        else:
            known.append(index)
    return np.asarray(known, dtype=np.int64), unknown


# ------------------------------------------------------------------ shared checks
def _campaign(engine: LocalPersonalize, params: Mapping[str, Any], operation: str) -> Deployment:
    """The campaign of a campaign-only operation (ranking), after the simulated latency."""
    _simulate_latency(engine)
    arn = params.get("campaignArn")
    if not arn:
        raise InvalidInputException(f"campaignArn is required for {operation}.")
    return engine.deployment(check_arn("campaignArn", arn), kind="campaign")


def _metadata_columns(engine: LocalPersonalize, dep: Deployment, params: Mapping[str, Any]) -> list[str]:
    return check_metadata_columns(
        params.get("metadataColumns"),
        enabled=dep.metadata_enabled,
        available=engine.item_metadata.columns(),
        owner=dep.label,
    )


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
            f"(SIMS, Similar-Items, More like X...) can use; {dep.label} deploys {dep.recipe.short_name}."
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
    if not dep.recipe.supports_context:
        return {}
    return {k: v for k, v in context.items() if k in known}
