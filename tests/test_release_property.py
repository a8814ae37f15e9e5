"""Seeded property test of the release: random three-city surveys (tests.survey_frames: two districts per city,
two groups, two or three 1-5 items with don't-knows, some cells small, some weights heavy) are joined and
published, for some seeds with a second version a few dozen respondents larger (refused or published), and
every published version is attacked with the independent attacker (tests/attacker.py).

Properties: no sensitive cell is narrowed inside its protection interval, no two versions differ by 1 ..
min_n-1 in a count both pin; every shown estimate is the direct computation from the respondents; and the
attacker itself is sound (each true value lies in the interval it derives), so a failure above is the
release's, not a misreading of the files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.errors import BadInput
from geo.join.pipeline import join_user_data
from geo.publish import publish
from tests.attacker import attack, describe, disclosures, protection_failures, true_cells, unsound
from tests.survey_frames import DISTRICTS, districts, population

MIN_N = 10
SEEDS = range(8)
SECOND_VERSION = {1, 4, 6}  # seeds that also publish a larger second version
CITY_OF = {en: city for _id, city, _v, en, *_ in DISTRICTS}
ID_OF = {en: d for d, _c, _v, en, *_ in DISTRICTS}
GROUPS = ("local", "migrant")


def _respondents(rng: np.random.Generator, items: list[str], district: str, group: str, n: int, *,
                 dont_know: float, heavy: bool) -> list[dict]:
    rows = []
    for i in range(n):
        weight = round(float(rng.uniform(0.5, 2.0)), 3)
        if heavy and i == 0:
            weight = round(weight * float(rng.uniform(6.0, 15.0)), 3)
        answers = {q: None if rng.random() < dont_know else int(rng.integers(1, 6)) for q in items}
        rows.append({"district": district, "group": group, "weight": weight, **answers})
    return rows


def _survey(rng: np.random.Generator, items: list[str]) -> list[dict]:
    rows = []
    for en in ID_OF:
        for group in GROUPS:
            size = rng.choice(["empty", "small", "medium", "large"], p=[0.05, 0.3, 0.3, 0.35])
            n = {"empty": 0, "small": int(rng.integers(1, 10)), "medium": int(rng.integers(10, 20)),
                 "large": int(rng.integers(20, 45))}[str(size)]
            dont_know = float(rng.choice([0.05, 0.15, 0.6], p=[0.5, 0.35, 0.15]))
            rows += _respondents(rng, items, en, group, n, dont_know=dont_know, heavy=bool(rng.random() < 0.2))
    return rows


def _more(rng: np.random.Generator, items: list[str]) -> list[dict]:
    """A few dozen more respondents spread over random cells (the second version)."""
    rows = []
    for _ in range(int(rng.integers(20, 40))):
        en = str(rng.choice(list(ID_OF)))
        rows += _respondents(rng, items, en, str(rng.choice(GROUPS)), 1, dont_know=0.15, heavy=False)
    return rows


def _write(path: Path, rows: list[dict], items: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["city", "district", "group", "weight", *items])
        for r in rows:
            writer.writerow([CITY_OF[r["district"]], r["district"], r["group"], repr(float(r["weight"])),
                             *["не знаю" if r[q] is None else r[q] for q in items]])
    return path


def _truth(rows: list[dict], items: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame([{"city": CITY_OF[r["district"]], "district_id": ID_OF[r["district"]], "group": r["group"],
                           "weight": float(r["weight"]),
                           **{q: np.nan if r[q] is None else float(r[q]) for q in items}} for r in rows])
    return true_cells(frame, MIN_N, items={q: (1, 5) for q in items})


def _join(folder: Path, rows: list[dict], items: list[str], name: str) -> Path:
    path = _write(folder / f"{name}.csv", rows, items)
    result = join_user_data(path, city_col="city", district_col="district", group_col="group", weight_col="weight",
                            scores=[f"{q}:1-5" for q in items], min_n=MIN_N, districts=districts(),
                            population=population(), h3_res=(), permutations=0)
    assert result.report["joined_rows"] == len(rows), result.report["set_aside_by_reason"]
    out = folder / name
    result.write(out)
    return out


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """Per seed: the published versions, each with its respondents' truth, and every finding of the attack."""
    out = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        items = [f"Q{j + 1}" for j in range(int(rng.integers(2, 4)))]
        folder = tmp_path_factory.mktemp(f"seed{seed}")
        root = folder / "datasets"
        rows = _survey(rng, items)
        versions = [(publish(_join(folder, rows, items, "out1"), "survey", title="t", source="s", period="2024",
                             root=root), _truth(rows, items))]
        refused = None
        if seed in SECOND_VERSION:
            larger = rows + _more(rng, items)
            try:
                versions.append((publish(_join(folder, larger, items, "out2"), "survey", title="t", source="s",
                                         period="2024", root=root), _truth(larger, items)))
            except BadInput as exc:
                refused = str(exc)
                assert "\n" not in refused
        findings = attack([v for v, _ in versions])
        out.append({"seed": seed, "items": items, "versions": versions, "findings": findings, "refused": refused})
    return out


