"""The names of the recommendation frame's columns and of the service's reason labels, written once.

The frame is the contract between the layers (docs/architecture.md, "The recommendation frame"):
``frames`` builds it, ``analysis`` and ``plots`` read it, and the local Personalize writes the same names
into its answers. The names are the service's own, so a Personalize user recognises them at once. This
module is in the base layer, so both sides can import it; it holds names only — how the frame is built
lives in ``frames``, how analysis checks and encodes it in ``analysis.encoding``.
"""

from __future__ import annotations

# --- one row per returned item, in this order ---------------------------------------------------------
RANK = "rank"  # Int64, 1-based position in the returned list
ITEM_ID = "itemId"  # string; action recommendations have ACTION_ID in its place
ACTION_ID = "actionId"
SCORE = "score"  # Float64, <NA> where the service sent none (never 0)
PROMOTION_NAME = "promotionName"  # string, <NA> unless the item was promoted
REASON = "reason"  # tuple of str, () where absent
RECOMMENDATION_ID = "recommendationId"  # string, the same on every row of one response
#: The columns every recommendation frame has; requested metadata columns sit between REASON and the last.
CORE_COLUMNS = (RANK, ITEM_ID, SCORE, PROMOTION_NAME, REASON, RECOMMENDATION_ID)

# --- request keys that cohort, comparison and batch frames put in front ------------------------------
VARIANT = "variant"
USER_ID = "userId"  # the request's user
SEED_ITEM_ID = "seedItemId"  # the request's itemId, for related-items recipes
#: Who a list was made for: the first of these a frame has.
REQUEST_KEYS = (USER_ID, SEED_ITEM_ID)

# --- the labels the service documents in an item's ``reason`` (semantics §4, §5) ----------------------
REASON_PROMOTED = "Promoted item"
REASON_EXPLORATION = "Exploration"
REASON_POPULAR = "Popular item"  # User-Personalization-v2's placeholder backfill
DOCUMENTED_REASONS = (REASON_PROMOTED, REASON_EXPLORATION, REASON_POPULAR)

__all__ = [
    "ACTION_ID",
    "CORE_COLUMNS",
    "DOCUMENTED_REASONS",
    "ITEM_ID",
    "PROMOTION_NAME",
    "RANK",
    "REASON",
    "REASON_EXPLORATION",
    "REASON_POPULAR",
    "REASON_PROMOTED",
    "RECOMMENDATION_ID",
    "REQUEST_KEYS",
    "SCORE",
    "SEED_ITEM_ID",
    "USER_ID",
    "VARIANT",
]
