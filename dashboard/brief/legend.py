"""The brief's legend, read from the view's legend components: an entry per swatch, the sentences under it, and a
value x reliability grid drawn as a grid (never flattened into text)."""

from __future__ import annotations

from html import escape

from dash.development.base_component import Component

from dashboard.i18n import t
from dashboard.views import MapView


def component_text(node: object) -> str:
    """The text a Dash component tree shows (children only, attributes left out)."""
    if node is None or isinstance(node, bool):
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return "".join(component_text(n) for n in node)
    if isinstance(node, Component):
        return component_text(getattr(node, "children", None))
    return ""


def _walk(node: object) -> list[Component]:
    if isinstance(node, (list, tuple)):
        return [c for n in node for c in _walk(n)]
    if not isinstance(node, Component):
        return []
    return [node, *_walk(getattr(node, "children", None))]


def legend_items(legend: Component | None) -> tuple[list[tuple[str | None, str, bool]], list[str]]:
    """From the view's legend: (swatch colour, text, hatched) per entry, and its explanatory sentences."""
    items, notes = [], []
    for node in _walk(legend):
        kind = type(node).__name__
        if kind == "Li" and any(type(c).__name__ == "Table" for c in _walk(node.children)):
            continue  # a legend grid (value x reliability): drawn as a grid by legend_html
        if kind == "Li":
            color, hatch = None, False
            for child in _walk(node.children):
                style = getattr(child, "style", None) or {}
                if isinstance(style, dict) and style.get("background"):
                    color = str(style["background"])
                hatch = hatch or "hatch" in str(getattr(child, "className", "") or "")
            items.append((color, component_text(node.children).strip(), hatch))
        elif kind == "P" and any("hatch" in str(getattr(c, "className", "") or "") for c in _walk(node.children)):
            items.append((None, component_text(node.children).strip(), True))  # the hatching's own entry
        elif kind == "P":
            notes.append(component_text(node).strip())
    return items, [n for n in notes if n]


def legend_html(view: MapView, hatched: bool, lang: str) -> str:
    items, notes = legend_items(view.legend)
    lis = []
    for color, text, hatch in items:
        swatch = '<span class="sw hatch"></span>' if hatch else \
            f'<span class="sw" style="background:{escape(color or "#fff")}"></span>'
        lis.append(f"<li>{swatch}{escape(text)}</li>")
    if hatched and not any(h for _, _, h in items):
        lis.append(f'<li><span class="sw hatch"></span>{escape(t("brief_hatched", lang))}</li>')
    note = "".join(f'<p class="legend-note">{escape(n)}</p>' for n in notes)
    grids = "".join(_grid_html(node) for node in _walk(view.legend) if type(node).__name__ == "Table")
    return f'<h2>{escape(t("legend", lang))}</h2>{grids}<ul class="legend">{"".join(lis)}</ul>{note}' \
        if lis or grids else note


def _grid_html(table: Component) -> str:
    """A legend grid as the page draws it: header cells as text, each swatch cell as a coloured square, the
    caption as a sentence under it."""
    rows, caption = [], ""
    for node in _walk(table.children):
        kind = type(node).__name__
        if kind == "Caption":
            caption = f'<p class="legend-note">{escape(component_text(node))}</p>'
        elif kind == "Tr":
            cells = []
            for cell in node.children if isinstance(node.children, (list, tuple)) else [node.children]:
                styles = [getattr(c, "style", None) for c in _walk(getattr(cell, "children", None))]
                color = next((str(st["background"]) for st in styles if isinstance(st, dict) and st.get("background")),
                             None)
                cells.append(f'<td><span class="sw" style="background:{escape(color)}"></span></td>' if color
                             else f"<td>{escape(component_text(cell))}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="legend-grid">{"".join(rows)}</table>{caption}'
