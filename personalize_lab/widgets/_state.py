"""Per-Lab state shared between panels: the requests pinned as A / B in an Explorer, for the ComparePanel."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from personalize_lab.client import Lab
    from personalize_lab.widgets._request import RequestSpec

# keyed weakly: a pin lives as long as its Lab, and Lab itself stays free of panel state
_PINS: weakref.WeakKeyDictionary[Lab, dict[str, RequestSpec]] = weakref.WeakKeyDictionary()


def pins_of(lab: Lab) -> dict[str, RequestSpec]:
    """The pins of ``lab`` (a live dict: panels add to it)."""
    return _PINS.setdefault(lab, {})
