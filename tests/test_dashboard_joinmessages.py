"""The join's reasons, notes and errors on the upload page in kk/ru/en (dashboard/upload/messages.py).

Every message kind is produced for real by joining a small hand-made file (tests/survey_frames.py districts,
no build), then: its English rendering is the message itself (the fields were read back exactly), and its
Russian and Kazakh renderings hold no Latin word but the message's own fields (names, column names, cells,
numbers) and a few technical names (EPSG:4326, UTF-8, --city, ...). Every reason and note these joins produce
must be recognised, so a new message in geo/join without a translation fails here.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard.i18n import t, texts_of
from dashboard.upload import messages as joinmessages
from dashboard.upload.messages import MESSAGES, kind_of, message_text, message_view, page_words, render
from geo.errors import QalaError
from geo.join.pipeline import join_user_data
from geo.settings import reference_dir
from tests.survey_frames import districts, inside, population

ESIL, MEDEU = inside("Esil"), inside("Medeu")
LATLON = "lat,lon"
# Latin words a kk/ru rendering may keep besides the message's fields: formats, standards, CLI options.
TECHNICAL = re.compile(r"--[a-z][a-z0-9-]*(?: [\w:.-]+)?|EPSG:4326|UTF-8|GeoParquet|GeoJSON|FeatureCollection|"
                       r"Parquet|CSV|JSON|RFC|Point|cp1251|Latin-1|per_1000|n_points|count|Gi\*|dask|Excel|"
                       r"\.xlsx?|SPSS|Stata|\.sav|\.dta|zip|\.csv|to_parquet|gdf\.set_crs\(\.\.\.\)|"
                       r"lat/lon, latitude/longitude, x/y|r\d+|[a-z]+-\d+")


def _point(lat: float, lon: float) -> str:
    return f"{lat},{lon}"


def _write(tmp: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def _join(path: Path, **kwargs) -> list[str]:
    """Every set-aside reason and note of one join of ``path`` to the hand-made districts."""
    kwargs.setdefault("h3_res", [])
    kwargs.setdefault("permutations", 0)
    kwargs.setdefault("districts", districts())
    kwargs.setdefault("population", population())
    result = join_user_data(path, **kwargs)
    aside = result.set_aside
    if "rows" in aside:  # out of core: counts per reason (it lists an empty reason with 0 rows when none)
        aside = aside[aside["rows"] > 0]
    reasons = aside["reason"].tolist()
    assert result.report["joined_rows"] + result.report["set_aside_rows"] == result.report["input_rows"]
    return [*reasons, *result.report["notes"]]


def _error(path: Path, **kwargs) -> list[str]:
    """The one-line error of a join that cannot be done (as the upload shows it: the first line)."""
    with pytest.raises(QalaError) as caught:
        _join(path, **kwargs)
    return [str(caught.value).splitlines()[0]]


def _csv(tmp: Path, lines: list[str], name: str = "s.csv", encoding: str = "utf-8", **kwargs) -> list[str]:
    return _join(_write(tmp, name, "\n".join(lines) + "\n", encoding), **kwargs)


def _csv_error(tmp: Path, lines: list[str], name: str = "s.csv", **kwargs) -> list[str]:
    return _error(_write(tmp, name, "\n".join(lines) + "\n"), **kwargs)


def _geojson(features: list, crs: str | None = None) -> str:
    data: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data)


def _feature(geometry) -> dict:
    return {"type": "Feature", "properties": {"name": "x"}, "geometry": geometry}


def _utm(lon: float, lat: float) -> list[float]:
    from pyproj import Transformer

    return list(Transformer.from_crs("EPSG:4326", "EPSG:32642", always_xy=True).transform(lon, lat))


def _shared_names(tmp: Path) -> list[str]:
    """A reference table where Туран is also an Almaty district and Есиль also a second Astana one."""
    real = (reference_dir() / "districts.csv").read_text(encoding="utf-8")
    ref = tmp / "ref"
    ref.mkdir()
    (ref / "districts.csv").write_text(real + "751999999,Almaty,Turan,Туран,Тұран,,,\n"
                                       "711999999,Astana,Esil two,Есиль,Есіл,,,\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QALA_REFERENCE", str(ref))
        return _csv(tmp, ["district", "Туран", "Есиль"]) + _csv(tmp, ["district", "Есиль"], "a.csv", city="Astana")


def _no_population(tmp: Path) -> list[str]:
    empty = tmp / "no_build"
    empty.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QALA_BUILD", str(empty))
        return _csv(tmp, [LATLON, _point(ESIL[1], ESIL[0])], population=None)


def _fifo(tmp: Path) -> list[str]:
    path = tmp / "pipe.csv"
    os.mkfifo(path)
    return _error(path)


def _parquet(tmp: Path, crs: str | None, to: str | None = None, name: str = "p.parquet") -> Path:
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(*ESIL)], crs=crs)
    path = tmp / name
    if crs is None:
        pd.DataFrame({"lat": [ESIL[1]], "lon": [ESIL[0]]}).to_parquet(path)
    else:
        (frame.to_crs(to) if to else frame).to_parquet(path)
    return path


def _no_crs_geoparquet(tmp: Path) -> list[str]:
    path = tmp / "g.parquet"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(*ESIL)]).to_parquet(path)
    return _error(path)


@pytest.fixture(scope="module")
def dask_cluster():
    from distributed import Client, LocalCluster

    with (LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
          Client(cluster) as client):
        yield cluster, client


def _dask(tmp: Path, cluster) -> list[str]:
    """Out of core (a Parquet file with latitude and longitude exchanged) and the in-memory dask join."""
    local, client = cluster
    path = tmp / "swapped.parquet"
    pd.DataFrame({"lat": [ESIL[0]] * 3, "lon": [ESIL[1]] * 3}).to_parquet(path)
    out_of_core = _join(path, engine="dask", client=client)
    csv = _csv(tmp, [LATLON, _point(ESIL[1], ESIL[0])], engine="dask", scheduler=local.scheduler_address)
    return out_of_core + csv


def _workbook(tmp: Path, name: str, sheets: dict[str, pd.DataFrame]) -> Path:
    path = tmp / name
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for sheet, frame in sheets.items():
            frame.to_excel(book, sheet_name=sheet, index=False)
    return path


SURVEY = pd.DataFrame({"lat": [ESIL[1]] * 12, "lon": [ESIL[0]] * 12, "Оценка района (1-5)": [3, 4] * 6,
                       "q2": [1, 2] * 6})


def _excel(tmp: Path) -> list[str]:
    """A workbook of two sheets (auto scores: one scale from its header, one inferred), the same workbook
    under a .csv name, and a workbook of one sheet."""
    two = _workbook(tmp, "two.xlsx", {"Данные": SURVEY, "Notes": pd.DataFrame({"a": [1]})})
    renamed = _write(tmp, "renamed.csv", two.read_bytes())
    one = _workbook(tmp, "one.xlsx", {"Sheet1": SURVEY[["lat", "lon"]]})
    return _join(two, auto_scores=True) + _join(renamed, auto_scores=True) + _join(one)


def _excel_errors(tmp: Path) -> list[str]:
    book = _workbook(tmp, "b.xlsx", {"Данные": SURVEY})
    return (_error(book, sheet="Итоги") + _csv_error(tmp, [LATLON, ESIL_ROW], sheet="Данные")
            + _error(_write(tmp, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old workbook"))
            + _error(_write(tmp, "cut.xlsx", b"PK\x03\x04 not a whole workbook")))


def _statistics(tmp: Path) -> list[str]:
    """An SPSS file whose item has value labels and a user-missing code (9, "затрудняюсь ответить"), the same
    file under a .txt name, and a Stata file with value labels under a .csv name."""
    import pyreadstat

    frame = pd.DataFrame({"lat": [ESIL[1]] * 12, "lon": [ESIL[0]] * 12, "q1": [1.0, 5.0, 9.0, 4.0] * 3})
    sav = tmp / "s.sav"
    pyreadstat.write_sav(frame, str(sav), missing_ranges={"q1": [9.0]}, variable_value_labels={
        "q1": {1.0: "совсем плохо", 5.0: "отлично", 9.0: "затрудняюсь ответить"}})
    dta = tmp / "s.dta"
    pyreadstat.write_dta(frame.assign(q1=[1.0, 5.0, 3.0, 4.0] * 3), str(dta),
                         variable_value_labels={"q1": {1.0: "плохо", 5.0: "хорошо"}})
    return (_join(sav, auto_scores=True) + _join(_write(tmp, "sav.txt", sav.read_bytes()), auto_scores=True)
            + _join(_write(tmp, "dta.csv", dta.read_bytes()), auto_scores=True))


def _spec_errors(tmp: Path) -> list[str]:
    """The join's choices refused: given one by one (JoinSpec's checks) and from plain data (``from_dict``, as
    the upload form's choices arrive)."""
    from geo.join.spec import JoinSpec

    path = _write(tmp, "s.csv", f"{LATLON}\n{ESIL_ROW}\n")
    given = [{"engine": "spark"}, {"city": "Paris"}, {"top_box": 0}, {"min_n": 1}, {"permutations": 100_000},
             {"alpha": 2.0}, {"scores": ["q1:5-1"]}, {"h3_res": [99]},
             {"scores": [f"q{i}" for i in range(501)]}]
    data: list = [[("city", "Astana")], {"colour": "red"}, {"lat_col": "x" * 301}, {"sheet": ""},
                  {"scores": "q1"}, {"h3_res": "8"}, {"auto_scores": "yes"}, {"alpha": "0.05"}, {"engine": 1},
                  {"seed": 1.5}]
    messages = [m for choices in given for m in _error(path, **choices)]
    for one in data:
        with pytest.raises(QalaError) as caught:
            JoinSpec.from_dict(one)
        messages.append(str(caught.value).splitlines()[0])
    return messages


ROWS = [LATLON + ",group,weight", f"{_point(ESIL[1], ESIL[0])},a,1", f",{ESIL[0]},a,1", f"abc,{ESIL[0]},a,1",
        f"{ESIL[1]},,a,1", f"{ESIL[1]},xyz,a,1", "95,200,a,1", f"{_point(ESIL[1], ESIL[0])},,1",
        f"{_point(ESIL[1], ESIL[0])},a,", f"{_point(ESIL[1], ESIL[0])},a,w", f"{_point(ESIL[1], ESIL[0])},a,-1",
        f"{_point(MEDEU[1], MEDEU[0])},a,1", "50.0,60.0,a,1"]
SCORES = ["lat,lon,q1,q2,w", *(f"{_point(ESIL[1], ESIL[0])},{q1},{q2},{w}" for q1, q2, w in
                               [(3, 2, 1), (7, 2, 1), ("abc", 2, 1), ("не знаю", 3, 1), ("", 4, 1), (4, 4, 0)])]
ESIL_ROW = _point(ESIL[1], ESIL[0])
ALMATY_ROW = _point(inside("Almaty")[1], inside("Almaty")[0])  # Astana's Almaty district

# producer -> (the message kinds it must produce, how it joins); each join runs once per module.
PRODUCERS: dict[str, tuple[tuple[str, ...], Callable[..., list[str]]]] = {
    "row rules": (("jm_missing_lat", "jm_nonnumeric_lat", "jm_missing_lon", "jm_nonnumeric_lon", "jm_out_of_range",
                   "jm_missing_group", "jm_missing_weight", "jm_nonnumeric_weight", "jm_negative_weight",
                   "jm_outside_all", "jm_several_cities", "jm_encoding_utf8", "jm_delimiter",
                   "jm_coordinate_columns"),
                  lambda tmp: _csv(tmp, ROWS, group_col="group", weight_col="weight")),
    "chosen city": (("jm_other_city", "jm_outside_vintage"),
                    lambda tmp: _csv(tmp, [LATLON, ESIL_ROW, _point(MEDEU[1], MEDEU[0]), "50.0,60.0"],
                                     city="Astana")),
    "city column": (("jm_missing_city", "jm_unknown_city", "jm_not_chosen_city", "jm_by_names", "jm_city_column"),
                    lambda tmp: _csv(tmp, ["city,district", "Астана,Есиль", ",Есиль", "Караганда,Центр",
                                           "Алматы,Медеуский"], city="Astana")),
    "names": (("jm_missing_district", "jm_wrong_vintage", "jm_unknown_district", "jm_elsewhere_chosen"),
              lambda tmp: _csv(tmp, ["district,group", "Есиль,a", ",a", "Сарыарка,a", "Xyz,a", "Медеуский,a"],
                               city="Astana", group_col="group")
              + _csv(tmp, ["district", "Есиль", "Нигде"], "b.csv")),
    "names by city column": (("jm_elsewhere_column",),
                             lambda tmp: _csv(tmp, ["Город;Район", "Астана;Медеуский", "Астана;Есиль"])),
    "shared names": (("jm_ambiguous_cities", "jm_ambiguous_ids"), _shared_names),
    "scores": (("jm_score_outside", "jm_nonnumeric_score", "jm_zero_weight", "jm_no_answer", "jm_scale_inferred",
                "jm_release_hidden"),
               lambda tmp: _csv(tmp, SCORES, scores=["q1:1-5", "q2"], weight_col="w", h3_res=[8], min_n=2)),
    # the release gate: a group cell of 3 hides cells, so Astana's indices and hexagons are left out
    # (and q1, answered by 3 of the 39, is left out whole)
    "release": (("jm_release_hidden", "jm_release_indices", "jm_release_hexagons_hidden", "jm_release_item"),
                lambda tmp: _csv(tmp, [LATLON + ",group,q1", *[f"{ESIL_ROW},a,"] * 12, *[f"{ESIL_ROW},b,4"] * 3,
                                       *[f"{ALMATY_ROW},a,"] * 12, *[f"{ALMATY_ROW},b,"] * 12], group_col="group",
                                 scores=["q1:1-5"], h3_res=[8], min_n=10)),
    # nothing hidden, but one hexagon holds 4 rows: the hexagons are left out
    "release hexagons": (("jm_release_hexagons_small",),
                         lambda tmp: _csv(tmp, [LATLON, *[ESIL_ROW] * 20,
                                                *[_point(ESIL[1] + 0.008, ESIL[0] + 0.008)] * 4],
                                          h3_res=[8], min_n=10)),
    "auto scores": (("jm_scores_found",),
                    lambda tmp: _csv(tmp, ["city,district,q1", *["Астана,Есиль,3", "Астана,Есиль,4"] * 6],
                                     auto_scores=True)),
    "too small": (("jm_err_too_small",),
                  lambda tmp: _csv_error(tmp, ["city,district,q1", "Астана,Есиль,3", "Астана,Есиль,4"],
                                         auto_scores=True)),
    "group labels": (("jm_err_group_labels",),
                     lambda tmp: _csv_error(tmp, [LATLON + ",who", *[f"{ESIL_ROW},id{i}" for i in range(12)]],
                                            group_col="who", min_n=10)),
    "geometries": (("jm_null_geometry", "jm_not_point", "jm_bad_point"),
                   lambda tmp: _join(_write(tmp, "g.geojson", _geojson([
                       _feature({"type": "Point", "coordinates": list(ESIL)}), _feature(None),
                       _feature({"type": "Polygon", "coordinates": [[list(ESIL), list(MEDEU), list(ESIL)]]}),
                       _feature({"type": "Point", "coordinates": ["a", "b"]})])))),
    "geojson crs": (("jm_geojson_crs",),
                    lambda tmp: _join(_write(tmp, "m.geojson", _geojson(
                        [_feature({"type": "Point", "coordinates": _utm(*ESIL)})], "urn:ogc:def:crs:EPSG::32642")))),
    "cp1251": (("jm_decoded_cp1251",),
               lambda tmp: _csv(tmp, ["lat,lon,name", f"{ESIL_ROW},Есиль район"], encoding="cp1251")),
    "latin-1": (("jm_decoded_latin1",),
                lambda tmp: _csv(tmp, ["lat,lon,name", f"{ESIL_ROW},café crème brûlée"], encoding="latin-1")),
    "swapped": (("jm_swapped",), lambda tmp: _csv(tmp, [LATLON, _point(ESIL[0], ESIL[1])] * 1 + [
        _point(ESIL[0], ESIL[1])])),
    "population gap": (("jm_no_population_for",),
                       lambda tmp: _csv(tmp, [LATLON, ESIL_ROW], population=population().iloc[1:])),
    "no population": (("jm_no_population",), _no_population),
    "parquet": (("jm_plain_parquet", "jm_geoparquet_crs"),
                lambda tmp: _join(_parquet(tmp, None)) + _join(_parquet(tmp, "EPSG:4326", "EPSG:32642", "u.parquet"))),
    "dask": (("jm_out_of_core", "jm_swapped_sampled", "jm_dask_memory"), _dask),
    "weights": (("jm_nonfinite_weight", "jm_weight_too_large"),
                lambda tmp: _csv(tmp, [LATLON + ",w", f"{ESIL_ROW},1", f"{ESIL_ROW},1e999", f"{ESIL_ROW},1e15"],
                                 weight_col="w")),
    "utf-16": (("jm_encoding_utf16_bom", "jm_encoding_utf16"),
               lambda tmp: _csv(tmp, ["lat,lon,name", f"{ESIL_ROW},Есиль"], encoding="utf-16")
               + _csv(tmp, ["lat,lon,name", f"{ESIL_ROW},Есиль"], "le.csv", encoding="utf-16-le")),
    "excel": (("jm_excel_sheets", "jm_excel_sheet", "jm_binary_xlsx", "jm_scores_found", "jm_scores_found_scaled",
               "jm_scale_header"), _excel),
    "spss and stata": (("jm_stat_file", "jm_scale_labels", "jm_binary_sav", "jm_binary_dta"), _statistics),
    # one-line errors
    "excel errors": (("jm_err_no_sheet", "jm_err_sheet_not_workbook", "jm_err_xls", "jm_err_bad_xlsx"),
                     _excel_errors),
    "broken statistics files": (("jm_err_bad_sav", "jm_err_bad_dta"),
                                lambda tmp: _error(_write(tmp, "x.sav", b"$FL2 not a whole file"))
                                + _error(_write(tmp, "x.dta", b"<stata_dta> not a whole file"))),
    "too many columns": (("jm_err_too_many_columns",),
                         lambda tmp: _csv_error(tmp, [",".join(f"c{i}" for i in range(2001)), "1," * 2000 + "1"])),
    "too many items": (("jm_err_too_many_items",),
                       lambda tmp: _csv_error(tmp, ["district," + ",".join(f"q{i}" for i in range(501)),
                                                    "Есиль," + "3," * 500 + "3"], auto_scores=True)),
    "join choices": (("jm_err_spec_items", "jm_err_engine", "jm_err_unknown_city", "jm_err_top_box_count",
                      "jm_err_min_n", "jm_err_permutations", "jm_err_alpha", "jm_err_score_scale", "jm_err_h3_res",
                      "jm_err_choices_mapping", "jm_err_choices_unknown", "jm_err_choice_scores",
                      "jm_err_choice_h3_res", "jm_err_choice_auto_scores", "jm_err_choice_alpha",
                      "jm_err_choice_engine", "jm_err_choice_name", "jm_err_choice_number"), _spec_errors),
    "empty": (("jm_err_empty",), lambda tmp: _error(_write(tmp, "e.csv", "  \n"))),
    "header only": (("jm_err_header_only",), lambda tmp: _csv_error(tmp, [LATLON])),
    "no features": (("jm_err_no_rows",), lambda tmp: _error(_write(tmp, "e.geojson", _geojson([])))),
    "no file": (("jm_err_no_file",), lambda tmp: _error(tmp / "nowhere.csv")),
    "folder": (("jm_err_folder",), lambda tmp: _error(tmp)),
    "fifo": (("jm_err_special",), _fifo),
    "no columns": (("jm_err_no_columns",), lambda tmp: _csv_error(tmp, ["a,b", "1,2"])),
    "no such column": (("jm_err_no_column",), lambda tmp: _csv_error(tmp, [LATLON, ESIL_ROW], group_col="nope")),
    "one option": (("jm_err_both_cols",), lambda tmp: _csv_error(tmp, [LATLON, ESIL_ROW], lat_col="lat")),
    "one coordinate": (("jm_err_one_coordinate",), lambda tmp: _csv_error(tmp, ["lat,b", "1,2"])),
    "score twice": (("jm_err_score_twice",),
                    lambda tmp: _csv_error(tmp, ["district,q1,Q1", "Есиль,1,2"], auto_scores=True)),
    "binary": (("jm_err_binary",), lambda tmp: _error(_write(tmp, "b.csv", bytes(range(256)) * 4))),
    "bad quoting": (("jm_err_csv_parse",), lambda tmp: _error(_write(tmp, "q.csv", 'a,b\n"1,2\n3,4\n'))),
    "geojson latin-1": (("jm_err_geojson_utf8",),
                        lambda tmp: _error(_write(tmp, "l.geojson", '{"a": "café"}', "latin-1"))),
    "cut json": (("jm_err_json",),
                 lambda tmp: _error(_write(tmp, "c.geojson", '{"type": "FeatureCollection", "features": ['))),
    "not a collection": (("jm_err_not_collection",), lambda tmp: _error(_write(tmp, "n.geojson", "[1, 2]"))),
    "unknown crs": (("jm_err_unknown_crs",),
                    lambda tmp: _error(_write(tmp, "k.geojson", _geojson(
                        [_feature({"type": "Point", "coordinates": list(ESIL)})], "EPSG:999999")))),
    "broken parquet": (("jm_err_parquet",), lambda tmp: _error(_write(tmp, "x.parquet", b"not parquet at all"))),
    "geoparquet without crs": (("jm_err_geoparquet_crs",), _no_crs_geoparquet),
    "metres": (("jm_err_projected",), lambda tmp: _csv_error(tmp, [LATLON, "5663000,500000"])),
    "no usable row": (("jm_err_no_usable_row",), lambda tmp: _csv_error(tmp, [LATLON, f",{ESIL[0]}"])),
    "nowhere": (("jm_err_no_city",), lambda tmp: _csv_error(tmp, [LATLON, "48.0,10.0"])),
    "no numeric answer": (("jm_err_no_numeric_score",),
                          lambda tmp: _csv_error(tmp, ["district,q1", "Есиль,не знаю"], scores=["q1"])),
    "one answer": (("jm_err_top_box",), lambda tmp: _csv_error(tmp, ["district,q1", "Есиль,3", "Есиль,3"],
                                                               auto_scores=True)),
}
# Catalogued but produced by no current code path: choose_city_and_vintage infers a city only when no row's own
# city can be told, which the in-memory and out-of-core joins both decide row by row now; the sample note of the
# older out-of-core join (jm_city_inferred_sample) is kept for reports written before.
NOT_PRODUCED = {"jm_city_inferred", "jm_city_inferred_sample"}


@pytest.fixture(scope="module")
def produced(tmp_path_factory, dask_cluster) -> dict[str, list[str]]:
    out = {}
    for name, (_, make) in PRODUCERS.items():
        tmp = tmp_path_factory.mktemp(re.sub(r"\W", "_", name))
        out[name] = make(tmp, dask_cluster) if make is _dask else make(tmp)
    return out


def test_every_catalogued_kind_has_a_producer():
    covered = {kind for kinds, _ in PRODUCERS.values() for kind in kinds}
    assert covered | NOT_PRODUCED == set(MESSAGES)
    assert len(set(MESSAGES)) == len(MESSAGES)


def _latin_left(text: str, fields: dict[str, str]) -> list[str]:
    """Latin words of a kk/ru rendering once the message's own field values and technical names are taken out."""
    for value in sorted(fields.values(), key=len, reverse=True):
        text = text.replace(value, " ")
    return re.findall(r"[A-Za-z]{2,}", TECHNICAL.sub(" ", text))


@pytest.mark.parametrize("producer", list(PRODUCERS))
def test_each_kind_is_produced_and_rendered_in_three_languages(produced, producer):
    kinds, _ = PRODUCERS[producer]
    messages = produced[producer]
    for kind in kinds:
        mine = [m for m in messages if kind_of(m) == kind]
        assert mine, (kind, messages)
        for message in mine:
            assert render(message, "en") == (message, True)  # the fields were read back exactly
            fields = next(p for k, p in joinmessages.patterns() if k == kind).fullmatch(message).groupdict()
            for lang in ("ru", "kk"):
                text, known = render(message, lang)
                assert known and text != message and re.search(r"[а-яёәіңғүұқөһ]", text, re.IGNORECASE)
                assert _latin_left(text, fields) == [], (lang, message, text)


def test_every_reason_and_note_of_the_joins_is_recognised(produced):
    """A new reason or note in geo.join (or a changed wording) without its catalogue entry fails here."""
    unknown = sorted({(name, m) for name, messages in produced.items() for m in messages if kind_of(m) is None})
    assert unknown == []
    assert sum(len(m) for m in produced.values()) > 80


@pytest.mark.parametrize("message, ru, kk", [
    ("missing latitude in column 'lat'", "нет широты в столбце 'lat'", "'lat' бағанында ендік жоқ"),
    ("score 7 outside the scale 1-5 in column 'q1'", "ответ 7 вне шкалы 1–5 в столбце 'q1'",
     "'q1' бағанындағы 7 жауабы 1–5 шкаласынан тыс"),
    ("in Almaty, not in the chosen city Astana", "в городе Алматы, а не в выбранном городе Астана",
     "таңдалған Астана қаласында емес, Алматы қаласында"),
    ("unknown district name 'Нигде' in Astana, Almaty or Shymkent",
     "неизвестное название района 'Нигде' (Астана, Алматы или Шымкент)",
     "белгісіз аудан атауы 'Нигде' (Астана, Алматы немесе Шымкент)"),
    ("several cities in one join: Astana (astana-6, 3 rows), Almaty (almaty-8, 1,234 rows)",
     "несколько городов в одном объединении: Астана (astana-6, строк: 3), Алматы (almaty-8, строк: 1,234)",
     "бір біріктіруде бірнеше қала: Астана (astana-6, жолдар: 3), Алматы (almaty-8, жолдар: 1,234)"),
    ("'Q1': 61 joined rows without an answer (3 don't know, 58 blank): not scored, still joined",
     "'Q1': привязанных строк без ответа: 61 («затрудняюсь ответить»: 3, пусто: 58); они не входят в оценку, "
     "но привязаны",
     "'Q1': жауапсыз байланыстырылған жолдар: 61 («білмеймін»: 3, бос: 58); бағалауға кірмейді, бірақ "
     "байланыстырылды"),
    ("decoded as cp1251: not UTF-8; 1,234 Cyrillic letters, no mixed-script words (as Latin-1: 5 implausible "
     "words)", "прочитан в кодировке cp1251, а не UTF-8; кириллических букв: 1,234, слов со смешанными "
     "алфавитами: 0 (в Latin-1: неправдоподобных слов: 5)",
     "cp1251 кодтауымен оқылды, UTF-8 емес; кирилл әріптері: 1,234, аралас әліпбилі сөздер: 0 (Latin-1 "
     "бойынша: күмәнді сөздер: 5)"),
    ("weight too large in column 'w' (above 1e+09: a code or an overflow, not a number of people)",
     "слишком большой вес в столбце 'w' (больше 1e+09: это код или переполнение, а не число людей)",
     "'w' бағанында салмақ тым үлкен (1e+09 мәнінен асады: бұл адамдар саны емес, код немесе сан толып кетуі)"),
    ("Excel workbook: sheet 'Данные' (other sheets: Итоги, Лист3), every cell read as text",
     "книга Excel: лист 'Данные' (другие листы: Итоги, Лист3), все ячейки прочитаны как текст",
     "Excel жұмыс кітабы: 'Данные' парағы (басқа парақтар: Итоги, Лист3), барлық ұяшық мәтін ретінде оқылды"),
    ("SPSS file: 2 column(s) with value labels, 1,204 user-missing or don't-know cells",
     "файл SPSS: столбцов с метками значений: 2; ячеек с кодами пропуска или ответами вроде «затрудняюсь "
     "ответить»: 1,204",
     "SPSS файлы: мән белгілері бар бағандар: 2; «жауап жоқ» кодтары немесе «білмеймін» сияқты жауаптары бар "
     "ұяшықтар: 1,204"),
    ("unknown city 'Paris'; use one of Astana, Almaty, Shymkent (--city)",
     "неизвестный город 'Paris'; выберите один из: Астана, Алматы, Шымкент (--city)",
     "белгісіз қала 'Paris'; мыналардың бірін таңдаңыз: Астана, Алматы, Шымкент (--city)"),
    ("name's.csv: the file is empty; export the table again with a header and data rows",
     "name's.csv: файл пуст; выгрузите таблицу заново, с заголовком и строками данных",
     "name's.csv: файл бос; кестені тақырып жолымен және деректер жолдарымен қайта экспорттаңыз"),
])
def test_hand_checked_renderings(message, ru, kk):
    assert render(message, "ru") == (ru, True) and render(message, "kk") == (kk, True)


def test_an_unknown_message_is_shown_in_english_and_marked_never_dropped():
    new = "a reason added to geo.join later"
    assert render(new, "ru") == (new, False) and kind_of(new) is None
    assert message_text(new, "ru") == f"{new} (на английском)"
    assert message_text(new, "kk") == f"{new} (ағылшынша)"
    assert message_text(new, "en") == new  # an English page needs no marker
    view = message_view(new, "kk").to_plotly_json()
    english, _, marker = view["props"]["children"]
    assert english.lang == "en" and english.children == new and marker.children == "(ағылшынша)"
    assert message_view("missing latitude in column 'lat'", "kk").children == "'lat' бағанында ендік жоқ"


def test_a_reason_that_only_looks_like_a_known_one_is_not_misread():
    assert kind_of("missing latitude in column lat") is None  # the column name is always quoted
    assert kind_of("score seven outside the scale 1-5 in column 'q1'") is None
    assert kind_of("missing latitude in column 'lat' and more") is None


def test_the_upload_page_shows_reasons_notes_and_errors_in_its_language(tmp_path):
    from dashboard.upload.callbacks import handle_upload
    from dashboard.upload.job import result_store
    from dashboard.upload.view import upload_view

    path = _write(tmp_path, "s.csv", "\n".join([LATLON, ESIL_ROW, "50.0,60.0", f",{ESIL[0]}"]) + "\n")
    result = join_user_data(path, city="Astana", h3_res=[], permutations=0, districts=districts(),
                            population=population())
    store = result_store(result, "s.csv")
    _, body = upload_view(store, "count", "ru", 5, "viridis", "Astana")
    text = json.dumps([c.to_plotly_json() for c in body], default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert "нет широты в столбце 'lat'" in text and "вне всех районов города Астана (astana-6)" in text
    assert "координаты из столбцов: широта 'lat', долгота 'lon'" in text and "разделитель ','" in text
    assert "missing latitude" not in text and "delimiter" not in text
    raw = "data:text/csv;base64," + __import__("base64").b64encode(bytes(range(256)) * 4).decode()
    message, store = handle_upload(raw, "broken.csv", "ru")
    assert store is None and message.startswith("broken.csv: двоичное содержимое, а не текстовая таблица")


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_no_message_on_the_page_names_a_command_line_option(lang):
    """Every message kind, in every language, as the page shows it: the options become the form's field names
    or go; a real refusal of the join reads with the form's words."""
    for key in MESSAGES:
        assert "--" not in page_words(texts_of(key)[("en", "ru", "kk").index(lang)], lang), key
    error = ("s.csv: no coordinate columns (lat/lon, latitude/longitude, x/y, широта/долгота) and no district "
             "column among ['a']; name them with --lat-col/--lon-col or --district-col")
    shown = message_text(error, lang)
    assert "--" not in shown
    assert t("form_role_district", lang) in shown and t("form_role_lat", lang) in shown
