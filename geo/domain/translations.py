"""The project's own Russian and Kazakh versions of the English text it wrote (paraphrases, evidence, notes,
image tags, findings) and of the words in period labels, read from data/reference (see TRANSLATIONS.md).

A translation is used only while its ``en`` still equals the current English cell: a changed English text
makes the old translation stale, which is reported (never shown), so a reader never sees a translation of
something the data no longer says. Quotations, source names and ids stay as published inside the translations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo.settings import reference_dir

LANGS = ("ru", "kk")
TRANSLATED_BY = "Qala Atlas (project translation)"
_TRANSLATION_COLUMNS = ["table", "key", "field", "en", "ru", "kk", "translated_by"]
_PHRASE_COLUMNS = ["en", "ru", "kk", "translated_by"]


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    """A reference table as text; an absent file is an empty table (a source set without translations)."""
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@dataclass
class Translations:
    """translations.csv indexed by (table, key, field), and the stale ones met while translating."""

    rows: dict[tuple[str, str, str], dict[str, str]]
    stale: list[str] = field(default_factory=list)
    asked: set[tuple[str, str, str]] = field(default_factory=set)

    def unused(self, tables: Iterable[str]) -> list[str]:
        """Translations of ``tables`` that no row asked for (their row or key changed or went away)."""
        wanted = set(tables)
        return [f"unused translation: {t} {k} {f}" for (t, k, f) in self.rows
                if t in wanted and (t, k, f) not in self.asked]

    def lookup(self, table: str, key: str, fld: str, english: str) -> dict[str, str] | None:
        """The row translating ``english``, or None; a row whose ``en`` differs is stale (noted once)."""
        self.asked.add((table, key, fld))
        row = self.rows.get((table, key, fld))
        if row is None:
            return None
        if row["en"] != english:
            note = f"stale translation: {table} {key} {fld}"
            if note not in self.stale:
                self.stale.append(note)
            return None
        return row


def load_translations(path: Path | None = None) -> Translations:
    table = _read(path or reference_dir() / "translations.csv", _TRANSLATION_COLUMNS)
    return Translations({(r["table"], r["key"], r["field"]): r for r in table.to_dict("records")})


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip()


def translate_columns(
    frame: pd.DataFrame,
    table: str | Callable[[dict], str | None],
    key_fn: Callable[[dict], str | None],
    fields: Mapping[str, str] | Iterable[str],
    translations: Translations | None = None,
) -> pd.DataFrame:
    """``frame`` with ``<column>_ru`` and ``<column>_kk`` beside each translated column, and ``translated_by``.

    ``fields`` maps a frame column to its field name in translations.csv (or lists columns named alike);
    ``table`` is the reference table of every row, or a function of the row (None: not translated); ``key_fn``
    gives a row's key there. Cells stay None where there is no (current) translation; stale ones are added to
    ``translations.stale``.
    """
    translations = translations or load_translations()
    mapping = dict(fields) if isinstance(fields, Mapping) else {f: f for f in fields}
    out = frame.copy()
    new: dict[str, list[str | None]] = {f"{col}_{lang}": [] for col in mapping for lang in LANGS}
    marks: list[str | None] = []
    for rec in frame.to_dict("records"):
        name = table(rec) if callable(table) else table
        key = key_fn(rec) if name else None
        by: list[str] = []
        for col, fld in mapping.items():
            english = rec.get(col)
            row = None
            if name and key is not None and not _blank(english):
                row = translations.lookup(name, key, fld, str(english))
            for lang in LANGS:
                text = row.get(lang) if row else None
                new[f"{col}_{lang}"].append(text if text and text.strip() else None)
            if row and row.get("translated_by") and row["translated_by"] not in by:
                by.append(row["translated_by"])
        # One mark per row: a row with any translation still to be reviewed says so.
        marks.append(max(by, key=lambda m: "review" in m) if by else None)
    for col, values in new.items():
        out[col] = pd.Series(values, index=frame.index, dtype=object)
    out["translated_by"] = pd.Series(marks, index=frame.index, dtype=object)
    return out


# ------------------------------------------------------------------------------------------- period labels


@dataclass(frozen=True)
class PhraseTable:
    """period_phrases.csv as one regular expression per language (longest phrase first, whole words)."""

    pattern: re.Pattern[str] | None
    phrases: dict[str, dict[str, str]]


def _edge(phrase: str) -> tuple[str, str]:
    """Word-boundary guards for a phrase's ends: only where the phrase itself begins or ends with a letter
    or digit, so '-Q1' may follow a year and 'May' never matches inside 'Mayor'."""
    return ("(?<![\\w])" if phrase[:1].isalnum() else "", "(?![\\w])" if phrase[-1:].isalnum() else "")


@lru_cache(maxsize=4)
def _phrases(path: str) -> PhraseTable:
    table = _read(Path(path), _PHRASE_COLUMNS)
    phrases = {r["en"]: r for r in table.to_dict("records") if r["en"].strip()}
    if not phrases:
        return PhraseTable(None, {})
    ordered = sorted(phrases, key=lambda p: (-len(p), p))
    alternatives = []
    for phrase in ordered:
        before, after = _edge(phrase)
        alternatives.append(f"{before}{re.escape(phrase)}{after}")
    return PhraseTable(re.compile("|".join(alternatives)), phrases)


def phrase_table(path: Path | None = None) -> PhraseTable:
    return _phrases(str(path or reference_dir() / "period_phrases.csv"))


_LEFT_OVER = re.compile(r"(?<![\w.])[A-Za-z]{2,}(?![\w])")  # an English word the phrases did not cover


def period_label(label: str | None, lang: str, path: Path | None = None) -> str | None:
    """A period label in ``lang`` (ru, kk; en returns it unchanged) by replacing its English phrases in one
    pass, longest first, whole words only; dates and digits stay as published. None when an English word is
    left that no phrase covers (the dashboard then shows the label as published, marked as English)."""
    if label is None or lang == "en":
        return label
    table = phrase_table(path)
    text = str(label)
    if table.pattern is not None:
        text = table.pattern.sub(lambda m: table.phrases[m.group(0)][lang], text)
    return None if _LEFT_OVER.search(_strip_known(text)) else text


def _strip_known(text: str) -> str:
    """Parts of a translated label that may stay Latin: web hosts named in it ('gov.kz')."""
    return re.sub(r"\b[\w-]+\.(kz|ru|com|org)\b", "", text)


def period_columns(frame: pd.DataFrame, column: str = "period_label", path: Path | None = None) -> pd.DataFrame:
    """``frame`` with ``<column>_ru`` and ``<column>_kk``, each label translated once."""
    out = frame.copy()
    labels = frame[column].tolist()
    for lang in LANGS:
        done = {label: period_label(label, lang, path) for label in set(labels) if not _blank(label)}
        out[f"{column}_{lang}"] = pd.Series([done.get(label) if not _blank(label) else None
                                             for label in labels], index=frame.index, dtype=object)
    return out
