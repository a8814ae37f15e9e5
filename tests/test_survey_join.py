"""Score items in ``qala join``: the scale (given or inferred and said), "don't know" answers in kk/ru/en and
blanks as item non-response (NaN, counted, the row still joined), a 7 on a 1-5 item, text in a score column and
zero weights set aside with their reason, and the "done when" case: a 3-city survey with Russian headers,
semicolons and comma decimals to per-district scores with n and intervals in all three cities, in one command.

Hand-made districts (tests/survey_frames.py): no build needed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import geo.join.measures as measures
import geo.join.pipeline as pipeline
from geo.cli import main
from geo.errors import BadInput
from geo.join.pipeline import join_user_data, parse_score
from tests.survey_frames import districts, population

ESIL, ALMATY_D, MEDEU, BOSTANDYK, ABAY, TURAN = ("711210000", "711110000", "751710000", "751410000",
                                                "791110000", "791910000")


@pytest.fixture(autouse=True)
def scores_step(monkeypatch):
    seen = []
    real = measures.with_scores

    def spy(result, rows, items, **kwargs):
        seen.append((rows.copy(), list(items), kwargs))
        return real(result, rows, items, **kwargs)

    monkeypatch.setattr(measures, "with_scores", spy)
    return seen


def _join(tmp_path, text, encoding="utf-8", name="s.csv", **kwargs):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    kwargs.setdefault("h3_res", [])
    kwargs.setdefault("permutations", 0)
    result = join_user_data(path, districts=districts(), population=population(), **kwargs)
    r = result.report
    assert r["joined_rows"] + r["set_aside_rows"] == r["input_rows"]
    return result


def test_parse_score_specs():
    assert parse_score("q1") == ("q1", None) and parse_score("q1:1-5") == ("q1", (1.0, 5.0))
    assert parse_score(" Вопрос 2 : 0 - 10 ") == ("Вопрос 2", (0.0, 10.0))
    assert parse_score("a:b") == ("a:b", None)
    with pytest.raises(BadInput, match="low end must be below"):
        parse_score("q1:5-1")


DONT_KNOWS = ["затрудняюсь ответить", "Не знаю", "білмеймін", "жауап беру қиын", "don't know", "DK", "нет ответа",
              "refused", "Затрудняюсь ответить."]


def test_dont_know_and_blanks_are_nonresponse_and_bad_scores_set_aside(tmp_path, scores_step):
    lines = ["city;district;w;q1;q2"]
    lines += [f"Астана;Есиль;1;{dk};3" for dk in DONT_KNOWS]              # rows 1-9: q1 don't know
    lines += ["Астана;Есиль;1;;4", "Астана;Есиль;1; ;2",                  # 10-11: blank q1
              "Астана;Есиль;2;4,0;5", "Астана;Есиль;1;5;1",               # 12-13: answered
              "Астана;Есиль;1;7;3",                                       # 14: 7 on 1-5
              "Астана;Есиль;1;abc;3",                                     # 15: text
              "Астана;Есиль;0;3;3",                                       # 16: zero weight
              "Астана;Есиль;-1;3;3",                                      # 17: negative weight
              "Астана;Есиль;1;2;11"]                                      # 18: q2 above its inferred... no: 0-10
    result = _join(tmp_path, "\n".join(lines) + "\n", weight_col="w", scores=["q1:1-5", "q2:0-10"], min_n=2)
    reasons = dict(zip(result.set_aside["row"], result.set_aside["reason"], strict=True))
    assert reasons == {14: "score 7 outside the scale 1-5 in column 'q1'",
                       15: "non-numeric score 'abc' in column 'q1'",
                       16: "zero weight in column 'w' (a respondent with weight 0 carries no answer)",
                       17: "negative weight in column 'w'",
                       18: "score 11 outside the scale 0-10 in column 'q2'"}
    assert result.report["joined_rows"] == 13
    items = result.report["score_items"]
    assert items["q1"] == {"scale": "1-5", "scale_inferred": False, "top_box": 1, "answered": 2,
                           "dont_know": 9, "blank": 2}
    assert items["q2"]["answered"] == 13 and items["q2"]["dont_know"] == items["q2"]["blank"] == 0
    rows, passed, kwargs = scores_step[0]
    assert [(i.column, i.low, i.high, i.inferred, i.top) for i in passed] == [("q1", 1, 5, False, 1),
                                                                             ("q2", 0, 10, False, 1)]
    assert kwargs == {"group": None}
    assert list(rows.columns) == ["city", "district_id", "weight", "q1", "q2"]
    assert rows["q1"].isna().sum() == 11 and sorted(rows["q1"].dropna()) == [4.0, 5.0]
    assert rows["weight"].tolist() == [1.0] * 11 + [2.0, 1.0]
    assert not any(c.startswith("nonresponse") for c in result.assigned.columns)
    assert "'q1': 11 joined rows without an answer (9 don't know, 2 blank): not scored, still joined" in \
        result.report["notes"]


def test_an_inferred_scale_is_reported_and_top_box_is_passed(tmp_path, scores_step):
    text = "district,q\nEsil,1\nEsil,4\nEsil,2\nEsil,dk\n"
    result = _join(tmp_path, text, scores=["q"], top_box=2, min_n=2)
    assert result.report["score_items"]["q"]["scale"] == "1-4"
    assert "scale of 'q' inferred as 1-4 from its answers (state it with --score q:1-4)" in result.report["notes"]
    _, items, _ = scores_step[0]
    assert (items[0].low, items[0].high, items[0].inferred, items[0].top) == (1, 4, True, 2)
    with pytest.raises(BadInput, match="top box"):
        _join(tmp_path, text, name="t.csv", scores=["q"], top_box=4)
    with pytest.raises(BadInput, match="holds no numeric answer"):
        _join(tmp_path, "district,q\nEsil,dk\n", name="u.csv", scores=["q"])


def test_a_group_column_reaches_the_scores(tmp_path, scores_step):
    text = "district;status;q1\nЕсиль;migrant;4\nЕсиль;resident;2\nЕсиль;migrant;5\nЕсиль;resident;1\n"
    _join(tmp_path, text, group_col="status", scores=["q1:1-5"], min_n=2)
    rows, _, kwargs = scores_step[0]
    assert kwargs["group"] == "group" and rows["group"].tolist() == ["migrant", "resident", "migrant", "resident"]
    # a label of fewer respondents than the threshold is an id or free text: refused, the column named
    with pytest.raises(BadInput, match="group column 'status': 2 of its 2 values have fewer than 3"):
        _join(tmp_path, text, name="t.csv", group_col="status", scores=["q1:1-5"], min_n=3)


# The "done when" case: Russian headers, semicolons, comma decimals, three cities, two districts each.
# (city, district, weight, Q1) -- per district, weighted means by hand below; the file holds each row 4 times
# (so no district is a handful of people whose estimate the release gate must hide; the means are the same).
SURVEY = [
    ("г. Астана", "Есильский район", "1", "4"), ("Астана", "Есиль", "2", "5"), ("Нур-Султан", "Есиль", "1", "3"),
    ("Астана", "Алматы", "1,5", "2"), ("Астана", "Алматинский", "0,5", "4"), ("Астана", "район Алматы", "1", "затрудняюсь ответить"),
    ("Алматы", "Медеуский", "1", "1"), ("г.Алматы", "Медеу", "1", "2"), ("Алма-Ата", "Medeu", "2", "3"),
    ("Алматы", "Бостандыкский", "1", "5"), ("Алматы", "Бостандык", "1", "5"), ("Алматы", "Бостандық", "2", "4"),
    ("Шымкент", "Абай", "1", "3"), ("Шымкент", "Абайский", "1", "3"), ("Чимкент", "Абай", "1", "4"),
    ("Шымкент", "Туран", "2,5", "1"), ("Шымкент", "Туранский", "0,5", "2"), ("Шымкент", "Туран", "1", "не знаю"),
    ("Астана", "Медеуский", "1", "3"),  # a district of Almaty under Astana: set aside
]
MEANS = {ESIL: (4 + 10 + 3) / 4, ALMATY_D: (3 + 2) / 2, MEDEU: (1 + 2 + 6) / 4, BOSTANDYK: (5 + 5 + 8) / 4,
         ABAY: (3 + 3 + 4) / 3, TURAN: (2.5 + 1) / 3}
N = {ESIL: 12, ALMATY_D: 8, MEDEU: 12, BOSTANDYK: 12, ABAY: 12, TURAN: 8}


def test_three_city_survey_in_one_command(tmp_path, monkeypatch, capsys):
    text = "Город;Район;Вес;Q1\n" + "".join(";".join(r) + "\n" for r in SURVEY * 4)
    path = tmp_path / "survey.csv"
    path.write_bytes(text.encode("cp1251", errors="strict") if "қ" not in text else text.encode("utf-8"))
    real = pipeline.join_user_data
    monkeypatch.setattr("geo.join.cli.join_user_data", lambda *a, **k: real(
        *a, **{**k, "districts": districts(), "population": population()}))
    out = tmp_path / "out"
    assert main(["join", str(path), "--weight-col", "Вес", "--score", "Q1:1-5", "--min-n", "2", "--h3-res",
                 "--permutations", "0", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "76 rows, 72 joined" in printed and "score Q1 (1-5): 64 answered, 8 don't know, 0 blank" in printed
    table = pd.read_csv(out / "districts.csv", dtype={"district_id": str}).set_index("district_id")
    assert set(table["city"]) == {"Astana", "Almaty", "Shymkent"}
    for district, mean in MEANS.items():
        row = table.loc[district]
        assert row["Q1_mean"] == pytest.approx(mean), district
        assert row["Q1_n"] == N[district], district
        assert row["Q1_ci_low"] <= mean <= row["Q1_ci_high"] and row["Q1_ci_low"] < row["Q1_ci_high"], district
    assert np.isfinite(table["Q1_mean"]).all()
    report = json.loads((out / "report.json").read_text())
    assert report["set_aside_by_reason"] == {
        "district 'Медеуский' is in Almaty, not in Astana (the row's city in column 'Город'); check the city or "
        "the district": 4}
    assert report["score_items"]["Q1"]["dont_know"] == 8 and report["min_n"] == 2
    assert report["release"]["hidden"] == [] and "release_steward" in report
    # no microdata row in any output: no file has a column of the answers or the weights by row
    for written in out.iterdir():
        assert "Вес" not in written.read_text(encoding="utf-8", errors="replace").split("\n")[0] or \
            written.name == "report.json"


def test_small_districts_are_suppressed_at_the_default_threshold(tmp_path, monkeypatch):
    monkeypatch.delenv("QALA_MIN_N", raising=False)
    answers = [1 + i % 5 for i in range(10)]  # 10 respondents: the default threshold, shown
    lines = [f"Алматы;{d};{a}" for d in ("Медеу", "Бостандык") for a in answers]
    lines += [f"Астана;Есиль;{a}" for a in answers[:9]] + ["Астана;Алматы;3"] * 12  # 9 < 10: suppressed
    result = _join(tmp_path, "Город;Район;Q1\n" + "\n".join(lines) + "\n", scores=["Q1:1-5"])
    d = result.districts.set_index("district_id")
    assert d.loc[MEDEU, "Q1_mean"] == pytest.approx(np.mean(answers)) and d.loc[MEDEU, "Q1_n"] == 10
    assert np.isnan(d.loc[ESIL, "Q1_mean"]) and bool(d.loc[ESIL, "Q1_suppressed"])
    # Astana's other district is hidden too: Astana's total and it would give Esil back
    assert np.isnan(d.loc[ALMATY_D, "Q1_mean"]) and bool(d.loc[ALMATY_D, "Q1_suppressed"])


def test_hexagons_of_a_survey_join_are_left_out_when_one_holds_fewer_than_min_n(tmp_path):
    """12, 11 and 3 respondents at three places of Esil, each in its own H3 cell (res 8): Gi* is computed over
    every hexagon's count, so with the 3 hidden the others' Gi* would still carry it, and hexagons cut across
    districts: Astana's hexagons are left out as a whole, and the report says so. The same with --min-n and no
    score items; without the 3 they are published; a join with neither keeps them all (nothing is released)."""
    import h3

    places = {12: (71.4215, 51.1015), 11: (71.4385, 51.1185), 3: (71.4215, 51.1185)}
    cells = {n: h3.latlng_to_cell(lat, lon, 8) for n, (lon, lat) in places.items()}
    assert len(set(cells.values())) == 3  # the premise: three different hexagons
    lines = ["lat,lon,q1"] + [f"{lat},{lon},{1 + i % 5}" for n, (lon, lat) in places.items() for i in range(n)]
    text = "\n".join(lines) + "\n"
    note = "hexagons r8 of Astana left out: some hold fewer than 10 rows (try a coarser resolution)"
    for kwargs in ({"scores": ["q1:1-5"]}, {}):
        result = _join(tmp_path, text, name=f"s{len(kwargs)}.csv", min_n=10, h3_res=[8], **kwargs)
        assert result.hexagons == {} and note in result.report["notes"], kwargs
        assert {"output": "hexagons", "city": "Astana", "resolution": 8, "why": "small_hexagons"} in \
            result.report["release"]["left_out"]
        result.write(tmp_path / "out")
        assert not (tmp_path / "out" / "hexagons_r8.geojson").exists()
    big = "\n".join(line for line in lines if not line.startswith("51.1185,71.4215")) + "\n"
    kept = _join(tmp_path, big, name="big.csv", scores=["q1:1-5"], min_n=10, h3_res=[8]).hexagons[8]
    grid = kept.set_index("hex_id")
    assert grid.loc[cells[12], "n_points"] == 12 and grid.loc[cells[11], "n_points"] == 11
    assert np.isfinite(grid.loc[cells[12], "gi_z"])
    plain = _join(tmp_path, text.replace(",q1", ",note"), name="plain.csv", h3_res=[8])
    assert plain.hexagons[8].set_index("hex_id").loc[cells[3], "n_points"] == 3
    assert "release" not in plain.report


def test_permutations_given_run_the_segregation_tests_and_publish_their_p_values(tmp_path, monkeypatch):
    # two groups of 20 in each of Astana's two districts (a 15/5 and 5/15 split): nothing small, nothing hidden
    lines = ["Город;Район;Группа;Q1"] + [f"Астана;{d};{g};{1 + i % 5}" for d, split in (("Есиль", 15), ("Алматы", 5))
                                         for i in range(20) for g in (["a"] if i < split else ["b"])]
    lines += [f"Астана;{d};{g};3" for d in ("Есиль", "Алматы") for g in ("a", "b") for _ in range(10)]
    path = tmp_path / "s.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    real = pipeline.join_user_data
    monkeypatch.setattr("geo.join.cli.join_user_data", lambda *a, **k: real(
        *a, **{**k, "districts": districts(), "population": population()}))
    base = ["join", str(path), "--group-col", "Группа", "--score", "Q1:1-5", "--h3-res"]
    assert main([*base, "-o", str(tmp_path / "plain")]) == 0
    plain = pd.read_csv(tmp_path / "plain" / "indices.csv")
    assert len(plain) == 2 and "dissimilarity_p" not in plain  # not asked for: not run
    assert main([*base, "--permutations", "19", "-o", str(tmp_path / "tested")]) == 0
    tested = pd.read_csv(tmp_path / "tested" / "indices.csv")
    # p = (k + 1) / (19 + 1): a multiple of 0.05 between 0.05 and 1
    for column in ("dissimilarity_p", "isolation_p"):
        assert tested[column].between(0.05, 1.0).all()
        assert np.allclose(tested[column] * 20, np.round(tested[column] * 20))
