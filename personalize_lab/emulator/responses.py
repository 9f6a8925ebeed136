"""The response layer of the runtime: boto3's keyword arguments in, the service's response dict out.

Each function turns the request into Python values (:mod:`~personalize_lab.emulator.serving` validates it
as the service does), calls the serving pipeline, and writes its model objects as the service's JSON
members. Nothing here decides what is recommended.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from personalize_lab.emulator import action_serving, serving

if TYPE_CHECKING:
    from personalize_lab.emulator.engine import LocalPersonalize


def recommendation_id() -> str:
    return f"RID-{uuid.uuid4()}"


def get_recommendations(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    request = serving.validate_recommendation_request(engine, params)
    answer = engine.recommend(request)
    rid = recommendation_id()
    engine.remember_recommendation(rid, request.deployment.arn, answer.item_ids)  # for attribution
    return {"itemList": item_list(answer), "recommendationId": rid}


def get_personalized_ranking(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    request = serving.validate_ranking_request(engine, params)
    ranked = engine.rank(request)
    rid = recommendation_id()
    engine.remember_recommendation(rid, request.deployment.arn, [item.item_id for item in ranked])
    return {"personalizedRanking": [_ranked(item) for item in ranked], "recommendationId": rid}


def get_action_recommendations(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    rng = serving.RequestRandomness(engine, "GetActionRecommendations", params)
    request = action_serving.validate_action_request(engine, params, rng)
    answer = action_serving.recommend_actions(engine, request)
    rid = recommendation_id()
    engine.remember_recommendation(rid, request.deployment.arn, [a.action_id for a in answer])
    return {
        "actionList": [{"actionId": a.action_id, "score": a.score} for a in answer],
        "recommendationId": rid,
    }


def item_list(answer: serving.Recommendations) -> list[dict[str, Any]]:
    """``itemList``: members in the service's order (itemId, score, promotionName, metadata, reason)."""
    ids, scores = answer.item_ids, answer.scores
    if answer.promoted is None and answer.metadata is None and answer.reasons is None:  # the common answer
        if scores:
            return [{"itemId": i, "score": s} for i, s in zip(ids, scores, strict=True)]
        return [{"itemId": i} for i in ids]
    items = []
    for k, item_id in enumerate(ids):
        entry: dict[str, Any] = {"itemId": item_id}
        if scores and scores[k] is not None:
            entry["score"] = scores[k]
        if answer.promoted is not None and answer.promoted[k]:
            entry["promotionName"] = answer.promotion_name
        if answer.metadata is not None:
            entry["metadata"] = answer.metadata[k]
        if answer.reasons is not None and answer.reasons[k]:
            entry["reason"] = answer.reasons[k]
        items.append(entry)
    return items


def _ranked(item: serving.RankedItem) -> dict[str, Any]:
    entry: dict[str, Any] = {"itemId": item.item_id}
    if item.score is not None:
        entry["score"] = item.score
    if item.metadata is not None:
        entry["metadata"] = item.metadata
    return entry
