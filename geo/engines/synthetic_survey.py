"""A seeded synthetic survey for the demo and tests (`qala demo survey`): what a newcomer joins and publishes.

It has the shape the project's researchers bring: one row per respondent, a city and a Russian district name,
a group (local resident or migrant), a survey weight and Likert items scored 1-5, with "don't know" answers and
blanks; Russian headers, semicolons and comma decimals as Excel writes them in Kazakhstan. Nothing in it is real:
every row carries ``source = SYNTHETIC``, the column geo.io.userfile reads as "this whole file is synthetic", so
the join and everything published from it say so.

How it is drawn (all from one ``numpy.random.default_rng(seed)``)
----------------------------------------------------------------
* cities: respondents split 40/40/20 (Astana/Almaty/Shymkent) over the cities present in ``districts``;
* districts: in each city one district gets only 3-7 respondents (below the default threshold of 10, so
  suppression shows on the map); the others share the rest by Dirichlet(4) proportions;
* group: "мигрант" with a per-district probability (0.35 +- 0.15), else "местный";
* items: answer = round(3 + district effect (sd 0.5, per item) + group effect + noise (sd 1)), clipped to 1-5,
  so districts and groups really differ and the estimates have something to find;
* weights: log-normal (sd 0.35), migrants x1.3, rounded to 3 decimals, at least 0.2;
* item non-response: 4 % "затрудняюсь ответить", 2 % blank, independently per cell;
* sector (Сектор): "госслужба" (civil service) with probability 0.35 in districts on Astana's left bank (the
  districts' ``bank`` column) and 0.12 everywhere else, then "частный сектор" or "другое"; 2 % blank. A planted
  left-bank concentration of civil servants for layer 2 to find (``--score Сектор=госслужба``).

Waves: the population (which district is small, the districts' sizes, migrant shares and item effects) comes
from the seed alone, the respondents from the seed and the wave, so wave 2 is the same population asked again: a fresh sample in which Q1 rises by ``WAVE_SHIFT`` points in each city's first
district by KATO code (and nothing else changes), for the change map between two published waves.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from geo.engines.synthetic import SYNTHETIC_LABEL
from geo.errors import BadInput
from geo.io.atomic import atomic_write_bytes
from geo.settings import CITY_FACTS

__all__ = ["CITY_COLUMN", "CIVIL_SERVICE", "DISTRICT_COLUMN", "DONT_KNOW", "GROUPS", "GROUP_COLUMN", "ITEMS",
           "SECTOR_COLUMN", "WAVE_SHIFT", "WEIGHT_COLUMN", "synthetic_survey", "write_survey_csv"]

CITY_COLUMN, DISTRICT_COLUMN, GROUP_COLUMN, WEIGHT_COLUMN = "Город", "Район", "Группа", "Вес"
SECTOR_COLUMN, CIVIL_SERVICE = "Сектор", "госслужба"
OTHER_SECTORS = ("частный сектор", "другое")
CIVIL_SERVICE_SHARE = {"left": 0.35, "other": 0.12}  # planted: probability of "госслужба" by bank
SECTOR_BLANK = 0.02
WAVE_SHIFT = ("Q1", 0.6)  # wave 2 and later: this item rises by this much in each city's first district
MAX_WAVE = 9
ITEMS = ("Q1", "Q2", "Q3", "Q4")
GROUPS = ("местный", "мигрант")
DONT_KNOW = "затрудняюсь ответить"
CITY_RU = {city: facts.names["ru"] for city, facts in CITY_FACTS.items()}
CITY_SHARES = {city: facts.demo_share for city, facts in CITY_FACTS.items()}
MIGRANT_EFFECT = {"Q1": -0.4, "Q2": 0.0, "Q3": 0.3, "Q4": -0.2}  # migrants minus residents, in scale points
SMALL_DISTRICT = (3, 8)  # respondents in each city's small district: [3, 8)
DONT_KNOW_SHARE, BLANK_SHARE = 0.04, 0.02
MIN_ROWS, MAX_ROWS = 100, 2_000_000


def synthetic_survey(districts: pd.DataFrame, rows: int = 1200, *, seed: int = 7, wave: int = 1) -> pd.DataFrame:
    """``rows`` synthetic respondents over the ``districts`` given (columns city, district_id, name_ru and,
    for the sector's planted concentration, bank; one vintage per city, e.g. ``geo.store.load_districts()``).

    Columns: Город, Район, Группа, Вес (float), Q1..Q4 (int 1-5, "затрудняюсь ответить" or None for blank),
    Сектор (or None), source ("SYNTHETIC"); ``attrs`` holds synthetic=True, the seed, the wave and each row's
    district_id (``district_ids``).
    """
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or not MIN_ROWS <= rows <= MAX_ROWS:
        raise BadInput(f"--rows must be a whole number from {MIN_ROWS} to {MAX_ROWS:,}, got {rows!r}")
    if isinstance(wave, bool) or not isinstance(wave, (int, np.integer)) or not 1 <= wave <= MAX_WAVE:
        raise BadInput(f"--wave must be a whole number from 1 to {MAX_WAVE}, got {wave!r}")
    usable = districts[districts["name_ru"].notna() & districts["city"].isin(list(CITY_SHARES))]
    cities = [c for c in CITY_SHARES if (usable["city"] == c).any()]
    if not cities:
        raise BadInput("no districts with Russian names in Astana, Almaty or Shymkent; fix: run `make data`")
    rng = np.random.default_rng([seed, wave])
    shares = np.array([CITY_SHARES[c] for c in cities])
    per_city = rng.multinomial(int(rows), shares / shares.sum())
    parts: list[pd.DataFrame] = []
    for city, n_city in zip(cities, per_city, strict=True):
        effects = np.random.default_rng([seed, 0, list(CITY_SHARES).index(city)])
        parts.append(_city_rows(usable[usable["city"] == city].sort_values("district_id"), city, int(n_city), rng,
                                effects, wave))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    ids = frame.pop("district_id")
    frame["source"] = SYNTHETIC_LABEL
    frame.attrs.update({"synthetic": True, "label": SYNTHETIC_LABEL, "seed": int(seed), "wave": int(wave),
                        "generator": "geo.engines.synthetic_survey.synthetic_survey",
                        "district_ids": ids.tolist()})
    return frame


def _city_rows(districts: pd.DataFrame, city: str, n: int, rng: np.random.Generator, effects: np.random.Generator,
               wave: int) -> pd.DataFrame:
    """One city's respondents: district counts (one small district), groups, weights, answers, sectors;
    ``effects`` draws what stays from wave to wave (the population: sizes, migrant shares, item effects)."""
    k = len(districts)
    counts = np.zeros(k, dtype=np.int64)
    small = int(effects.integers(k))
    sizes = effects.dirichlet(np.full(k - 1, 4.0)) if k >= 2 else np.ones(0)
    migrant_p = np.clip(0.35 + effects.normal(0.0, 0.15, k), 0.05, 0.9)
    if k >= 2 and n >= 2 * SMALL_DISTRICT[1]:
        counts[small] = rng.integers(*SMALL_DISTRICT)
        rest = [i for i in range(k) if i != small]
        counts[rest] = rng.multinomial(n - counts[small], sizes)
    else:
        counts[:] = rng.multinomial(n, np.full(k, 1.0 / k))
    district = np.repeat(np.arange(k), counts)
    migrant = rng.random(n) < migrant_p[district]
    weight = np.maximum(np.round(rng.lognormal(0.0, 0.35, n) * np.where(migrant, 1.3, 1.0), 3), 0.2)
    out = pd.DataFrame({
        CITY_COLUMN: CITY_RU[city],
        DISTRICT_COLUMN: districts["name_ru"].to_numpy()[district],
        GROUP_COLUMN: np.where(migrant, GROUPS[1], GROUPS[0]),
        WEIGHT_COLUMN: weight,
    })
    for item in ITEMS:
        effect = effects.normal(0.0, 0.5, k)
        if wave > 1 and item == WAVE_SHIFT[0]:
            effect[0] += WAVE_SHIFT[1]
        latent = 3.0 + effect[district] + MIGRANT_EFFECT[item] * migrant + rng.normal(0.0, 1.0, n)
        answers = np.clip(np.rint(latent), 1, 5).astype(int).astype(object)
        u = rng.random(n)
        answers[u < DONT_KNOW_SHARE] = DONT_KNOW
        answers[(u >= DONT_KNOW_SHARE) & (u < DONT_KNOW_SHARE + BLANK_SHARE)] = None
        out[item] = answers
    out[SECTOR_COLUMN] = _sectors(districts, district, rng)
    out["district_id"] = districts["district_id"].to_numpy()[district]
    return out


def _sectors(districts: pd.DataFrame, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each respondent's sector: civil service more likely on the left bank (``CIVIL_SERVICE_SHARE``)."""
    banks = districts["bank"].to_numpy() if "bank" in districts else np.full(len(districts), None)
    p = np.where(banks[district] == "left", CIVIL_SERVICE_SHARE["left"], CIVIL_SERVICE_SHARE["other"])
    u = rng.random(len(district))
    sector = np.where(u < p, CIVIL_SERVICE, np.where(rng.random(len(district)) < 0.6, *OTHER_SECTORS)).astype(object)
    sector[rng.random(len(district)) < SECTOR_BLANK] = None
    return sector


def survey_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The survey as Excel writes it in Kazakhstan: UTF-8, semicolons, comma decimals, blanks empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(frame.columns))
    for row in frame.itertuples(index=False):
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def write_survey_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the survey CSV atomically (an interrupted write leaves the previous file)."""
    atomic_write_bytes(path, survey_csv_bytes(frame))
    return Path(path)
