"""The join's English messages (set-aside reasons, report notes, one-line errors) in the page's language.

``geo.join`` and ``geo.io.userfile``/``decoding`` write their messages in English for the CLI and report.json;
the upload page must show them in kk/ru/en. Each message kind has an i18n key ``jm_*`` whose English text is
the message's own wording with ``{fields}``: the pattern that recognises a message is built from that English
text, so the English rendering of a recognised message is the message itself, and a change of wording in
``geo.join`` shows up as an unrecognised message (tests/test_dashboard_joinmessages.py fails) instead of a
wrong translation. Fields keep their values as given (quoted column and district names, cells, numbers,
vintages); only city names and the words joining them are translated. A message no pattern knows is shown
in English with a small "(English)" marker, never dropped.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from dash import html

from dashboard.i18n import t, texts_of
from geo.settings import CITIES

# The message kinds, most specific first (the first pattern that matches the whole message wins).
MESSAGES = (
    # set-aside reasons: row rules (geo.join.rules, geo.join.cells)
    "jm_missing_district", "jm_missing_city", "jm_missing_group", "jm_missing_lat", "jm_missing_lon",
    "jm_missing_weight", "jm_nonnumeric_lat", "jm_nonnumeric_lon", "jm_nonnumeric_weight",
    "jm_negative_weight", "jm_nonfinite_weight", "jm_weight_too_large", "jm_zero_weight", "jm_null_geometry",
    "jm_not_point", "jm_bad_point", "jm_out_of_range", "jm_unknown_city", "jm_not_chosen_city",
    "jm_nonnumeric_score", "jm_score_outside",
    # set-aside reasons after the spatial or name join (geo.join.rules, geo.join.multicity)
    "jm_other_city", "jm_outside_vintage", "jm_outside_all", "jm_wrong_vintage", "jm_ambiguous_cities",
    "jm_ambiguous_ids", "jm_unknown_district", "jm_elsewhere_column", "jm_elsewhere_chosen",
    # report notes (geo.io.decoding, geo.io.userfile, geo.join.*)
    "jm_encoding_utf8", "jm_encoding_utf16_bom", "jm_encoding_utf16", "jm_decoded_cp1251",
    "jm_decoded_latin1", "jm_delimiter", "jm_geojson_crs", "jm_plain_parquet", "jm_geoparquet_crs",
    "jm_binary_xlsx", "jm_binary_sav", "jm_binary_dta", "jm_excel_sheets", "jm_excel_sheet", "jm_stat_file",
    "jm_by_names", "jm_coordinate_columns", "jm_city_column", "jm_scores_found", "jm_scores_found_scaled",
    "jm_swapped", "jm_swapped_sampled", "jm_city_inferred_sample", "jm_city_inferred", "jm_several_cities",
    "jm_no_population", "jm_no_population_for", "jm_release_hidden", "jm_release_item", "jm_release_indices",
    "jm_release_hexagons_hidden", "jm_release_hexagons_small", "jm_scale_inferred", "jm_scale_labels",
    "jm_scale_header", "jm_no_answer", "jm_dask_memory", "jm_out_of_core",
    # one-line errors (QalaError) of an upload that cannot be used
    "jm_err_empty", "jm_err_header_only", "jm_err_no_rows", "jm_err_no_file", "jm_err_folder",
    "jm_err_special", "jm_err_no_columns", "jm_err_no_column", "jm_err_both_cols", "jm_err_one_coordinate",
    "jm_err_score_twice", "jm_err_binary", "jm_err_csv_parse", "jm_err_geojson_utf8", "jm_err_json",
    "jm_err_not_collection", "jm_err_unknown_crs", "jm_err_parquet", "jm_err_geoparquet_crs",
    "jm_err_projected", "jm_err_no_numeric_score", "jm_err_no_usable_row", "jm_err_no_city", "jm_err_top_box",
    "jm_err_too_small", "jm_err_group_labels",
    # one-line errors of workbooks, SPSS/Stata files and over-wide tables (geo.io.userfile, geo.io.formats)
    "jm_err_sheet_not_workbook", "jm_err_no_sheet", "jm_err_xls", "jm_err_bad_xlsx", "jm_err_bad_sav",
    "jm_err_bad_dta", "jm_err_too_many_columns", "jm_err_too_many_items",
    # the join's choices refused (geo.join.spec: JoinSpec, from_dict); the generic "join choice {choice}" ones last
    "jm_err_spec_items", "jm_err_engine", "jm_err_unknown_city", "jm_err_top_box_count", "jm_err_min_n",
    "jm_err_permutations", "jm_err_alpha", "jm_err_score_scale", "jm_err_h3_res", "jm_err_choices_mapping",
    "jm_err_choices_unknown", "jm_err_choice_scores", "jm_err_choice_h3_res", "jm_err_choice_auto_scores",
    "jm_err_choice_alpha", "jm_err_choice_engine", "jm_err_choice_name", "jm_err_choice_number",
)

QUOTED = r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"  # a Python repr of a string, as the join quotes names
COUNT = r"\d[\d,]*"  # 1,234 (thousands as the join writes them)
NUMBER = r"-?\d[\d.]*(?:e[+-]?\d+)?"  # a scale point or answer as :g writes it
FIELDS = {
    "column": QUOTED, "cell": QUOTED, "name": QUOTED, "sheet": QUOTED, "crs": QUOTED, "delimiter": QUOTED, "lat": QUOTED,
    "lon": QUOTED, "city": r"\w+", "other": r"\w+", "vintage": r"[\w.-]+", "id": r"[^()]+",
    "value": NUMBER, "low": NUMBER, "high": NUMBER,
    **dict.fromkeys(("n", "m", "hidden", "total", "min_n", "res", "row", "line", "col", "dk", "blank",
                     "missing", "nparts", "letters", "top"), COUNT),
}
CITY_WORD = re.compile(r"\b(" + "|".join(CITIES) + r")\b")
WORDS = re.compile(r"(?:no (?P<kind>mixed-script|implausible) words|(?P<n>\d[\d,]*) (?P<kind2>mixed-script|"
                   r"implausible) words?)")
CITY_PART = re.compile(r"(?P<city>\w+) \((?P<vintage>[\w.-]+), (?P<n>\d[\d,]*) rows\)")


class Rendered(NamedTuple):
    """A message in the page's language; ``known`` False: shown as written (English), to be marked so."""

    text: str
    known: bool


