"""The project's translations on small hand-made tables: used only while current, stale ones reported, period
labels translated phrase by phrase (longest first, whole words, digits and dates untouched)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.domain.translations import load_translations, period_columns, period_label, translate_columns

BY = "Qala Atlas (project translation)"


@pytest.fixture
def reference(tmp_path, monkeypatch):
    (tmp_path / "translations.csv").write_text(
        "table,key,field,en,ru,kk,translated_by\n"
        "coding,S1,paraphrase,Newcomers are welcome.,Приезжим рады.,Келгендерге есік ашық.," + BY + "\n"
        "coding,S2,paraphrase,The old English text.,Старый перевод.,Ескі аударма.," + BY + "\n"
        "places,P1,evidence_paraphrase,Built by migrants,Построено мигрантами,Көшіп-қонушылар салған,"
        + BY + "; kk to review\n", encoding="utf-8")
    (tmp_path / "period_phrases.csv").write_text(
        "en,ru,kk,translated_by\n"
        "before 2018-03-16,до 2018-03-16,2018 жылғы 16 наурызға дейін," + BY + "\n"
        "before,до,дейін," + BY + "\n"
        "(start),(начало года),(жыл басы)," + BY + "\n"
        "start,начало,басы," + BY + "\n"
        "Sept,сент.,қыркүйек," + BY + "\n"
        "Sep,сент.,қыркүйек," + BY + "\n"
        "May,май,мамыр," + BY + "\n"
        "-Q1,\", 1-й квартал\", жылғы 1-тоқсан," + BY + "\n"
        "n.d.,нет даты,күні жоқ," + BY + "\n", encoding="utf-8")
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))
    return tmp_path


def test_current_translations_are_added_beside_the_english(reference):
    frame = pd.DataFrame({"id": ["S1", "S3"], "paraphrase": ["Newcomers are welcome.", "No translation here."]})
    out = translate_columns(frame, "coding", lambda r: r["id"], ["paraphrase"], load_translations())
    assert out["paraphrase_ru"].tolist() == ["Приезжим рады.", None]
    assert out["paraphrase_kk"].tolist() == ["Келгендерге есік ашық.", None]
    assert out["translated_by"].tolist() == [BY, None]
    assert out["paraphrase"].tolist() == frame["paraphrase"].tolist()  # the English stays as it was


def test_a_stale_translation_is_not_used_and_is_reported(reference):
    translations = load_translations()
    frame = pd.DataFrame({"id": ["S2"], "paraphrase": ["The new English text."]})
    out = translate_columns(frame, "coding", lambda r: r["id"], ["paraphrase"], translations)
    assert out["paraphrase_ru"].tolist() == [None] and out["paraphrase_kk"].tolist() == [None]
    assert translations.stale == ["stale translation: coding S2 paraphrase"]
    assert translations.unused(["coding"]) == ["unused translation: coding S1 paraphrase"]


def test_columns_map_to_their_field_and_table_may_depend_on_the_row(reference):
    frame = pd.DataFrame({"place_id": ["P1", "W1"], "list": ["settlement", "locality"],
                          "evidence": ["Built by migrants", None]})
    out = translate_columns(frame, lambda r: "places" if r["list"] == "settlement" else None,
                            lambda r: r["place_id"], {"evidence": "evidence_paraphrase"}, load_translations())
    assert out["evidence_kk"].tolist() == ["Көшіп-қонушылар салған", None]
    assert out["translated_by"].tolist() == [BY + "; kk to review", None]


def test_missing_translation_files_mean_no_translations(tmp_path, monkeypatch):
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))
    frame = pd.DataFrame({"id": ["S1"], "paraphrase": ["Newcomers are welcome."]})
    out = translate_columns(frame, "coding", lambda r: r["id"], ["paraphrase"])
    assert out["paraphrase_ru"].tolist() == [None]
    assert period_label("2022", "kk", tmp_path / "none.csv") == "2022"


@pytest.mark.parametrize("label, lang, expected", [
    ("before 2018-03-16", "kk", "2018 жылғы 16 наурызға дейін"),  # Kazakh word order: the whole label has a row
    ("before 2018-03-16", "ru", "до 2018-03-16"),
    ("before 2014-07", "ru", "до 2014-07"),  # the shorter phrase where the longer one does not match
    ("2025 (start)", "ru", "2025 (начало года)"),  # longest first: '(start)' beats 'start'
    ("28 Sept", "kk", "28 қыркүйек"),  # 'Sept' beats 'Sep'
    ("2021-Q1", "ru", "2021, 1-й квартал"),
    ("2021-Q1", "kk", "2021 жылғы 1-тоқсан"),
    ("2015-01..07", "ru", "2015-01..07"),  # dates and digits stay as published
    ("n.d.", "kk", "күні жоқ"),
    ("2022", "en", "2022"),
])
def test_period_labels_by_phrase(reference, label, lang, expected):
    assert period_label(label, lang, reference / "period_phrases.csv") == expected


def test_whole_words_only_and_uncovered_english_gives_none(reference):
    phrases = reference / "period_phrases.csv"
    assert period_label("Mayor's term", "ru", phrases) is None  # 'May' is not replaced inside a word
    assert period_label("2019 (reported)", "ru", phrases) is None  # an English word no phrase covers


def test_period_columns(reference):
    frame = pd.DataFrame({"period_label": ["2025 (start)", None]})
    out = period_columns(frame, path=reference / "period_phrases.csv")
    assert out["period_label_ru"].tolist() == ["2025 (начало года)", None]
    assert out["period_label_kk"].tolist() == ["2025 (жыл басы)", None]


def test_the_real_period_phrases_cover_every_built_period_label():
    """Every period label of the reference tables reads in ru and kk (no English word left)."""
    from geo.domain.periods import parse_period
    from geo.settings import DATA_DIR

    labels = set()
    for name in ("population_by_district", "migration_by_district", "city_internal_migration", "housing_context",
                 "migrant_settlement_findings", "civil_service_context", "district_area_bank", "host_attitudes"):
        table = pd.read_csv(DATA_DIR / "reference" / f"{name}.csv", dtype=str, keep_default_na=False)
        labels |= {parse_period(y).label for y in table["year"]}
    phrases = DATA_DIR / "reference" / "period_phrases.csv"
    missing = sorted(label for label in labels for lang in ("ru", "kk") if period_label(label, lang, phrases) is None)
    assert missing == []


def test_build_summary_prints_stale_and_unused_translations():
    from geo.build.run import format_summary

    report = {"districts": [], "figures_in": 0, "figures_to_district": 0, "figures_city_level": 0,
              "figures_unmatched": [], "derived_figures": 0, "places": 0, "places_with_coordinates": 0,
              "banks_km2": {}, "repairs": [],
              "translations": ["stale translation: city_images Astana|city of the future image_tag"]}
    assert "  stale translation: city_images Astana|city of the future image_tag" in format_summary(report)


def test_every_figure_note_has_a_current_ru_and_kk_translation():
    """Each non-empty note of the figure tables is translated under its figure id (``<table>:<row>``, row 2 = the
    first data row) and the translation is of today's English: its ``en`` equals the cell exactly."""
    from geo.domain.figures import FIGURE_TABLES
    from geo.settings import DATA_DIR

    translations = load_translations(DATA_DIR / "reference" / "translations.csv")
    missing = []
    for name in FIGURE_TABLES:
        table = pd.read_csv(DATA_DIR / "reference" / f"{name}.csv", dtype=str, keep_default_na=False)
        for i, note in enumerate(table["note"]):
            if not note.strip():
                continue
            row = translations.lookup(name, f"{name}:{i + 2}", "note", note)
            if row is None or not row["ru"].strip() or not row["kk"].strip():
                missing.append(f"{name}:{i + 2}")
    assert translations.stale == []
    assert missing == []


