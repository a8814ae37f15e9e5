"""`qala demo survey` (geo.engines.synthetic_survey): reproducible, shaped like a researcher's Excel export,
labelled synthetic the way geo.io.userfile detects it, with small districts so suppression shows."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.engines.synthetic_survey import (
    CIVIL_SERVICE,
    DONT_KNOW,
    ITEMS,
    SECTOR_COLUMN,
    WAVE_SHIFT,
    survey_csv_bytes,
    synthetic_survey,
)
from geo.errors import BadInput
from geo.io.userfile import read_raw_file
from geo.join.pipeline import join_user_data

HEADER = "Город;Район;Группа;Вес;Q1;Q2;Q3;Q4;Сектор;source"
NAMES = {"Astana": ["Есиль", "Нура", "Сарыарка", "Алматы", "Байконур"],
         "Almaty": ["Алмалы", "Ауэзов", "Бостандык", "Медеу"],
         "Shymkent": ["Абай", "Аль-Фараби", "Енбекши"]}
CITY_RU = {"Astana": "Астана", "Almaty": "Алматы", "Shymkent": "Шымкент"}


@pytest.fixture
def districts() -> pd.DataFrame:
    rows = [(city, f"{city[:3]}-{i}", name) for city, names in NAMES.items() for i, name in enumerate(names)]
    return pd.DataFrame(rows, columns=["city", "district_id", "name_ru"])


def _table(data: bytes) -> pd.DataFrame:
    lines = data.decode("utf-8").split("\r\n")[1:-1]
    return pd.DataFrame([line.split(";") for line in lines], columns=HEADER.split(";"))


def test_same_seed_same_file_other_seed_other_file(districts):
    first = survey_csv_bytes(synthetic_survey(districts, 1200, seed=7))
    assert first == survey_csv_bytes(synthetic_survey(districts, 1200, seed=7))
    assert first != survey_csv_bytes(synthetic_survey(districts, 1200, seed=8))


def test_shape_headers_semicolons_comma_decimals_and_label(districts):
    frame = synthetic_survey(districts, 1200, seed=7)
    data = survey_csv_bytes(frame)
    assert data.decode("utf-8").split("\r\n")[0] == HEADER
    table = _table(data)
    assert len(table) == 1200 and frame.attrs["synthetic"] is True
    assert (table["source"] == "SYNTHETIC").all()
    assert all(re.fullmatch(r"\d+(,\d{1,3})?", w) for w in table["Вес"])
    weights = table["Вес"].str.replace(",", ".").astype(float)
    assert weights.min() >= 0.2 and weights.std() > 0.2  # positive and varied
    assert set(table["Группа"]) == {"местный", "мигрант"}
    by_city = table["Город"].value_counts()
    assert set(by_city.index) == set(CITY_RU.values())
    assert abs(by_city["Шымкент"] / 1200 - 0.2) < 0.05 and abs(by_city["Астана"] / 1200 - 0.4) < 0.05
    for city, names in NAMES.items():
        assert set(table.loc[table["Город"] == CITY_RU[city], "Район"]) <= set(names)
    answers = table[list(ITEMS)].to_numpy().ravel()
    scored = answers[(answers != DONT_KNOW) & (answers != "")]
    assert set(scored) == {"1", "2", "3", "4", "5"}


def test_dont_knows_blanks_and_district_effects(districts):
    frame = synthetic_survey(districts, 20_000, seed=3)
    cells = frame[list(ITEMS)].to_numpy().ravel()
    assert abs(np.mean(cells == DONT_KNOW) - 0.04) < 0.005
    assert abs(np.mean([c is None for c in cells]) - 0.02) < 0.004
    q1 = pd.to_numeric(frame["Q1"], errors="coerce")
    means = q1.groupby(frame.attrs["district_ids"]).mean()
    assert means.max() - means.min() > 0.3  # districts differ: there is something to map
    migrant = frame["Группа"] == "мигрант"
    assert q1[migrant].mean() < q1[~migrant].mean()  # migrants score Q1 lower (effect -0.4)


def test_every_city_has_a_district_below_the_threshold(districts):
    frame = synthetic_survey(districts, 1200, seed=7)
    counts = pd.Series(frame.attrs["district_ids"]).value_counts()
    for city in NAMES:
        ids = [i for i in counts.index if i.startswith(city[:3])]
        assert 3 <= counts[ids].min() < 10, city


def test_civil_servants_are_planted_on_the_left_bank(districts):
    """35 % "госслужба" in left-bank districts, 12 % elsewhere (planted); 2 % of sectors blank."""
    banks = districts.assign(bank=np.where(districts["name_ru"].isin(["Есиль", "Нура"]), "left", "right"))
    frame = synthetic_survey(banks, 40_000, seed=4)
    sector = frame[SECTOR_COLUMN]
    assert abs(sector.isna().mean() - 0.02) < 0.004
    left = pd.Series(frame.attrs["district_ids"]).isin(banks.loc[banks["bank"] == "left", "district_id"]).to_numpy()
    answered = sector.notna().to_numpy()
    civil = (sector == CIVIL_SERVICE).to_numpy()
    assert abs(civil[left & answered].mean() - 0.35) < 0.02
    assert abs(civil[~left & answered].mean() - 0.12) < 0.01
    assert set(sector.dropna()) == {CIVIL_SERVICE, "частный сектор", "другое"}


def test_a_second_wave_asks_the_same_population_again_with_q1_risen_in_one_district(districts):
    """New respondents, the same district effects: Q2 moves only by sampling, Q1 rises by the shift in each
    city's first district (by id) and nowhere else."""
    first, second = (synthetic_survey(districts, 60_000, seed=9, wave=w) for w in (1, 2))
    assert survey_csv_bytes(first) != survey_csv_bytes(second)
    assert second.attrs["wave"] == 2
    item, shift = WAVE_SHIFT
    means = [pd.to_numeric(f[item], errors="coerce").groupby(f.attrs["district_ids"]).mean() for f in (first,
                                                                                                     second)]
    other = [pd.to_numeric(f["Q2"], errors="coerce").groupby(f.attrs["district_ids"]).mean() for f in (first,
                                                                                                     second)]
    firsts = {sorted(i for i in means[0].index if i.startswith(c[:3]))[0] for c in NAMES}
    sizes = pd.Series(first.attrs["district_ids"]).value_counts()
    small = set(sizes.index[sizes < 10])  # a few respondents each wave: their means are noise
    assert len(small) == 3 and small == set(pd.Series(second.attrs["district_ids"]).value_counts().pipe(
        lambda s: s.index[s < 10]))  # the same population: the same small districts
    change = means[1] - means[0]
    assert len(firsts - small) >= 2 and (change[list(firsts - small)] > shift / 2).all()  # rounding shrinks it
    assert change.drop(list(firsts | small)).abs().max() < 0.1
    assert (other[1] - other[0]).drop(list(small)).abs().max() < 0.1


