"""Named options for the corners of the service's behaviour that are undocumented.

personalize-semantics.md marks several behaviours [undoc]; the local Personalize must pick one, document
it and let users choose another. Every such choice lives here, in one frozen object, with the default
explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FilterPrecedence = Literal["and_first", "left_to_right"]
PromotionRounding = Literal["round", "floor", "ceil"]
RandomMode = Literal["per_request", "sequence"]


@dataclass(frozen=True)
class EmulatorOptions:
    """Behaviour switches of the local Personalize, with the defaults it documents.

    seed:
        Seeds every random choice (exploration picks, promoted positions).
    random_mode:
        ``"per_request"`` (default): randomness is derived from ``seed`` and the canonical request, so the
        same request against the same state always returns the same list — comparisons and golden tables
        are stable. ``"sequence"``: one seeded stream, so repeated identical requests differ (like the
        live service) but a whole session is reproducible.
    promotion_rounding:
        How ``numResults * percentPromotedItems / 100`` becomes a count of promoted slots ([undoc]):
        ``"round"`` (half up, default), ``"floor"`` or ``"ceil"``. At least one slot whenever percent > 0.
    unknown_ranking_item_score:
        GetPersonalizedRanking appends items unknown to the model at the end with this score: 0 (default,
        as the developer guide's "rankings" page says); ``None`` leaves the score out, as the 2023 guide did.
    omit_missing_metadata:
        An item with no value for a requested metadata column leaves the key out (default) instead of
        returning an empty string.
    strict_context:
        Unknown context keys are ignored (default, like the service is documented to re-weight only with
        known columns); ``True`` answers InvalidInputException naming the valid keys.
    exploration_slot_share:
        Share of the list that ``explorationWeight=1.0`` turns into exploration slots; the number of slots is
        ``round(numResults * explorationWeight * exploration_slot_share)``. Default 0.2, so the service
        default weight 0.3 explores about 6% of a list (1–2 of 25 items).
    v2_candidate_pool:
        User-Personalization-v2 scores only a subset of the catalog: the ``v2_candidate_pool`` most relevant
        items. Its softmax runs over that subset; placeholder popular items fill lists the filter emptied.
    interaction_history_per_event_type:
        How many of a user's newest interactions per event type interaction filters see (service: 100).
    min_zero_results_error:
        ``numResults=0`` is allowed by the model (min 0) but is not a useful request; the emulator answers
        InvalidInputException (default True) rather than an empty list.
    filter_precedence:
        How ``a OR b AND c`` groups in a filter expression ([undoc]): ``"and_first"`` (default, like SQL)
        or ``"left_to_right"``.
    latency_ms:
        Simulated network latency added to every runtime call (for benchmarks of worker pools).
    score_temperature:
        Scored recipes (User-Personalization, Personalized-Ranking and their v2) divide their logits by this
        before the softmax ([undoc]: the guide gives the softmax, not its sharpness). Default 2.0, chosen
        from the guide's USER_PERSONALIZATION batch output example (``batch-inference-job-output-examples``:
        three users, top-1 scores 0.015–0.041, the 1st score 5–7× the 25th): at 2.0 the demo store's median
        top-1/25th ratio is in that range and its top-1 scores are a few percent (at 1.0: the model's own
        maximum-likelihood sharpness, a median top-1 score of 0.35). 1.0 turns calibration off.
    action_min_interactions:
        Next-Best-Action gives an action a real propensity only when it has at least this many TAKEN and this
        many NOT_TAKEN/VIEWED interactions within ``action_recent_days`` of the newest action interaction
        (the guide: 50 and 6 weeks); every other action scores 0.0. Lower it for small test data.
    action_recent_days:
        The window of that count, in days before the newest action interaction (service: 6 weeks = 42).
    action_exploration_share:
        Share of an action list that goes to actions without a real score (new actions, or too few
        interactions) when any exist ([undoc]: the guide says exploration recommends them with score 0.0 but
        not how often). ``ceil(numResults * share)`` slots at the end of the list, so the list stays in
        descending score order; default 0.2 (one of the default five). 0 turns exploration off.
    action_value_tie:
        Two propensities closer than this count as "equally likely", and the action with the greater VALUE
        ranks first (the guide's rule; how close is [undoc]). Default 0.005: scores equal when rounded to two
        places, as the guide's examples print them.
    action_repeat_default_days:
        REPEAT_FREQUENCY for actions whose cell is empty ([undoc]). ``None`` (default): a taken action
        without a repeat frequency may be recommended again at once.
    ranking_influence_scale:
        How strongly a campaign's ``rankingInfluence`` weights act ([undoc]): a weight ``w`` adds
        ``scale · w · σ(user's logits)`` times the standardised item popularity or freshness to the logits
        (see :mod:`personalize_lab.emulator.influence`). Default 1.0: weight 1 counts as much as taste.
    """

    seed: int = 0
    random_mode: RandomMode = "per_request"
    promotion_rounding: PromotionRounding = "round"
    unknown_ranking_item_score: float | None = 0.0
    omit_missing_metadata: bool = True
    strict_context: bool = False
    exploration_slot_share: float = 0.2
    v2_candidate_pool: int = 1000
    interaction_history_per_event_type: int = 100
    min_zero_results_error: bool = True
    filter_precedence: FilterPrecedence = "and_first"
    latency_ms: float = 0.0
    score_temperature: float = 2.0
    ranking_influence_scale: float = 1.0
    action_min_interactions: int = 50
    action_recent_days: float = 42.0
    action_exploration_share: float = 0.2
    action_value_tie: float = 0.005
    action_repeat_default_days: int | None = None
