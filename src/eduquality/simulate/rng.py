"""Named random streams: every part of the simulation draws from its own generator.

A stream is keyed by the seed and a few names (``stream(seed, "exam", "2022-G8-MON", "数学")``),
so the same part of the district comes out the same whatever else a profile adds or leaves out.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *keys: object) -> np.random.Generator:
    """A generator determined by ``seed`` and ``keys`` (CRC-32 of each key's text)."""
    words = [int(seed) & 0xFFFFFFFF] + [zlib.crc32(str(k).encode("utf-8")) for k in keys]
    return np.random.default_rng(np.random.SeedSequence(words))
