"""One shared, tested name-matching function for districts (Kazakh, Russian, English, transliterations).

Names reach the project as Есиль / Есіл / Yesil / Esil, Бостандыкский район / Бостандық / Bostandyq,
Байконур / Байқоңыр / Baikonyr ... Each is reduced to a key (transliterated, lower case, without "district",
"район", "ауданы"), compared first exactly, then by its consonant skeleton, which absorbs vowel spellings
(Baikonur / Baikonyr). A name that matches nothing, or more than one district, is reported, never guessed.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from geo.errors import UnknownName
from geo.settings import CITIES, reference_dir

_CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "ң": "n",
    "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f",
    "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}
# Words that say "district" (or "city") in the three languages and their abbreviations.
_FILLER = {"district", "raion", "rayon", "rajon", "audany", "audan", "rn", "r", "aud", "city", "qala", "gorod", "g"}
_CITY_NAMES = {"astana": "Astana", "almaty": "Almaty", "shymkent": "Shymkent", "nursultan": "Astana",
               "almaata": "Almaty", "chimkent": "Shymkent", "shimkent": "Shymkent", "nursulton": "Astana"}
# Astana's older names (Akmolinsk to 1961, Tselinograd to 1992, Akmola to 1998): a respondent's city cell, never a
# figure's origin, where "Akmola" is the region.
_FORMER_NAMES = {"akmola": "Astana", "akmolinsk": "Astana", "tselinograd": "Astana"}
# Words around a city name in the three languages: "г.", "город", "қаласы", "қ.", "city of", "shahary".
_CITY_FILLER = _FILLER | {"kala", "kalasy", "k", "of", "the", "shakhary", "shahary", "sh"}


def transliterate(text: str) -> str:
    """Kazakh/Russian Cyrillic to plain Latin letters; Latin diacritics dropped."""
    text = unicodedata.normalize("NFKC", text).lower()
    out = "".join(_CYRILLIC.get(ch, ch) for ch in text)
    return unicodedata.normalize("NFKD", out).encode("ascii", "ignore").decode()


def name_key(name: str) -> str:
    """The comparable form of a name: 'Бостандыкский район' -> 'bostandyk', 'Yesil' -> 'esil'."""
    name = re.sub(r"(?i)(?<!\w)р-о?н\.?(?!\w)", " ", name)  # "р-н", "р-он": abbreviations of "район"
    words = re.findall(r"[a-z0-9]+", transliterate(name).replace("'", ""))
    words = [w for w in words if w not in _FILLER]
    key = "".join(words)
    key = re.sub(r"^ye", "e", key)
    return key.replace("q", "k").replace("x", "kh")


def skeleton(key: str) -> str:
    """Consonants only, doubled letters folded: absorbs vowel spellings (baikonur / baikonyr -> bknr)."""
    consonants = re.sub(r"[aeiouy]", "", key)
    return re.sub(r"(.)\1+", r"\1", consonants)


def match_city(name: str, *, former: bool = False) -> str | None:
    """'Астана', 'г.Алматы', 'Нур-Султан', 'Шымкент қаласы', 'Almaty (city)' -> canonical city name, else
    None (a region, another town, an empty cell). ``former=True`` also knows Astana's names before 1998
    (Akmola, Tselinograd, Akmolinsk), for a city column, not for figures where Akmola is the region."""
    words = re.findall(r"[a-z0-9]+", transliterate(str(name)).replace("'", ""))
    key = "".join(w for w in words if w not in _CITY_FILLER).replace("q", "k")
    return _CITY_NAMES.get(key) or (_FORMER_NAMES.get(key) if former else None)


@dataclass
class MatchReport:
    """What a batch of names matched; unmatched names are kept with their reason."""

    matched: dict[str, str] = field(default_factory=dict)
    unmatched: dict[str, str] = field(default_factory=dict)  # name -> reason


def _district_table() -> tuple[dict, ...]:
    return _read_district_table(str(reference_dir() / "districts.csv"))


@functools.lru_cache(maxsize=4)
def _read_district_table(path: str) -> tuple[dict, ...]:
    with open(path, newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def _index(city: str | None) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    return _city_index(str(reference_dir() / "districts.csv"), city)


@functools.lru_cache(maxsize=16)
def _city_index(path: str, city: str | None) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    exact: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}
    for row in _read_district_table(path):
        if city is not None and row["city"] != city:
            continue
        names = [row["name_en"], row["name_ru"], row["name_kk"], *filter(None, row["aliases"].split("|"))]
        for n in names:
            exact.setdefault(name_key(n), set()).add(row["district_id"])
            loose.setdefault(skeleton(name_key(n)), set()).add(row["district_id"])
    return exact, loose


def district_candidates(name: str, city: str | None = None) -> set[str]:
    """Every district id the name could mean (empty: unknown; more than one: ambiguous)."""
    if city is not None and city not in CITIES:
        raise UnknownName(f"unknown city '{city}'; use one of {', '.join(CITIES)}")
    key = name_key(name)
    if not key:
        return set()
    exact, loose = _index(city)
    stem = re.sub(r"(skii|skiy|skij|skaya|ski)$", "", key)  # Russian adjective form: Туранский -> turan
    for candidate in (key, stem):
        if candidate in exact:
            return set(exact[candidate])
    return set(loose.get(skeleton(key), set()) or loose.get(skeleton(stem), set()))


def match_district(name: str, city: str | None = None) -> str | None:
    """The district id a name means within ``city`` (or nationally), or None when unknown or ambiguous."""
    found = district_candidates(name, city)
    return next(iter(found)) if len(found) == 1 else None


def match_districts(names: Iterable[object], city: str | None = None) -> MatchReport:
    """Match many names at once and say why each unmatched one failed."""
    report = MatchReport()
    for name in dict.fromkeys(str(n) for n in names):
        found = district_candidates(name, city)
        if len(found) == 1:
            report.matched[name] = next(iter(found))
        elif found:
            report.unmatched[name] = f"ambiguous: could be {', '.join(sorted(found))}"
        else:
            report.unmatched[name] = f"no district of {city or 'the three cities'} is called this"
    return report


def district_record(district_id: str) -> dict:
    """The canonical names of a district id."""
    for row in _district_table():
        if row["district_id"] == district_id:
            return dict(row)
    raise UnknownName(f"unknown district id '{district_id}'; see data/reference/districts.csv")


def match_region(origin: str, regions: dict[str, str]) -> str | None:
    """Region id for an origin named in a figure ('Akmola region', 'Almaty city'), matched against the English
    names of today's regions (``region_id -> name_en``, cities marked '(city)'); None when the origin is not one
    current region (ambiguous, 'other', a group of regions)."""
    city = match_city(origin)
    if city:
        return next((rid for rid, name in regions.items()
                     if name.lower().startswith(city.lower()) and "(city)" in name.lower()), None)
    text = origin.lower()
    if "ambiguous" in text or "other" in text or ("city" in text and "region" in text):
        return None
    wants_city = "city" in text
    key = name_key(re.sub(r"\b(region|oblast|obl\.?|city)\b", " ", text))
    keys = {rid: name_key(re.sub(r"\(.*?\)", " ", name)) for rid, name in regions.items()
            if ("(city)" in name.lower()) == wants_city}
    for same in (lambda a, b: a == b, lambda a, b: skeleton(a) == skeleton(b)):
        hits = [rid for rid, other in keys.items() if same(other, key)]
        if len(hits) == 1:
            return hits[0]
    return None
