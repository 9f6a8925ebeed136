"""Amazon Personalize's required and reserved dataset fields (semantics §8), shared by both sides.

The dataset loader checks schemas against these tables, the recipes keep these columns out of context, and
the client offers every other Interactions field as a context key. One table, so the three cannot drift.
"""

from __future__ import annotations

# Fields every schema of the type must have, with their only allowed type.
REQUIRED: dict[str, dict[str, str]] = {
    "Interactions": {"USER_ID": "string", "ITEM_ID": "string", "TIMESTAMP": "long"},
    "Items": {"ITEM_ID": "string"},
    "Users": {"USER_ID": "string"},
    "Actions": {"ACTION_ID": "string"},
    "ActionInteractions": {
        "USER_ID": "string",
        "ACTION_ID": "string",
        "TIMESTAMP": "long",
        "EVENT_TYPE": "string",
    },
}
# Optional reserved fields: if present they must have this type.
RESERVED: dict[str, dict[str, str]] = {
    "Interactions": {
        "EVENT_TYPE": "string",
        "EVENT_VALUE": "float",
        "IMPRESSION": "string",
        "RECOMMENDATION_ID": "string",
        "EVENT_ATTRIBUTION_SOURCE": "string",
    },
    "Items": {"CREATION_TIMESTAMP": "long"},
    "Users": {},
    "Actions": {
        "VALUE": "int",
        "CREATION_TIMESTAMP": "long",
        "REPEAT_FREQUENCY": "int",
        "ACTION_EXPIRATION_TIMESTAMP": "long",
    },
    "ActionInteractions": {"IMPRESSION": "string", "RECOMMENDATION_ID": "string"},
}


def metadata_fields(dataset_type: str, names: list[str]) -> list[str]:
    """The fields of ``names`` that are neither required nor reserved for ``dataset_type`` (e.g. the
    Interactions context columns such as DEVICE)."""
    fixed = REQUIRED.get(dataset_type, {}).keys() | RESERVED.get(dataset_type, {}).keys()
    return [n for n in names if n not in fixed]
