"""Ambition: how many times the known improvement a commitment reaches."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

STRETCH_FROM = 1.5
BREAKTHROUGH_FROM = 3.0
# Ratios are rounded before banding so float noise (2.9999999999999996) lands on 3.
_RATIO_DIGITS = 9


class Band(str, Enum):
    MANAGEMENT = "management"
    STRETCH = "stretch"
    BREAKTHROUGH = "breakthrough"


@dataclass(frozen=True)
class Ambition:
    """`ratio` is None when known is missing or no better than the baseline;
    `band` is None only when known is missing (the coach then asks for it)."""

    ratio: float | None
    band: Band | None


def band_of(ratio: float) -> Band:
    """Under 1.5 management, 1.5 up to 3 stretch, 3 or more breakthrough."""
    rounded = round(ratio, _RATIO_DIGITS)
    if rounded >= BREAKTHROUGH_FROM:
        return Band.BREAKTHROUGH
    if rounded >= STRETCH_FROM:
        return Band.STRETCH
    return Band.MANAGEMENT


def ambition(baseline: float, target: float, known: float | None) -> Ambition:
    """(target - baseline) / (known - baseline), and its band.

    When target == baseline (not a valid commitment) there is no gain: ratio 0, management.
    """
    if known is None:
        return Ambition(None, None)
    direction = (target > baseline) - (target < baseline)
    if direction == 0:
        return Ambition(0.0, Band.MANAGEMENT)
    if (known - baseline) * direction <= 0:
        return Ambition(None, Band.BREAKTHROUGH)
    ratio = (target - baseline) / (known - baseline)
    if not math.isfinite(ratio):
        return Ambition(None, Band.BREAKTHROUGH)
    return Ambition(ratio, band_of(ratio))
