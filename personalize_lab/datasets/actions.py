"""The Next-Best-Action datasets' own rules: action interaction event types, repeat frequency, pairing.

An Actions dataset holds ``ACTION_ID`` plus metadata and the reserved ``VALUE``, ``CREATION_TIMESTAMP``,
``REPEAT_FREQUENCY`` (days) and ``ACTION_EXPIRATION_TIMESTAMP`` (epoch seconds); an Action interactions
dataset holds ``USER_ID``, ``ACTION_ID``, ``TIMESTAMP`` and ``EVENT_TYPE`` (semantics §8). The schema layer
checks names and types; this module checks the values the schema cannot: the event types the service knows
(Taken, Not taken, Viewed — written ``TAKEN``, ``NOT_TAKEN``, ``VIEWED``, the spelling filters use), a
repeat frequency of at least one day, and that action interactions come with an Actions dataset.
"""

from __future__ import annotations

import pandas as pd

from personalize_lab.errors import DataError

__all__ = ["ACTION_EVENT_TYPES", "NOT_TAKEN", "TAKEN", "VIEWED", "action_event_type", "check_action_frames"]

TAKEN, NOT_TAKEN, VIEWED = "TAKEN", "NOT_TAKEN", "VIEWED"
ACTION_EVENT_TYPES = (TAKEN, NOT_TAKEN, VIEWED)


def action_event_type(value: object) -> str | None:
    """The canonical spelling of an action interaction event type, or None when it is not one.

    The API reference writes ``Taken``, ``Not Taken`` and ``Viewed``; the filter examples write ``TAKEN``,
    ``NOT_TAKEN`` and ``VIEWED``. Case, spaces and underscores are not significant here."""
    key = str(value).strip().upper().replace(" ", "_")
    return key if key in ACTION_EVENT_TYPES else None


def check_action_frames(
    actions: pd.DataFrame | None,
    action_interactions: pd.DataFrame | None,
    *,
    files: tuple[str | None, str | None] = (None, None),
) -> pd.DataFrame | None:
    """Check the two frames' values; the action interactions with canonical EVENT_TYPE spellings.

    Raises :class:`DataError` naming file, row, column, value, rule and fix. ``files`` names the CSVs
    (actions, action interactions) for the messages.
    """
    actions_file, interactions_file = files
    if action_interactions is not None and actions is None:
        raise DataError(
            "an Action interactions dataset needs an Actions dataset in the same dataset group",
            file=interactions_file,
            rule="Next-Best-Action reads the actions it recommends from the Actions dataset",
            fix="add actions.csv (ACTION_ID plus at least one metadata column) next to action_interactions.csv",
        )
    if actions is not None and "REPEAT_FREQUENCY" in actions.columns:
        days = pd.to_numeric(actions["REPEAT_FREQUENCY"], errors="coerce")
        bad = days.notna() & (days < 1)
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise DataError(
                f"REPEAT_FREQUENCY {days.iloc[row]!r} of action {actions['ACTION_ID'].iloc[row]!r} is not a "
                "number of days",
                file=actions_file,
                row=row + 1,
                column="REPEAT_FREQUENCY",
                value=days.iloc[row],
                rule="REPEAT_FREQUENCY is how many days to wait before recommending a taken action again (>= 1)",
                fix="use a whole number of days of at least 1, or leave the cell empty",
            )
    if action_interactions is None:
        return None
    raw = action_interactions["EVENT_TYPE"]
    canonical = raw.map(action_event_type)
    bad = canonical.isna() & raw.notna()
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise DataError(
            f"EVENT_TYPE {raw.iloc[row]!r} is not an action interaction event type",
            file=interactions_file,
            row=row + 1,
            column="EVENT_TYPE",
            value=raw.iloc[row],
            rule="action interactions have event type Taken, Not taken or Viewed (TAKEN, NOT_TAKEN, VIEWED)",
            fix="write TAKEN, NOT_TAKEN or VIEWED",
        )
    out = action_interactions.copy()
    out["EVENT_TYPE"] = canonical.where(raw.notna(), None)
    return out