def test_the_built_figures_carry_their_notes_in_ru_and_kk(built):
    """The figures layer has note_ru/note_kk for every figure with a note; a derived figure (density, growth,
    lineage) carries the translation of its source figure's note."""
    figures = pd.read_parquet(built / "figures.parquet")
    noted = figures[figures["note"].fillna("").str.strip() != ""]
    assert len(noted) and noted["note_ru"].notna().all() and noted["note_kk"].notna().all()
    assert noted["translated_by"].str.startswith("Qala Atlas (project translation").all()
    assert figures.loc[figures["note"].fillna("").str.strip() == "", "note_ru"].isna().all()
    sourced = figures[~figures["derived"].astype(bool)].set_index("figure_id")
    derived = noted[noted["derived"].astype(bool)]
    assert {fid.split(":")[0] for fid in derived["figure_id"]} >= {"density", "growth"}
    for rec in derived.to_dict("records"):
        source = sourced.loc[f"{rec['table']}:{int(rec['row'])}"]
        assert (rec["note"], rec["note_ru"], rec["note_kk"]) == (source["note"], source["note_ru"], source["note_kk"])


def test_a_figure_note_is_shown_in_the_interface_language_and_marked_only_without_translation():
    from dashboard.i18n import t
    from dashboard.state.records import Figure, Localized
    from dashboard.views.panels import cite

    def figure(notes: Localized | None) -> Figure:
        return Figure(figure_id="density:population_by_district:2", value=1.0, unit="persons per km2",
                      period_label="2025", period_start=None, period_end=None, source="stat.gov.kz",
                      note="[approx] akim's statement", confidence=("approx",), derived=True,
                      method="population / district area", vintage=None, notes=notes)

    def note_shown(fig: Figure, lang: str) -> str:
        children = cite(fig, lang).children
        at = next(i for i, c in enumerate(children) if c.children == t("note", lang))
        return str(children[at + 1])

    translated = figure(Localized("[approx] akim's statement", "[approx] заявление акима",
                                  "[approx] әкімнің мәлімдемесі"))
    for lang, text in (("ru", "Заявление акима"), ("kk", "Әкімнің мәлімдемесі"), ("en", "Akim's statement")):
        shown = note_shown(translated, lang)  # the marker is the figure's flag chip, not bracketed text
        assert text in shown and "untranslated" not in shown and "[approx]" not in shown
    untranslated = note_shown(figure(None), "ru")  # no translation: the English, marked (en)
    assert "Akim's statement" in untranslated and "untranslated" in untranslated
    stale = note_shown(figure(Localized("an older note", "старое примечание", "ескі ескерту")), "kk")
    assert "старое" not in stale and "ескі" not in stale and "untranslated" in stale  # never another text's
