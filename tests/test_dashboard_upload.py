"""Dropped files: size checked before decoding, joined on the real build, nothing left on disk, text kept as text."""

from __future__ import annotations

import base64
import json
import tempfile

import plotly
import pytest

from dashboard.i18n import t
from dashboard.page.layout import serve_layout
from dashboard.state.query import ViewState
from dashboard.state.viewmodel import ViewModel
from dashboard.upload.callbacks import UploadRejected, decode_upload, decoded_size, handle_upload
from dashboard.upload.view import joined_frame, upload_view
from dashboard.views import leftbank, perception

# Akorda and Baiterek lie in Esil district (left bank), Astana-1 railway station in Saryarka, 12 rows at each
# (an upload passes the release gate, which hides a district of 1-9 rows); the next point is steppe west of the
# city, the last row has markup for a latitude.
POINTS = ("name,lat,lon\n" + "Akorda,51.125828,71.446297\n" * 12 + "Baiterek,51.128207,71.430411\n" * 12
          + "Station,51.194700,71.410800\n" * 12 + "Steppe,51.600000,70.600000\nBad,<b>x</b>,71.4\n")


def data_url(raw: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def _tree(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


@pytest.fixture(scope="module")
def vm(built):
    return ViewModel.load()


@pytest.fixture()
def private_tmp(tmp_path, monkeypatch):
    """Temporary files of the upload go here, so the test can see that none is left behind."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_size_is_checked_before_decoding():
    raw = b"x" * 1000
    assert decoded_size(base64.b64encode(raw).decode()) == 1000
    assert decoded_size(base64.b64encode(raw[:-1]).decode()) == 999
    not_even_base64 = "data:text/csv;base64," + "!" * 2000  # would fail to decode: the size check comes first
    with pytest.raises(UploadRejected) as caught:
        decode_upload(not_even_base64, "big.csv", limit=1000)
    assert caught.value.key == "upload_too_big"
    with pytest.raises(UploadRejected) as caught:
        decode_upload("data:text/csv;base64,!!!!", "small.csv", limit=1000)
    assert caught.value.key == "upload_bad_type"


@pytest.mark.parametrize("name, contents, key", [
    ("points.docx", data_url(b"a,b\n1,2\n"), "upload_bad_type"),
    ("points.csv", "data:text/csv,a,b", "upload_bad_type"),
    ("points.csv", "data:text/csv;base64,", "upload_empty"),
])
def test_unusable_uploads_are_refused_with_their_reason(name, contents, key):
    with pytest.raises(UploadRejected) as caught:
        decode_upload(contents, name)
    assert caught.value.key == key


def test_points_are_joined_counted_and_set_aside_with_nothing_left_on_disk(built, private_tmp):
    message, store = handle_upload(data_url(POINTS.encode()), "survey.csv", "en")
    assert message == "36 rows joined, 2 not joined."
    assert list(private_tmp.iterdir()) == []  # the temporary folder is gone
    counts = {r["name_en"]: r["count"] for r in store["rows"]}
    assert counts["Esil"] == 24 and counts["Saryarka"] == 12 and sum(counts.values()) == 36
    assert (store["city"], store["vintage"], store["synthetic"]) == ("Astana", "astana-6", False)
    assert store["input_rows"] == store["joined_rows"] + store["set_aside_rows"] == 38
    reasons = {r["row"]: (r["reason"], r["value"]) for r in store["set_aside"]}
    assert "outside every district" in reasons[37][0] and reasons[38][1] == "<b>x</b>"
    esil = next(r for r in store["rows"] if r["name_en"] == "Esil")
    assert esil["share_of_city"] == pytest.approx(2 / 3)
    assert esil["per_1000"] == pytest.approx(24 / esil["population"] * 1000)
    assert not any(r["suppressed"] for r in store["rows"])  # nothing small: nothing hidden
    json.dumps(store, allow_nan=False)  # missing values are None, never NaN in the page's store


def test_upload_view_colours_by_measure_and_keeps_file_text_as_text(built, private_tmp):
    _, store = handle_upload(data_url(POINTS.encode()), "<i>survey</i>.csv", "en")
    hideout, body = upload_view(store, "count", "en", 5, "viridis", "Astana")
    ids = {r["district_id"]: r for r in store["rows"]}
    by_count = sorted(ids, key=lambda d: ids[d]["count"])
    classes = [hideout["classes"][d] for d in by_count]
    assert classes[0] < classes[-2] < classes[-1]  # 0, 12 and 24 rows: three distinct classes, in order
    tree = _tree(body)
    assert "<b>x</b>" in tree and "dangerouslySetInnerHTML" not in tree
    share, _ = upload_view(store, "share_of_city", "en", 5, "viridis", "Astana")
    assert "66.7 %" in share["labels"][by_count[-1]]


def test_synthetic_upload_is_labelled(built, private_tmp):
    _, store = handle_upload(data_url(POINTS.encode()), "synthetic_points.csv", "en")
    assert store["synthetic"] is True
    hideout, body = upload_view(store, "count", "en", 5, "viridis", "Astana")
    assert all(label.startswith("SYNTHETIC") for label in hideout["labels"].values())
    assert "Synthetic data" in _tree(body)


def test_bad_file_gives_one_line_without_the_temporary_path(built, private_tmp):
    message, store = handle_upload(data_url(bytes(range(256)) * 4), "broken.csv", "en")
    assert store is None and message.startswith("broken.csv") and "\n" not in message
    assert str(private_tmp) not in message and "qala-upload-" not in message
    assert list(private_tmp.iterdir()) == []


def test_joined_download_has_full_boundaries_and_the_indicators(built, private_tmp):
    _, store = handle_upload(data_url(POINTS.encode()), "survey.csv", "en")
    frame = joined_frame(store)
    assert frame.crs.to_epsg() == 4326 and frame.geometry.notna().all()
    assert {"count", "share_of_city", "per_1000", "population_period"} <= set(frame.columns)
    assert len(frame) == len(store["rows"])


def test_paraphrases_are_not_dressed_as_quotations(vm):
    for layer_view in (perception.scores_view(vm, ViewState(layer="perception", city="Almaty")),
                       leftbank.panel_details(vm, ViewState(layer="leftbank"))):
        tree = _tree(layer_view)
        assert '"type": "Q"' not in tree and '"type": "Blockquote"' not in tree
        assert "Paraphrases in English by the project, not quotations." in tree


def test_left_bank_chart_says_where_each_bank_comes_from(vm):
    basis = {row.vintage: row.bank_basis for row in vm.left_share}
    assert basis.get("astana-3") == ("published",)  # the 2008-2018 districts: banks as published
    assert basis.get("astana-6") == ("computed",)
    tree = _tree(leftbank.panel_details(vm, ViewState(layer="leftbank")))
    assert "as published (text)" in tree and "computed from boundaries" in tree


def test_district_dropdown_is_labelled_as_the_keyboard_route(vm):
    tree = _tree(serve_layout(vm, "", "en"))
    assert '"htmlFor": "ctl-district"' in tree and "Tab onto a district on the map and press Enter" in tree


def test_auto_joins_every_city_and_scores_columns_named_like_q1(built, private_tmp):
    answers = [1, 2, 3, 4, 5, 5, 4, 3, 2, "не знаю", 4]  # 10 answers (mean 3.3) and one don't know in Esil
    lines = ["city,district,q1"] + [f"Астана,Есиль,{a}" for a in answers] + [f"Алматы,Медеуский,{a}" for a in
                                                                             (2, 3) * 5] + ["Караганда,Центр,3"]
    message, store = handle_upload(data_url(("\n".join(lines) + "\n").encode()), "survey.csv", "en")
    assert message == "21 rows joined, 1 not joined."
    assert store["vintages"] == {"Astana": "astana-6", "Almaty": "almaty-8"} and store["city"] == "Astana"
    assert store["scores"] == ["q1"] and "q1_mean" in store["measures"]
    rows = {r["name_en"]: r for r in store["rows"]}
    assert rows["Esil"]["q1_mean"] == pytest.approx(3.3) and rows["Esil"]["q1_n"] == 10
    assert rows["Medeu"]["q1_mean"] == pytest.approx(2.5) and rows["Medeu"]["q1_n"] == 10
    hideout, body = upload_view(store, "q1_mean", "en", 5, "viridis", "Astana")
    tree = json.dumps(json.loads(_tree(body)), ensure_ascii=False)
    low, high = rows["Esil"]["q1_ci_low"], rows["Esil"]["q1_ci_high"]
    assert low < 3.3 < high and hideout["labels"][rows["Esil"]["district_id"]] == (
        f"Esil · q1: mean: 3.30 (n 10, {low:.2f}\u2013{high:.2f})")
    assert '"3.30"' in tree and f'"{low:.2f}\u2013{high:.2f}"' in tree  # the table's mean and interval cells
    assert "joined: Astana 11, Almaty 10" in tree  # the summary per city
    assert "unknown city 'Караганда'" in tree
    assert len(joined_frame(store)) == len(store["rows"]) == 6 + 8
    json.dumps(store, allow_nan=False)


@pytest.mark.parametrize("lang, head, suppressed, mean", [
    ("en", "q1: mean (n, 95 % CI)", "suppressed (fewer than 10 respondents", "q1: mean"),
    ("ru", "q1: среднее (n, 95 % ДИ)", "скрыто (меньше 10 респондентов", "q1: среднее"),
    ("kk", "q1: орташа (n, 95 % СА)", "жасырылған (10 респонденттен аз", "q1: орташа"),
])
def test_uploaded_scores_show_mean_n_interval_and_suppression_in_each_language(built, private_tmp, monkeypatch,
                                                                               lang, head, suppressed, mean):
    """Esil: answers 1-5 three times over (mean 3, n 15), shown with its interval; Saryarka: three answers,
    suppressed, and Almaty district (ten answers) suppressed as its complement (else Astana's total would give
    Saryarka back): in the table, on the map's labels and in the legend, in the page's language."""
    monkeypatch.delenv("QALA_MIN_N", raising=False)
    lines = ["city,district,q1"] + [f"Астана,Есиль,{1 + i % 5}" for i in range(15)] + [
        f"Астана,Сарыарка,{a}" for a in (1, 5, 5)] + ["Астана,Алматинский,4"] * 10
    _, store = handle_upload(data_url(("\n".join(lines) + "\n").encode()), "survey.csv", lang)
    rows = {r["name_en"]: r for r in store["rows"]}
    esil, saryarka = rows["Esil"], rows["Saryarka"]
    assert store["min_n"] == 10 and esil["q1_mean"] == pytest.approx(3.0) and esil["q1_n"] == 15
    for hidden in (saryarka, rows["Almaty"]):
        assert hidden["q1_mean"] is None and hidden["q1_suppressed"] and hidden["q1_n"] is None
    hideout, body = upload_view(store, "q1_mean", lang, 5, "viridis", "Astana")
    tree = json.loads(_tree(body))
    text = json.dumps(tree, ensure_ascii=False)
    cell = f"3.00 (n 15, {esil['q1_ci_low']:.2f}\u2013{esil['q1_ci_high']:.2f})"
    assert esil["q1_ci_low"] < 3.0 < esil["q1_ci_high"]
    assert f'"{esil["q1_ci_low"]:.2f}\u2013{esil["q1_ci_high"]:.2f}"' in text  # the table's interval cell
    hideout_counts, counts_body = upload_view(store, "count", lang, 5, "viridis", "Astana")
    assert cell in json.dumps(json.loads(_tree(counts_body)), ensure_ascii=False)  # every item in short
    assert head in json.dumps(json.loads(_tree(counts_body)), ensure_ascii=False)
    text = text + json.dumps(json.loads(_tree(counts_body)), ensure_ascii=False)
    assert suppressed in text and "upload-legend-suppressed" in text
    labels = hideout["labels"]
    assert labels[esil["district_id"]] == f"{esil['name_' + lang]} · {mean}: {cell}"
    for hidden in (saryarka, rows["Almaty"]):
        assert labels[hidden["district_id"]].startswith(f"{hidden['name_' + lang]} · {mean}: {suppressed}")
    assert "(n 3," not in text and "(n 10," not in text and "4.00" not in text  # nothing of the hidden answers
    if lang != "en":
        visible = text.replace('"upload-legend-suppressed"', "")  # the element's id is not read
        assert "suppressed" not in visible and ": mean" not in visible  # no English word left


def test_hidden_counts_say_suppressed_and_missing_ones_no_data(built, private_tmp, monkeypatch):
    """The release gate hides Saryarka (3 rows) and the district that protects it: their count, share and rate
    read "suppressed" in the table, on the map's labels and in the legend; a district nobody answered from is a
    real 0, not "no data"; "no data" stays for what is missing (here: nothing)."""
    monkeypatch.delenv("QALA_MIN_N", raising=False)
    lines = ["city,district,q1"] + [f"Астана,Есиль,{1 + i % 5}" for i in range(15)] + [
        f"Астана,Сарыарка,{a}" for a in (1, 5, 5)] + ["Астана,Алматинский,4"] * 10
    _, store = handle_upload(data_url(("\n".join(lines) + "\n").encode()), "survey.csv", "ru")
    rows = {r["name_en"]: r for r in store["rows"]}
    hidden = [r for r in store["rows"] if r["suppressed"]]
    assert {r["name_en"] for r in hidden} >= {"Saryarka"} and rows["Nura"]["count"] == 0
    hideout, body = upload_view(store, "count", "ru", 5, "viridis", "Astana")
    text = json.dumps(json.loads(_tree(body)), ensure_ascii=False)
    for r in hidden:
        assert hideout["labels"][r["district_id"]] == f"{r['name_ru']} · Строк (число): скрыто (меньше 10 респондентов или " \
            "эффективно меньше, либо для защиты такого значения)"
    assert text.count("скрыто (меньше 10 респондентов") >= 3 * len(hidden)  # count, share, rate of each
    assert "upload-legend-suppressed" in text and "Нет данных" not in text


def test_the_same_survey_as_csv_sav_and_xlsx_gives_the_same_page(built, private_tmp, tmp_path):
    """The browser's path (recognise, then join as the form proposes) on one SYNTHETIC survey saved three ways:
    the column form proposes the same columns and the joined pages hold the same released figures."""
    import numpy as np
    import pyreadstat

    from dashboard.upload.callbacks import recognise_upload
    from dashboard.upload.form import ROLES, form_outputs, spec_choices
    from geo.engines.synthetic_survey import DONT_KNOW, ITEMS, survey_csv_bytes, synthetic_survey
    from geo.store import load_districts

    frame = synthetic_survey(load_districts(), 900, seed=3)
    files = {"s.csv": survey_csv_bytes(frame)}
    frame.to_excel(tmp_path / "s.xlsx", index=False)
    coded = frame.copy()
    for item in ITEMS:
        coded[item] = [np.nan if v is None else 9.0 if v == DONT_KNOW else float(v) for v in frame[item]]
    labels = {1: "совсем нет", 5: "полностью да", 9: "Затрудняюсь ответить"}
    pyreadstat.write_sav(coded, tmp_path / "s.sav", variable_value_labels={i: labels for i in ITEMS},
                         missing_ranges={i: [9] for i in ITEMS})
    files.update({n: (tmp_path / n).read_bytes() for n in ("s.xlsx", "s.sav")})
    pages = {}
    for name, raw in files.items():
        _, found = recognise_upload(data_url(raw, "application/octet-stream"), name, "ru")
        assert found is not None, name
        out = form_outputs(found, name, "ru")
        roles = {r: out["roles"][r][1] for r in ROLES}
        assert (roles["city"], roles["district"], roles["weight"], roles["group"]) == ("Город", "Район", "Вес",
                                                                                       "Группа"), name
        items = [i for i in out["scores"][1] if i in ITEMS]
        assert items == list(ITEMS), name
        _, store = handle_upload(data_url(raw), name, "ru", spec_choices(roles, items, out["recognised"], "auto",
                                                                          None))
        pages[name] = store
    base = pages["s.csv"]
    assert sum(r["Q1_mean"] is not None for r in base["rows"]) >= 6
    for name in ("s.xlsx", "s.sav"):
        for mine, theirs in zip(base["rows"], pages[name]["rows"], strict=True):
            for key in ("district_id", "count", "Q1_mean", "Q1_ci_low", "Q1_ci_high", "Q1_n", "Q4_mean"):
                assert mine[key] == (pytest.approx(theirs[key]) if isinstance(theirs[key], float) else theirs[key])
        assert pages[name]["cities"] == base["cities"]


def test_the_population_period_is_said_in_the_pages_language(built, private_tmp, vm):
    """The join names the population figure's period as the build does ("2025 (start)"); the page says it in
    Russian and Kazakh through the view model, the way every other period is said."""
    _, store = handle_upload(data_url(POINTS.encode()), "survey.csv", "ru")
    period = next(r["population_period"] for r in store["rows"] if r.get("population_period"))
    for lang in ("ru", "kk"):
        shown = vm.period_label("Astana", "population", period, lang)
        _, body = upload_view(store, "count", lang, 5, "viridis", "Astana",
                              lambda p, lang=lang: vm.period_label("Astana", "population", p, lang))
        text = json.dumps(json.loads(_tree(body)), ensure_ascii=False)
        assert shown != period and t("upload_population", lang, period=shown) in text
        assert f"{period}," not in text  # the build's English label is not shown
