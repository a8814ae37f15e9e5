"""One join specification for the command line, the browser and the notebook API (``geo.join.spec``,
``geo.api``): its checks, its plain-data round trip (the browser's form comes back only through it), and the
same survey giving the same released estimates through ``qala join``, a file path and a DataFrame."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import geo.api as api
from geo.cli import main
from geo.errors import BadInput, UnknownName
from geo.join.spec import MAX_SCORES, JoinSpec
from tests.survey_frames import districts, population
from tests.test_survey_join import MEANS, SURVEY, N

HAND = {"districts": districts(), "population": population()}


def test_defaults_are_the_command_lines():
    spec = JoinSpec()
    assert spec.h3_res == (8,) and spec.top_box == 1 and spec.min_n is None and spec.engine == "builtin"
    assert not spec.gated
    assert JoinSpec(scores=("q1:1-5", "q2")).items == {"q1": (1.0, 5.0), "q2": None}
    assert JoinSpec(scores=("q1",)).gated and JoinSpec(min_n=5).gated and JoinSpec(auto_scores=True).gated


def test_round_trip_through_plain_data():
    spec = JoinSpec(city="Almaty", district_col="Район", weight_col="Вес", scores=("Q1:1-5",), min_n=12,
                    h3_res=(9, 7), sheet="Лист1", top_box=2)
    data = spec.as_dict()
    assert data["scores"] == ["Q1:1-5"] and data["h3_res"] == [7, 9] and "items" not in data
    assert JoinSpec.from_dict(data) == spec


@pytest.mark.parametrize(("data", "message"), [
    ({"colour": "red"}, "unknown colour"),
    ({"district_col": 5}, "district_col: give a name"),
    ({"district_col": ""}, "district_col: give a name"),
    ({"weight_col": "x" * 301}, "weight_col: give a name of 1 to 300"),
    ({"scores": "q1"}, "scores: give at most"),
    ({"scores": ["q"] * (MAX_SCORES + 1)}, "scores: give at most"),
    ({"scores": [{"$gt": 1}]}, "scores: give at most"),
    ({"min_n": "10"}, "min_n: give a whole number"),
    ({"top_box": True}, "top_box: give a whole number"),
    ({"min_n": 1}, "would show estimates of a single respondent"),
    ({"top_box": 0}, "top box"),
    ({"h3_res": [12]}, "H3 resolution"),
    ({"h3_res": "8"}, "h3_res: give resolutions"),
    ({"auto_scores": "yes"}, "auto_scores: give true or false"),
    ({"engine": "spark"}, "unknown engine"),
    ({"alpha": 2}, "between 0 and 1"),
    ({"permutations": 10**9}, "--permutations: give 0 to"),
])
def test_browser_choices_are_checked(data, message):
    with pytest.raises(BadInput, match=message):
        JoinSpec.from_dict(data)


def test_unknown_city_and_non_mapping():
    with pytest.raises(UnknownName, match="unknown city 'Paris'"):
        JoinSpec.from_dict({"city": "Paris"})
    with pytest.raises(BadInput, match="expected a mapping"):
        JoinSpec.from_dict(["city"])  # type: ignore[arg-type]


def _survey_text() -> str:
    return "Город;Район;Вес;Q1\n" + "".join(";".join(r) + "\n" for r in SURVEY * 4)


def _estimates(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("district_id")[["Q1_mean", "Q1_ci_low", "Q1_ci_high", "Q1_n"]].sort_index()


def test_cli_path_and_dataframe_give_the_same_estimates(tmp_path, monkeypatch):
    path = tmp_path / "survey.csv"
    path.write_text(_survey_text(), encoding="utf-8")
    choices = {"weight_col": "Вес", "scores": ["Q1:1-5"], "min_n": 2, "h3_res": (), "permutations": 0}
    by_path = api.join(path, **choices, **HAND)
    frame = pd.read_csv(io.StringIO(_survey_text()), sep=";", dtype=str)
    by_frame = api.join(frame, JoinSpec(**{**choices, "scores": ("Q1:1-5",)}), **HAND)
    real = api.join_user_data
    monkeypatch.setattr("geo.join.cli.join_user_data", lambda *a, **k: real(*a, **{**k, **HAND}))
    out = tmp_path / "out"
    assert main(["join", str(path), "--weight-col", "Вес", "--score", "Q1:1-5", "--min-n", "2", "--h3-res",
                 "--permutations", "0", "-o", str(out)]) == 0
    by_cli = pd.read_csv(out / "districts.csv", dtype={"district_id": str})
    expected = _estimates(pd.DataFrame(by_path.districts))
    pd.testing.assert_frame_equal(_estimates(pd.DataFrame(by_frame.districts)), expected)
    pd.testing.assert_frame_equal(_estimates(by_cli), expected, check_dtype=False)
    for district, mean in MEANS.items():  # and right against the hand computation
        assert expected.loc[district, "Q1_mean"] == pytest.approx(mean)
        assert expected.loc[district, "Q1_n"] == N[district]
    assert by_frame.report["input"] == "dataframe.csv" and by_frame.report["release"]["hidden"] == []


def test_api_publishes_a_released_result(tmp_path, monkeypatch):
    monkeypatch.setenv("QALA_MIN_N", "2")
    result = api.join(pd.read_csv(io.StringIO(_survey_text()), sep=";", dtype=str), weight_col="Вес",
                      scores=["Q1:1-5"], min_n=2, h3_res=(), permutations=0, **HAND)
    folder = api.publish(result, "api-test", title="Test", source="tests", period="2025", root=tmp_path)
    assert folder.name == "v1" and (folder / "disclosure.json").is_file()
    with pytest.raises(TypeError, match="give a pandas DataFrame"):
        api.join([1, 2, 3])  # type: ignore[arg-type]


def test_bundle_is_what_publishing_takes_without_input_rows(tmp_path, monkeypatch):
    """The browser's ZIP, unpacked, publishes as the join's own folder would (the seam: the files' checksums
    travel in the report), holds the disclosure report in three languages and no input row."""
    import json
    import zipfile

    monkeypatch.setenv("QALA_MIN_N", "2")
    text = _survey_text().replace("Алматы;Медеуский;", "Алматы;Медеуский;", 1)
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    frame.loc[0, "Вес"] = "abc"  # one bad weight: set aside with its value, which must not travel
    result = api.join(frame, weight_col="Вес", scores=["Q1:1-5"], min_n=2, h3_res=(), permutations=0, **HAND)
    assert result.report["set_aside_first"] and "abc" in json.dumps(result.report["set_aside_first"])
    archive = zipfile.ZipFile(io.BytesIO(api.bundle(result)))
    names = set(archive.namelist())
    assert {"districts.parquet", "districts.csv", "districts.geojson", "scores.csv", "report.json",
            "disclosure.json", "disclosure_kk.html", "disclosure_ru.html", "disclosure_en.html"} <= names
    assert "set_aside.csv" not in names
    for name in names:
        assert b"abc" not in archive.read(name), name
    folder = tmp_path / "unpacked"
    archive.extractall(folder)
    published = api.publish(folder, "bundle-test", title="T", source="s", period="2025", root=tmp_path / "ds")
    assert (published / "disclosure_ru.html").is_file()
    (folder / "scores.csv").write_text((folder / "scores.csv").read_text() + "\n", encoding="utf-8")
    with pytest.raises(BadInput, match="is not the file the join wrote"):
        api.publish(folder, "bundle-test", title="T", source="s", period="2025", root=tmp_path / "ds")


def test_every_bound_is_where_it_says():
    import dataclasses

    from geo.join.spec import MAX_NAME, MAX_PERMUTATIONS

    assert len(JoinSpec(scores=tuple(f"q{i}" for i in range(MAX_SCORES))).items) == MAX_SCORES
    with pytest.raises(BadInput, match=f"{MAX_SCORES + 1:,} score items; at most {MAX_SCORES}"):
        JoinSpec(scores=tuple(f"q{i}" for i in range(MAX_SCORES + 1)))
    for ok in (0, MAX_PERMUTATIONS):
        assert JoinSpec(permutations=ok, segregation_permutations=ok).permutations == ok
    for bad in ({"permutations": -1}, {"permutations": MAX_PERMUTATIONS + 1}, {"segregation_permutations": -1},
                {"segregation_permutations": MAX_PERMUTATIONS + 1}):
        with pytest.raises(BadInput, match="--permutations"):
            JoinSpec(**bad)
    assert JoinSpec(alpha=0.01).alpha == 0.01
    for bad_alpha in (0, 1, 0.0, 1.0):
        with pytest.raises(BadInput, match="between 0 and 1"):
            JoinSpec(alpha=bad_alpha)
    with pytest.raises(BadInput, match="alpha: give a number"):
        JoinSpec.from_dict({"alpha": True})
    assert JoinSpec.from_dict({"min_n": None, "alpha": 0.1}).min_n is None
    assert JoinSpec.from_dict({"h3_res": [7, 8, 9]}).h3_res == (7, 8, 9)
    assert JoinSpec.from_dict({"weight_col": "x"}).weight_col == "x"
    assert JoinSpec.from_dict({"weight_col": "x" * MAX_NAME}).weight_col == "x" * MAX_NAME
    assert JoinSpec.from_dict({"scores": ["q" * (MAX_NAME + 20)]}).scores == ("q" * (MAX_NAME + 20),)
    for bad_score in ("", "q" * (MAX_NAME + 21)):
        with pytest.raises(BadInput, match="scores"):
            JoinSpec.from_dict({"scores": [bad_score]})
    with pytest.raises(BadInput) as caught:
        JoinSpec.from_dict({f"k{i}": 1 for i in range(7)})
    assert "k4" in str(caught.value) and "k5" not in str(caught.value)  # at most five unknown names said
    spec = JoinSpec(scores=("q1:1-5",))
    assert "items" not in repr(spec)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.city = "Almaty"  # type: ignore[misc]
    assert JoinSpec().segregation_permutations == 0  # the segregation tests only when asked for
    with pytest.raises(BadInput, match="low end must be below"):
        JoinSpec(scores=("q:3-3",))
    assert len(JoinSpec.from_dict({"scores": [f"q{i}" for i in range(MAX_SCORES)]}).scores) == MAX_SCORES
    assert JoinSpec.from_dict({"scores": ["q"]}).items == {"q": None}


def test_the_bundle_writes_no_input_row_even_in_passing(monkeypatch):
    """The folder the bundle is written through (memory where there is one) never holds a set-aside row."""
    from geo.join.result import JoinResult

    monkeypatch.setenv("QALA_MIN_N", "2")
    seen = []
    real = JoinResult.write

    def spy(self, folder):
        paths = real(self, folder)
        seen.append((folder / "set_aside.csv").read_text(encoding="utf-8-sig"))
        return paths

    monkeypatch.setattr(JoinResult, "write", spy)
    frame = pd.read_csv(io.StringIO(_survey_text()), sep=";", dtype=str)
    frame.loc[0, "Вес"] = "abc"
    result = api.join(frame, weight_col="Вес", scores=["Q1:1-5"], min_n=2, h3_res=(), permutations=0, **HAND)
    assert len(result.set_aside) == 1 + 4  # the bad weight and the Medeu rows under Astana
    api.bundle(result)
    assert seen and seen[-1].strip().splitlines() == ["row,reason,value"]
    assert len(result.set_aside) == 5  # the caller's result is left as it was
