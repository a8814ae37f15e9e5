"""Weighted survey estimates of score (Likert) items per district and city, with design-based intervals.

Design: respondents are treated as a with-replacement single-stage sample with one unit per row, no strata and
no clusters (what researchers' survey files give us: a weight per respondent). The mean of an item in a domain
(district or city, all respondents or one group) is the ratio ``sum w y / sum w`` over the respondents who
answered; its variance is the Taylor linearisation of that ratio as a domain estimate of the whole sample:
``V = N/(N-1) * sum_i w_i^2 (y_i - mean)^2 / (sum w)^2`` over the domain's answers, ``N`` every respondent in
``rows`` (item non-respondents are outside every domain, as in ``svy``) (Woodruff 1971; Wolter 2007, *Introduction to Variance Estimation*, ch. 6). Intervals use
Student's t with ``n - 1`` degrees of freedom (``n`` the domain's answers), as ``svy`` reports for domains.

Why not ``svy`` itself: it is the maintained survey library (samplics' successor) and computes exactly this,
but one call per item over 1 M rows takes about 1.5 s for the districts alone (bench/bench_survey.py --svy),
so 10 items with city and group domains are far over the 5 s budget (this module: about 0.7 s). Scores take few values, so every sum above is a sum over the scale points of
per-cell sums of w and w^2: three ``np.bincount`` passes per item give everything, exactly. ``svy`` is the
independent oracle in tests/test_survey_estimates.py (same means and SEs to 1e-6 on thousands of rows).

A two-point item (a share, ``geo.join.shares``) takes for its mean the top-box share's Wilson interval below.

Also per domain: Kish's effective n ``(sum w)^2 / sum w^2``; the top-box share (the ``top`` highest points)
with a Wilson interval on the design-effective n ``p(1-p)/se^2`` (Kish's n_eff when se is 0) and the same t
quantile (Korn & Graubard 1998); the weighted answer distribution; item non-response (NaN: don't know or
blank) counted, never scored. Shrinkage: district means pulled toward the city mean by empirical Bayes (Fay &
Herriot 1979, moment estimate of the between-district variance over the shown districts, at least
``SHRINK_MIN_DISTRICTS``), shown beside the raw mean.

These are the estimates before release: which of them may be shown is decided by the release gate
(``geo.release``) over every table at once, which then bands their reliability and shrinks the shown ones.
Reliability bands judge the 95% interval of a shown estimate by its half-width relative to the scale's range
(for Likert means the coefficient of variation depends on where the scale starts, so it is not used to band).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from geo.errors import BadInput

ALL = "all"
SHRINK_MIN_DISTRICTS = 3
# half-width of the 95% CI over (scale high - scale low): <= 0.10 "good", <= 0.20 "fair", above "poor"
# (on a 1-5 item: +-0.4 and +-0.8 points); suppressed estimates are "suppressed".
RELIABILITY_BANDS: tuple[tuple[str, float], ...] = (("good", 0.10), ("fair", 0.20))
VALUE_COLUMNS = ["n", "nonresponse", "weight_sum", "mean", "se", "ci_low", "ci_high", "n_eff", "cv",
                 "top_share", "top_ci_low", "top_ci_high", "dist", "shrunk_mean"]
KEY_COLUMNS = ["city", "level", "district_id", "item", "group"]
ESTIMATE_COLUMNS = [*KEY_COLUMNS, "scale", "top_box", *VALUE_COLUMNS[:-1], "reliability", "suppressed",
                    "suppression", "shrunk_mean"]
WIDE_FIELDS = ["mean", "ci_low", "ci_high", "n", "n_eff", "top_share", "top_ci_low", "top_ci_high",
               "reliability", "suppressed", "shrunk_mean"]
DIFF_COLUMNS = ["city", "level", "district_id", "item", "group_a", "group_b", "diff", "se", "ci_low", "ci_high",
                "n_a", "n_b", "suppressed"]


@dataclass(frozen=True)
class ScoreItem:
    """A score column and its scale; ``top`` highest points make the "top box" (top=2 on 1-5: 4 and 5)."""

    column: str
    low: int
    high: int
    inferred: bool = False
    top: int = 1

    @property
    def points(self) -> np.ndarray:
        return np.arange(self.low, self.high + 1)


def score_item(column: str, low: float, high: float, *, inferred: bool, top_box: int) -> ScoreItem:
    """The item a join scores: a two-point item (a share) has one top answer whatever ``--top-box`` says;
    ``BadInput`` when the top box covers a whole longer scale."""
    top = 1 if high - low == 1 else top_box
    if top >= high - low + 1:
        raise BadInput(f"--top-box {top_box} covers the whole scale {low:g}-{high:g} of {column!r}; give a "
                       "smaller top box")
    return ScoreItem(column, int(low), int(high), inferred=inferred, top=top)


def score_estimates(rows: pd.DataFrame, items: Sequence[ScoreItem], *, group: str | None = None,
                    level: float = 0.95, n_total: int | None = None) -> pd.DataFrame:
    """Long table: one row per (city, level, district_id, item, group) with the estimates, their interval and
    reliability (see the module docstring); nothing suppressed yet (``suppressed`` False): the release gate
    decides that over every table. ``n_total``: the sample's respondents when ``rows`` are only the part of
    it the domains need (default: ``rows`` are the whole sample)."""
    cells, domains = _domains(rows, group)
    total = len(rows) if n_total is None else n_total
    frames = [_item_frame(rows, item, cells, domains, level, total) for item in items]
    if not frames:
        return pd.DataFrame(columns=ESTIMATE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[ESTIMATE_COLUMNS]
    out.attrs = {}
    return out


def group_differences(estimates: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Per district and city and item of ``estimates`` (``score_estimates`` with a group): group a minus group
    b for every pair of groups (in sorted order), with se (the two domains share no respondent, so the
    covariance is 0 under this design), a t interval with Welch-Satterthwaite degrees of freedom, n_a, n_b;
    suppressed (and NaN) when either side is suppressed."""
    est = estimates[estimates["group"] != ALL]
    labels = sorted(est["group"].unique(), key=str)
    records = []
    for key, unit in est.groupby(["city", "level", "district_id", "item"], sort=False, dropna=False):
        by_group = unit.set_index("group")
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                if a in by_group.index and b in by_group.index:
                    records.append(_difference(key, a, b, by_group.loc[a], by_group.loc[b], level))
    return pd.DataFrame(records, columns=DIFF_COLUMNS)