@pytest.mark.parametrize("wave", [0, 10, 1.5, True])
def test_bad_waves_are_refused(districts, wave):
    with pytest.raises(BadInput, match="--wave"):
        synthetic_survey(districts, 500, seed=1, wave=wave)


@pytest.mark.parametrize("rows", [0, 99, 2.5, True, 10**7])
def test_bad_row_counts_are_refused(districts, rows):
    with pytest.raises(BadInput, match="--rows"):
        synthetic_survey(districts, rows, seed=1)


def test_demo_command_then_join_reports_synthetic_and_suppresses(mini_build, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("QALA_BUILD", str(mini_build))
    path = tmp_path / "survey.csv"
    assert main(["demo", "survey", "-o", str(path), "--rows", "600", "--seed", "5"]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    assert read_raw_file(path).synthetic
    result = join_user_data(path, city_col="Город", district_col="Район", group_col="Группа", weight_col="Вес",
                            scores=[f"{q}:1-5" for q in ITEMS], h3_res=[], permutations=0)
    assert result.synthetic and result.report["synthetic"] is True
    assert result.report["joined_rows"] == 600 and result.report["set_aside_rows"] == 0
    assert result.districts["Q1_suppressed"].any() and not result.districts["Q1_suppressed"].all()
    assert main(["demo", "survey", "-o", str(path), "--rows", "5"]) == 2
