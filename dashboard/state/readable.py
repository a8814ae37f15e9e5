"""Words for what the build keeps as codes or as the curators' shorthand, so that a reader meets neither:
boundary sets named by their dates ("boundaries 2018–2022"), curators' notes without their bracketed flags,
arrows and shouted markers (the flags become labelled chips instead), and the names the cities carry today.

The build and the reference tables keep their codes and markers (the build reads them); only what is shown
changes, in one place, so every view says it the same way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from dashboard.i18n import t
from dashboard.state.records import Localized, text_cell
from geo.settings import CITY_KATO

LANGS = ("en", "ru", "kk")


# ------------------------------------------------------------------------------------------ boundary sets


def _year(day: str | None, months: bool) -> str | None:
    return None if not day else (day[:7] if months else day[:4])


def _vintage_words(start: str | None, end: str | None, latest: bool, early_start: str | None = None,
                   early_end: str | None = None) -> Localized:
    """``early_start``/``early_end``: the earliest the change that opened/closed the set may have happened,
    when its date is uncertain (a window, not a day): said, never hidden behind the day used."""
    if start and end:
        key = "vintage_span_uncertain" if early_start or early_end else "vintage_span"
        fmt = {"start": start, "end": end}
    elif start:
        key, fmt = ("vintage_since_uncertain", {"early": early_start, "start": start}) if early_start else \
            ("vintage_since", {"start": start})
    elif end:
        key, fmt = ("vintage_until_uncertain", {"early": early_end, "end": end}) if early_end else \
            ("vintage_until", {"end": end})
    else:
        key, fmt = ("vintage_current" if latest else "vintage_undated"), {}
    en, ru, kk = (t(key, lang, **fmt) for lang in LANGS)
    return Localized(en, ru, kk)


def vintage_names(rows: Iterable[Mapping]) -> dict[str, Localized]:
    """Each boundary set (the build's ``vintages`` rows) named by the years it was valid, in three languages:
    "boundaries 2018–2022", "boundaries since 2024", "current boundaries". Two sets of one city that the
    years cannot tell apart are named by their months instead. A change whose date is a window
    (``valid_from_earliest``) is named by it on both sides: "boundaries until 2021–2022 (date uncertain)"."""
    rows = list(rows)
    window = {(str(r.get("city")), text_cell(r.get("valid_from"))): text_cell(r.get("valid_from_earliest"))
              for r in rows}

    def named(row: Mapping, months: bool) -> Localized:
        start, end = text_cell(row.get("valid_from")), text_cell(row.get("valid_to"))
        early_end = window.get((str(row.get("city")), end)) if end else None
        early_start = text_cell(row.get("valid_from_earliest"))
        early = [_year(day, months) for day in (early_start, early_end)]
        return _vintage_words(_year(start, months), _year(end, months), bool(row.get("latest")),
                              early[0] if early[0] != _year(start, months) else None,
                              early[1] if early[1] != _year(end, months) else None)

    by_years = {str(row["vintage"]): named(row, False) for row in rows}
    seen: dict[tuple[str, str | None], int] = defaultdict(int)
    for row in rows:
        seen[(str(row.get("city")), by_years[str(row["vintage"])].en)] += 1
    return {str(row["vintage"]): named(row, True) if seen[(str(row.get("city")),
                                                            by_years[str(row["vintage"])].en)] > 1
            else by_years[str(row["vintage"])] for row in rows}


# ------------------------------------------------------------------------------------------ curators' notes

# What a bracketed marker of the curators says about the figure, as a confidence flag (labelled in i18n).
MARKER_FLAGS = {"x2": "x2", "secondary": "secondary", "secondary copy": "secondary_copy", "approx": "approx",
                "uncertain": "uncertain", "uncertain date": "uncertain_date", "uncertain year": "uncertain_year",
                "uncertain type": "uncertain_type", "uncertain period": "uncertain_period",
                "lower bound": "lower_bound"}
SHOUTED_FLAGS = {"LOWER BOUND": "lower_bound", "DERIVED": "derived_inference"}
_MARKER = re.compile(r"\[([^\[\]]{1,200})\]")
_SHOUTED = re.compile(r"\b(LOWER BOUND|DERIVED)\b:?")
_ADDED = re.compile(r"added \d{4}-\d{2}-\d{2}")  # when the curators added a row: nothing about the figure
_ARROW = re.compile(r"\s*-+>\s*")


def note_parts(text: str | None) -> tuple[tuple[str, ...], str]:
    """(flags, sentence) of a curators' note as a reader sees it: bracketed markers ("[secondary]",
    "[uncertain date]") and shouted ones ("LOWER BOUND:") become flag codes, the date a row was added goes,
    "->" becomes "→"; the rest of the sentence is left as written. A marker that is not a known flag keeps
    its words, in parentheses."""
    if not text:
        return (), ""
    flags: list[str] = []

    def marker(match: re.Match[str]) -> str:
        inside = match.group(1).strip()
        head, _, rest = inside.partition(";")
        code = MARKER_FLAGS.get(head.strip().lower())
        if _ADDED.fullmatch(inside):
            return " "
        if code is None:
            return f" ({inside}) "
        flags.append(code)
        return f" ({rest.strip()}) " if rest.strip() else " "

    def shouted(match: re.Match[str]) -> str:
        flags.append(SHOUTED_FLAGS[match.group(1)])
        return " "

    out = _SHOUTED.sub(shouted, _MARKER.sub(marker, text))
    out = _ARROW.sub(" → ", out)
    out = re.sub(r"\s+([;,.:)])", r"\1", re.sub(r"\(\s+", "(", re.sub(r"\s{2,}", " ", out))).strip()
    out = re.sub(r"^[;,:\s]+", "", out)
    return tuple(dict.fromkeys(flags)), out[:1].upper() + out[1:] if out[:1].islower() else out


# ------------------------------------------------------------------------------------------ names on maps

# The cities as the map names them today: the regions layer carries the names of its source (a Russian
# "Чимкент" beside the panels' "Шымкент"); a former name belongs only beside a historical period.
CITY_REGIONS = {kato: city for city, kato in CITY_KATO.items()}
_LATIN_IN_CYRILLIC = str.maketrans({"i": "і", "I": "І"})


def kazakh_spelling(name: str | None) -> str | None:
    """A Kazakh name with the Latin i some sources type for the Kazakh і ("Солтүстiк" -> "Солтүстік"), only
    inside Cyrillic words."""
    if not name:
        return name
    return re.sub(r"[\u0400-\u04FF]*[iI][\u0400-\u04FF]*",
                  lambda m: m.group(0).translate(_LATIN_IN_CYRILLIC)
                  if re.search(r"[\u0400-\u04FF]", m.group(0)) else m.group(0), name)


def current_names(fid: str, names: Mapping[str, str], city: str | None = None) -> dict[str, str]:
    """A region's or city's names as shown: a city (or the region that is the city) by the interface's
    current name; Kazakh spelled with Kazakh letters."""
    city = city or CITY_REGIONS.get(fid)
    if city:
        return {lang: t(city, lang) for lang in LANGS}
    out = dict(names)
    out["kk"] = kazakh_spelling(out.get("kk")) or out.get("kk", "")
    return out


def decimal_year(iso: str | None) -> float | None:
    """'2013-09-01' -> 2013.67, for placing dated points on a time axis."""
    if not iso or not re.match(r"\d{4}-\d{2}", iso):
        return None
    return int(iso[:4]) + (int(iso[5:7]) - 1) / 12


def short_label(period: Localized, lang: str) -> str:
    """:func:`short_period` of a dated label; an undated one ("n.d.") by the first words of its translation."""
    label = period.en or ""
    return short_period(label) if label[:4].isdigit() else period.text(lang).split(" (")[0]


def short_period(label: str) -> str:
    """A period label short enough for a chart axis: 'YYYY-MM' when it starts with one, else its year."""
    return label[:7] if re.match(r"\d{4}-\d{2}", label) else label[:4]