def wide_scores(estimates: pd.DataFrame) -> pd.DataFrame:
    """District-level estimates of the "all" group, one column set ``{item}_{field}`` per item, indexed by
    district_id (for merging onto the district table)."""
    part = estimates[(estimates["level"] == "district") & (estimates["group"] == ALL)]
    blocks = []
    for item in pd.unique(part["item"]):
        sub = part[part["item"] == item].set_index("district_id")[WIDE_FIELDS]
        blocks.append(sub.rename(columns={f: f"{item}_{f}" for f in WIDE_FIELDS}))
    if not blocks:
        return pd.DataFrame(index=pd.Index([], name="district_id"))
    wide = pd.concat(blocks, axis=1)
    wide.index.name = "district_id"
    return wide


def join_wide(districts: pd.DataFrame, estimates: pd.DataFrame, items: Sequence[ScoreItem]) -> pd.DataFrame:
    """``districts`` with the ``{item}_*`` columns of ``wide_scores`` (replacing any there); a district without
    any respondent gets n 0 and reliability "no answers" (not suppressed: nothing to hide)."""
    wide = wide_scores(estimates)
    out = districts.drop(columns=[c for c in districts.columns
                                  if any(c == f"{i.column}_{f}" for i in items for f in WIDE_FIELDS)])
    out = out.join(wide, on="district_id")
    for item in items:
        empty = ~out["district_id"].isin(wide.index)
        out.loc[empty, f"{item.column}_n"] = 0.0
        out.loc[empty, f"{item.column}_reliability"] = "no answers"
        out[f"{item.column}_suppressed"] = out[f"{item.column}_suppressed"].eq(True)
    return out


def _domains(rows: pd.DataFrame, group: str | None) -> tuple[np.ndarray, pd.DataFrame]:
    """Cell code per row (district x group, 0 = no group) and the domain table: one row per estimate with
    ``cells`` (the cell codes it sums)."""
    missing = [c for c in ("city", "district_id", "weight", *([group] if group else [])) if c not in rows]
    if missing:
        raise BadInput(f"survey rows lack column(s) {missing}; pass the joined rows with city, district_id, weight")
    w = rows["weight"].to_numpy(dtype=float)
    if len(w) and not (np.isfinite(w) & (w > 0)).all():
        raise BadInput("survey weights must be finite and > 0; set aside rows with zero, negative or blank weights")
    units, uniques = pd.factorize(pd.MultiIndex.from_arrays([rows["city"], rows["district_id"]]))
    g_codes, g_labels = (pd.factorize(rows[group]) if group else (np.full(len(rows), -1), pd.Index([])))
    g_names = [str(v) for v in g_labels]
    if ALL in g_names:
        raise BadInput(f"group column {group!r} holds the value {ALL!r}, reserved for all respondents; rename it")
    cells = units * (len(g_names) + 1) + (np.asarray(g_codes) + 1)
    return cells, domain_table(list(uniques), g_names)


