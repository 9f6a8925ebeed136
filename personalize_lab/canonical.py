"""The canonical form of a runtime request: one string per distinct request, and its digest.

Wherever two requests must be recognised as the same, this is the test: the cohort response cache and
checkpoint key on :func:`digest`, a replay looks a call up by :func:`canonical_json`. Keys are sorted,
there are no spaces and non-ASCII text is kept as is, so key order or spacing never makes two equal
requests differ. The format is fixed on purpose: checkpoints written by earlier versions store these
digests, and a changed format would make them impossible to resume.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["canonical_json", "digest"]


def canonical_json(operation: str, kwargs: Mapping[str, Any]) -> str:
    """``[operation, kwargs]`` as compact JSON with sorted keys (values JSON cannot hold become ``str``)."""
    return json.dumps(
        [operation, kwargs], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def digest(operation: str, kwargs: Mapping[str, Any]) -> str:
    """The first 128 bits of the SHA-256 of :func:`canonical_json`, as 32 hex digits."""
    return hashlib.sha256(canonical_json(operation, kwargs).encode()).hexdigest()[:32]
