"""The column form of a dropped file (dashboard/upload/form.py): what it proposes from a recognised file, and how
its values — which come back from the browser — become a join only through ``JoinSpec.from_dict``."""

from __future__ import annotations

import json

import plotly
import pytest

from dashboard.upload.form import ROLES, form_outputs, spec_choices
from geo.errors import BadInput, QalaError
from geo.join.spec import JoinSpec

FOUND = {"columns": ["id", "Город", "Район проживания", "Вес", "Группа", "Отношение к приезжим (1-5)", "q2",
                     "Комментарий"],
         "rows": 1545, "sheets": [],
         "roles": {"city": "Город", "district": "Район проживания", "lat": None, "lon": None, "weight": "Вес",
                   "group": "Группа"},
         "scores": {"Отношение к приезжим (1-5)": [1, 5], "q2": None},
         "left_out": {"id": "id", "Комментарий": "free_text"},
         "preview": [["1", "Астана", "Есильский", "1,2", "мигрант", "4", "3", "<b>очень длинный комментарий, "
                      "который не влезет в ячейку предпросмотра</b>"]]}


def test_form_proposes_what_was_recognised_in_the_pages_language():
    out = form_outputs(FOUND, "опрос.csv", "ru")
    assert out["summary"] == "опрос.csv: строк 1545, столбцов 8."
    options, value = out["roles"]["district"]
    assert value == "Район проживания" and {"label": "Вес", "value": "Вес"} in options
    assert out["roles"]["lat"][1] is None
    items, chosen = out["scores"]
    assert chosen == ["Отношение к приезжим (1-5)", "q2"]
    labels = {o["value"]: o["label"] for o in items}
    assert labels["Отношение к приезжим (1-5)"] == "Отношение к приезжим (1-5) · шкала 1–5"
    assert labels["q2"] == "q2 · шкала по ответам"
    assert [o["value"] for o in items][:2] == chosen and labels["Вес"] == "Вес"  # other columns may be ticked
    assert out["left_out"] == "Не используются: id (идентификатор); Комментарий (свободный текст)."
    tree = json.dumps(out["preview"], cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)
    assert "<b>очень длинный комментарий, который не…" in tree  # cut to 40 characters, kept as text
    assert out["sheets"] == ([], None, True)  # no sheet choice for a CSV


def test_a_proposed_column_that_is_not_in_the_file_is_not_offered():
    found = {**FOUND, "roles": {**FOUND["roles"], "weight": "Weight"}}
    assert form_outputs(found, "s.csv", "en")["roles"]["weight"][1] is None


def test_choices_become_a_checked_spec_with_the_recognised_scales():
    roles = {r: FOUND["roles"][r] for r in ROLES}
    spec = JoinSpec.from_dict(spec_choices(roles, ["Отношение к приезжим (1-5)", "q2"],
                                           {"scales": FOUND["scores"]}, "auto", None))
    assert spec.district_col == "Район проживания" and spec.weight_col == "Вес" and spec.city is None
    assert spec.items == {"Отношение к приезжим (1-5)": (1.0, 5.0), "q2": None}
    assert spec.lat_col is None  # a role left empty is not sent
    spec = JoinSpec.from_dict(spec_choices({"district": "Район"}, [], {}, "Almaty", "Лист2"))
    assert (spec.city, spec.sheet, spec.items) == ("Almaty", "Лист2", {})


@pytest.mark.parametrize(("roles", "items", "recognised", "city", "message"), [
    ({"weight": ["Вес"]}, [], {}, "auto", "weight_col: give a name"),
    ({"district": "x" * 5000}, [], {}, "auto", "district_col: give a name of 1 to 300"),
    ({}, "Q1", {}, "auto", "scores: give at most"),
    ({}, ["q"] * 501, {}, "auto", "scores: give at most"),
    ({}, [], {}, "Paris", "unknown city"),
])
def test_forged_form_values_are_refused(roles, items, recognised, city, message):
    with pytest.raises(QalaError, match=message):
        JoinSpec.from_dict(spec_choices(roles, items, recognised, city, None))


def test_a_forged_scale_is_not_taken_for_a_scale():
    spec = JoinSpec.from_dict(spec_choices({}, ["q1"], {"scales": {"q1": ["1", "5"]}}, "auto", None))
    assert spec.items == {"q1": None}  # a scale that is not two numbers: inferred from the answers
    spec = JoinSpec.from_dict(spec_choices({}, ["q1"], {"scales": "junk"}, "auto", None))
    assert spec.items == {"q1": None}
    with pytest.raises(BadInput, match="low end must be below"):
        JoinSpec.from_dict(spec_choices({}, ["q1"], {"scales": {"q1": [5, 1]}}, "auto", None))


def test_the_preview_holds_five_rows_cut_at_forty_characters():
    rows = [[f"r{i}", "x" * 40, "y" * 41] for i in range(7)]
    out = form_outputs({"columns": ["a", "b", "c"], "preview": rows}, "s.csv", "en")
    tree = json.dumps(out["preview"], cls=plotly.utils.PlotlyJSONEncoder)
    assert '"r4"' in tree and '"r5"' not in tree
    assert f'"{"x" * 40}"' in tree and f'"{"y" * 40}\\u2026"' in tree
    assert out["summary"] == "s.csv: 0 rows, 3 columns."  # a proposal without a row count says 0, not fails
    assert out["recognised"]["scales"] == {}


def test_a_workbook_keeps_the_chosen_sheet_and_unknown_scales_are_dropped():
    found = {"columns": ["q1"], "sheets": ["Лист1", "Данные"], "sheet": "Данные",
             "scores": {"q1": [1, 5], "gone": [1, 7]}}
    out = form_outputs(found, "book.xlsx", "ru")
    options, value, hidden = out["sheets"]
    assert [o["value"] for o in options] == ["Лист1", "Данные"] and value == "Данные" and hidden is False
    assert out["recognised"]["scales"] == {"q1": [1, 5]}
    assert form_outputs({**found, "sheet": None}, "book.xlsx", "ru")["sheets"][1] == "Лист1"


def test_the_form_starts_hidden_and_its_choices_can_be_cleared():
    from dashboard.upload.form import form_layout

    tree = json.loads(json.dumps(form_layout("en"), cls=plotly.utils.PlotlyJSONEncoder))

    def find(node, wanted):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == wanted:
                return props
            for value in props.values():
                hit = find(value, wanted)
                if hit:
                    return hit
        if isinstance(node, list):
            for item in node:
                hit = find(item, wanted)
                if hit:
                    return hit
        return None

    assert tree["props"]["hidden"] is True
    assert find(tree, "upload-sheet-box")["hidden"] is True
    assert find(tree, "upload-role-weight")["clearable"] is True  # "not used" is one click away
    assert find(tree, "upload-sheet")["clearable"] is False  # a workbook is always read from some sheet
    assert find(tree, "upload-join")["n_clicks"] == 0