def domain_table(pairs: list[tuple], g_names: list[str]) -> pd.DataFrame:
    """One row per estimate over the (city, district_id) ``pairs`` and the groups ``g_names`` (in the order the
    rows first show them), each with the cell codes it sums (cell = pair position x (groups + 1) + group + 1,
    0 for no group): public so the out-of-core join builds the same table from its workers' sums."""
    n_g = len(g_names) + 1
    order = sorted(range(len(pairs)), key=lambda i: (str(pairs[i][0]), str(pairs[i][1])))
    cities = sorted({str(c) for c, _ in pairs})
    records = []
    for city in cities:
        mine = [i for i in order if str(pairs[i][0]) == city]
        for i in mine:
            records.append((city, "district", pairs[i][1], ALL, [i * n_g + g for g in range(n_g)]))
            records += [(city, "district", pairs[i][1], name, [i * n_g + g + 1]) for g, name in enumerate(g_names)]
        records.append((city, "city", None, ALL, [i * n_g + g for i in mine for g in range(n_g)]))
        records += [(city, "city", None, name, [i * n_g + g + 1 for i in mine]) for g, name in enumerate(g_names)]
    domains = pd.DataFrame(records, columns=["city", "level", "district_id", "group", "cells"])
    domains.attrs["n_cells"] = len(pairs) * n_g
    return domains


def _item_frame(rows: pd.DataFrame, item: ScoreItem, cells: np.ndarray, domains: pd.DataFrame,
                level: float, n_total: int) -> pd.DataFrame:
    if item.column not in rows:
        raise BadInput(f"score column {item.column!r} is not in the joined rows; check the column name")
    if not item.low < item.high or not 1 <= item.top < item.high - item.low + 1:
        raise BadInput(f"score item {item.column!r}: scale {item.low}-{item.high} with top box {item.top} is "
                       "not a scale; give low < high and 1 <= top < number of points")
    y = rows[item.column].to_numpy(dtype=float)
    answered = ~np.isnan(y)
    k = y[answered] - item.low
    n_points = item.high - item.low + 1
    if k.size and ((k < 0).any() or (k >= n_points).any() or (k != np.round(k)).any()):
        raise BadInput(f"score column {item.column!r} holds values off its {item.low}-{item.high} scale or "
                       "between its points; set them aside or give the right scale")
    w = rows["weight"].to_numpy(dtype=float)[answered]
    n_cells = int(domains.attrs["n_cells"])
    idx = cells[answered] * n_points + k.astype(np.int64)
    size = n_cells * n_points
    per_cell = [np.bincount(idx, weights=v, minlength=size).reshape(n_cells, n_points)
                for v in (None, w, w * w)]
    nonresp_cell = np.bincount(cells[~answered], minlength=n_cells)
    return item_estimates(item, domains, per_cell, nonresp_cell, n_total, level)


def item_estimates(item: ScoreItem, domains: pd.DataFrame, per_cell: Sequence[np.ndarray],
                   nonresp_cell: np.ndarray, n_total: int, level: float) -> pd.DataFrame:
    """One item's estimates per domain from per-cell, per-point sums of 1, w and w^2 (``per_cell``, each
    cells x points) and per-cell non-response: everything the estimates need, so the out-of-core join's
    workers send these sums and never rows."""
    members = domains["cells"].tolist()
    n_points = item.high - item.low + 1
    count, wsum, w2sum = (np.stack([a[m].sum(axis=0) for m in members]) if members else np.zeros((0, n_points))
                          for a in per_cell)
    est = domains.drop(columns="cells").copy()
    est.insert(3, "item", item.column)
    est["scale"] = f"{item.low}-{item.high}" + (" (inferred from the answers)" if item.inferred else "")
    est["top_box"] = f"{item.high - item.top + 1}-{item.high}"
    est["nonresponse"] = np.array([nonresp_cell[m].sum() for m in members], dtype=float)
    _fill(est, item, count, wsum, w2sum, n_total, level)
    est["suppressed"] = False
    est["suppression"] = ""
    est["reliability"] = reliability_of(est, {item.column: item.high - item.low})
    shrink(est)
    return est


