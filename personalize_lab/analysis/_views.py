"""Where ``Comparison`` finds its figures and its HTML report without importing the layers above it.

Imports point down the stack (tests/test_import_direction.py): ``plots`` and ``report`` import
``analysis``, never the reverse. So ``personalize_lab.plots`` and ``personalize_lab.report`` register
their builders here when they are imported (``import personalize_lab`` imports both), and
``Comparison.score_distribution()`` or ``.to_html()`` look them up by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from personalize_lab.errors import PersonalizeLabError

_VIEWS: dict[str, Callable[..., Any]] = {}
_PROVIDERS = {"figure": "personalize_lab.plots", "report": "personalize_lab.report"}


def register(kind: str, name: str, builder: Callable[..., Any]) -> None:
    """Make ``builder`` available to ``Comparison`` as view ``kind:name`` (called by plots and report)."""
    _VIEWS[f"{kind}:{name}"] = builder


def lookup(kind: str, name: str) -> Callable[..., Any]:
    """The registered builder, or an error saying which module to import."""
    try:
        return _VIEWS[f"{kind}:{name}"]
    except KeyError:
        provider = _PROVIDERS.get(kind, "personalize_lab")
        raise PersonalizeLabError(
            f"no {kind} named {name!r} is registered: `import {provider}` (or `import personalize_lab`) "
            "first; analysis does not import the layers above it"
        ) from None


def names(kind: str) -> list[str]:
    """Registered view names of one kind, in registration order."""
    prefix = f"{kind}:"
    return [key[len(prefix) :] for key in _VIEWS if key.startswith(prefix)]
