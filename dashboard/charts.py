"""Tiny inline SVG charts (dash-svg): a few points over time need no 1 MB plotting library on the page.

Labels are SVG text children, so React escapes them like any other text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import dash_svg as svg
from dash import html

WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 300, 130, 48, 22, 12, 38
LABEL_GAP = 30.0  # chart units between labelled points; closer points keep their dot, the table has the value


def wildcard(props: dict[str, Any]) -> dict[str, Any]:
    """``**wildcard({"aria-label": text})``: props spread into a Dash component's call, typed as what they are.

    Dash's wildcard attributes (aria-*, data-*) have no parameter of their own and go through the component's
    untyped ``**kwargs``; a plain ``dict[str, str]`` spread there would be checked against every named
    parameter (n_clicks, hidden ...) as if it could fill them."""
    return props


def labelled(xs: list[float], gap: float = LABEL_GAP) -> list[int]:
    """Indexes of the points that get a label: the first, the last, and between them each point at least
    ``gap`` from the previous labelled one (and from the last), so labels never run into each other."""
    if not xs:
        return []
    keep = [0]
    for i in range(1, len(xs) - 1):
        if xs[i] - xs[keep[-1]] >= gap and xs[-1] - xs[i] >= gap:
            keep.append(i)
    if len(xs) > 1:
        if xs[-1] - xs[keep[-1]] < gap and len(keep) > 1:
            keep.pop()
        keep.append(len(xs) - 1)
    return keep


def axis_label(label: str, limit: int = 14) -> str:
    """A period label short enough for the axis: whole when it fits, else its first word (the date) and an
    ellipsis, so a translated label is never cut inside a word; the table beside the chart has it whole."""
    if len(label) <= limit:
        return label
    return label.split(" ", 1)[0][:limit] + "…"


def line_chart(points: list[tuple[str, float]], fmt: Callable[[float], str], title: str,
               chart_id: str | None = None, y_range: tuple[float, float] | None = None,
               xs: Sequence[float | None] | None = None, hollow: frozenset[int] = frozenset(),
               dashed: frozenset[int] = frozenset(), breaks: frozenset[int] = frozenset(),
               break_label: str = "") -> html.Figure:
    """Points (label, value) as a labelled line with dots; one point draws a dot.

    ``xs`` places the points by time (e.g. decimal years) instead of evenly; ``hollow`` are indexes of points
    drawn as open circles; ``dashed`` are indexes ``i`` whose segment from point ``i - 1`` is dashed; ``breaks``
    are indexes ``i`` with no segment from point ``i - 1`` but a vertical mark between them, labelled
    ``break_label`` (the line must not join values of two different places, e.g. across a boundary change).
    """
    values = [v for _, v in points]
    low, high = y_range if y_range else (min([*values, 0.0]), max(values))
    if high == low:
        high = low + 1
    n = len(points)
    known = [p for p in xs or () if p is not None]  # the points' places in time, used when all are known
    positions: list[float] = known if xs and len(xs) == len(known) == n else list(range(n))
    first, span = min(positions), (max(positions) - min(positions)) or 1

    def x(i: int) -> float:
        return PAD_L + (WIDTH - PAD_L - PAD_R) * (0.5 if n == 1 else (positions[i] - first) / span)

    def y(v: float) -> float:
        return PAD_T + (HEIGHT - PAD_T - PAD_B) * (1 - (v - low) / (high - low))

    shapes = [
        svg.Line(x1=PAD_L, x2=WIDTH - PAD_R, y1=y(low), y2=y(low), stroke="#999", strokeWidth=1),
        svg.Text(fmt(high), x=PAD_L - 4, y=PAD_T + 4, textAnchor="end", fontSize=10, fill="#333"),
        svg.Text(fmt(low), x=PAD_L - 4, y=y(low), textAnchor="end", fontSize=10, fill="#333"),
    ]
    for i in sorted(b for b in breaks if 0 < b < n):
        mid = (x(i - 1) + x(i)) / 2
        shapes += [svg.Line(x1=f"{mid:.1f}", x2=f"{mid:.1f}", y1=PAD_T, y2=y(low), stroke="#b35806",
                            strokeWidth=1, strokeDasharray="2 2", className="chart-break"),
                   svg.Text(break_label, x=f"{mid + 2:.1f}" if mid < WIDTH / 2 else f"{mid - 2:.1f}", y=PAD_T + 8,
                            fontSize=8, fill="#b35806", textAnchor="start" if mid < WIDTH / 2 else "end")]
    for i in range(1, n):
        if i in breaks:
            continue
        shapes.append(svg.Line(x1=f"{x(i - 1):.1f}", y1=f"{y(values[i - 1]):.1f}", x2=f"{x(i):.1f}",
                               y2=f"{y(values[i]):.1f}", stroke="#2c728e", strokeWidth=2,
                               **({"strokeDasharray": "4 3"} if i in dashed else {})))
    for i, (_label, v) in enumerate(points):
        shapes.append(svg.Circle(cx=f"{x(i):.1f}", cy=f"{y(v):.1f}", r=3.5, stroke="#2c728e", strokeWidth=1.5,
                                 fill="#fff" if i in hollow else "#2c728e"))
    for k, i in enumerate(labelled([x(i) for i in range(n)])):
        label, v = points[i]
        shapes.append(svg.Text(fmt(v), x=f"{x(i):.1f}", y=f"{y(v) + (13 if k % 2 else -6):.1f}",
                               textAnchor="middle", fontSize=9, fill="#1f3b57"))
        shapes.append(svg.Text(axis_label(label), x=f"{x(i):.1f}", y=HEIGHT - PAD_B + 14 + (k % 2) * 11,
                               textAnchor="middle", fontSize=9, fill="#333"))
    return html.Figure(className="chart", id=chart_id or "", children=[
        svg.Svg(shapes, viewBox=f"0 0 {WIDTH} {HEIGHT}", width="100%", role="img",
                **wildcard({"aria-label": title})),
        html.Figcaption(title),
    ])


def bar_list(rows: Sequence[tuple[str, float | None, str, str]], fmt: Callable[[float], str],
             missing: str, top: float | None = None, table_id: str | None = None) -> html.Table:
    """Horizontal bars (label, value, colour, note) scaled to ``top`` (shares: 1.0, so bars read as parts of
    the whole), by default to the largest absolute value; None = missing."""
    present = [abs(v) for _, v, _, _ in rows if v is not None]
    top = top if top else (max(present) if present else 1.0)
    body = []
    for label, value, color, note in rows:
        if value is None:
            bar, text = html.Span(className="bar missing"), missing
        else:
            width = max(2.0, 100 * abs(value) / top) if top else 2.0
            bar = html.Span(className="bar" + (" negative" if value < 0 else ""),
                            style={"width": f"{width:.0f}%", "background": color})
            text = fmt(value)
        body.append(html.Tr([html.Th(label, scope="row"), html.Td(bar, className="barcell"),
                             html.Td(text, className="num"), html.Td(note, className="small")]))
    return html.Table(html.Tbody(body), className="bars", **wildcard({"id": table_id} if table_id else {}))


def pair_bars(rows: list[tuple[str, float | None]], fmt: Callable[[float], str], missing: str, title: str,
              chart_id: str | None = None) -> html.Figure:
    """Two (or a few) values as horizontal SVG bars from a common zero, in the line chart's style; a missing
    value is said in words, never drawn as zero."""
    height, bar, gap, left, right = 26 * len(rows) + 8, 16, 10, 110, 70
    present = [abs(v) for _, v in rows if v is not None]
    top = max(present) if present else 1.0
    shapes: list = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * (bar + gap)
        shapes.append(svg.Text(axis_label(label, 18), x=left - 6, y=y + bar - 4, textAnchor="end", fontSize=10,
                               fill="#333"))
        if value is None:
            shapes.append(svg.Text(missing, x=left, y=y + bar - 4, fontSize=10, fill="#777"))
            continue
        width = (WIDTH - left - right) * abs(value) / top if top else 0.0
        shapes.append(svg.Rect(x=left, y=y, width=f"{max(width, 1.0):.1f}", height=bar,
                               fill="#2c728e" if i == 0 else "#5ec962"))
        shapes.append(svg.Text(fmt(value), x=f"{left + max(width, 1.0) + 4:.1f}", y=y + bar - 4, fontSize=10,
                               fill="#1f3b57"))
    return html.Figure(className="chart", id=chart_id or "", children=[
        svg.Svg(shapes, viewBox=f"0 0 {WIDTH} {height}", width="100%", role="img",
                **wildcard({"aria-label": title})),
        html.Figcaption(title),
    ])
