"""Class breaks (mapclassify) and colour-blind-safe palettes for the choropleths.

Breaks are computed from the values that exist: missing values get no class (``None``) and are drawn
apart, never folded into the lowest class. The legend lists only classes that hold at least one value.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import mapclassify
import numpy as np

SCHEMES = ("quantiles", "fisher_jenks", "equal_interval", "user_defined")
K_CHOICES = (2, 3, 4, 5, 6, 7)
DEFAULT_K = 5

# Nine evenly spaced stops of each colour map (viridis/cividis: matplotlib; YlGnBu/YlOrRd: ColorBrewer);
# a k-class palette samples them evenly, so every palette stays ordered and colour-blind safe.
PALETTES: dict[str, tuple[str, ...]] = {
    "viridis": ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30",
                "#fde725"),
    "cividis": ("#00224e", "#1a386f", "#434e6c", "#61656f", "#7d7c78", "#9b9476", "#bcae6c", "#dec958",
                "#fee838"),
    "YlGnBu": ("#ffffd9", "#edf8b1", "#c6e9b4", "#7ecdbb", "#40b5c4", "#1d90c0", "#225da8", "#243392",
               "#081d58"),
    "YlOrRd": ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8c3c", "#fc4d2a", "#e2191c", "#bb0026",
               "#800026"),
}
# Diverging ColorBrewer PuOr for stances from -1 to +1 (orange = distancing, purple = welcoming).
STANCE_COLORS = ("#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788")
NO_DATA_COLOR = "#d9d9d9"


@dataclass(frozen=True)
class Classification:
    """Result of classifying one set of values: upper bounds, class per id, counts per class."""

    scheme: str
    lower: float | None
    bins: tuple[float, ...]
    class_of: dict[str, int | None]
    counts: tuple[int, ...]
    k_requested: int
    k_used: int
    breaks_rejected: bool = False

    @property
    def reduced(self) -> bool:
        return self.k_used < self.k_requested and self.scheme != "user_defined"


def palette(name: str, k: int) -> list[str]:
    """``k`` colours sampled evenly from a palette's stops (light to dark order kept as defined)."""
    stops = PALETTES[name]
    if k <= 1:
        return [stops[len(stops) // 2]]
    return [stops[round(i * (len(stops) - 1) / (k - 1))] for i in range(k)]


def parse_breaks(text: str | None) -> tuple[float, ...] | None:
    """User-defined breaks from "10, 20, 30" (also "10;20" or spaces); None when nothing usable is given."""
    if not text or not str(text).strip():
        return None
    parts = [p for p in str(text).replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        values = sorted({float(p) for p in parts})
    except ValueError:
        return None
    values = [v for v in values if math.isfinite(v)]
    return tuple(values) or None


def classify(values: Mapping[str, float | None], scheme: str, k: int,
             breaks: tuple[float, ...] | None = None) -> Classification:
    """Classify ``values`` (id -> value or None) with a mapclassify scheme into at most ``k`` classes."""
    present = {i: v for i, v in values.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}
    ids = list(present)
    y = np.array([float(v) for v in present.values()], dtype=float)
    empty: dict[str, int | None] = {i: None for i in values}
    if y.size == 0:
        return Classification(scheme, None, (), empty, (), k, 0)
    distinct = np.unique(y)
    rejected = False
    if scheme == "user_defined":
        if breaks:
            bins = list(breaks)
            if bins[-1] < y.max():
                bins.append(float(y.max()))
            result = mapclassify.UserDefined(y, bins)
        else:
            rejected, scheme = True, "quantiles"
    if scheme != "user_defined":
        k_eff = max(1, min(k, distinct.size))
        if k_eff == 1:
            result = mapclassify.UserDefined(y, [float(y.max())])
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                maker = {"quantiles": mapclassify.Quantiles, "fisher_jenks": mapclassify.FisherJenks,
                         "equal_interval": mapclassify.EqualInterval}[scheme]
                result = maker(y, k=k_eff)
    bins_out = tuple(float(b) for b in result.bins)
    yb = [int(c) for c in result.yb]
    class_of: dict[str, int | None] = dict(empty)
    class_of.update(dict(zip(ids, yb, strict=True)))
    counts = tuple(int(c) for c in np.bincount(np.array(yb), minlength=len(bins_out)))
    return Classification(scheme, float(y.min()), bins_out, class_of, counts, k, len(bins_out), rejected)


def legend_entries(cls: Classification, colors: list[str]) -> list[tuple[str, float, float, int]]:
    """(colour, lower, upper, count) for each class that holds data, lowest first."""
    rows = []
    lower = cls.lower
    for index, (upper, count) in enumerate(zip(cls.bins, cls.counts, strict=True)):
        if count > 0:
            rows.append((colors[index], lower if lower is not None else upper, upper, count))
        lower = upper
    return rows


def stance_color(mean: float | None) -> str:
    """Diverging colour for a mean stance in [-1, 1]; grey when there is no statement."""
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return NO_DATA_COLOR
    position = (max(-1.0, min(1.0, mean)) + 1) / 2
    return STANCE_COLORS[min(len(STANCE_COLORS) - 1, int(position * len(STANCE_COLORS)))]


# Value-suppressing uncertainty palette (Correll, Moritz & Heer 2018, "Value-Suppressing Uncertainty Palettes"):
# the surer an estimate, the more of the palette it may use. Sure ("good") estimates take the classes' own
# colours; "fair" ones the same classes washed halfway to grey; "poor" ones only half as many colours, each
# two neighbouring classes merged and washed further, so an unsure value cannot be read as finely as a sure one.
UNCERTAINTY_LEVELS = ("good", "fair", "poor")
_WASH = {"good": 0.0, "fair": 0.45, "poor": 0.75}
_GREY = (0x9e, 0x9e, 0x9e)


def _mix(color: str, weight: float) -> str:
    """``color`` moved ``weight`` of the way to the palette's grey."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (g - c) * weight):02x}" for c, g in zip(rgb, _GREY, strict=True))


def suppressing_palette(colors: list[str]) -> dict[str, list[str]]:
    """Per uncertainty level, a colour for each value class (``colors``: the palette's, lowest first); at
    "poor", classes 2i and 2i+1 share one colour (the pair's upper one, washed)."""
    out = {level: [_mix(c, _WASH[level]) for c in colors] for level in ("good", "fair")}
    out["poor"] = [_mix(colors[min(len(colors) - 1, (i // 2) * 2 + 1)], _WASH["poor"]) for i in range(len(colors))]
    return out


def suppressed_class(value_class: int | None, level: str | None, k: int) -> int | None:
    """The bivariate class of a value class at an uncertainty level: value class + k x the level's rank (an
    unknown level counts as poor), so one flat colour list serves the map."""
    if value_class is None:
        return None
    rank = UNCERTAINTY_LEVELS.index(level) if level in UNCERTAINTY_LEVELS else len(UNCERTAINTY_LEVELS) - 1
    return value_class + k * rank
