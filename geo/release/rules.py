"""Which cells are sensitive on their own (primary suppression), and what protection a hidden one needs.

Primary rules, as statistical offices' output checkers apply them (ACRO's threshold and NK rules): a cell with
respondents is sensitive when fewer than ``min_n`` are behind it (or behind any item's estimate), when Kish's
effective n of their weights is below ``min_n`` (a weighted estimate from 12 people whose weights make it
worth 3 is an estimate from 3), or when one respondent carries more than ``top1`` of its weight or two more
than ``top2`` (the mean is then essentially that person's answer). Empty cells reveal nobody.

Protection (the audit's requirement for a sensitive hidden cell): whatever everything published allows, an
attacker's interval for its respondents must reach ``protection x min_n`` below and above the true count, and
up to at least ``min_n`` (so "fewer than min_n" can never be concluded); for its summed weight and each item's
summed answers the interval must reach the same share of the value (``protection x min_n / n`` of it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.release.cells import Cells, Item
from geo.settings import DOMINANCE_TOP1, DOMINANCE_TOP2, PROTECTION, survey_min_n

REASONS = ("threshold", "n_eff", "dominance")


@dataclass(frozen=True)
class Policy:
    """The gate's levels (defaults: geo.settings)."""

    min_n: int
    top1: float = DOMINANCE_TOP1
    top2: float = DOMINANCE_TOP2
    protection: float = PROTECTION

    @classmethod
    def default(cls, min_n: int | None = None) -> Policy:
        return cls(min_n=survey_min_n() if min_n is None else int(min_n))

    @property
    def half_width(self) -> float:
        """Respondents of doubt required on either side of a sensitive cell's count."""
        return self.protection * self.min_n

    def as_dict(self) -> dict:
        return {"threshold": {"min_n": self.min_n}, "n_eff": {"min": self.min_n},
                "dominance": {"top1": self.top1, "top2": self.top2},
                "protection": {"count_half_width": self.half_width, "count_upper_at_least": self.min_n,
                               "weighted_half_width_respondents": self.half_width}}


def sensitive(cells: Cells, items: list[Item], policy: Policy) -> np.ndarray:
    """Per cell the first primary rule it breaks ("threshold", "n_eff", "dominance") or ""."""
    reason = np.full(len(cells.members), "", dtype=object)
    checks = [("n", "w", "")] + [(f"{i.column}:n", None, i.column) for i in items]
    for count_key, weight_key, top_key in checks:
        n = cells.total(count_key)
        if weight_key is None:  # an item's answerers: their weight is the sum over its points
            w = sum(cells.total(f"{top_key}:p{p}") for p in next(i for i in items if i.column == top_key).points)
            q = cells.total(f"{top_key}:q")
        else:
            w = cells.total(weight_key)
            q = _squares(cells)
        top = cells.cell_top2(top_key)
        live = n > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(q > 0, w * w / q, n)
            dominated = (top[:, 0] > policy.top1 * w) | (top.sum(axis=1) > policy.top2 * w)
        for code, hit in (("threshold", n < policy.min_n), ("n_eff", n_eff < policy.min_n - 1e-9),
                          ("dominance", dominated)):
            reason[(reason == "") & live & hit] = code
    return reason


def _squares(cells: Cells) -> np.ndarray:
    """Sum of squared weights of every respondent of each cell (all rows, answerers or not)."""
    return cells.total("w2") if "w2" in cells.quantities else np.zeros(len(cells.members))


def protected(value: float, low: float, high: float, n: float, policy: Policy, *, weighted: bool,
              tolerance: float = 1e-7) -> bool:
    """Whether an attacker's interval [low, high] for a sensitive cell's quantity keeps its protection."""
    if weighted:
        share = policy.half_width / max(n, 1.0)
        need_low, need_high = max(0.0, value * (1 - share)), value * (1 + share)
    else:
        need_low = max(0.0, value - policy.half_width)
        need_high = max(value + policy.half_width, float(policy.min_n))
    slack = tolerance * max(1.0, abs(value))
    return low <= need_low + slack and high >= need_high - slack
