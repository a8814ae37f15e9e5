"""The disclosure ("checker's") report of a survey release as one short standalone HTML page per language.

Why: the report is JSON, and the people who must approve a release (a data steward, an ethics board) should
not have to read JSON. Before survey figures go out they read here, in Kazakh, Russian or English, by which
rules cells were hidden, what the solver proved about the hidden ones, what was left out and what the check
cannot promise. The page has inline CSS, no scripts and no external resources, so it opens offline and can
be filed with a decision as it is. Labels come from researchers' files, so every value is escaped; codes this
module does not know are shown as they are rather than dropped. All wording is in ``geo.release.wording``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from geo.io.atomic import atomic_write_text
from geo.release.wording import CATALOGUE as _CAT

LANGS = ("kk", "ru", "en")
_COLUMN = {"en": 0, "ru": 1, "kk": 2}


_CSS = ("body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}"
        "table{border-collapse:collapse;margin:.5rem 0;display:block;max-width:100%;overflow-x:auto}th,td{border:1px solid #bbb;padding:.2rem .5rem;"
        "text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
        ".banner{border:3px solid #b00020;background:#fde7ea;padding:.75rem;font-weight:bold}"
        ".badge{background:#5a2d82;color:#fff;padding:.1rem .4rem;margin-left:.5rem;font-size:.8em}"
        ".warn{color:#b00020;font-weight:bold}.ok{color:#1a6b2a}")


def _t(lang: str, key: str, **values: object) -> str:
    """The catalogue's text for ``key`` in ``lang``, with ``values`` filled in (plain text, not yet escaped)."""
    return _CAT[key][_COLUMN[lang]].format(**values)


def _code(lang: str, prefix: str, code: object, **values: object) -> str:
    """A code (a reason, a why, an output, a city ...) in words, or the code itself when the catalogue lacks it."""
    key = f"{prefix}_{code}"
    return _t(lang, key, **values) if key in _CAT else str(code)


