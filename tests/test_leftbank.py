"""geo/indicators/leftbank.py on tiny hand-made frames: the left bank's share and migration by bank."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from geo.indicators import leftbank

COMPUTED = "computed from the boundaries"


def districts(*rows: tuple) -> pd.DataFrame:
    """(vintage, district_id, bank, bank_left_share[, bank_source]) rows of Astana."""
    out = []
    for r in rows:
        vintage, did, bank, share, *source = r
        out.append(
            {
                "city": "Astana",
                "vintage": vintage,
                "district_id": did,
                "bank": bank,
                "bank_left_share": share,
                "bank_source": source[0] if source else COMPUTED,
            }
        )
    return pd.DataFrame(out)


def pop(
    did: str,
    value: float,
    label: str = "2024 (start)",
    vintage: str = "v",
    derived: bool = False,
    confidence: str = "",
    indicator: str = "population",
    city: str = "Astana",
) -> dict:
    return {
        "city": city,
        "indicator": indicator,
        "district_id": did,
        "vintage": vintage,
        "value": value,
        "period_label": label,
        "period_end": date(2024, 1, 1),
        "derived": derived,
        "confidence": confidence,
        "source": f"src {did}",
    }


THREE = districts(("v", "L", "left", 1.0), ("v", "R", "right", 0.0), ("v", "S", "both", 0.25))


def test_share_splits_a_straddling_district_by_its_land_share():
    figures = pd.DataFrame([pop("L", 300), pop("R", 500), pop("S", 200, confidence="approx")])
    out = leftbank.left_bank_share(figures, THREE)
    assert len(out) == 1
    row = out.iloc[0]
    # (L 300 + S 200 x 0.25) / (300 + 500 + 200) = 350 / 1 000 = 0.35 (S wholly left: 0.5; wholly right: 0.3).
    assert row.share == pytest.approx(0.35)
    assert json.loads(row.split) == [["S", 0.25]] and row.n_districts == 3
    assert (
        row.confidence == "approx" and row.bank_basis == "computed" and row.sources == "src L | src R | src S"
    )


def test_no_share_when_a_district_lacks_a_figure_or_the_figures_are_derived():
    missing = pd.DataFrame([pop("L", 300), pop("R", 500)])
    assert leftbank.left_bank_share(missing, THREE).empty  # S missing: the total would be wrong
    carried = pd.DataFrame([pop("L", 300), pop("R", 500), pop("S", 200, derived=True)])
    assert leftbank.left_bank_share(carried, THREE).empty  # a sum of successors would count people twice


def test_no_share_when_a_district_has_no_known_bank():
    unknown = districts(("v", "L", "left", 1.0), ("v", "R", None, float("nan")))
    assert leftbank.left_bank_share(pd.DataFrame([pop("L", 300), pop("R", 500)]), unknown).empty


def test_one_row_per_date_and_boundary_set_sorted_by_date():
    figures = pd.DataFrame(
        [
            pop("L", 300),
            pop("R", 700),
            pop("L", 400, label="2025 (start)"),
            pop("R", 600, label="2025 (start)"),
            pop("X", 1, city="Almaty"),
        ]
    )
    figures.loc[2:3, "period_end"] = date(2025, 1, 1)
    two = districts(("v", "L", "left", 1.0), ("v", "R", "right", 0.0))
    out = leftbank.left_bank_share(figures, two)
    # 300 / 1 000 = 0.3 at the start of 2024; 400 / 1 000 = 0.4 at the start of 2025.
    assert out.period_label.tolist() == ["2024 (start)", "2025 (start)"]
    assert out.share.tolist() == pytest.approx([0.3, 0.4])


def test_published_banks_are_named_as_such():
    published = districts(("v", "L", "left", 1.0, "published: decree (stated)"), ("v", "R", "right", 0.0))
    out = leftbank.left_bank_share(pd.DataFrame([pop("L", 1), pop("R", 3)]), published)
    assert out.bank_basis.iloc[0] == "computed;published" and out.share.iloc[0] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("source", "basis"),
    [
        ("published: decree", "published"),
        (COMPUTED, "computed"),
        (None, "unknown"),
        ("", "unknown"),
        ("  Published: x", "published"),
    ],
)
def test_bank_basis(source, basis):
    assert leftbank.bank_basis(source) == basis


def test_migration_by_bank_takes_the_bank_of_the_figures_boundary_set():
    two = districts(("v", "L", "left", 1.0), ("old", "L", "right", 0.0))
    figures = pd.DataFrame(
        [
            pop("L", -800, indicator="net_migration"),
            pop("L", 100, indicator="net_migration", vintage="old"),
            pop("L", 5, indicator="net_migration", derived=True),
            pop("L", 300),
        ]
    )
    out = leftbank.migration_by_bank(figures, two)
    assert out[["vintage", "bank", "value"]].values.tolist() == [["v", "left", -800], ["old", "right", 100]]
    assert list(out.columns) == leftbank.MIGRATION_COLUMNS
