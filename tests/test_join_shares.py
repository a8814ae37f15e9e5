"""Share items (geo.join.shares): the spec's shape, and the 0/1 column a category becomes on hand-made raw files
(text cells, numeric Parquet-like cells, SPSS-like labelled codes with a user-missing code)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.errors import BadInput
from geo.io.formats import Labels
from geo.io.userfile import RawFile
from geo.join.shares import SHARE_SCALE, SHOWN_VALUES, share_spec, with_shares


def raw(column: list, labels: Labels | None = None) -> RawFile:
    return RawFile(path=Path("s.csv"), label="s.csv", frame=pd.DataFrame({"sector": column, "q1": 1}),
                   labels=labels or Labels())


@pytest.mark.parametrize(("spec", "expected"), [
    ("Сектор=госслужба", ("Сектор", ["госслужба"])),
    (" Сектор = госслужба | | министерство ", ("Сектор", ["госслужба", "министерство"])),
    ("sector=", None), ("=госслужба", None), ("sector", None), ("sector=|", None), (" =x", None),
])
def test_the_spec_is_a_column_equals_one_or_more_values(spec, expected):
    assert share_spec(spec) == expected


def test_text_cells_become_one_zero_or_blank_and_the_scale_is_zero_to_one():
    out, scores = with_shares(raw(["Госслужба", "частный", "", None, " госслужба "]),
                              {"sector=госслужба": None, "q1": (1.0, 5.0)})
    assert out.frame["sector=госслужба"].tolist() == ["1", "0", "", "", "1"]
    assert scores == {"sector=госслужба": SHARE_SCALE, "q1": (1.0, 5.0)}
    assert "sector" in out.frame and out.label == "s.csv"  # the column itself stays


def test_numeric_codes_read_as_written_and_nan_is_blank():
    out, _ = with_shares(raw([1.0, 2.0, np.nan, 1.0]), {"sector=1": None})
    assert out.frame["sector=1"].tolist() == ["1", "0", "", "1"]


def test_labelled_codes_match_their_label_and_user_missing_is_blank():
    labels = Labels(values={"sector": {1.0: "госслужба", 2.0: "частный", 9.0: "нет ответа"}},
                    nonresponse={"sector": np.array([False, False, True, False])})
    out, _ = with_shares(raw([1.0, 2.0, 9.0, 1.0], labels), {"sector=госслужба": None})
    assert out.frame["sector=госслужба"].tolist() == ["1", "0", "", "1"]
    missing_only = Labels(nonresponse={"sector": np.array([False, True, False, False])})
    out, _ = with_shares(raw(["a", "a", "b", ""], missing_only), {"sector=a": None})
    assert out.frame["sector=a"].tolist() == ["1", "", "0", ""]  # user-missing without value labels


def test_a_column_named_like_a_spec_is_that_column_not_a_share():
    frame = raw(["x"]).frame.assign(**{"a=b": ["3"]})
    source = RawFile(path=Path("s.csv"), label="s.csv", frame=frame)
    out, scores = with_shares(source, {"a=b": None})
    assert out is source and scores == {"a=b": None}


def test_an_unseen_value_lists_at_most_the_first_values_seen():
    values = [f"v{i:02d}" for i in range(SHOWN_VALUES + 1)]
    with pytest.raises(BadInput) as caught:
        with_shares(raw(values), {"sector=госслужба": None})
    message = str(caught.value)
    assert f"v{SHOWN_VALUES - 1:02d} ..." in message and f"v{SHOWN_VALUES:02d}" not in message
    with pytest.raises(BadInput, match=r"its values are v00, v01: write one"):
        with_shares(raw(["v00", "v01", ""]), {"sector=госслужба": None})
    with pytest.raises(BadInput, match="its values are all blank"):
        with_shares(raw(["", None]), {"sector=госслужба": None})


def test_a_missing_column_names_the_first_columns():
    many = RawFile(path=Path("s.csv"), label="s.csv", frame=pd.DataFrame({f"c{i}": [1] for i in range(12)}))
    with pytest.raises(BadInput) as caught:
        with_shares(many, {"sector=x": None})
    assert "c9" in str(caught.value) and "c10" not in str(caught.value)


def test_exactly_the_listed_number_of_values_has_no_ellipsis():
    values = [f"v{i:02d}" for i in range(SHOWN_VALUES)]
    with pytest.raises(BadInput) as caught:
        with_shares(raw(values), {"sector=госслужба": None})
    assert f"v{SHOWN_VALUES - 1:02d}: write" in str(caught.value) and "..." not in str(caught.value)
