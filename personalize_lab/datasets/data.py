"""The in-memory dataset contract: three Personalize-shaped frames, their schemas and a load report.

Every loader (CSV folders, MovieLens, the synthetic store) returns a :class:`PersonalizeData`, so the
filter language, the recipes and the panels read one shape. Frames use Personalize's column names; string
fields are ``str``, ``long``/``int`` fields ``int64`` (``Int64`` when the schema makes them nullable),
``float``/``double`` ``float64``, and booleans stay the lower-case strings ``"true"``/``"false"``.
Categorical multi-values stay ``|``-separated strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from personalize_lab.errors import DataError

if TYPE_CHECKING:
    from personalize_lab.datasets.config import ProjectConfig
    from personalize_lab.datasets.schema import Schema

__all__ = ["ACTION_DATASET_NAMES", "DATASET_NAMES", "LoadReport", "PersonalizeData", "SkippedRows"]

DATASET_NAMES = ("Interactions", "Items", "Users")
#: The Next-Best-Action datasets (schema names): optional, read only by aws-next-best-action.
ACTION_DATASET_NAMES = ("Actions", "ActionInteractions")


@dataclass(frozen=True)
class SkippedRows:
    """Rows of one file that a documented rule allowed to drop: how many, why, and the first row numbers."""

    file: str
    rule: str
    count: int
    rows: tuple[int, ...]  # first few 1-based data rows (header excluded)


@dataclass(frozen=True)
class LoadReport:
    """What a load read and what it left out, so nothing is dropped silently."""

    rows_read: Mapping[str, int] = field(default_factory=dict)
    skipped: tuple[SkippedRows, ...] = ()
    notes: tuple[str, ...] = ()

    def merge(self, other: LoadReport) -> LoadReport:
        return LoadReport(
            {**self.rows_read, **other.rows_read}, self.skipped + other.skipped, self.notes + other.notes
        )

    @property
    def rows_skipped(self) -> int:
        return sum(s.count for s in self.skipped)

    def to_frame(self) -> pd.DataFrame:
        """One row per (file, rule) that skipped rows."""
        return pd.DataFrame(
            [
                {"file": s.file, "rule": s.rule, "count": s.count, "first rows": list(s.rows)}
                for s in self.skipped
            ],
            columns=["file", "rule", "count", "first rows"],
        )

    def __str__(self) -> str:
        lines = [f"read {n:,} rows from {f}" for f, n in self.rows_read.items()]
        lines += [
            f"skipped {s.count:,} row{'s' if s.count != 1 else ''} of {s.file} ({s.rule}); "
            f"first rows {', '.join(map(str, s.rows))}"
            for s in self.skipped
        ]
        return "\n".join(lines + list(self.notes))


@dataclass(frozen=True, eq=False)
class PersonalizeData:
    """Interactions, Items and Users frames with their schemas (keyed ``Interactions``/``Items``/``Users``).

    ``config`` holds the folder's ``personalize-lab.json`` when :func:`load_dir` found one. ``actions`` and
    ``action_interactions`` are the Next-Best-Action datasets (schemas keyed ``Actions`` and
    ``ActionInteractions``); only the aws-next-best-action recipe reads them.
    """

    interactions: pd.DataFrame
    items: pd.DataFrame | None = None
    users: pd.DataFrame | None = None
    schemas: Mapping[str, Schema] = field(default_factory=dict)
    report: LoadReport = field(default_factory=LoadReport)
    config: ProjectConfig | None = None
    actions: pd.DataFrame | None = None
    action_interactions: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if not len(self.interactions):  # the models and the history need at least one
            raise DataError(
                "the interactions frame has no rows; a dataset group needs at least 1 interaction",
                column="USER_ID",
                fix="pass interactions with at least one USER_ID, ITEM_ID, TIMESTAMP row",
            )
        # frames built by hand (the emulator's from_frames) must still match the schemas they carry
        for key, schema in self.schemas.items():
            frame = self.frame(key)
            if frame is None:
                raise DataError(f"a {key} schema is given but there is no {key.lower()} frame")
            missing = [n for n in schema.names if n not in frame.columns]
            extra = [str(c) for c in frame.columns if c not in schema.names]
            if missing or extra:
                raise DataError(
                    f"{key} frame does not match its schema: missing {missing or 'nothing'}, "
                    f"not in the schema {extra or 'nothing'}",
                    column=(missing or extra)[0],
                    fix="rename the columns or pass a schema that lists them (infer_schema(frame, dataset))",
                )

    def frame(self, dataset: str) -> pd.DataFrame | None:
        """The frame of ``Interactions``, ``Items``, ``Users``, ``Actions`` or ``ActionInteractions``
        (case-insensitive), None when absent."""
        key = _dataset_key(dataset)
        return {
            "Interactions": self.interactions,
            "Items": self.items,
            "Users": self.users,
            "Actions": self.actions,
            "ActionInteractions": self.action_interactions,
        }[key]

    def field_names(self, dataset: str) -> list[str]:
        """Column names of one dataset in schema order (empty when the dataset is absent)."""
        key = _dataset_key(dataset)
        if key in self.schemas:
            return self.schemas[key].names
        frame = self.frame(key)
        return [] if frame is None else [str(c) for c in frame.columns]

    def categorical_values(self, dataset: str, field_name: str) -> list[str]:
        """Sorted distinct values of a field, splitting ``|`` multi-values (for dropdowns and filters)."""
        key = _dataset_key(dataset)
        frame = self.frame(key)
        if frame is None or field_name not in frame.columns:
            raise DataError(
                f"{key} has no field {field_name!r}; fields are {', '.join(self.field_names(key)) or 'none'}",
                column=field_name,
            )
        values = frame[field_name].dropna().astype(str)
        return sorted(set(values.str.split("|").explode().dropna()) - {""})

    def summary(self) -> pd.DataFrame:
        """One row per dataset: rows, columns, distinct users/items and the time span where known."""
        rows = []
        for key in DATASET_NAMES + ACTION_DATASET_NAMES:
            frame = self.frame(key)
            if frame is None:
                continue
            row: dict[str, object] = {"dataset": key, "rows": len(frame), "columns": frame.shape[1]}
            if "USER_ID" in frame:
                row["users"] = frame["USER_ID"].nunique()
            if "ITEM_ID" in frame:
                row["items"] = frame["ITEM_ID"].nunique()
            if "ACTION_ID" in frame:
                row["actions"] = frame["ACTION_ID"].nunique()
            ts = (
                "TIMESTAMP"
                if "TIMESTAMP" in frame
                else "CREATION_TIMESTAMP"
                if "CREATION_TIMESTAMP" in frame
                else ""
            )
            if ts and len(frame):
                row["first"] = pd.to_datetime(frame[ts].min(), unit="s")
                row["last"] = pd.to_datetime(frame[ts].max(), unit="s")
            if key in ("Interactions", "ActionInteractions") and "EVENT_TYPE" in frame:
                row["event types"] = ", ".join(sorted(frame["EVENT_TYPE"].dropna().unique()))
            rows.append(row)
        out = pd.DataFrame(rows).set_index("dataset")
        for col in (
            "users",
            "items",
            "actions",
        ):  # counts, not floats, even where a dataset has no such column
            if col in out:
                out[col] = out[col].astype("Int64")
        return out

    def __repr__(self) -> str:
        parts = [f"interactions={len(self.interactions):,}"]
        parts += [f"items={len(self.items):,}"] if self.items is not None else []
        parts += [f"users={len(self.users):,}"] if self.users is not None else []
        parts += [f"actions={len(self.actions):,}"] if self.actions is not None else []
        if self.action_interactions is not None:
            parts += [f"action_interactions={len(self.action_interactions):,}"]
        return f"PersonalizeData({', '.join(parts)})"


def _dataset_key(dataset: str) -> str:
    wanted = dataset.lower().replace("_", "")
    for key in DATASET_NAMES + ACTION_DATASET_NAMES:
        if wanted == key.lower():
            return key
    names = ", ".join(DATASET_NAMES + ACTION_DATASET_NAMES)
    raise DataError(f"unknown dataset {dataset!r}; expected one of {names}", value=dataset)
