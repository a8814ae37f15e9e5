"""The column form of a dropped file: what was recognised (city, district or coordinates, weight, group, score
items with their scales, columns left out), each changeable from a list, with the first rows to check against,
then "Join".

Why a form and not flags: a planner in the browser cannot rename a column in a copy or pass ``--district-col``;
the page shows what the join will use and the person confirms it. The form's choices come back from the browser,
so they become a join only through ``geo.join.spec.JoinSpec.from_dict`` (types and lengths checked) and the
child's read of the file (a column that is not in the file is refused there, named).
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.i18n import t

ROLES = ("city", "district", "lat", "lon", "weight", "group")  # each a dropdown "upload-role-<role>"
PREVIEW_ROWS = 5
PREVIEW_CHARS = 40


def role_id(role: str) -> str:
    return f"upload-role-{role}"


def form_layout(lang: str) -> html.Div:
    """The form's fixed parts (hidden until a file is recognised): a dropdown per role, the items, the sheet,
    the preview, the Join button. Static ids, so the join callback can read them."""
    def role(name: str) -> html.Div:
        return html.Div([
            html.Label(html.Span(t(f"form_role_{name}", lang), id={"type": "i18n", "key": f"form_role_{name}"}),
                       htmlFor=role_id(name)),
            dcc.Dropdown(id=role_id(name), options=[], value=None, clearable=True,
                         placeholder=t("form_none", lang))], className="control form-role")
    return html.Div(id="upload-form", hidden=True, className="upload-form", children=[
        html.H4(html.Span(t("form_title", lang), id={"type": "i18n", "key": "form_title"})),
        html.P(id="upload-form-summary", className="small"),
        html.Div([html.Label(html.Span(t("form_sheet", lang), id={"type": "i18n", "key": "form_sheet"}),
                             htmlFor="upload-sheet"),
                  dcc.Dropdown(id="upload-sheet", options=[], value=None, clearable=False)],
                 id="upload-sheet-box", className="control", hidden=True),
        *[role(name) for name in ROLES],
        html.Div([html.Label(html.Span(t("form_scores", lang), id={"type": "i18n", "key": "form_scores"}),
                             htmlFor="upload-scores"),
                  dcc.Checklist(id="upload-scores", options=[], value=[], className="checklist items")],
                 className="control"),
        html.P(id="upload-left-out", className="small"),
        html.Div(id="upload-preview", className="preview"),
        html.Button(html.Span(t("form_join", lang), id={"type": "i18n", "key": "form_join"}), id="upload-join",
                    className="dl primary", n_clicks=0, type="button"),
        dcc.Store(id="upload-recognised"),
    ])


def _cut(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


def scale_text(scale: object, lang: str) -> str:
    if isinstance(scale, (list, tuple)) and len(scale) == 2:
        return t("form_scale", lang, low=f"{scale[0]:g}", high=f"{scale[1]:g}")
    return t("form_scale_inferred", lang)


def form_outputs(found: dict[str, Any], filename: str, lang: str) -> dict[str, Any]:
    """What the form shows for a recognised file: the options and proposed value of every dropdown, the
    summary, the columns left out and why, the preview (every cell as text, cut)."""
    columns = [str(c) for c in found.get("columns", [])]
    options = [{"label": c, "value": c} for c in columns]
    roles = found.get("roles", {})
    scores = found.get("scores", {})
    # the proposed items first, each with its scale; then every other column, which may be ticked too
    item_options = [{"label": f"{c} · {scale_text(scores.get(c), lang)}", "value": c} for c in columns if c in scores]
    item_options += [{"label": c, "value": c} for c in columns if c not in scores]
    left = found.get("left_out", {})
    left_text = t("form_left_out", lang, columns="; ".join(
        f"{c} ({t('form_why_' + str(why), lang)})" for c, why in left.items())) if left else ""
    preview = found.get("preview", [])[:PREVIEW_ROWS]
    table = html.Table([html.Thead(html.Tr([html.Th(_cut(c), scope="col") for c in columns])),
                        html.Tbody([html.Tr([html.Td(_cut(v)) for v in row]) for row in preview])],
                       className="table small", id="upload-preview-table") if preview else ""
    sheets = [str(s) for s in found.get("sheets", [])]
    return {
        "summary": t("form_summary", lang, name=filename, rows=int(found.get("rows", 0)), columns=len(columns)),
        "roles": {role: (options, roles.get(role) if roles.get(role) in columns else None) for role in ROLES},
        "scores": (item_options, [c for c in scores if c in columns]),
        "left_out": left_text,
        "preview": [html.P(t("form_preview", lang), className="small"), table] if preview else [],
        "sheets": ([{"label": s, "value": s} for s in sheets],
                   found.get("sheet") if found.get("sheet") in sheets else sheets[0] if sheets else None, not sheets),
        "recognised": {"columns": columns, "scales": {c: s for c, s in scores.items() if c in columns},
                       "sheet": found.get("sheet")},
    }


def spec_choices(roles: dict[str, Any], items: Any, recognised: Any, city: Any, sheet: Any) -> dict[str, Any]:
    """The form's values as ``JoinSpec.from_dict`` takes them (checked there): a role left empty is found by
    name (or not used), an item carries its recognised scale when it has one."""
    scales = recognised.get("scales", {}) if isinstance(recognised, dict) else {}
    scales = scales if isinstance(scales, dict) else {}
    chosen: dict[str, Any] = {f"{role}_col": value for role, value in roles.items() if value not in (None, "")}
    if isinstance(items, list):
        scored = []
        for item in items:
            scale = scales.get(item) if isinstance(item, str) else None
            if isinstance(scale, list) and len(scale) == 2 and all(isinstance(v, (int, float)) for v in scale):
                scored.append(f"{item}:{scale[0]:g}-{scale[1]:g}")
            else:
                scored.append(item)
        chosen["scores"] = scored
    else:
        chosen["scores"] = items  # not a list: refused by JoinSpec.from_dict
    if city not in (None, "auto"):
        chosen["city"] = city
    if sheet is not None:
        chosen["sheet"] = sheet
    return chosen
