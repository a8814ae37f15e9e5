"""Periods as published ('2022', '2015-01..07', '2021-Q1', '2019..2024-06 (cumulative)', '2025 (start)', 'n.d.')
parsed into a start and end date plus flags, keeping the label exactly as the source wrote it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from geo.errors import BadInput


@dataclass(frozen=True)
class Period:
    label: str
    start: date | None
    end: date | None
    flags: tuple[str, ...] = ()  # undated, approx_date, cumulative, point, circa

    @property
    def reference_date(self) -> date | None:
        """The date that decides which boundaries a figure belongs to: the period's end."""
        return self.end


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(token: str) -> tuple[date, date] | None:
    """One date-like token: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", token):
        d = date(*map(int, m.groups()))
        return d, d
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", token):
        y, q = int(m[1]), int(m[2])
        return date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
    if m := re.fullmatch(r"(\d{4})-H([12])", token):
        y, h = int(m[1]), int(m[2])
        return date(y, 6 * h - 5, 1), _month_end(y, 6 * h)
    if m := re.fullmatch(r"(\d{4})-(\d{4})", token):
        return date(int(m[1]), 1, 1), date(int(m[2]), 12, 31)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", token):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            return None
        return date(y, mo, 1), _month_end(y, mo)
    if m := re.fullmatch(r"(\d{4})", token):
        y = int(m[1])
        return date(y, 1, 1), date(y, 12, 31)
    return None


def _undated_or_circa(text: str) -> Period | None:
    """Labels that say they are undated, or only roughly dated ('c. 2015', 'c. 2023-03 (anniversary)')."""
    if text.lower().startswith("n.d.") or "year n.d." in text.lower():  # 'Sept (year n.d., c. 2025)' too
        years = re.findall(r"\b(\d{4})\b", text)
        if years:  # 'n.d. (gov.kz district page, c. 2023-2025)': a circa range
            return Period(text, date(int(min(years)), 1, 1), date(int(max(years)), 12, 31), ("undated", "circa"))
        return Period(text, None, None, ("undated",))
    for pattern in (r".*\bc\. (\d{4}(?:-\d{4})?)",  # 'c. 2015', 'testimony, c. 2012'
                    r"c\. (\d{4}(?:-\d{2})?)(?: \(.*\))?"):  # 'c. 2023-03 (25th anniversary of the district)'
        if (m := re.fullmatch(pattern, text)) and (span := _span(m[1])):
            return Period(text, span[0], span[1], ("circa",))
    return None


def parse_period(label: str) -> Period:
    """Parse a published period label; raise BadInput when no date can be read from a dated label."""
    text = str(label).strip()
    core, _, rest = text.partition(" ")
    comment = rest.lower()
    flags: list[str] = []
    if "cumulative" in comment:
        flags.append("cumulative")
    if any(w in comment for w in ("not given", "exact date", "~", "late", "first months")):
        flags.append("approx_date")

    if undated_or_circa := _undated_or_circa(text):
        return undated_or_circa
    if m := re.match(r"(before|after)\s+(\S+)", text):
        span = _span(m[2])
        if span is None:
            raise BadInput(f"cannot read a date from period '{label}'")
        return Period(text, None, span[0], ("open_start",)) if m[1] == "before" else Period(text, span[0], None, ("open_end",))
    if core.startswith("c.") and ".." not in core:  # 'c.2012-2013 (n.d.)': circa, the text itself undated
        core = core.removeprefix("c.")
        flags.append("circa")
    if core.endswith("onward"):
        core = core.removesuffix("onward")
    if text.endswith(" onward"):
        span = _span(core)
        if span:
            return Period(text, span[0], None, ("open_end",))

    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})\.\.(\d{2})", core):  # 2014-01-13..19
        y, mo = int(m[1]), int(m[2])
        return Period(text, date(y, mo, int(m[3])), date(y, mo, int(m[4])), tuple(flags))
    if m := re.fullmatch(r"(\d{4})-(\d{2})\.\.(\d{2})-(\d{2})", core):  # 2016-01..12-20
        y = int(m[1])
        return Period(text, date(y, int(m[2]), 1), date(y, int(m[3]), int(m[4])), tuple(flags))
    if m := re.fullmatch(r"(\d{4})-(\d{2})\.\.(\d{2})", core):  # 2015-01..07
        y, m1, m2 = int(m[1]), int(m[2]), int(m[3])
        return Period(text, date(y, m1, 1), _month_end(y, m2), tuple(flags))
    if ".." in core:  # 2019..2024-06, 2018..2022, 2019-01..2021-09, 2015-01-01..c.2015-10
        a, b = (part.removeprefix("c.") for part in core.split("..", 1))
        if "..c." in core or core.startswith("c."):
            flags.append("circa")
        sa, sb = _span(a), _span(b)
        if sa and sb:
            return Period(text, sa[0], sb[1], tuple(flags))
    span = _span(core)
    if span is None:
        raise BadInput(f"cannot read a date from period '{label}'; expected forms like 2022, 2015-01..07, 2021-Q1, 2024-01-01")
    start, end = span
    if m := re.search(r"/ (\d{4})$", text):  # '2022-11 (draft) / 2023': in force by the later year
        end = date(int(m[1]), 12, 31)
    if "(start" in comment:
        end = start  # a stock at the start of the year
        flags.append("point")
    if m := re.search(r"(\d{1,2}) (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* (\d{4})", comment):
        months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        start = end = date(int(m[3]), months.index(m[2]) + 1, int(m[1]))  # '(statement 2 May 2024)'
        flags.append("point")
    return Period(text, start, end, tuple(flags))
