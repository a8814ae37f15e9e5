"""Rows to districts: by coordinates (point in polygon, ``geo.engines``) or by district names
(``geo.domain.names``).

Each returns, per row, the position of its district in the chosen districts (-1: none) and, for the rows with
none, the reason (``geo.join.rules``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.domain.names import district_candidates, district_record
from geo.engines.grid import assign_points
from geo.errors import InternalError
from geo.join.choose import Boundaries
from geo.join.rules import elsewhere_reason, name_reason, other_city_reason, outside_reason
from geo.join.table import UserTable


def assign_by_coordinates(
    table: UserTable,
    chosen: pd.DataFrame,
    boundaries: Boundaries,
    city: str,
    vintage: str,
    *,
    engine: str = "builtin",
    scheduler: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """District position per row (-1: none) and why not: in another city (its current districts), or outside
    all.

    ``engine="dask"`` runs the point-in-district join on a dask cluster (``scheduler``, or a local one).
    """
    lon = table.rows["lon"].to_numpy(dtype=float)
    lat = table.rows["lat"].to_numpy(dtype=float)
    with_geometry = chosen.geometry.notna().to_numpy()
    if engine == "dask":
        from geo.engines.outofcore import assign_points_dask

        points = pd.DataFrame({"lon": lon, "lat": lat})
        assigned = assign_points_dask(chosen[with_geometry], points, scheduler=scheduler)
        if not isinstance(assigned, pd.Series):  # no output folder given: the positions come back
            raise InternalError("assign: the engine returned no positions")
        raw = assigned.to_numpy()
    else:
        raw = assign_points(chosen[with_geometry], lon, lat)
    position = np.where(raw >= 0, np.flatnonzero(with_geometry)[np.maximum(raw, 0)], -1)
    reasons = np.full(len(lon), None, dtype=object)
    outside = position < 0
    if outside.any():
        others = boundaries.latest_of_every_city()
        others = others[others["city"] != city].reset_index(drop=True)
        elsewhere = (assign_points(others, lon[outside], lat[outside]) if len(others)
                     else np.full(outside.sum(), -1))
        other_city = np.where(elsewhere >= 0, others["city"].to_numpy()[np.maximum(elsewhere, 0)], None)
        reasons[outside] = [other_city_reason(str(c), city) if c else outside_reason(city, vintage)
                            for c in other_city]
    return position, reasons


def assign_by_names(
    table: UserTable, chosen: pd.DataFrame, city: str, vintage: str, *, by_column: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """District position per row (-1: none) from the names, in any spelling, and why a name matched none
    (naming the other city when the name is a district of another city; ``by_column``: the city came from
    that column, not from ``--city``)."""
    ids = chosen["district_id"].tolist()
    position = np.full(len(table.rows), -1)
    reasons = np.full(len(table.rows), None, dtype=object)
    verdicts: dict[str, tuple[int, str | None]] = {}
    for name in table.rows["district_name"].unique():
        found = district_candidates(str(name), city)
        if len(found) == 1 and next(iter(found)) in ids:
            verdicts[name] = (ids.index(next(iter(found))), None)
        elif not found and (elsewhere := {district_record(d)["city"] for d in district_candidates(str(name))}):
            verdicts[name] = (-1, elsewhere_reason(name, elsewhere, city, by_column))
        else:
            verdicts[name] = (-1, name_reason(name, found, city, vintage))
    for i, name in enumerate(table.rows["district_name"]):
        position[i], reasons[i] = verdicts[name]
    return position, reasons


def shown(rows: pd.DataFrame) -> list[str]:
    """The cells shown beside a row set aside after the join: its district name, or ``lon, lat``."""
    if "district_name" in rows:
        return [str(n) for n in rows["district_name"]]
    return [f"{x}, {y}" for x, y in zip(rows["lon"], rows["lat"], strict=True)]
