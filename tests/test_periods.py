"""Periods as published, parsed into dates with flags."""

from datetime import date

import pytest

from geo.domain.periods import parse_period
from geo.errors import BadInput

CASES = [
    ("2022", date(2022, 1, 1), date(2022, 12, 31), ()),
    ("2015-01..07", date(2015, 1, 1), date(2015, 7, 31), ()),
    ("2021-Q1", date(2021, 1, 1), date(2021, 3, 31), ()),
    ("2019..2024-06 (cumulative)", date(2019, 1, 1), date(2024, 6, 30), ("cumulative",)),
    ("2024-01-01", date(2024, 1, 1), date(2024, 1, 1), ()),
    ("2025 (start)", date(2025, 1, 1), date(2025, 1, 1), ("point",)),
    ("2024-05 (statement 2 May 2024)", date(2024, 5, 2), date(2024, 5, 2), ("point",)),
    ("2024-H1", date(2024, 1, 1), date(2024, 6, 30), ()),
    ("2022-11 (draft) / 2023", date(2022, 11, 1), date(2023, 12, 31), ()),
    ("n.d. (gov.kz district page, c. 2023-2025)", date(2023, 1, 1), date(2025, 12, 31), ("undated", "circa")),
    ("n.d.", None, None, ("undated",)),
    ("before 2018-03-16", None, date(2018, 3, 16), ("open_start",)),
    ("2015 (late; exact date not given)", date(2015, 1, 1), date(2015, 12, 31), ("approx_date",)),
    # forms of the rows added 2026-11-30
    ("2015-01-01..c.2015-10 (reported 21 Oct 2015)", date(2015, 1, 1), date(2015, 10, 31), ("circa",)),
    ("c.2012-2013 (n.d.)", date(2012, 1, 1), date(2013, 12, 31), ("circa",)),
    ("2014-01-13..19", date(2014, 1, 13), date(2014, 1, 19), ()),
    ("2016-01..12-20", date(2016, 1, 1), date(2016, 12, 20), ()),
    ("Sept (year n.d., c. 2025)", date(2025, 1, 1), date(2025, 12, 31), ("undated", "circa")),
    ("2 Aug (year n.d., akim Tasmagambetov era 2008-2014)", date(2008, 1, 1), date(2014, 12, 31),
     ("undated", "circa")),
    ("Dec 23-29 (year n.d.)", None, None, ("undated",)),
]


@pytest.mark.parametrize("label,start,end,flags", CASES)
def test_published_period_forms(label, start, end, flags):
    period = parse_period(label)
    assert (period.start, period.end, period.flags) == (start, end, flags)
    assert period.label == label  # kept exactly as published


def test_february_end_and_leap_year():
    assert parse_period("2024-01..02").end == date(2024, 2, 29)
    assert parse_period("2022-01..02").end == date(2022, 2, 28)


@pytest.mark.parametrize("label", ["sometime", "2022-13", "Q1 2021"])
def test_unreadable_period_is_a_clear_error(label):
    with pytest.raises(BadInput, match="cannot read a date"):
        parse_period(label)
