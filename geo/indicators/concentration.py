"""Concentration statistics for a group across districts: location quotient, dissimilarity, isolation.

Each index is a small pure function over two aligned arrays, ``group`` (the group's count per district) and
``total`` (everyone counted per district, the group included), with its literature reference. They are written
out here rather than taken from PySAL so that the formula is readable next to its reference; ``pysal_check``
re-computes dissimilarity and isolation with PySAL ``segregation`` on the same data so a test (and every
``qala join`` report) can show both agree.

Inference, because a sample spread at random over districts still gives D > 0 (a 3-city survey with groups
allocated at random showed D = 0.055): ``lq_intervals`` gives each location quotient a delta-method interval on
log LQ, and ``segregation_tests`` compares D and xPx with their distribution under random allocation from
PySAL ``segregation.inference.SingleValueTest`` (seeded, permutations configurable).
"""

from __future__ import annotations

import contextlib
import io
import warnings

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


def group_indices(counts: pd.DataFrame, tolerance: float = 1e-9, *, row_counts: pd.DataFrame | None = None,
                  permutations: int = 0, seed: int = 0, null: str = "systematic") -> pd.DataFrame:
    """Dissimilarity and isolation for every group column of ``counts`` (rows: districts), with PySAL's values.

    The total per district is the row sum over all groups, so each group is compared with the rest of the
    counted population. Returns one row per group: group, n (its total), share, dissimilarity, isolation,
    their PySAL values and ``pysal_agrees`` (both within ``tolerance``). With ``permutations`` > 0, also the
    tests against random allocation of ``segregation_tests`` on ``row_counts`` (respondents per district and group;
    ``counts`` when None).
    """
    total = counts.sum(axis=1).to_numpy(dtype=float)
    records = []
    for group in counts.columns:
        x = counts[group].to_numpy(dtype=float)
        ours = {"dissimilarity": dissimilarity(x, total), "isolation": isolation(x, total)}
        theirs = pysal_check(x, total)
        agrees = all(
            (np.isnan(ours[k]) and np.isnan(theirs[k])) or abs(ours[k] - theirs[k]) <= tolerance for k in ours
        )
        records.append(
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
    table = pd.DataFrame(records)
    if permutations > 0:
        tests = segregation_tests(counts if row_counts is None else row_counts, permutations, seed=seed, null=null)
        table = table.merge(tests, on="group", how="left")
    return table


def lq_intervals(counts: pd.DataFrame, variances: pd.DataFrame, level: float = 0.95) -> tuple[pd.DataFrame,
                                                                                             pd.DataFrame]:
    """Lower and upper bounds of every location quotient of a districts x groups ``counts`` table.

    Delta method on ``log LQ = log a - log(a+b) - log(a+c) + log N`` over the 2x2 table of a district and a
    group (a: the group there, b: others there, c: the group elsewhere, d: others elsewhere), taking the four
    totals as independent with the cell ``variances`` given (a count's own value for unweighted Poisson
    counts, the sum of squared weights for weighted ones): ``var = sum_k (d log LQ / d k)^2 var_k``, then
    ``exp(log LQ +- z sqrt(var))`` with the normal quantile (after Moineddin, Beyene & Boyle 2003, "On the
    location quotient confidence interval", Geographical Analysis 35(3)). NaN where LQ is 0 or undefined.
    """
    from scipy.stats import norm

    a = counts.to_numpy(dtype=float)
    v = variances.reindex(index=counts.index, columns=counts.columns).fillna(0.0).to_numpy(dtype=float)
    t, X, T = a.sum(axis=1, keepdims=True), a.sum(axis=0, keepdims=True), a.sum()
    vt, vX, vT = v.sum(axis=1, keepdims=True), v.sum(axis=0, keepdims=True), v.sum()
    var_a, var_b, var_c = v, vt - v, vX - v
    var_d = vT - var_a - var_b - var_c
    with np.errstate(divide="ignore", invalid="ignore"):
        da = 1 / a - 1 / t - 1 / X + 1 / T
        db = -1 / t + 1 / T
        dc = -1 / X + 1 / T
        dd = 1 / T
        var = da**2 * var_a + db**2 * var_b + dc**2 * var_c + dd**2 * var_d
        log_lq = np.log((a / t) / (X / T))
    z = float(norm.ppf(0.5 + level / 2))
    ok = (a > 0) & np.isfinite(log_lq) & np.isfinite(var)
    half = z * np.sqrt(np.where(ok, var, np.nan))
    low = np.where(ok, np.exp(log_lq - half), np.nan)
    high = np.where(ok, np.exp(log_lq + half), np.nan)
    frame = lambda x: pd.DataFrame(x, index=counts.index, columns=counts.columns)  # noqa: E731
    return frame(low), frame(high)


def segregation_tests(counts: pd.DataFrame, permutations: int, *, seed: int = 0,
                      null: str = "systematic") -> pd.DataFrame:
    """Dissimilarity and isolation of each group tested against random allocation, per group: ``*_p`` and
    ``*_null_mean``.

    PySAL ``segregation.inference.SingleValueTest`` with ``null`` "systematic" (each group's members drawn
    into districts in proportion to district size, Allen et al. 2015) or "evenness", ``permutations``
    simulations, seeded (numpy's global generator, restored afterwards; one process so the seed holds). The
    p-value is one-sided (is it more segregated than chance?): ``(k + 1) / (permutations + 1)``, ``k`` the
    simulations at or above the observed value. Counts must be whole people (respondents, not weights).
    """
    from segregation.inference import SingleValueTest
    from segregation.singlegroup import Dissim, Isolation

    whole = counts.to_numpy(dtype=float)
    if (whole != np.round(whole)).any():
        raise BadInput("segregation tests need whole counts of respondents; pass rows per district, not weights")
    total = whole.sum(axis=1)
    records = []
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        for j, group in enumerate(counts.columns):
            frame = pd.DataFrame({"group": whole[:, j].astype(int), "total": total.astype(int)})
            record: dict[str, object] = {"group": group}
            for name, index in (("dissimilarity", Dissim), ("isolation", Isolation)):
                x = frame["group"].sum()
                if x == 0 or x == frame["total"].sum():
                    record.update({f"{name}_p": np.nan, f"{name}_null_mean": np.nan})
                    continue
                with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
                    warnings.simplefilter("ignore")
                    test = SingleValueTest(index(frame, "group", "total"), iterations_under_null=permutations,
                                           null_approach=null, two_tailed=False, n_jobs=1)
                sims = np.asarray(test.est_sim, dtype=float)
                record[f"{name}_p"] = float(((sims >= test.statistic).sum() + 1) / (sims.size + 1))
                record[f"{name}_null_mean"] = float(sims.mean())
            records.append(record)
    finally:
        np.random.set_state(state)
    record_keys = ["group", "dissimilarity_p", "dissimilarity_null_mean", "isolation_p", "isolation_null_mean"]
    return pd.DataFrame(records, columns=record_keys)
