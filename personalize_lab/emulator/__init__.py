"""The embedded local Personalize: the same API as Amazon Personalize, answered by real local models.

Reached through boto3 only (``LocalPersonalize.client(...)``, ``with local:``, ``local.install(client)``) or
over HTTP (``personalize-lab serve``). Names load lazily, so importing a submodule stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "LocalPersonalize": "personalize_lab.emulator.engine",
    "EmulatorOptions": "personalize_lab.emulator.options",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'personalize_lab.emulator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
