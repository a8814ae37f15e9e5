"""Gi* against a direct formula on a small known grid; H3 counts and hot-spot flags on hand-placed points."""

import h3
import numpy as np
import pytest
import shapely
from libpysal.weights import lat2W

from geo.errors import BadInput
from geo.indicators.hotspots import getis_ord_star, hex_counts, hex_weights, hotspots


def _gi_star_by_formula(y, neighbours):
    """Getis & Ord (1992), Ord & Getis (1995) z of G*_i with binary weights including the cell itself:

    z_i = (sum_j w_ij y_j - ybar * W_i) / (S * sqrt((n * W_i - W_i**2) / (n - 1)))
    with W_i = sum_j w_ij (= number of neighbours + 1), S = sqrt(sum y^2 / n - ybar^2).
    """
    n = len(y)
    ybar = y.mean()
    s = np.sqrt((y**2).mean() - ybar**2)
    z = np.empty(n)
    for i in range(n):
        js = [i, *neighbours[i]]
        wi = len(js)
        z[i] = (y[js].sum() - ybar * wi) / (s * np.sqrt((n * wi - wi**2) / (n - 1)))
    return z


def test_gi_star_matches_formula_on_5x5_lattice_with_hot_corner():
    # 5 x 5 queen lattice, values 1 everywhere except a 2 x 2 hot corner of 10s (cells 0, 1, 5, 6)
    w = lat2W(5, 5, rook=False)
    y = np.ones(25)
    y[[0, 1, 5, 6]] = 10
    result = getis_ord_star(y, w, permutations=0)
    expected = _gi_star_by_formula(y, {i: list(w.neighbors[i]) for i in range(25)})
    assert result["gi_z"].to_numpy() == pytest.approx(expected, rel=1e-9)
    # cell 0's star neighbourhood {0,1,5,6} is the hot corner itself: the highest z of the grid
    assert result["gi_z"].idxmax() == 0
    # far corner (24) is never flagged hot; p is two-sided: 2 * (1 - Phi(|z|))
    assert not result.loc[24, "hot"]
    from scipy.stats import norm

    assert result["gi_p"].to_numpy() == pytest.approx(2 * norm.sf(np.abs(expected)))
    assert result["gi_p_sim"].isna().all()


def test_gi_star_permutation_p_is_reproducible_with_fixed_seed():
    # the only test that runs esda's permutations (its numba compilation costs ~20 s once per process)
    w = lat2W(5, 5, rook=False)
    y = np.ones(25)
    y[[0, 1, 5, 6]] = 10
    a = getis_ord_star(y, w, permutations=99, seed=3, p_value="sim")
    b = getis_ord_star(y, w, permutations=99, seed=3, p_value="sim")
    assert (a["gi_p_sim"].to_numpy() == b["gi_p_sim"].to_numpy()).all()
    assert (a["gi_p"] == a["gi_p_sim"]).all()
    # pseudo p lies on the permutation grid k / (99 + 1) and the hot corner is the least likely under randomness
    assert np.allclose(a["gi_p_sim"] * 100, np.round(a["gi_p_sim"] * 100))
    assert a.loc[0, "gi_p_sim"] == a["gi_p_sim"].min()


def test_constant_values_give_no_statistic_not_zero():
    w = lat2W(3, 3)
    result = getis_ord_star(np.full(9, 4.0), w, permutations=0)
    assert result["gi_z"].isna().all() and not result["hot"].any()


def test_hex_counts_zero_fill_the_area_and_keep_weights():
    # three points in one res-8 cell near Baiterek (Astana), one a bit away, weights 1, 2, 3, 4
    lon = [71.4304, 71.4305, 71.4306, 71.47]
    lat = [51.1283, 51.1284, 51.1283, 51.15]
    area = shapely.box(71.40, 51.10, 71.50, 51.17)
    grid = hex_counts(lon, lat, [1, 2, 3, 4], res=8, area=area)
    cell = h3.latlng_to_cell(51.1283, 71.4304, 8)
    row = grid.set_index("hex_id").loc[cell]
    assert row["count"] == 6 and row["n_points"] == 3
    assert grid["count"].sum() == 10
    assert len(grid) > 20 and (grid["count"] == 0).sum() == len(grid) - 2
    # hexagons are counter-clockwise (RFC 7946 right-hand rule)
    assert all(shapely.is_ccw(g.exterior) for g in grid.geometry)


def test_hex_weights_are_ring_one_neighbours():
    centre = h3.latlng_to_cell(51.13, 71.43, 8)
    ring = list(h3.grid_ring(centre, 1))
    w = hex_weights([centre, *ring])
    assert sorted(w.neighbors[centre]) == sorted(ring)
    assert len(w.neighbors[ring[0]]) == 3  # centre + two adjacent ring cells


def test_hotspots_flag_a_dense_cluster_as_hot():
    rng = np.random.default_rng(11)
    # synthetic: 400 points spread over a box, 400 more packed around one spot
    lon = np.r_[rng.uniform(71.38, 71.52, 400), rng.normal(71.45, 0.004, 400)]
    lat = np.r_[rng.uniform(51.08, 51.18, 400), rng.normal(51.13, 0.003, 400)]
    grid = hotspots(lon, lat, res=8, area=shapely.box(71.38, 51.08, 71.52, 51.18), permutations=0)
    hot = grid[grid["hot"]]
    assert len(hot) > 0
    spot = h3.latlng_to_cell(51.13, 71.45, 8)
    assert spot in set(hot["hex_id"])
    assert not (grid["hot"] & grid["cold"]).any()


def test_unsupported_resolution_is_bad_input():
    with pytest.raises(BadInput, match="resolution"):
        hex_counts([71.4], [51.1], res=12)
