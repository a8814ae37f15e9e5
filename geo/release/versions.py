"""Versions of a published dataset audited together: a new version may not single people out by difference.

Why: each version on its own passes the gate, but an attacker holds every version ever served. Publish v1, add
one respondent, publish v2: the city totals of the two differ by that one person, whose district, group and
answer fall out of the subtraction although their cell is hidden in both. The difference of two versions is a
table too, and the same threshold holds for it: every cell that both versions show must differ by no
respondent at all (and then in no figure) or by at least ``min_n`` respondents, and the same for the answerers of
each item (six new answers in a city would give those six people's mean).

Only published figures are compared (what an attacker has): respondents per cell from the districts table
(``n_rows``), from the scores (answerers + item non-respondents of every city, district and group cell) and
the dataset's total (metadata ``n``); for cells with the same respondents, every additive figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import BadInput

SAME = ("count", "weight_sum", "mean", "n", "nonresponse")  # figures that must not move when n does not


def _cells(tables: dict[str, pd.DataFrame], meta: dict[str, Any]) -> dict[tuple, dict[str, float]]:
    """Every shown cell's respondents ("people") and additive figures, keyed by where it is."""
    out: dict[tuple, dict[str, float]] = {("all cities", None, "all"): {"people": float(meta.get("n") or 0)}}
    districts = tables.get("districts")
    if districts is not None:
        for r in districts.to_dict("records"):
            if not _hidden(r) and _finite(r.get("n_rows")):
                out[(r["city"], str(r["district_id"]), "all")] = {"people": float(r["n_rows"]),
                                                                 "count": float(r.get("count") or 0)}
    scores = tables.get("scores")
    if scores is not None:
        for r in scores.to_dict("records"):
            if _hidden(r) or not _finite(r.get("n")):
                continue
            district = str(r["district_id"]) if r.get("level") == "district" else None
            cell = out.setdefault((r["city"], district, str(r["group"])), {})
            cell["people"] = float(r["n"]) + float(r.get("nonresponse") or 0)
            for name in ("weight_sum", "mean", "n"):
                if _finite(r.get(name)):
                    cell[f"{r['item']}:{name}"] = float(r[name])
    return out


def _hidden(row: dict[str, Any]) -> bool:
    return bool(row.get("suppressed")) is True


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and bool(np.isfinite(value))


def check(new: dict[str, pd.DataFrame], new_meta: dict[str, Any], served: Iterable[tuple[str, dict, dict]],
          min_n: int, name: str) -> list[str]:
    """Refuse (one line, ``BadInput``) a new version whose difference from any served version would single
    out fewer than ``min_n`` respondents; returns the versions it was audited with."""
    mine = _cells(new, new_meta)
    audited = []
    for version, tables, meta in served:
        audited.append(version)
        theirs = _cells(tables, meta)
        for key in sorted(set(mine) & set(theirs), key=str):
            a, b = mine[key], theirs[key]
            counts = [k for k in set(a) & set(b) if k == "people" or k.endswith(":n")]  # respondents, answerers
            small = sorted((abs(a[k] - b[k]), k != "people", k) for k in counts if 0 < abs(a[k] - b[k]) < min_n)
            moved = [k for k in set(a) & set(b) - {"people"} if not np.isclose(a[k], b[k], rtol=1e-9, atol=1e-9)]
            still = all(a[k] == b[k] for k in counts)
            if small or (still and moved):
                city, district, group = key
                where = ", ".join(filter(None, [str(city), district and f"district {district}",
                                                "all respondents" if group == "all" else f"group {group!r}"]))
                what = (f"{small[0][0]:g} respondent(s)" + ("" if small[0][2] == "people" else
                                                           f" answering {small[0][2].split(':')[0]}")
                        if small else f"its {', '.join(sorted(moved)[:3])} (same respondents)")
                raise BadInput(
                    f"dataset '{name}': the new version differs from the served {version} by {what} in {where}; "
                    f"with both published the difference would single them out; fix: publish a version in "
                    f"which every changed cell differs by at least {min_n} respondents, or retire {version} "
                    f"first if it was never shared (`qala datasets remove {name} --version {version}`)")
    return audited
