"""One set of row rules: the in-memory join and the out-of-core join (dask on Parquet) set aside the same rows
for the same reasons, in the same order of precedence; and the rules themselves, unit by unit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import store
from geo.engines.synthetic import write_partitioned_parquet
from geo.errors import CRSError
from geo.io.userfile import Columns
from geo.join.outofcore import ASIDE, prepare_partition, read_spec
from geo.join.pipeline import join_user_data
from geo.join.rules import OUT_OF_RANGE, SetAside, check_rows, decide_swap, parse_numbers, text_cells
from geo.join.table import read_user_file

OUTSIDE = "outside every district of Astana (astana-6)"
NAN, INF = np.nan, np.inf


@pytest.fixture(scope="module")
def cluster_address():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def bad_rows(built) -> tuple[pd.DataFrame, dict[int, str]]:
    """Rows that break every rule, some several at once (the first rule met wins), and the reason expected per
    row number; rows without one are joined."""
    astana, almaty = store.load_districts("Astana"), store.load_districts("Almaty")

    def inside(frame: pd.DataFrame, name: str) -> tuple[float, float]:
        point = frame.loc[frame["name_en"] == name].geometry.iloc[0].representative_point()
        return point.x, point.y

    (ex, ey), (sx, sy), (mx, my) = inside(astana, "Esil"), inside(astana, "Saryarka"), inside(almaty, "Medeu")
    rows = [  # lon, lat, group, weight -> reason (None: joined)
        (ex, ey, "a", 1.0, None),
        (sx, sy, "b", 2.0, None),
        (ex, ey, "a", 0.0, None),  # a zero weight is kept: the row counts, with weight 0
        (sx, sy, "b", 1.0, None),
        (ex, NAN, "a", 1.0, "missing latitude in column 'lat'"),
        (INF, ey, "a", 1.0, "non-numeric longitude in column 'lon'"),
        (NAN, NAN, None, -1.0, "missing latitude in column 'lat'"),  # latitude first of all
        (-INF, 95.0, "a", 1.0, "non-numeric longitude in column 'lon'"),  # parsing before the range
        (ex, 95.0, "a", 1.0, OUT_OF_RANGE),
        (200.0, ey, None, -3.0, OUT_OF_RANGE),  # the range before the group and the weight
        (68.0, 47.0, "a", 1.0, OUTSIDE),  # in Kazakhstan, in no city
        (mx, my, "b", 1.0, "in Almaty, not in the chosen city Astana"),
        (ey, ex, "a", 1.0, OUTSIDE),  # this one row swapped: in range, near the pole
        (ex, ey, None, 1.0, "missing group in column 'group'"),
        (ex, ey, "n/a", -2.0, "missing group in column 'group'"),  # the group before the weight
        (ex, ey, "  ", 1.0, "missing group in column 'group'"),
        (ex, ey, "b", -0.5, "negative weight in column 'w'"),
        (ex, ey, "a", NAN, "missing weight in column 'w'"),
        (ex, ey, "b", INF, "non-numeric weight in column 'w'"),
        (mx, my, None, NAN, "missing group in column 'group'"),  # rules before the spatial join
    ]
    frame = pd.DataFrame([r[:4] for r in rows], columns=["lon", "lat", "group", "w"])
    frame = pd.concat([frame] * 3, ignore_index=True)  # three copies: partitions cut through them
    expected = {i + 1: rows[i % len(rows)][4] for i in range(len(frame)) if rows[i % len(rows)][4]}
    return frame, expected


def _files(frame: pd.DataFrame, folder, swapped: bool):
    if swapped:  # the whole file with latitude and longitude exchanged: values stay, names swap
        frame = frame.rename(columns={"lon": "lat", "lat": "lon"})[["lon", "lat", "group", "w"]]
    single = folder / "rows.parquet"
    frame.to_parquet(single)
    csv = folder / "rows.csv"
    frame.to_csv(csv, index=False)  # NaN as an empty cell, inf as the text "inf"
    parts = write_partitioned_parquet(frame, folder / "parts", 4)
    return single, csv, parts


@pytest.mark.parametrize("swapped", [False, True], ids=["straight", "swapped-file"])
def test_in_memory_and_out_of_core_set_aside_the_same_rows_for_the_same_reasons(
        tmp_path, bad_rows, cluster_address, swapped):
    frame, expected = bad_rows
    single, csv, parts = _files(frame, tmp_path, swapped)
    options = {"city": "Astana", "group_col": "group", "weight_col": "w", "h3_res": [8], "permutations": 0}
    in_memory = join_user_data(single, **options)
    from_text = join_user_data(csv, **options)
    out_of_core = join_user_data(parts, engine="dask", scheduler=cluster_address, **options)

    by_row = dict(zip(in_memory.set_aside["row"], in_memory.set_aside["reason"], strict=True))
    if not swapped:
        assert by_row == expected
    else:  # the same rows; the column named in a parsing reason is the one the value was in
        assert sorted(by_row) == sorted(expected)
        assert any("swapped" in n for n in in_memory.report["notes"])
        assert any("swapped" in n for n in out_of_core.report["notes"])
    columns = ["row", "reason"]
    pd.testing.assert_frame_equal(from_text.set_aside[columns], in_memory.set_aside[columns])

    # every rule before the spatial join, row by row, in the out-of-core partition function
    spec, *_ = read_spec(parts, "parts", None, None, "group", "w")
    spec.swap = swapped
    prepared = pd.concat([prepare_partition(pd.read_parquet(p, columns=spec.read), spec)
                          for p in sorted(parts.glob("*.parquet"))], ignore_index=True)
    early = {i + 1: key[1:] for i, key in enumerate(prepared["key"]) if key.startswith(ASIDE)}
    table = read_user_file(single, group_col="group", weight_col="w")
    assert early == dict(zip(table.set_aside["row"], table.set_aside["reason"], strict=True))
    assert prepared.loc[prepared["key"].str.startswith(ASIDE), ["lon", "lat", "weight"]].isna().all().all()

    # and after it: the same reasons, counted, and the same joined rows per district
    counted = dict(zip(out_of_core.set_aside["reason"], out_of_core.set_aside["rows"], strict=True))
    assert counted == in_memory.set_aside["reason"].value_counts().to_dict()
    for key in ("set_aside_by_reason", "input_rows", "joined_rows", "set_aside_rows"):
        assert out_of_core.report[key] == in_memory.report[key] == from_text.report[key], key
    assert list(out_of_core.report["set_aside_by_reason"]) == list(in_memory.report["set_aside_by_reason"])
    d, m = out_of_core.districts.set_index("district_id"), in_memory.districts.set_index("district_id")
    assert d["n_rows"].equals(m["n_rows"])
    np.testing.assert_allclose(d["count"], m["count"])
    assert m["n_rows"].sum() == 12 and m["count"].sum() == 12.0  # 4 joined rows x 3 copies, weights 1+2+0+1


# ------------------------------------------------------------------------------------------------ unit rules


def test_first_reason_wins_and_cells_are_shown():
    aside = SetAside(3)
    aside.mark([True, True, False], "first", pd.Series(["x", "y", "z"]))
    aside.mark([False, True, True], "second", pd.Series(["x", "y", "z" * 100]))
    assert aside.reasons.tolist() == ["first", "first", "second"]
    assert aside.values.tolist() == ["x", "y", "z" * 60]
    quiet = SetAside(2, keep_values=False)
    quiet.mark([True, False], "r", lambda: pytest.fail("values are not computed when not kept"))
    assert quiet.reasons.tolist() == ["r", None] and quiet.values.tolist() == [None, None]


def test_numbers_from_text_and_from_numeric_columns_agree():
    text = pd.Series(["51,12", " 51.12 ", "", "nan", "abc", "inf", "-7e3", "\u00a051.5"], name="c")
    numeric = pd.Series([51.12, 51.12, NAN, NAN, INF, INF, -7e3, 51.5], name="c")
    results = []
    for column in (text, numeric):
        aside = SetAside(len(column))
        results.append((parse_numbers(column, aside, "latitude in column 'c'"), aside.reasons.tolist()))
    (t_values, t_reasons), (n_values, n_reasons) = results
    np.testing.assert_array_equal(t_values, n_values)
    missing, non_numeric = "missing latitude in column 'c'", "non-numeric latitude in column 'c'"
    assert t_reasons == n_reasons == [None, None, missing, missing, non_numeric, non_numeric, None, None]


def test_text_cells_treat_na_like_cells_as_missing():
    aside = SetAside(5)
    cells = text_cells(pd.Series([" a ", "", "N/A", None, "—"], name="g"), aside, "group")
    assert cells.tolist() == ["a", None, None, None, None]
    assert aside.reasons.tolist() == [None] + ["missing group in column 'g'"] * 4


def test_swap_is_decided_by_kazakhstan_and_projected_files_are_refused():
    lon, lat = np.array([51.1, 51.2, 71.4]), np.array([71.4, 71.5, 51.1])
    swap, note = decide_swap(lon, lat, np.ones(3, bool), "f.csv")
    assert swap and "2 of 3 rows" in note
    assert decide_swap(lon, lat, np.ones(3, bool), "f.csv", allowed=False) == (False, None)
    with pytest.raises(CRSError, match=r"f.csv: .*row 2: 480000.0, 5660000.0.*projected"):
        decide_swap(np.array([NAN, 480_000.0]), np.array([NAN, 5_660_000.0]), np.array([False, True]),
                    "f.csv")


def test_check_rows_with_a_given_swap_does_not_decide_again():
    frame = pd.DataFrame({"lat": [71.4, 5_000_000.0], "lon": [51.1, 400_000.0]})
    checked = check_rows(frame, Columns(lat="lat", lon="lon"), "f", swap=True, keep_values=False)
    assert checked.swap and checked.lon.tolist()[0] == 71.4
    assert checked.aside.reasons.tolist() == [None, OUT_OF_RANGE]


def test_a_tie_between_straight_and_swapped_rows_keeps_the_file_as_written():
    """One row fits Kazakhstan as written (51 N, 71 E), one only when swapped: a tie is no evidence of a swap."""
    from geo.join.rules import decide_swap

    lon, lat = np.array([71.4, 51.1]), np.array([51.1, 71.4])
    usable = np.array([True, True])
    assert decide_swap(lon, lat, usable, "tie.csv") == (False, None)
    # one more row that fits only swapped tips it: 2 of 3 fit Kazakhstan only when swapped
    swap, note = decide_swap(np.append(lon, 51.2), np.append(lat, 71.5), np.array([True] * 3), "more.csv")
    assert swap and "2 of 3 rows" in note


def test_a_file_with_nothing_set_aside_reports_no_reason_on_either_engine(tmp_path, bad_rows, cluster_address):
    """Only the joined rows of the rule table: no reason at all, not an empty reason with 0 rows."""
    frame, expected = bad_rows
    clean = frame[[i + 1 not in expected for i in range(len(frame))]].reset_index(drop=True)
    single, _csv, parts = _files(clean, tmp_path, False)
    options = {"city": "Astana", "group_col": "group", "weight_col": "w", "h3_res": [], "permutations": 0}
    for result in (join_user_data(single, **options),
                   join_user_data(parts, engine="dask", scheduler=cluster_address, **options)):
        assert result.report["set_aside_by_reason"] == {} and result.report["set_aside_rows"] == 0
        assert result.report["joined_rows"] == len(clean) == 12


def test_set_aside_takes_a_mask_of_0_and_1_and_computes_shown_cells_when_kept():
    aside = SetAside(3)
    # 0/1 flags are a mask (rows 2 and 3), not positions (which would mark rows 1 and 2)
    aside.mark(np.array([0, 1, 1]), "flagged", lambda: pd.Series(["a", "b", "c"]))
    assert aside.reasons.tolist() == [None, "flagged", "flagged"]
    assert aside.values.tolist() == [None, "b", "c"]  # the callable's cells, of the marked rows only
    assert aside.usable.tolist() == [True, False, False]


# ------------------------------------------------------------------------------------- one bad weight, one row

ZERO = "zero weight in column 'Вес' (a respondent with weight 0 carries no answer)"
WEIGHT_CELLS = [  # the cell of one respondent's weight -> the reason that row is set aside (None: joined)
    ("inf", "non-numeric weight in column 'Вес'"),
    ("-Infinity", "non-numeric weight in column 'Вес'"),
    ("1e309", "non-finite weight in column 'Вес' (too large to hold as a number)"),  # overflows to inf
    ("-1e309", "non-finite weight in column 'Вес' (too large to hold as a number)"),
    ("1e308", "weight too large in column 'Вес' (above 1e+09: a code or an overflow, not a number of people)"),
    ("1e15", "weight too large in column 'Вес' (above 1e+09: a code or an overflow, not a number of people)"),
    ("nan", "missing weight in column 'Вес'"),
    ("NaN", "missing weight in column 'Вес'"),
    ("", "missing weight in column 'Вес'"),
    ("abc", "non-numeric weight in column 'Вес'"),
    ("-0", ZERO),
    ("1e-320", None),  # a tiny positive weight: joined, counting for (almost) nothing
    ("1,5", None),  # comma decimal
]


@pytest.mark.parametrize("cell, reason", WEIGHT_CELLS)
def test_one_bad_weight_sets_aside_its_row_not_the_survey(tmp_path, cell, reason):
    """24 respondents weighted 1 in Astana's two districts and one more (row 25, in Esil) weighted ``cell``:
    before, 1e308, 1e309 and 1e15 made the whole join raise (an overflowing weight, or one so large that no
    estimate could be published); now that row alone is set aside, with its reason."""
    from tests.survey_frames import districts, population

    lines = ["Город;Район;Q1;Вес"] + [f"Астана;{d};{1 + i % 5};1" for d in ("Есиль", "Алматы") for i in range(12)]
    path = tmp_path / "w.csv"
    path.write_text("\n".join([*lines, f"Астана;Есиль;3;{cell}"]) + "\n", encoding="utf-8")
    result = join_user_data(path, districts=districts(), population=population(), weight_col="Вес",
                            scores=["Q1:1-5"], min_n=2, h3_res=[], permutations=0)
    aside = dict(zip(result.set_aside["row"], result.set_aside["reason"], strict=True))
    assert aside == ({} if reason is None else {25: reason})
    assert result.report["joined_rows"] == 24 + (reason is None)
    if reason is not None:  # the other 24 rows give the estimates: Esil's 1..5, 1..5, 1, 2 sum to 33
        esil = result.districts.set_index("district_id").loc["711210000"]
        assert esil["Q1_mean"] == pytest.approx(33 / 12) and esil["Q1_n"] == 12


def test_numeric_weight_columns_follow_the_same_rules():
    """Weights stored as numbers (Parquet, SPSS) meet the same reasons as their text."""
    weights = pd.Series([1.0, INF, -INF, NAN, 1e308, -0.0, 1e-320, 1e9], name="w")  # 1e9: the largest kept
    checked = check_rows(pd.DataFrame({"district": ["Есиль"] * 8, "w": weights, "q": ["3"] * 8}),
                         Columns(district="district", weight="w", scores=("q",)), "f", scales={"q": (1.0, 5.0)})
    too_large = "weight too large in column 'w' (above 1e+09: a code or an overflow, not a number of people)"
    assert checked.aside.reasons.tolist() == [
        None, "non-numeric weight in column 'w'", "non-numeric weight in column 'w'", "missing weight in column 'w'",
        too_large, "zero weight in column 'w' (a respondent with weight 0 carries no answer)", None, None]
    # without score items a zero weight counts (weight 0), the other rules stay
    plain = check_rows(pd.DataFrame({"district": ["Есиль"] * 8, "w": weights}),
                       Columns(district="district", weight="w"), "f")
    assert plain.aside.reasons.tolist()[4:] == [too_large, None, None, None]


def test_blank_cells_beside_text_in_a_pandas_string_column_are_non_response_not_a_crash():
    # A Parquet string column holds <NA> (blank) beside text: comparing <NA> with a cell is <NA>, which once
    # crashed the reasons with "boolean value of NA is ambiguous" instead of setting the text aside.
    from geo.join.cells import SetAside, city_cells, score_cells

    answers = pd.Series(pd.array(["3", None, "abc", "4"], dtype="string"), name="q1")
    aside = SetAside(4)
    values, scale, _ = score_cells(answers, aside, (1.0, 5.0), "survey.parquet")
    assert values[[0, 3]].tolist() == [3.0, 4.0] and np.isnan(values[1]) and np.isnan(values[2])
    assert aside.reasons.tolist() == [None, None, "non-numeric score 'abc' in column 'q1'", None]
    cities = pd.Series(pd.array(["Astana", None, "Xyz", "Almaty"], dtype="string"), name="city")
    aside = SetAside(4)
    kept = city_cells(cities, aside, "Astana")
    assert kept.tolist()[0] == "Astana" and aside.reasons[2].startswith("unknown city 'Xyz'")
    assert aside.reasons[3] == "city Almaty in column 'city', not the chosen city Astana (--city)"