@cache
def patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each message kind's pattern, built from its English text: literal words escaped, ``{field}`` a named
    group (``FIELDS``; any other field: the shortest text that lets the whole message match)."""
    built = []
    for key in MESSAGES:
        english = texts_of(key)[0]
        parts = re.split(r"\{(\w+)\}", english)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{FIELDS.get(p, '.+?')})"
                        for i, p in enumerate(parts))
        built.append((key, re.compile(regex, re.DOTALL)))
    return tuple(built)


def kind_of(message: str) -> str | None:
    """The i18n key of the message's kind, or None when no pattern knows it."""
    return next((key for key, pattern in patterns() if pattern.fullmatch(message)), None)


def render(message: str, lang: str) -> Rendered:
    """``message`` (a reason, note or error of the join) in ``lang``; unknown ones as written, ``known`` False."""
    for key, pattern in patterns():
        found = pattern.fullmatch(message)
        if found:
            fields = found.groupdict()
            if lang != "en":  # English: the message itself, field for field
                fields = {name: _field(name, value, lang) for name, value in fields.items()}
            return Rendered(t(key, lang, **fields), True)
    return Rendered(message, False)


# The command line's options as the page names them (the column form's fields); an option the page has no
# field for is left out of the sentence. No message on the page names a command-line flag.
FLAG = re.compile(r"\s*\(?(--[a-z][a-z0-9-]*)(?:/(--[a-z][a-z0-9-]*))?\)?")
FLAG_FIELDS = {"--lat-col": "form_role_lat", "--lon-col": "form_role_lon", "--district-col": "form_role_district",
               "--group-col": "form_role_group", "--weight-col": "form_role_weight", "--city-col": "form_role_city",
               "--score": "form_scores", "--city": "upload_city", "--sheet": "form_sheet"}
QUOTES = {"en": ("\u201c", "\u201d"), "ru": ("\u00ab", "\u00bb"), "kk": ("\u00ab", "\u00bb")}


def page_words(text: str, lang: str) -> str:
    """``text`` with each command-line option replaced by the name of the page's field for it, in quotes
    ("--district-col" -> «Столбец района (названия)»), or left out when the page has none."""
    def field(found: re.Match[str]) -> str:
        names = [_quoted(t(FLAG_FIELDS[f], lang), lang) for f in found.groups() if f in FLAG_FIELDS]
        if not names:
            return ""
        inner = " / ".join(names)
        return f" ({inner})" if found.group(0).lstrip().startswith("(") else f" {inner}"
    return FLAG.sub(field, text)


def message_text(message: str, lang: str) -> str:
    """Plain text for the page: the rendering, or the English message followed by "(English)" in ``lang``."""
    text, known = render(message, lang)
    text = page_words(text, lang)
    return text if known or lang == "en" else f"{text} {t('jm_english', lang)}"


def message_view(message: str, lang: str) -> html.Span:
    """The message for the page; an unknown one in English (lang="en") with a small "(English)" marker."""
    text, known = render(message, lang)
    text = page_words(text, lang)
    if known or lang == "en":
        return html.Span(text)
    return html.Span([html.Span(text, lang="en"), " ",
                      html.Span(t("jm_english", lang), className="lang-tag", title=t("jm_english_title", lang),
                                style={"fontSize": "0.75em", "color": "#666"})],
                     className="untranslated")


def _field(name: str, value: str, lang: str) -> str:
    """A field's value in ``lang``: city names and their joining words translated, nested messages rendered,
    word counts of the decoding note reworded; everything else as given."""
    if name in ("city", "other", "cities"):
        return _cities(value, lang)
    if name in ("words", "words2"):
        return _words(value, lang)
    if name == "parts":
        return CITY_PART.sub(lambda m: t("jm_city_part", lang, city=_cities(m["city"], lang),
                                         vintage=m["vintage"], n=m["n"]), value)
    if name == "error":
        return render(value, lang).text
    flag = "--" + value.replace("_", "-")
    if name == "choice" and flag in FLAG_FIELDS:  # a join choice (lat_col) is named by the form's field
        return _quoted(t(FLAG_FIELDS[flag], lang), lang)
    return value


def _quoted(text: str, lang: str) -> str:
    return f"{QUOTES[lang][0]}{text}{QUOTES[lang][1]}"


def _cities(value: str, lang: str) -> str:
    text = CITY_WORD.sub(lambda m: t(m[1], lang), value)
    return text.replace(" or ", f" {t('jm_or', lang)} ").replace(" and ", f" {t('jm_and', lang)} ")


def _words(value: str, lang: str) -> str:
    found = WORDS.fullmatch(value)
    if found is None:
        return value
    kind = found["kind"] or found["kind2"]
    return t("jm_words_mixed" if kind == "mixed-script" else "jm_words_implausible", lang, n=found["n"] or "0")
