"""H3 hexagon counts and Getis-Ord Gi* hot and cold spots (PySAL ``esda``), with false discovery rate control.

Why hexagons: districts are few and unequal, so a point pattern inside them is better read on a regular grid. The
grid covers the whole study area (hexagons whose centre lies in it, plus any hexagon holding a point), so an empty
hexagon is a real zero count of the researcher's data, not a missing value. Neighbours are the six adjacent cells
(H3 ring 1); Gi* includes the cell itself (``star=True``) with binary weights, which is the textbook statistic of
Getis & Ord (1992, Geographical Analysis 24(3); Ord & Getis 1995, Geographical Analysis 27(4)).

Significance: two-sided p-values of the Gi* z-scores (normal approximation, as in ArcGIS' Hot Spot Analysis), then
the Benjamini-Hochberg false discovery rate threshold over all cells (``esda.fdr``), so about ``alpha`` of the flagged
cells are false discoveries. The conditional-permutation pseudo p-value (fixed seed, reproducible) is reported beside
it as ``gi_p_sim``; it is not the default for the FDR step because its floor, 1 / (permutations + 1), cannot pass the
Benjamini-Hochberg threshold k * alpha / n over thousands of cells unless permutations run into the hundreds of
thousands. ``p_value="sim"`` uses it anyway.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from geo.errors import BadInput

if TYPE_CHECKING:
    from libpysal.weights import W

H3_RESOLUTIONS = (7, 8, 9)
DEFAULT_SEED = 20240501
DEFAULT_PERMUTATIONS = 999


def _check_resolution(res: int) -> int:
    if int(res) not in H3_RESOLUTIONS:
        raise BadInput(f"H3 resolution {res} not supported; choose one of {H3_RESOLUTIONS} (--h3-res)")
    return int(res)


def hex_counts(
    lon: ArrayLike,
    lat: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    res: int = 8,
    area: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """Count (or sum ``weights`` of) points per H3 cell; with ``area`` (a shapely polygon), zero-fill its cells.

    Returns a GeoDataFrame in EPSG:4326 with ``hex_id``, ``res``, ``count``, ``n_points`` and the hexagon.
    """
    res = _check_resolution(res)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    w = np.ones(len(lon)) if weights is None else np.asarray(weights, dtype=float)
    cells = [h3.latlng_to_cell(y, x, res) for x, y in zip(lon, lat, strict=False)]
    frame = pd.DataFrame({"hex_id": cells, "count": w, "n_points": 1})
    counts = frame.groupby("hex_id", sort=True).sum()
    if area is not None and not area.is_empty:
        covering = set(h3.geo_to_cells(area, res)) - set(counts.index)
        extra = pd.DataFrame({"count": 0.0, "n_points": 0}, index=pd.Index(sorted(covering), name="hex_id"))
        counts = pd.concat([counts, extra]).sort_index()
    counts = counts.reset_index()
    geometry = [shapely.Polygon([(x, y) for y, x in h3.cell_to_boundary(c)]) for c in counts["hex_id"]]
    gdf = gpd.GeoDataFrame(counts, geometry=shapely.orient_polygons(geometry), crs="EPSG:4326")
    gdf.insert(1, "res", res)
    return gdf


def hex_weights(hex_ids: Iterable[str]) -> W:
    """Binary contiguity weights between H3 cells that share an edge (ring-1 neighbours in the set)."""
    from libpysal.weights import W

    ids = list(hex_ids)
    present = set(ids)
    neighbours = {c: [n for n in h3.grid_ring(c, 1) if n in present] for c in ids}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands are allowed: Gi* keeps the cell itself
        return W(neighbours, id_order=ids, silence_warnings=True)


def getis_ord_star(
    values: ArrayLike,
    w: W,
    *,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
    p_value: str = "norm",
) -> pd.DataFrame:
    """Gi* per unit: ``gi_z``, ``gi_p`` (two-sided normal p, or the permutation p with ``p_value="sim"``),
    ``gi_p_sim`` (NaN when ``permutations=0``) and FDR-significant ``hot``/``cold`` flags (Benjamini-Hochberg)."""
    from esda import G_Local, fdr

    if p_value not in ("norm", "sim") or (p_value == "sim" and not permutations):
        raise BadInput(f"p_value must be 'norm' or 'sim' (with permutations > 0), got {p_value!r}")
    y = np.asarray(values, dtype=float)
    if len(y) < 3 or np.isnan(y).any():
        raise BadInput(f"Gi* needs at least 3 units without NaN, got {len(y)} units")
    if y.sum() <= 0 or np.allclose(y, y[0]):
        nan = np.full(len(y), np.nan)
        return pd.DataFrame({"gi_z": nan, "gi_p": nan, "gi_p_sim": nan, "hot": False, "cold": False})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = G_Local(y, w, transform="B", permutations=permutations, star=True, seed=seed, n_jobs=1)
    p_sim = np.asarray(g.p_sim, dtype=float) if permutations else np.full(len(y), np.nan)
    p_norm = np.minimum(1.0, 2.0 * np.asarray(g.p_norm, dtype=float))  # esda's p_norm is one-sided
    p = p_sim if p_value == "sim" else p_norm
    significant = p <= fdr(p, alpha)
    z = np.asarray(g.Zs, dtype=float)
    return pd.DataFrame(
        {"gi_z": z, "gi_p": p, "gi_p_sim": p_sim, "hot": significant & (z > 0), "cold": significant & (z < 0)}
    )


def hotspots(
    lon: ArrayLike,
    lat: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    res: int = 8,
    area: shapely.Geometry | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
    p_value: str = "norm",
) -> gpd.GeoDataFrame:
    """Hexagon counts at ``res`` with Gi* z, p and FDR hot/cold flags (see module docstring for the method)."""
    grid = hex_counts(lon, lat, weights, res=res, area=area)
    stats = getis_ord_star(
        grid["count"].to_numpy(), hex_weights(grid["hex_id"]), permutations=permutations, seed=seed, alpha=alpha,
        p_value=p_value,
    )
    for col in stats.columns:
        grid[col] = stats[col].to_numpy()
    grid["permutations"] = permutations
    grid["seed"] = seed
    return grid
