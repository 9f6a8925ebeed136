"""personalize_lab: explore Amazon Personalize from Jupyter.

The public API is curated here and nowhere else (``tests/test_public_api.py`` guards it). Names are
loaded lazily so ``import personalize_lab`` stays fast and does not pull in the emulator, plotly or
ipywidgets until they are used.
"""

from __future__ import annotations

import importlib
from typing import Any

from personalize_lab.errors import (
    AccessDeniedError,
    DataError,
    FilterError,
    FilterRuleError,
    FilterSyntaxError,
    FilterValuesError,
    InvalidInputError,
    PersonalizeLabError,
    PersonalizeLabWarning,
    ReplayMissError,
    ResourceNotFoundError,
    ServiceError,
    ServiceUnavailableError,
    ThrottlingError,
    ValidationError,
)

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "compare": "personalize_lab.analysis",
    "Comparison": "personalize_lab.analysis",
    "write_report": "personalize_lab.report",
    "Lab": "personalize_lab.client",
    "Promotion": "personalize_lab.requests",
    "read_batch_output": "personalize_lab.batch",
    "write_batch_input": "personalize_lab.batch",
    "LocalPersonalize": "personalize_lab.emulator.engine",
    "EmulatorOptions": "personalize_lab.emulator.options",
    "PersonalizeData": "personalize_lab.datasets",
    "Schema": "personalize_lab.datasets",
    "ProjectConfig": "personalize_lab.datasets",
    "demo_store": "personalize_lab.datasets",
    "load_dir": "personalize_lab.datasets",
    "load_csv": "personalize_lab.datasets",
    "write_dir": "personalize_lab.datasets",
    "load_movielens": "personalize_lab.datasets",
    "infer_schema": "personalize_lab.datasets",
    "parse_filter": "personalize_lab.filters",
    "FilterExpression": "personalize_lab.filters",
    "Placeholder": "personalize_lab.filters",
    "encode_filter_values": "personalize_lab.filters",
    "decode_filter_values": "personalize_lab.filters",
    "check_filter_values": "personalize_lab.filters",
}

# subpackages reachable as attributes (pl.widgets.Storefront(lab)) and loaded on first use
_SUBMODULES = frozenset(
    {
        "widgets",
        "plots",
        "report",
        "analysis",
        "filters",
        "datasets",
        "emulator",
        "frames",
        "batch",
        "simulation",
    }
)

__all__ = [
    "AccessDeniedError",
    "DataError",
    "FilterError",
    "FilterRuleError",
    "FilterSyntaxError",
    "FilterValuesError",
    "InvalidInputError",
    "PersonalizeLabError",
    "PersonalizeLabWarning",
    "ReplayMissError",
    "ResourceNotFoundError",
    "ServiceError",
    "ServiceUnavailableError",
    "ThrottlingError",
    "ValidationError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:  # pl.widgets, pl.plots, ... without importing them up front
        return importlib.import_module(f"personalize_lab.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'personalize_lab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