def _fill(est: pd.DataFrame, item: ScoreItem, count: np.ndarray, wsum: np.ndarray, w2sum: np.ndarray,
          n_total: int, level: float) -> None:
    """Estimates from per-domain, per-point sums of 1, w and w^2 (exact: answers take only these points)."""
    n = count.sum(axis=1)
    W = wsum.sum(axis=1)
    Q = w2sum.sum(axis=1)
    points = item.points.astype(float)
    top = points >= item.high - item.top + 1
    factor = n_total / (n_total - 1) if n_total > 1 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = wsum @ points / W
        var = factor * (w2sum * (points[None, :] - mean[:, None]) ** 2).sum(axis=1) / W**2
        share = wsum[:, top].sum(axis=1) / W
        tops = top[None, :].astype(float)
        var_share = factor * (w2sum * (tops - share[:, None]) ** 2).sum(axis=1) / W**2
        n_eff = W**2 / Q
        q = stats.t.ppf(0.5 + level / 2, np.where(n > 1, n - 1, np.nan))
        se = np.sqrt(var)
        n_star = np.where(var_share > 0, share * (1 - share) / var_share, n_eff)
        low, high = _wilson(share, n_star, q)
        dist = wsum / W[:, None]
    est["n"] = n.astype(float)
    est["weight_sum"] = W
    est["mean"] = mean
    est["se"] = se
    if item.high - item.low == 1 and item.top == 1:  # a share (0/1): its mean's interval is Wilson's
        est["ci_low"], est["ci_high"] = item.low + low, item.low + high
    else:
        est["ci_low"] = mean - q * se
        est["ci_high"] = mean + q * se
    est["n_eff"] = n_eff
    est["cv"] = se / mean
    est["top_share"] = share
    est["top_ci_low"] = low
    est["top_ci_high"] = high
    keys = [str(p) for p in item.points]
    est["dist"] = [json.dumps(dict(zip(keys, np.round(r, 6).tolist(), strict=True))) if np.isfinite(r).all()
                   else None for r in dist]


def _wilson(p: np.ndarray, n: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a share ``p`` on (effective) ``n`` with quantile ``q``."""
    q2 = q * q
    denom = 1 + q2 / n
    centre = (p + q2 / (2 * n)) / denom
    half = q / denom * np.sqrt(p * (1 - p) / n + q2 / (4 * n * n))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def reliability_of(est: pd.DataFrame, scale_range: dict[str, float]) -> np.ndarray:
    """``RELIABILITY_BANDS`` label per estimate from its CI half-width over its item's scale range;
    "suppressed" where hidden, "no answers" where nobody answered, "poor" where no interval could be computed."""
    half = (est["ci_high"] - est["ci_low"]).to_numpy(dtype=float) / 2
    span = est["item"].map(scale_range).to_numpy(dtype=float)
    rel = half / span
    out = np.full(rel.shape, "poor", dtype=object)
    for label, limit in reversed(RELIABILITY_BANDS):
        out[np.isfinite(rel) & (rel <= limit)] = label
    out[(est["n"] == 0).to_numpy()] = "no answers"
    out[est["suppressed"].to_numpy(dtype=bool)] = "suppressed"
    return out


def shrink(est: pd.DataFrame) -> None:
    """Empirical-Bayes district means beside the raw ones: ``city + g (raw - city)``, ``g = tau2 / (tau2 +
    se^2)``, ``tau2 = max(0, mean((raw - city)^2) - mean(se^2))`` over the shown districts of the city and
    group; NaN at city level, where suppressed, and with fewer than ``SHRINK_MIN_DISTRICTS`` shown."""
    est["shrunk_mean"] = np.nan
    for (_city, _grp), part in est.groupby(["city", "group"], sort=False):
        city_rows = part[part["level"] == "city"]
        shown = part[(part["level"] == "district") & ~part["suppressed"] & part["se"].notna()]
        if city_rows.empty or len(shown) < SHRINK_MIN_DISTRICTS:
            continue
        centre = float(city_rows["mean"].iloc[0])
        raw, var = shown["mean"].to_numpy(), shown["se"].to_numpy() ** 2
        tau2 = max(0.0, float(np.mean((raw - centre) ** 2) - np.mean(var)))
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(tau2 + var > 0, tau2 / (tau2 + var), 1.0)
        est.loc[shown.index, "shrunk_mean"] = centre + gain * (raw - centre)


def _difference(key: tuple, a: str, b: str, ra: pd.Series, rb: pd.Series, level: float) -> dict:
    city, lvl, district, item = key
    hidden = bool(ra["suppressed"] or rb["suppressed"])
    va, vb = np.float64(ra["se"]) ** 2, np.float64(rb["se"]) ** 2
    na, nb = np.float64(ra["n"]), np.float64(rb["n"])
    diff = float(ra["mean"] - rb["mean"])
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1)) if va + vb > 0 else min(na, nb) - 1
        q = float(stats.t.ppf(0.5 + level / 2, df)) if df > 0 else np.nan
    se = np.sqrt(va + vb)
    values: tuple[float, ...] = (diff, se, diff - q * se, diff + q * se, float(na), float(nb))
    if hidden:
        values = (np.nan,) * 6
    return dict(zip(DIFF_COLUMNS, (city, lvl, district, item, a, b, *values, hidden), strict=True))
