"""How one district of a joined upload reads on the page: a measure's name, its value, a score with its n and
interval, or why there is none (hidden by the release gate, nobody answered, no data).

Why apart from ``dashboard.upload.callbacks``: the upload's table, the map's labels and the legend all say the same of a
district, and "suppressed" (the release gate hid it) must never read as "no data" (it is missing) anywhere.
"""

from __future__ import annotations

from dashboard.i18n import t
from dashboard.upload.job import BASE_MEASURES
from dashboard.views.panels import fmt_value

__all__ = ["BASE_MEASURES", "fmt_measure", "hidden_by_release", "measure_cell", "measure_label", "row_name",
           "score_cell"]


def measure_label(measure: str, lang: str) -> str:
    if measure.endswith("_mean") and measure not in BASE_MEASURES:
        return t("upload_score_mean", lang, item=measure[:-5])
    if measure.startswith("lq_"):
        return t("measure_lq", lang, group=measure[3:])
    return t(f"measure_{measure}", lang)


def fmt_measure(value: float | None, measure: str, lang: str) -> str:
    if value is None:
        return t("no_data", lang)
    if measure == "share_of_city":
        return f"{100 * value:.1f} %"
    if measure == "per_1000" or measure.startswith("lq_"):
        return f"{value:.3g}"
    if measure.endswith("_mean"):
        return f"{value:.2f}"
    return fmt_value(value, None, lang)


def hidden_by_release(row: dict, measure: str) -> bool:
    """A count, share, rate or quotient the release gate blanked (the district, or one of the cells it divides,
    is suppressed), as against one that is missing (no population figure, a district without rows)."""
    if row.get(measure) is not None:
        return False
    if row.get("suppressed"):
        return True
    return measure.startswith("lq_") and bool(row.get("count")) and "suppressed" in row


def measure_cell(row: dict, measure: str, lang: str, min_n: int) -> str:
    """A district's value of a count measure, or "suppressed" where the release gate hid it."""
    if hidden_by_release(row, measure):
        return t("upload_suppressed", lang, n=min_n)
    return fmt_measure(row.get(measure), measure, lang)


def score_cell(row: dict, item: str, lang: str, min_n: int) -> str:
    """A district's score: "3.40 (n 25, 3.05–3.75)", or why there is none (suppressed, no answer)."""
    mean = row.get(f"{item}_mean")
    if mean is None:
        if row.get(f"{item}_suppressed"):
            return t("upload_suppressed", lang, n=min_n)
        return t("upload_no_answers" if row.get(f"{item}_n") == 0 else "no_data", lang)
    return (f"{mean:.2f} (n {int(row.get(f'{item}_n') or 0)}, {row.get(f'{item}_ci_low') or 0:.2f}–"
            f"{row.get(f'{item}_ci_high') or 0:.2f})")


def row_name(row: dict, lang: str) -> str:
    for code in (lang, "en", "ru", "kk"):
        if row.get(f"name_{code}"):
            return str(row[f"name_{code}"])
    return str(row.get("district_id"))
