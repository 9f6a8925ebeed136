"""Personalize-shaped data: CSV folders with Avro schemas, MovieLens files and a synthetic demo store.

Everything here returns :class:`PersonalizeData` (three frames, their schemas, a load report), the one
shape the filter language, the recipes and the panels read. Imports only ``personalize_lab.errors``.
"""

from __future__ import annotations

from personalize_lab.datasets.config import (
    CampaignSpec,
    EventTrackerSpec,
    FilterSpec,
    ProjectConfig,
    RecommenderSpec,
    load_config,
    parse_config,
)
from personalize_lab.datasets.data import LoadReport, PersonalizeData, SkippedRows
from personalize_lab.datasets.demo import DEMO_SCHEMAS, demo_store
from personalize_lab.datasets.loader import LoadedCsv, load_csv, load_dir, write_dir
from personalize_lab.datasets.movielens import MOVIELENS_SCHEMAS, load_movielens
from personalize_lab.datasets.schema import Field, Schema, infer_schema, load_schema

__all__ = [
    "DEMO_SCHEMAS",
    "MOVIELENS_SCHEMAS",
    "CampaignSpec",
    "EventTrackerSpec",
    "Field",
    "FilterSpec",
    "LoadReport",
    "LoadedCsv",
    "PersonalizeData",
    "ProjectConfig",
    "RecommenderSpec",
    "Schema",
    "SkippedRows",
    "demo_store",
    "infer_schema",
    "load_config",
    "load_csv",
    "load_dir",
    "load_movielens",
    "load_schema",
    "parse_config",
    "write_dir",
]