def test_the_attacker_is_sound_on_every_release(cases):
    """Self-check of the oracle: every interval it derives holds the true value."""
    for case in cases:
        for version, truth in case["versions"]:
            mine = [f for f in case["findings"] if f.get("folder") == str(version)]
            assert mine, version
            wrong = unsound(mine, truth)
            assert not wrong, f"seed {case['seed']}: " + describe(wrong)


def test_no_sensitive_cell_is_narrowed_inside_its_protection_interval(cases):
    problems = []
    for case in cases:
        for version, truth in case["versions"]:
            mine = [f for f in case["findings"] if f.get("folder") == str(version)]
            failures = protection_failures(mine, truth, MIN_N)
            if failures:
                problems.append(f"seed {case['seed']} {version.name}: " + describe(failures, 4))
        found = disclosures(case["findings"])
        if found:
            problems.append(f"seed {case['seed']}: {len(found)} differences between versions disclose, e.g. "
                            + "; ".join(f"{f['cell']} {f['quantity']} {f['before']:g} -> {f['after']:g}"
                                        for f in found[:3]))
    assert not problems, "\n".join(problems)


def _expected(truth: pd.DataFrame, key: tuple, column: str) -> float:
    return float(truth.loc[[key], column].iloc[0]) if key in truth.index else 0.0


def test_every_shown_estimate_equals_the_direct_computation(cases):
    checked = 0
    for case in cases:
        for version, truth in case["versions"]:
            scores = pd.read_parquet(version / "scores.parquet")
            for _, row in scores[scores["mean"].notna()].iterrows():
                district = row["district_id"] if row["level"] == "district" else None
                key = (row["city"], None if pd.isna(district) else str(district), str(row["group"]))
                item = str(row["item"])
                weight = _expected(truth, key, f"weight:{item}")
                assert row["n"] == _expected(truth, key, f"answered:{item}"), (case["seed"], key, item)
                assert row["weight_sum"] == pytest.approx(weight, rel=1e-9), (case["seed"], key, item)
                assert row["mean"] == pytest.approx(_expected(truth, key, f"wsum:{item}") / weight, rel=1e-9), (
                    case["seed"], key, item)
                checked += 1
            table = pd.read_parquet(version / "districts.parquet")
            for _, row in table.iterrows():
                key = (row["city"], str(row["district_id"]), "all")
                if pd.notna(row.get("count")):
                    assert row["count"] == pytest.approx(_expected(truth, key, "weight"), rel=1e-9, abs=1e-12), (
                        case["seed"], key)
                    checked += 1
                if pd.notna(row.get("n_rows")):
                    assert row["n_rows"] == _expected(truth, key, "respondents"), (case["seed"], key)
    assert checked > 0
