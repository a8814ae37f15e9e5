"""`qala publish` / `qala datasets` / geo.store.load_published on joins made here on the mini build.

The survey (Russian headers, semicolons, comma decimals) covers mini Astana (Есиль 20, Нура 30, Сарыарка 3
respondents) and mini Almaty (Алмалы 20), half of each district "мигрант"; two rows name districts that do not exist and are set aside. Unique
marker strings are planted where microdata lives (the set-aside district cells, a group label seen only in a
set-aside row, a free-text column, the file name) and looked for in every published byte.

Group labels of JOINED rows ("местный", "мигрант") are categories, not microdata: they are published as values of
the group column and inside column names (count_мигрант, lq_мигрант); small cells behind them are the join's
suppression (min_n) to handle, not the publisher's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from geo import store
from geo.cli import main
from geo.errors import BadInput, SourceUnavailable, UnknownName
from geo.join.pipeline import join_user_data
from geo.publish import aggregate_only, publish, read_join_output
from tests.mini.make import ALMALY, ESIL, NURA, SARYARKA

MARKERS = ("ZZDISTRICT7Q", "ZZGROUP3K", "ZZNOTE9X", "ZZFILE5M")
# city, district, group, weight, Q1 per joined respondent; the answers repeat so means are easy to check
PLAN = [("Астана", "Есиль", 20), ("Астана", "Нура", 30), ("Астана", "Сарыарка", 3), ("Алматы", "Алмалы", 20)]
JOINED = sum(n for *_, n in PLAN)  # 73


def _survey(folder: Path, *, synthetic: bool = False) -> Path:
    lines = ["Город;Район;Группа;Вес;Q1;Заметка" + (";source" if synthetic else "")]
    tail = ";SYNTHETIC" if synthetic else ""
    for city, district, n in PLAN:
        for i in range(n):
            group = "мигрант" if i % 2 == 0 else "местный"
            weight = "1,5" if (i // 2) % 2 else "0,75"
            answer = str(1 + i % 5) if i != 4 else "затрудняюсь ответить"
            lines.append(f"{city};{district};{group};{weight};{answer};{MARKERS[2]} {i}{tail}")
    lines.append(f"Астана;{MARKERS[0]};{MARKERS[1]};1;3;{MARKERS[2]} x{tail}")  # set aside: unknown district
    lines.append(f"Алматы;Нет такого {MARKERS[0]};местный;1;2;{MARKERS[2]} y{tail}")
    path = folder / f"survey_{MARKERS[3]}.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def _join(tmp_path: Path, *, scores: bool, synthetic: bool = False, name: str = "out", min_n: int = 10) -> Path:
    result = join_user_data(_survey(tmp_path, synthetic=synthetic), city_col="Город", district_col="Район",
                            group_col="Группа", weight_col="Вес", scores=["Q1:1-5"] if scores else [],
                            h3_res=[], permutations=0, min_n=min_n)
    assert result.report["joined_rows"] == JOINED and result.report["set_aside_rows"] == 2
    out = tmp_path / name
    result.write(out)
    return out


@pytest.fixture
def env(mini_build, monkeypatch, tmp_path):
    monkeypatch.setenv("QALA_BUILD", str(mini_build))
    monkeypatch.setenv("QALA_DATASETS", str(tmp_path / "datasets"))
    store.clear_cache()
    return tmp_path / "datasets"


def _publish(out: Path, name: str = "survey", **extra: str) -> Path:
    return publish(out, name, title=extra.get("title", "Attitudes 2024"), source="Team A", period="2024-05",
                   method="street survey", licence="CC BY 4.0")


def _independent_checksum(folder: Path) -> str:
    files = sorted(p.name for p in folder.iterdir() if p.suffix == ".parquet")
    total = hashlib.sha256()
    for name in files:
        total.update(name.encode() + b"\0" + hashlib.sha256((folder / name).read_bytes()).digest())
    return total.hexdigest()


def test_publish_writes_aggregates_and_metadata_and_reads_back_on_built_geometry(env, tmp_path):
    version = _publish(_join(tmp_path, scores=True))
    assert version == env / "survey" / "v1"
    files = {p.name for p in version.iterdir()}
    assert files == {"districts.parquet", "scores.parquet", "score_differences.parquet", "groups.parquet",
                     "indices.parquet", "metadata.json", "disclosure.json", "disclosure_kk.html",
                     "disclosure_ru.html", "disclosure_en.html"}
    disclosure = json.loads((version / "disclosure.json").read_text())
    assert disclosure["dataset"] == {"name": "survey", "version": "v1", "title": "Attitudes 2024", "synthetic": False}
    assert disclosure["min_n"] == 10 and disclosure["hidden"] and disclosure["versions"]["audited_with"] == []
    assert all("reason" not in h for h in disclosure["hidden"]) and "files" not in disclosure
    assert "Сарыарка" in (version / "disclosure_ru.html").read_text(encoding="utf-8")
    districts = pd.read_parquet(version / "districts.parquet")
    assert not {"geometry", "name_ru", "name_en", "name_kk", "area_km2"} & set(districts.columns)
    assert {"Q1_mean", "Q1_ci_low", "Q1_ci_high", "Q1_n"} <= set(districts.columns)
    meta = json.loads((version / "metadata.json").read_text())
    assert (meta["name"], meta["version"], meta["title"], meta["source"], meta["period"]) == (
        "survey", "v1", "Attitudes 2024", "Team A", "2024-05")
    assert (meta["method"], meta["licence"], meta["n"], meta["synthetic"]) == ("street survey", "CC BY 4.0", 73, False)
    assert meta["cities"] == ["Almaty", "Astana"] and meta["vintages"] == ["almaty-3", "astana-4"]
    assert meta["rows"]["set_aside_rows"] == 2 and meta["min_n"] == 10
    assert meta["items"][0]["item"] == "Q1" and (meta["items"][0]["low"], meta["items"][0]["high"]) == (1, 5)
    assert meta["items"][0]["dont_know"] == 3  # i == 4 in each district of 20 or 30 (Сарыарка has 3 rows)
    assert datetime.fromisoformat(meta["created"]).utcoffset().total_seconds() == 0
    assert meta["checksum"] == _independent_checksum(version)

    gdf, scores = store.load_published("survey")
    built = store.load_districts().set_index("district_id")
    by_id = gdf.set_index("district_id")
    assert set(by_id.index) == set(built.index) >= {ESIL, NURA, SARYARKA, ALMALY}  # every district of both cities
    assert by_id.loc[ESIL, "geometry"].equals(built.loc[ESIL, "geometry"])
    assert by_id.loc[ESIL, "name_ru"] == "Есиль"
    # Нура (shown): weights 0.75 for i // 2 even (16 rows), 1.5 for odd (14): count = 12 + 21 = 33; Q1 answers
    # 1 + i % 5 except i = 4 (don't know, weight 0.75): sum w = 32.25, sum w y = 95.25, mean 2.953488 from n = 29
    assert by_id.loc[NURA, "count"] == pytest.approx(33.0) and by_id.loc[NURA, "Q1_n"] == 29
    assert by_id.loc[NURA, "Q1_mean"] == pytest.approx(95.25 / 32.25)
    assert by_id.loc[NURA, "Q1_ci_low"] < by_id.loc[NURA, "Q1_mean"] < by_id.loc[NURA, "Q1_ci_high"]
    # Сарыарка (3 respondents) is suppressed, and Есиль, the smaller other district, with it: both stay
    # suppressed when read
    assert by_id.loc[SARYARKA, "Q1_suppressed"] and pd.isna(by_id.loc[SARYARKA, "Q1_mean"])
    assert by_id.loc[ESIL, "suppressed"] and pd.isna(by_id.loc[ESIL, "count"])
    assert scores is not None and set(scores["item"]) == {"Q1"}
    assert gdf.attrs["dataset"]["version"] == "v1"


def test_export_of_a_published_dataset_carries_the_intervals_and_its_credit(env, tmp_path, capsys):
    from geo.export import load_for_export

    _publish(_join(tmp_path, scores=True))
    data, stem, credit = load_for_export("dataset:survey")
    assert stem == "dataset-survey" and credit.startswith("Attitudes 2024: Team A, 2024-05")
    assert {"Q1_mean", "Q1_ci_low", "Q1_ci_high", "Q1_n", "Q1_reliability", "geometry"} <= set(data.columns)
    shown = data[data["Q1_mean"].notna()]
    assert len(shown) and (shown["Q1_ci_low"] <= shown["Q1_mean"]).all() and (shown["Q1_mean"] <= shown["Q1_ci_high"]).all()
    assert main(["export", "dataset:nope", "-o", str(tmp_path / "x.geojson")]) == 2
    assert "unknown dataset 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "x.geojson").exists()


def test_versions_are_kept_and_the_newest_is_current(env, tmp_path):
    out = _join(tmp_path, scores=False)
    _publish(out, title="first")
    _publish(out, title="second")
    listed = store.published_datasets()
    assert [(d["name"], d["version"], d["title"], d["versions"]) for d in listed] == [
        ("survey", "v2", "second", ["v1", "v2"])]
    assert store.load_published("survey")[0].attrs["dataset"]["title"] == "second"
    assert store.load_published("survey", "v1")[0].attrs["dataset"]["title"] == "first"
    first = json.loads((env / "survey" / "v1" / "metadata.json").read_text())
    assert first["checksum"] == _independent_checksum(env / "survey" / "v1")
    # the second was audited against the first (identical: no difference to single anyone out)
    assert json.loads((env / "survey" / "v2" / "disclosure.json").read_text())["versions"]["audited_with"] == ["v1"]
    from geo.export import load_for_export

    newest, stem, credit = load_for_export("dataset:survey")
    assert stem == "dataset-survey" and credit.startswith("second:")
    older, stem, credit = load_for_export("dataset:survey@v1")
    assert stem == "dataset-survey-v1" and credit.startswith("first:") and "(v1, not the newest)" in credit
    with pytest.raises(UnknownName, match="no version 'v9'"):
        load_for_export("dataset:survey@v9")


def test_a_version_one_respondent_apart_from_a_served_one_is_refused(env, tmp_path, capsys):
    """v1, then the same survey with one more respondent in Нура: the totals of the two versions would give that
    person's district, group and answer. Refused with one line; once v1 is retired (never shared), it goes."""
    _publish(_join(tmp_path, scores=True))
    survey = _survey(tmp_path)
    survey.write_bytes(survey.read_bytes() + "Астана;Нура;местный;1;5;one more\n".encode())
    result = join_user_data(survey, city_col="Город", district_col="Район", group_col="Группа", weight_col="Вес",
                            scores=["Q1:1-5"], h3_res=[], permutations=0, min_n=10)
    result.write(tmp_path / "plus-one")
    err = _refused(capsys, str(tmp_path / "plus-one"), "--name", "survey")
    assert f"differs from the served v1 by 1 respondent(s) in Astana, district {NURA}, all respondents" in err
    assert "qala datasets remove survey --version v1" in err
    assert [p.name for p in (env / "survey").iterdir() if not p.name.startswith(".")] == ["v1"]
    assert main(["datasets", "remove", "survey", "--version", "v1"]) == 0
    assert _publish(tmp_path / "plus-one").name == "v1"


