"""Why the build refused to map a change between two dates, in the reader's language.

The build words each refusal in a few fixed English sentences (geo/indicators/change.py) naming periods as
published, districts in English and boundary sets by code. Here each sentence is matched and said again in
the interface language, with the periods' translations, the districts' names and the boundary sets named by
their dates. A sentence of another form is kept as the build wrote it (marked English by the view).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from dashboard.i18n import indicator_label, t
from dashboard.state.records import Localized

_CODE = r"(?P<{}>[a-z]+-\d+)"
_NO_FIGURE = re.compile(rf"no figure for (?P<label>.+) in (?P<name>.+?) \({_CODE.format('v')}\)")
_NO_MATCH = re.compile(rf"(?P<name>.+?) \({_CODE.format('v')}\) has no district in {_CODE.format('w')} to match")
_BLOCKED = re.compile(rf"(?P<a>.+?) \({_CODE.format('v')}\) -> (?P<b>.+?) \({_CODE.format('w')}\) not comparable: "
                      rf"(?P<why>.+)")
_RELATION = re.compile(rf"(?P<name>.+?) \({_CODE.format('v')}\): (?P<relation>.+)")
_NOT_ADDITIVE = re.compile(rf"boundaries changed on (?P<dates>[\d, -]+) \({_CODE.format('v')} -> "
                           rf"{_CODE.format('w')}\) and (?P<indicator>\w+) is not additive")
_RELATIONS = {  # lineage.csv's relations that make land not comparable (the only ones a refusal quotes)
    "continues (gained land when the city grew on 7 Feb 2017: not comparable across that date)": "relation_grew_2017",
}


class Words:
    """How a refusal names things in one language: periods (English label -> translation), districts (English
    name -> name), boundary sets (code -> name by dates)."""

    def __init__(self, lang: str, periods: Mapping[str, Localized], district: Callable[[str], str],
                 boundaries: Callable[[str], str]) -> None:
        self.lang, self.periods, self.district, self.boundaries = lang, periods, district, boundaries

    def period(self, label: str) -> str:
        found = self.periods.get(label)
        return found.text(self.lang) if found is not None else label

    def names(self, text: str) -> str:
        return " + ".join(self.district(n.strip()) for n in text.split(" + "))


def _relation(part: str, w: Words) -> str | None:
    m = _RELATION.fullmatch(part)
    key = _RELATIONS.get(m["relation"]) if m else None
    if m is None or key is None:
        return None
    return f"{w.names(m['name'])} ({w.boundaries(m['v'])}): {t(key, w.lang)}"


def _sentence(part: str, w: Words) -> str | None:
    lang = w.lang
    if m := _NO_FIGURE.fullmatch(part):
        return t("refusal_no_figure", lang, period=w.period(m["label"]), name=w.names(m["name"]),
                 boundaries=w.boundaries(m["v"]))
    if m := _NO_MATCH.fullmatch(part):
        return t("refusal_no_match", lang, name=w.names(m["name"]), boundaries=w.boundaries(m["v"]),
                 other=w.boundaries(m["w"]))
    if m := _NOT_ADDITIVE.fullmatch(part):
        return t("refusal_not_additive", lang, dates=m["dates"], before=w.boundaries(m["v"]),
                 after=w.boundaries(m["w"]), indicator=indicator_label(m["indicator"], lang))
    if part == "no district has figures at both dates":
        return t("refusal_no_district", lang)
    if m := _BLOCKED.fullmatch(part):
        why = _relation(m["why"], w)
        if why is None:
            return None
        return t("refusal_blocked", lang, a=w.names(m["a"]), before=w.boundaries(m["v"]), b=w.names(m["b"]),
                 after=w.boundaries(m["w"]), why=why)
    return _relation(part, w)  # a further relation of a refusal that quoted several


def refusal_text(reason: str | None, words: Words) -> Localized:
    """A refusal in ``words.lang`` (every sentence of it, joined as the build joined them); as the build wrote
    it, in English, when any sentence has a form not known here."""
    if not reason:
        return Localized("–", "–", "–")
    said = [_sentence(part, words) for part in reason.split("; ")]
    if any(s is None for s in said):
        return Localized(reason)
    text = "; ".join(s for s in said if s)
    return Localized(text, text, text)
