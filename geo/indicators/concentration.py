"""Concentration statistics for a group across districts: location quotient, dissimilarity, isolation.

Each index is a small pure function over two aligned arrays, ``group`` (the group's count per district) and
``total`` (everyone counted per district, the group included), with its literature reference. They are written
out here rather than taken from PySAL so that the formula is readable next to its reference; ``pysal_check``
re-computes dissimilarity and isolation with PySAL ``segregation`` on the same data so a test (and every
``qala join`` report) can show both agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo.errors import BadInput


def _as_counts(group: ArrayLike, total: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Validate two aligned, non-negative count arrays with ``group <= total``."""
    x = np.asarray(group, dtype=float)
    t = np.asarray(total, dtype=float)
    if x.shape != t.shape or x.ndim != 1:
        raise BadInput(f"group and total counts must be 1-D arrays of one length, got {x.shape} and {t.shape}")
    if np.isnan(x).any() or np.isnan(t).any():
        raise BadInput("group or total counts hold NaN; drop or fill those districts explicitly first")
    if (x < 0).any() or (t < 0).any():
        raise BadInput("group or total counts are negative; counts and weights must be >= 0")
    if (x > t + 1e-9 * np.maximum(t, 1)).any():
        raise BadInput("a district's group count exceeds its total count; total must include the group")
    return x, t


def location_quotient(group: ArrayLike, total: ArrayLike) -> np.ndarray:
    """Location quotient per district: the group's share of the district over its share of the whole.

    ``LQ_i = (x_i / t_i) / (X / T)`` (Isard 1960, *Methods of Regional Analysis*, ch. 7; Florence 1948).
    1 means the district holds the group in the same proportion as the city; 2 means twice as concentrated.
    A district with nobody counted (``t_i = 0``) has no share to compare: NaN, never 0.
    """
    x, t = _as_counts(group, total)
    X, T = x.sum(), t.sum()
    if T == 0 or X == 0:
        return np.full(x.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (x / t) / (X / T)
    return np.where(t > 0, lq, np.nan)


def dissimilarity(group: ArrayLike, total: ArrayLike) -> float:
    """Index of dissimilarity D between the group and everyone else (Duncan & Duncan 1955).

    ``D = 1/2 * sum_i | x_i / X - (t_i - x_i) / (T - X) |``: the share of the group that would have to move
    for it to be spread across districts like the rest (Massey & Denton 1988, "The dimensions of residential
    segregation", Social Forces 67(2)). NaN when the group is nobody or everybody.
    """
    x, t = _as_counts(group, total)
    X, T = x.sum(), t.sum()
    if X == 0 or X == T:
        return float("nan")
    return float(0.5 * np.abs(x / X - (t - x) / (T - X)).sum())


def isolation(group: ArrayLike, total: ArrayLike) -> float:
    """Isolation index xPx: the group's share in the district of an average group member (Bell 1954).

    ``xPx = sum_i (x_i / X) * (x_i / t_i)`` over districts with ``t_i > 0`` (Massey & Denton 1988). It equals
    the group's overall share when the group is spread evenly and 1 when it lives alone.
    """
    x, t = _as_counts(group, total)
    X = x.sum()
    if X == 0:
        return float("nan")
    occupied = t > 0
    return float(((x[occupied] / X) * (x[occupied] / t[occupied])).sum())


def pysal_check(group: ArrayLike, total: ArrayLike) -> dict[str, float]:
    """The same two indices from PySAL ``segregation`` (aspatial ``Dissim`` and ``Isolation``) on the same data."""
    from segregation.singlegroup import Dissim, Isolation

    x, t = _as_counts(group, total)
    frame = pd.DataFrame({"group": x, "total": t})
    if x.sum() == 0 or x.sum() == t.sum():
        return {"dissimilarity": float("nan"), "isolation": float("nan") if x.sum() == 0 else 1.0}
    return {
        "dissimilarity": float(Dissim(frame, "group", "total").statistic),
        "isolation": float(Isolation(frame, "group", "total").statistic),
    }


def group_indices(counts: pd.DataFrame, tolerance: float = 1e-9) -> pd.DataFrame:
    """Dissimilarity and isolation for every group column of ``counts`` (rows: districts), with PySAL's values.

    The total per district is the row sum over all groups, so each group is compared with the rest of the
    counted population. Returns one row per group: group, n (its total), share, dissimilarity, isolation,
    their PySAL values and ``pysal_agrees`` (both within ``tolerance``).
    """
    total = counts.sum(axis=1).to_numpy(dtype=float)
    rows = []
    for group in counts.columns:
        x = counts[group].to_numpy(dtype=float)
        ours = {"dissimilarity": dissimilarity(x, total), "isolation": isolation(x, total)}
        theirs = pysal_check(x, total)
        agrees = all(
            (np.isnan(ours[k]) and np.isnan(theirs[k])) or abs(ours[k] - theirs[k]) <= tolerance for k in ours
        )
        rows.append(
            {
                "group": group,
                "n": float(x.sum()),
                "share": float(x.sum() / total.sum()) if total.sum() else float("nan"),
                **ours,
                "dissimilarity_pysal": theirs["dissimilarity"],
                "isolation_pysal": theirs["isolation"],
                "pysal_agrees": bool(agrees),
            }
        )
    return pd.DataFrame(rows)
