"""``geo.release.versions.check`` on hand-made published tables: each figure an attacker could subtract between
two served versions, one at a time (the dataset's total, a district's respondents and weight, a score cell's
respondents, answerers and estimates), refused when it singles out fewer than min_n people, allowed otherwise."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo.errors import BadInput
from geo.release.versions import check

MIN_N = 10


def _districts(n_rows: float, count: float, *, suppressed: bool = False) -> pd.DataFrame:
    return pd.DataFrame({"district_id": ["711210000", "711110000"], "city": ["Astana", "Astana"],
                         "n_rows": [n_rows, 50.0], "count": [count, 55.0], "suppressed": [suppressed, False]})


def _scores(n: float, nonresponse: float, mean: float, *, level: str = "district", group: str = "all",
            suppressed: bool = False) -> pd.DataFrame:
    return pd.DataFrame({"city": ["Astana"], "level": [level], "item": ["Q1"], "group": [group],
                         "district_id": ["711210000" if level == "district" else None], "n": [n],
                         "nonresponse": [nonresponse], "weight_sum": [n * 1.1], "mean": [mean],
                         "suppressed": [suppressed]})


def _check(new: dict, old: dict, n_new: int = 100, n_old: int = 100) -> list[str]:
    return check(new, {"n": n_new}, [("v1", old, {"n": n_old})], MIN_N, "survey")


def test_the_total_alone_one_respondent_apart_is_refused():
    with pytest.raises(BadInput, match=r"^dataset 'survey': the new version differs from the served v1 by 1 "
                                       r"respondent\(s\) in all cities, all respondents; .*at least 10 respondents.*"
                                       r"`qala datasets remove survey --version v1`"):
        _check({}, {}, n_new=101)
    assert _check({}, {}, n_new=110) == ["v1"]  # ten more: a group, not a person
    assert _check({}, {}, n_new=90) == ["v1"]  # and ten fewer
    assert _check({}, {}) == ["v1"]  # the same version again
    assert check({}, {"n": 5}, [], MIN_N, "survey") == []  # nothing served: nothing to audit against


def test_a_district_shown_in_both_one_respondent_apart_is_refused():
    with pytest.raises(BadInput, match=r"by 1 respondent\(s\) in Astana, district 711210000, all respondents"):
        _check({"districts": _districts(21, 23.0)}, {"districts": _districts(20, 22.0)}, n_new=101 + 9)
    with pytest.raises(BadInput, match=r"by 9 respondent\(s\) in Astana, district 711210000"):
        _check({"districts": _districts(29, 32.0)}, {"districts": _districts(20, 22.0)}, n_new=110)
    # a district hidden in either version is not compared (the total then differs by ten or more)
    assert _check({"districts": _districts(21, 23.0, suppressed=True)}, {"districts": _districts(20, 22.0)},
                  n_new=110) == ["v1"]
    assert _check({"districts": _districts(30, 33.0)}, {"districts": _districts(20, 22.0)}, n_new=110) == ["v1"]


def test_the_same_respondents_with_a_changed_figure_are_refused():
    # a weight corrected: the district's weighted count moves while nobody came or went
    with pytest.raises(BadInput, match=r"by its count \(same respondents\) in Astana, district 711210000, all "
                                       r"respondents"):
        _check({"districts": _districts(20, 22.5)}, {"districts": _districts(20, 22.0)})
    assert _check({"districts": _districts(20, 22.0 + 1e-12)}, {"districts": _districts(20, 22.0)}) == ["v1"]


def test_score_cells_count_respondents_and_each_item_s_answerers():
    # respondents = answerers + item non-respondents: 30 + 5 against 30 + 4
    with pytest.raises(BadInput, match=r"by 1 respondent\(s\) in Astana, district 711210000, all respondents"):
        _check({"scores": _scores(30, 5, 3.0)}, {"scores": _scores(30, 4, 3.0)}, n_new=110)
    # twelve more respondents, of whom six answered Q1: the six's mean would follow
    with pytest.raises(BadInput, match=r"by 6 respondent\(s\) answering Q1 in Astana, district 711210000"):
        _check({"scores": _scores(36, 10, 3.2)}, {"scores": _scores(30, 4, 3.0)}, n_new=112)
    assert _check({"scores": _scores(40, 4, 3.2)}, {"scores": _scores(30, 4, 3.0)}, n_new=110) == ["v1"]
    # a city's group cell (no district), the mean changed with the same people and answerers
    with pytest.raises(BadInput, match=r"by its Q1:mean \(same respondents\) in Astana, group 'migrant'"):
        _check({"scores": _scores(30, 4, 3.5, level="city", group="migrant")},
               {"scores": _scores(30, 4, 3.0, level="city", group="migrant")})
    # hidden in the new version: not compared
    assert _check({"scores": _scores(math.nan, math.nan, math.nan, suppressed=True)},
                  {"scores": _scores(30, 4, 3.0)}, n_new=110) == ["v1"]


def test_every_served_version_is_audited_and_named():
    old = {"districts": _districts(20, 22.0)}
    assert check({"districts": _districts(30, 33.0)}, {"n": 110},
                 [("v1", old, {"n": 100}), ("v2", {"districts": _districts(40, 44.0)}, {"n": 120})],
                 MIN_N, "survey") == ["v1", "v2"]
    with pytest.raises(BadInput, match="served v2 by 1 respondent"):
        check({"districts": _districts(30, 33.0)}, {"n": 110},
              [("v1", old, {"n": 100}), ("v2", {"districts": _districts(31, 34.0)}, {"n": 111})], MIN_N, "s")


def test_score_rows_are_read_one_by_one_and_only_where_shown():
    hidden_first = pd.concat([_scores(31, 4, 3.0, suppressed=True), _scores(31, 4, 3.0, level="city")])
    shown_both = pd.concat([_scores(31, 4, 3.0, suppressed=True), _scores(30, 4, 3.0, level="city")])
    # a hidden row (even one carrying numbers) is skipped, and the rows after it are still compared
    with pytest.raises(BadInput, match=r"by 1 respondent\(s\) in Astana, all respondents"):
        _check({"scores": hidden_first}, {"scores": shown_both}, n_new=110)
    assert _check({"scores": _scores(31, 4, 3.0, suppressed=True)}, {"scores": _scores(30, 4, 3.0)},
                  n_new=110) == ["v1"]
    # respondents are answerers plus non-respondents: 40 + 9 against 30 + 4 is 15 more, 10 more answerers
    assert _check({"scores": _scores(40, 9, 3.0)}, {"scores": _scores(30, 4, 3.0)}, n_new=115) == ["v1"]
    # the answerers' weight alone moving, with the same people: refused
    moved = _scores(30, 4, 3.0)
    moved["weight_sum"] = 40.0
    with pytest.raises(BadInput, match=r"its Q1:weight_sum \(same respondents\)"):
        _check({"scores": moved}, {"scores": _scores(30, 4, 3.0)})
    # an item the earlier version did not have is not a difference
    q2 = _scores(30, 4, 2.0).assign(item="Q2")
    assert _check({"scores": pd.concat([_scores(30, 4, 3.0), q2])}, {"scores": _scores(30, 4, 3.0)}) == ["v1"]