def _num(value: object, lang: str, digits: int | None = None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—" if value is None else str(value)
    text = f"{value:.{digits}f}" if digits is not None else str(value) if isinstance(value, int) else f"{value:.10g}"
    return text if lang == "en" else text.replace(".", ",")


def _pct(value: object, lang: str) -> str:
    """A share of weight as a percentage: 0.5 -> '50%'."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _num(value, lang)
    return f"{_num(round(value * 100, 6), lang)}%"


def _interval(pair: object, lang: str, digits: int | None = None) -> str:
    """'0–33' (an en dash between the ends; '63–∞' where nothing published bounds it); anything not a pair is
    shown as it is."""
    if isinstance(pair, list | tuple) and len(pair) == 2:
        high = "∞" if pair[1] is None else _num(pair[1], lang, digits)
        return f"{_num(pair[0], lang, digits)}–{high}"
    return _num(pair, lang)


def _e(text: object) -> str:
    return html.escape(str(text))


def _p(lang: str, key: str, **values: object) -> str:
    return f"<p>{_e(_t(lang, key, **values))}</p>"


def _h2(lang: str, key: str) -> str:
    return f"<h2>{_e(_t(lang, key))}</h2>"


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _row(cells: list[str], tag: str = "td", numeric: tuple[int, ...] = ()) -> str:
    return "<tr>" + "".join(f'<{tag}{" class=n" if i in numeric else ""}>{_e(c)}</{tag}>'
                            for i, c in enumerate(cells)) + "</tr>"


def _head(report: dict, lang: str, private: bool) -> list[str]:
    ds = _dict(report.get("dataset"))
    out = [f"<h1>{_e(_t(lang, 'title'))}</h1>"]
    badge = f'<span class="badge">{_e(_t(lang, "synthetic"))}</span>' if ds.get("synthetic") is True else ""
    if ds.get("title") or badge:
        out.append(f"<p><strong>{_e(ds.get('title') or '')}</strong>{badge}</p>")
    if "name" in ds:
        out.append(_p(lang, "dataset_version" if "version" in ds else "dataset", name=ds["name"],
                      version=ds.get("version")))
    out.append(_p(lang, "min_n", n=_num(report.get("min_n"), lang)))
    if private:
        out.append(f'<p class="banner">{_e(_t(lang, "private"))}</p>')
    return out


def _rules(report: dict, lang: str) -> list[str]:
    rules = _dict(report.get("rules"))
    min_n = _dict(rules.get("threshold")).get("min_n", report.get("min_n"))
    items = [_t(lang, "rule_threshold", n=_num(min_n, lang))]
    if "n_eff" in rules:
        items.append(_t(lang, "rule_n_eff", n=_num(_dict(rules["n_eff"]).get("min"), lang)))
    if "dominance" in rules:
        dom = _dict(rules["dominance"])
        items.append(_t(lang, "rule_dominance", top1=_pct(dom.get("top1"), lang),
                        top2=_pct(dom.get("top2"), lang)))
    known = {"threshold", "n_eff", "dominance", "protection"}
    items += [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in rules.items() if k not in known]
    out = [_h2(lang, "rules"), _p(lang, "rules_intro"), _ul(items), _p(lang, "rule_linked")]
    if "protection" in rules:
        p = _dict(rules["protection"])
        out.append(_p(lang, "rule_protection", hw=_num(p.get("count_half_width"), lang),
                      up=_num(p.get("count_upper_at_least"), lang),
                      whw=_num(p.get("weighted_half_width_respondents"), lang)))
    return out


def _summary(report: dict, lang: str) -> list[str]:
    out = []
    if "cells" in report:
        cells = _dict(report["cells"])
        out.append(_p(lang, "cells", published=_num(cells.get("published"), lang),
                      hidden=_num(cells.get("hidden"), lang)))
    tables = [t for t in report.get("tables") or [] if isinstance(t, dict)]
    if tables:
        head = _row([_t(lang, k) for k in ("col_table", "col_rows", "col_hidden_rows")], "th")
        rows = [_row([_code(lang, "table", t.get("table")), _num(t.get("rows"), lang),
                      _num(t.get("hidden_rows"), lang)], numeric=(1, 2)) for t in tables]
        out.append("<table>" + head + "".join(rows) + "</table>")
    return [_h2(lang, "summary"), *out] if out else []


def _place(cell: dict, lang: str) -> tuple[str, str]:
    """(city, district) as the hidden-cells table shows them, in ``lang``."""
    level, city = cell.get("level", "district"), cell.get("city")
    city_text = _code(lang, "city", city) if city is not None else _t(lang, "all_cities")
    if level in ("city", "city_group"):  # the whole city (its group, if any, is in the group column)
        return city_text, city_text
    if level == "national":
        return _t(lang, "all_cities"), _t(lang, "all_cities")
    names = _dict(cell.get("names"))
    name = names.get(lang) or names.get("en") or cell.get("district_id") or "—"
    return city_text, str(name) if level in ("district", "group") else f"{name} ({level})"


def _hidden(report: dict, lang: str, private: bool) -> list[str]:
    cells = [c for c in report.get("hidden") or [] if isinstance(c, dict)]
    if not cells:
        return [_h2(lang, "hidden"), _p(lang, "none_hidden")]
    keys = ["col_city", "col_district", "col_group", "col_n", "col_weight"] + (["col_reason"] if private else [])
    rows = []
    for c in cells:
        group = _t(lang, "group_all") if c.get("group", "all") == "all" else str(c.get("group"))
        row = [*_place(c, lang), group, _interval(c.get("n_interval"), lang),
               _interval(c.get("weight_interval"), lang, digits=2)]
        if private:
            row.append(_code(lang, "reason", c["reason"]) if "reason" in c else "")
        rows.append(_row(row, numeric=(3, 4)))
    return [_h2(lang, "hidden"), _p(lang, "hidden_intro"),
            "<table>" + _row([_t(lang, k) for k in keys], "th") + "".join(rows) + "</table>"]


def _left_out(report: dict, lang: str) -> list[str]:
    items = []
    for entry in (e for e in report.get("left_out") or [] if isinstance(e, dict)):
        output = entry.get("output")
        if output == "hexagons" and "resolution" in entry:
            what = _t(lang, "hexagons_at", r=entry["resolution"])
        elif output == "item" and "item" in entry:
            what = _t(lang, "item_named", item=entry["item"])
        else:
            what = _code(lang, "out", output)
        if "city" in entry:
            what += f" ({_code(lang, 'city', entry['city'])})"
        why = _code(lang, "why", entry.get("why"), n=_num(report.get("min_n"), lang))
        items.append(_t(lang, "left_out_line", what=what, why=why))
    return [_h2(lang, "left_out"), _ul(items)] if items else []


def _versions(report: dict, lang: str) -> list[str]:
    versions = _dict(report.get("versions"))
    out = []
    if versions.get("audited_with"):
        earlier = versions["audited_with"]
        listed = ", ".join(map(str, earlier)) if isinstance(earlier, list) else str(earlier)
        out.append(_t(lang, "audited_with", versions=listed))
    if "rule" in versions:
        rule = versions["rule"]
        key = f"version_rule_{rule}"
        out.append(_t(lang, key, n=_num(report.get("min_n"), lang)) if key in _CAT
                   else _t(lang, "version_rule", rule=rule))
    return [_h2(lang, "versions"), *(f"<p>{_e(p)}</p>" for p in out)] if out else []


def _audit(report: dict, lang: str) -> list[str]:
    if "audit" not in report:
        return []
    audit = _dict(report["audit"])
    shown = {"solver": str(audit.get("solver")), "programs": _num(audit.get("programs"), lang),
             "seconds": _t(lang, "seconds_value", s=_num(audit.get("seconds"), lang)),
             "passes": _num(audit.get("passes"), lang)}
    rows = "".join(_row([_t(lang, k), v]) for k, v in shown.items() if k in audit)
    out = [_h2(lang, "audit"), *([f"<table>{rows}</table>"] if rows else [])]
    if "all_protected" in audit:
        ok = audit["all_protected"] is True
        words = _t(lang, "all_protected" if ok else "not_protected")
        out.append(f'<p class="{"ok" if ok else "warn"}">{_e(words)}</p>')
    return out


def _limits(report: dict, lang: str) -> list[str]:
    items = [_code(lang, "limit", code) for code in report.get("limits") or []]
    return [_h2(lang, "limits"), _ul(items)] if items else []


def render(report: dict, lang: str) -> str:
    """The report as a complete HTML5 page in ``lang`` (one of LANGS); ValueError for any other language."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    private = any(isinstance(c, dict) and "reason" in c for c in report.get("hidden") or [])
    ds_title = _dict(report.get("dataset")).get("title")
    title = _t(lang, "title") + (f" — {ds_title}" if ds_title else "")
    body = [*_head(report, lang, private), *_rules(report, lang), *_summary(report, lang),
            *_hidden(report, lang, private), *_left_out(report, lang), *_versions(report, lang),
            *_audit(report, lang), *_limits(report, lang)]
    return ("<!DOCTYPE html>\n"
            f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            "<meta http-equiv=\"Content-Security-Policy\" "
            "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def write_pages(report: dict, folder: Path) -> list[Path]:
    """disclosure_kk.html, disclosure_ru.html and disclosure_en.html in ``folder`` (each written atomically)."""
    paths = [Path(folder) / f"disclosure_{lang}.html" for lang in LANGS]
    for path, lang in zip(paths, LANGS, strict=True):
        atomic_write_text(path, render(report, lang))
    return paths