def test_damage_is_caught_and_one_damaged_dataset_hides_no_other(env, tmp_path):
    out = _join(tmp_path, scores=False)
    _publish(out, "good")
    damaged = _publish(out, "broken")
    data = bytearray((damaged / "districts.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (damaged / "districts.parquet").write_bytes(bytes(data))
    with pytest.raises(SourceUnavailable, match="damaged"):
        store.load_published("broken")
    _publish(out, "worse")
    (env / "worse" / "v1" / "metadata.json").write_text("{not json")
    listed = {d["name"]: d for d in store.published_datasets()}
    assert listed["good"]["version"] == "v1" and "warning" not in listed["good"]
    assert "unreadable metadata.json" in listed["worse"]["warning"]
    meta = json.loads((env / "good" / "v1" / "metadata.json").read_text())
    meta["format"] = 0
    (env / "good" / "v1" / "metadata.json").write_text(json.dumps(meta))
    store.clear_cache()
    with pytest.raises(SourceUnavailable, match="republish it with this version"):
        store.load_published("good")


@pytest.mark.parametrize("name", ["../datasets", "nope", "", "x" * 500, None, "survey/v1", "Survey"])
def test_only_known_dataset_names_are_read(env, tmp_path, name):
    _publish(_join(tmp_path, scores=False))
    with pytest.raises(UnknownName) as caught:
        store.load_published(name)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200
    with pytest.raises(UnknownName):
        store.load_published("survey", "../v1")


def test_list_and_remove_through_the_command_line(env, tmp_path, capsys):
    out = _join(tmp_path, scores=False)
    assert main(["publish", str(out), "--name", "survey", "--title", "T", "--source", "S", "--period", "2024"]) == 0
    assert main(["publish", str(out), "--name", "survey", "--title", "T2", "--source", "S", "--period", "2024"]) == 0
    capsys.readouterr()
    assert main(["datasets", "list"]) == 0
    line = capsys.readouterr().out.splitlines()[1].split()
    assert line[:3] == ["survey", "v2", str(JOINED)] and line[-2:] == ["2", "T2"]
    assert main(["datasets", "remove", "survey", "--version", "v2"]) == 0
    assert [p.name for p in (env / "survey").iterdir()] == ["v1"]
    assert main(["datasets", "remove", "survey", "--version", "v9"]) == 2
    assert main(["datasets", "remove", "survey"]) == 0
    assert list(env.iterdir()) == [] and store.published_datasets() == []
    assert main(["datasets", "remove", "survey"]) == 2
    assert "no published dataset 'survey'" in capsys.readouterr().err


def test_a_failure_mid_way_leaves_nothing(env, tmp_path, monkeypatch):
    out = _join(tmp_path, scores=False)
    _publish(out)
    before = {p.name: p.read_bytes() for p in (env / "survey" / "v1").iterdir()}

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("geo.publish.dataset_checksum", fail)
    with pytest.raises(OSError, match="disk full"):
        _publish(out)
    assert [p.name for p in (env / "survey").iterdir()] == ["v1"]  # no v2, no staging folder left
    assert {p.name: p.read_bytes() for p in (env / "survey" / "v1").iterdir()} == before


def _refused(capsys, *argv: str) -> str:
    assert main(["publish", *argv, "--title", "T", "--source", "S", "--period", "2024"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("qala: error: ")
    return err


def test_refusals_exit_2_with_one_line(env, tmp_path, capsys):
    out = _join(tmp_path, scores=False)
    assert "is not a folder" in _refused(capsys, str(tmp_path / "missing"), "--name", "a")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    assert "is not a join output" in _refused(capsys, str(tmp_path / "other"), "--name", "a")
    assert "not a slug" in _refused(capsys, str(out), "--name", "Bad Name!")
    assert "not a slug" in _refused(capsys, str(out), "--name", "a" * 64)

    empty = tmp_path / "empty"
    shutil.copytree(out, empty)
    pd.read_parquet(empty / "districts.parquet").iloc[:0].to_parquet(empty / "districts.parquet")
    assert "no district rows" in _refused(capsys, str(empty), "--name", "a")

    extra = tmp_path / "extra"
    shutil.copytree(out, extra)
    frame = pd.read_parquet(extra / "districts.parquet")
    frame["respondent_answers"] = "1;2;3"
    frame.to_parquet(extra / "districts.parquet")
    assert "districts.parquet is not the file the join wrote" in _refused(capsys, str(extra), "--name", "a")
    tables, _ = read_join_output(out)  # the column allow-list still stands behind the checksums
    with pytest.raises(BadInput, match="respondent_answers are not aggregate columns"):
        aggregate_only({**tables, "districts": tables["districts"].assign(respondent_answers="1;2;3")})

    rows = tmp_path / "rows"
    shutil.copytree(out, rows)
    groups = pd.read_csv(rows / "groups.csv", encoding="utf-8-sig")
    groups["row"] = range(len(groups))
    groups.to_csv(rows / "groups.csv", index=False)
    assert "groups.csv is not the file the join wrote" in _refused(capsys, str(rows), "--name", "a")

    # a hidden cell made visible by hand (n = 3 of Сарыарка) is refused the same way
    edited = tmp_path / "edited"
    shutil.copytree(out, edited)
    frame = pd.read_parquet(edited / "districts.parquet")
    frame.loc[frame["district_id"] == SARYARKA, ["n_rows", "suppressed"]] = [3.0, False]
    frame.to_parquet(edited / "districts.parquet")
    assert "districts.parquet is not the file the join wrote" in _refused(capsys, str(edited), "--name", "a")

    added = tmp_path / "added"  # a table the join's report does not vouch for (put there by hand)
    shutil.copytree(out, added)
    report = json.loads((added / "report.json").read_text(encoding="utf-8"))
    del report["release"]["files"]["indices.csv"]
    (added / "report.json").write_text(json.dumps(report), encoding="utf-8")
    assert "indices.csv is not the file the join wrote" in _refused(capsys, str(added), "--name", "a")

    low = _join(tmp_path, scores=False, name="low", min_n=2)  # below the server's policy (10)
    assert "joined with --min-n 2, below this server's 10" in _refused(capsys, str(low), "--name", "a")
    plain = join_user_data(_survey(tmp_path), city_col="Город", district_col="Район", h3_res=[], permutations=0)
    plain.write(tmp_path / "plain")  # no score items, no --min-n: nothing was released
    assert "joined without the release gate" in _refused(capsys, str(tmp_path / "plain"), "--name", "a")
    assert not env.exists() or list(env.iterdir()) == []  # nothing was published by any refusal


def test_no_microdata_reaches_any_published_byte(env, tmp_path):
    out = _join(tmp_path, scores=True)
    # the join output itself holds the markers (set_aside.csv, report.json): the test would see a leak
    leaky = b"".join(p.read_bytes() for p in out.iterdir())
    assert MARKERS[0].encode() in leaky and MARKERS[3].encode() in leaky
    version = _publish(out)
    published = b"".join(p.read_bytes() for p in sorted(version.iterdir()))
    for marker in MARKERS:
        assert marker.encode() not in published, marker
    assert not (version / "set_aside.parquet").exists() and not list(version.glob("hexagons*"))
    meta = json.loads((version / "metadata.json").read_text())
    assert "set_aside_first" not in meta and "input" not in meta and "notes" not in meta
    # categories of joined rows are published, as documented above
    assert "мигрант".encode() in published


def test_synthetic_input_stays_labelled(env, tmp_path, capsys):
    out = _join(tmp_path, scores=False, synthetic=True)
    version = _publish(out, title="Demo")
    meta = json.loads((version / "metadata.json").read_text())
    assert meta["synthetic"] is True and meta["title"] == "SYNTHETIC: Demo"
    again = _publish(out, "demo2", title="A synthetic demo")
    assert json.loads((again / "metadata.json").read_text())["title"] == "A synthetic demo"
    assert main(["datasets", "list"]) == 0
    assert "SYNTHETIC: Demo" in capsys.readouterr().out


def test_make_data_records_published_datasets_and_stays_a_no_op(env, tmp_path, mini_set, monkeypatch, capsys):
    from geo.build.run import run
    from tests.mini.make import mini_env

    build = tmp_path / "build"
    shutil.copytree(Path(mini_set) / "build", build)
    for key, value in mini_env(mini_set, build).items():
        monkeypatch.setenv(key, value)
    run(quiet=True)  # brings the copy up to date (a no-op unless the code changed since the session's build)
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest.get("datasets", []) == []
    version = _publish(_join(tmp_path, scores=False))
    meta = json.loads((version / "metadata.json").read_text())
    capsys.readouterr()
    run(quiet=True)
    assert "nothing changed" in capsys.readouterr().out
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["datasets"] == [{"name": "survey", "version": "v1", "checksum": meta["checksum"],
                                     "n": JOINED, "created": meta["created"], "title": "Attitudes 2024",
                                     "synthetic": False}]
    recorded = (build / "manifest.json").read_bytes()
    run(quiet=True)
    assert (build / "manifest.json").read_bytes() == recorded  # unchanged datasets: a true no-op


def test_the_dashboard_serves_the_disclosure_report_of_the_current_version(env, tmp_path):
    import flask

    from dashboard.page.disclosure import register_routes

    _publish(_join(tmp_path, scores=True))
    app = flask.Flask("probe")
    register_routes(app)
    client = app.test_client()
    page = client.get("/disclosure/survey/ru.html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    text = page.get_data(as_text=True)
    assert '<html lang="ru">' in text and "Сарыарка" in text
    for bad in ("/disclosure/survey/xx.html", "/disclosure/nope/ru.html"):
        answer = client.get(bad)
        assert answer.status_code == 404 and answer.mimetype == "text/plain", bad
    assert client.get("/disclosure/..%2Fsurvey/ru.html").status_code == 404


def test_the_allow_list_keeps_only_the_named_items_and_groups_columns():
    """An item's or a group's columns pass only for the items and groups the tables hold; text fields are
    1-500 characters; the tables leave with a plain row index."""
    from geo.publish import MAX_TEXT, _text

    districts = pd.DataFrame({"district_id": ["a", "b"], "city": ["Astana"] * 2, "vintage": ["astana-6"] * 2,
                              "Q1_mean": [3.1, 2.9], "count_migrant": [12, 14]}, index=[5, 7])
    scores = pd.DataFrame({"city": ["Astana"], "level": ["district"], "district_id": ["a"], "item": ["Q1"],
                           "group": ["all"], "n": [20], "mean": [3.1], "ci_low": [2.8], "ci_high": [3.4],
                           "suppressed": [False]})
    groups = pd.DataFrame({"city": ["Astana"], "district_id": ["a"], "group": ["migrant"], "count": [12]})
    tables = aggregate_only({"districts": districts, "scores": scores, "groups": groups})
    assert list(tables["districts"].columns) == ["district_id", "city", "vintage", "Q1_mean", "count_migrant"]
    assert list(tables["districts"].index) == [0, 1]  # the row labels of the join do not travel
    for stray in ("Q9_mean", "count_local", "Q1_answers"):  # another item, another group, a non-aggregate
        with pytest.raises(BadInput, match=f"column\\(s\\) {stray} are not aggregate"):
            aggregate_only({"districts": districts.assign(**{stray: 1}), "scores": scores, "groups": groups})
    six = {f"x{i}": 0 for i in range(6)}
    with pytest.raises(BadInput, match=r"column\(s\) x0, x1, x2, x3, x4 are not"):  # at most five named
        aggregate_only({"districts": districts.assign(**six), "scores": scores, "groups": groups})
    assert _text("  a  b ", "title") == "a b" and _text(None, "title") is None
    assert _text("x" * MAX_TEXT, "title") == "x" * MAX_TEXT
    for bad in ("x" * (MAX_TEXT + 1), "   "):
        with pytest.raises(BadInput, match="--title must be 1-500 characters"):
            _text(bad, "title")


def test_the_store_reads_a_published_datasets_tables_and_refuses_at_each_edge(env, tmp_path):
    """store.load_published_table and disclosure_page: only the named aggregate tables, a copy each time, the
    current or a named version, every refusal one line naming what to use; a metadata missing a key or a file
    missing from the listed ones is damage."""
    out = _join(tmp_path, scores=True)
    _publish(out, "survey")
    scores = store.load_published_table("survey", "scores")
    assert scores is not None and len(scores) and list(scores.index) == list(range(len(scores)))
    scores.loc[scores.index[0], "mean"] = -1.0  # the caller's copy: the store's cached table is untouched
    assert store.load_published_table("survey", "scores")["mean"].iloc[0] != -1.0
    assert store.load_published_table("survey", "scores", "v1").equals(store.load_published_table("survey", "scores"))
    for table in ("districts", "respondents", "x" * 100):
        with pytest.raises(UnknownName) as caught:
            store.load_published_table("survey", table)
        message = str(caught.value)
        assert "use one of scores, score_differences" in message and "districts," not in message
        assert len(message) < 200 and "x" * 41 not in message
    with pytest.raises(UnknownName, match=r"has no version 'v9'; versions: v1"):
        store.load_published("survey", "v9")
    with pytest.raises(UnknownName, match=r"no disclosure page in 'de'; use one of kk, ru, en"):
        store.disclosure_page("survey", "de")
    assert "<html" in store.disclosure_page("survey", "kk").lower()
    with pytest.raises(UnknownName, match=r"unknown dataset 'nope'; published datasets: survey"):
        store.load_published("nope")
    gdf, _ = store.load_published("survey")
    assert list(gdf.index) == list(range(len(gdf)))
    (env / "survey" / "v1" / "scores.parquet").rename(tmp_path / "moved.parquet")  # a listed file gone: damage
    store.clear_cache()
    with pytest.raises(SourceUnavailable, match="is damaged"):
        store.load_published("survey")
    (tmp_path / "moved.parquet").rename(env / "survey" / "v1" / "scores.parquet")
    meta_path = env / "survey" / "v1" / "metadata.json"
    meta = json.loads(meta_path.read_text())
    del meta["min_n"]
    meta_path.write_text(json.dumps(meta))
    store.clear_cache()
    with pytest.raises(SourceUnavailable):
        store.load_published("survey")


def test_no_dataset_says_none(env):
    with pytest.raises(UnknownName, match=r"published datasets: none"):
        store.load_published("survey")
