"""Request ids and recommendation ids: random version-4 UUID strings, made without a system call each.

``uuid.uuid4()`` reads ``os.urandom`` on every call, a system call that costs several microseconds on a
loaded machine, and GetRecommendations makes two ids per request. These ids only need to be unique, not
unpredictable, so a private generator seeded once from ``os.urandom`` makes them (a private instance: the
``random`` module's shared state, which user code may seed, is never touched).
"""

from __future__ import annotations

import os
import random

_random = random.Random(os.urandom(32))
# version 4 and the RFC 4122 variant, set the way uuid.UUID(version=4) sets them
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_SET = (4 << 76) | (0x8000 << 48)


def uuid4() -> str:
    """A random UUID in ``str(uuid.uuid4())`` form (36 characters, version 4, RFC 4122 variant)."""
    h = f"{(_random.getrandbits(128) & _CLEAR) | _SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
