"""GeoPackage export that QGIS opens already coloured.

GDAL writes the layer; then, still inside the temp file, the default style goes into the ``layer_styles``
table that QGIS reads on open (the schema its OGR provider creates: catalog and schema are empty strings,
``f_table_name`` is the layer and ``f_geometry_column`` its geometry column). The table is registered in
``gpkg_contents`` as an ``attributes`` table so GDAL and QGIS list it as a valid GeoPackage table. Only the
finished file replaces the target (:func:`geo.io.atomic.atomic_path`), so a failed export leaves the last good
file byte for byte.

The style is a graduated renderer over one numeric column (QML for QGIS, SLD 1.1 for everything else).
QGIS's graduated renderer draws nothing for NULL, so the QML classifies ``coalesce("col", sentinel)`` and
gives the sentinel its own "no data" range; the SLD has a ``PropertyIsNull`` rule for the same purpose.
"""

from __future__ import annotations

import re
import sqlite3
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import BadInput, CRSError
from geo.io.atomic import atomic_path

STYLE_TABLE = "layer_styles"
NO_DATA_SENTINEL = -1.0e12  # what NULL becomes for the QML renderer; far below any real indicator value
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_QML_VERSION = "3.28.0-Firenze"  # the oldest LTR whose QML format this follows; newer QGIS reads it too


@dataclass(frozen=True)
class GraduatedStyle:
    """A classed colour map for one numeric column: ``len(breaks) == len(colours) + 1 == len(labels) + 1``.

    Class ``i`` covers ``breaks[i] <= value <= breaks[i + 1]`` for the first class and
    ``breaks[i] < value <= breaks[i + 1]`` after it (QGIS's own rule for ranges).
    """

    column: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    no_data_colour: str = "#cccccc"
    no_data_label: str = "no data"
    name: str = "qala"

    def __post_init__(self) -> None:
        where = f"style for column {self.column!r}"
        if len(self.breaks) < 2:
            raise BadInput(f"{where} has {len(self.breaks)} class breaks; fix: give at least two (one class)")
        if len(self.colours) != len(self.breaks) - 1 or len(self.labels) != len(self.breaks) - 1:
            raise BadInput(
                f"{where} has {len(self.breaks)} breaks, {len(self.colours)} colours and {len(self.labels)} "
                f"labels; fix: give one colour and one label per class (breaks minus one)"
            )
        if any(not b < a for b, a in zip(self.breaks, self.breaks[1:], strict=False)):
            raise BadInput(f"{where} has breaks {list(self.breaks)} not strictly rising; fix: sort them")
        for colour in (*self.colours, self.no_data_colour):
            if not _HEX.match(colour):
                raise BadInput(f"{where} has colour {colour!r}; fix: write colours as #rrggbb")


def to_gpkg(
    gdf: gpd.GeoDataFrame, path: Path | str, *, layer_name: str, style: GraduatedStyle | None = None
) -> Path:
    """Write ``gdf`` as layer ``layer_name`` of a new GeoPackage at ``path`` (replaced only when complete)."""
    path = Path(path)
    gdf = _checked_frame(gdf, path, layer_name)
    if style is not None:
        _check_style_column(gdf, style, path)
    with atomic_path(path) as tmp:
        tmp.unlink()  # GDAL creates the file; an existing empty file would not be a GeoPackage
        with warnings.catch_warnings():  # the temp name ends in .tmp until the rename; GDAL warns about that
            warnings.filterwarnings("ignore", message="The filename extension should be 'gpkg'")
            pyogrio.write_dataframe(gdf, tmp, layer=layer_name, driver="GPKG")  # GeoPackage text is UTF-8
        if style is not None:
            _write_style(tmp, layer_name, style, _geometry_type(gdf))
    return path


def _checked_frame(gdf: gpd.GeoDataFrame, path: Path, layer_name: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise BadInput(f"layer {layer_name!r} for {path} has no geometry; fix: export it as csv or parquet")
    if gdf.crs is None:
        raise CRSError(
            f"layer {layer_name!r} for {path} has no CRS; fix: set it (gdf.set_crs) first, it is not guessed"
        )
    if not layer_name or layer_name.lower().startswith(("gpkg_", "rtree_")) or layer_name == STYLE_TABLE:
        raise BadInput(f"layer name {layer_name!r} for {path} is reserved or empty; fix: choose another name")
    return gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


def _check_style_column(gdf: gpd.GeoDataFrame, style: GraduatedStyle, path: Path) -> None:
    if style.column not in gdf.columns or style.column == gdf.geometry.name:
        raise BadInput(
            f"style column {style.column!r} is not in the layer for {path}; fix: use one of "
            f"{[c for c in gdf.columns if c != gdf.geometry.name]}"
        )
    if not pd.api.types.is_numeric_dtype(gdf[style.column]) or pd.api.types.is_bool_dtype(gdf[style.column]):
        raise BadInput(
            f"style column {style.column!r} for {path} is {gdf[style.column].dtype}, not numeric; "
            "fix: classify a numeric column"
        )


def _geometry_type(gdf: gpd.GeoDataFrame) -> str:
    """QGIS symbol type: ``fill``, ``line`` or ``marker`` (the first non-empty geometry decides)."""
    types = set(gdf.geometry.dropna().geom_type.unique())
    if types & {"Polygon", "MultiPolygon"}:
        return "fill"
    if types & {"LineString", "MultiLineString", "LinearRing"}:
        return "line"
    return "marker"


# ----------------------------------------------------------------------------------------- layer_styles


_CREATE_STYLES = """
CREATE TABLE IF NOT EXISTS "layer_styles" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "f_table_catalog" TEXT(256),
  "f_table_schema" TEXT(256),
  "f_table_name" TEXT(256),
  "f_geometry_column" TEXT(256),
  "styleName" TEXT(30),
  "styleQML" TEXT,
  "styleSLD" TEXT,
  "useAsDefault" BOOLEAN,
  "description" TEXT,
  "owner" TEXT(30),
  "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


def _write_style(gpkg: Path, layer_name: str, style: GraduatedStyle, symbol_type: str) -> None:
    """Add the default style row (and the table, registered in gpkg_contents) to the GeoPackage ``gpkg``."""
    con = sqlite3.connect(gpkg)
    try:
        with con:
            row = con.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer_name,)
            ).fetchone()
            if row is None:
                raise BadInput(f"no geometry column for layer {layer_name!r} in {gpkg}; fix: report this bug")
            geometry_column = row[0]
            con.execute(_CREATE_STYLES)
            con.execute(
                "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change) VALUES (?, 'attributes', ?, '', strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                (STYLE_TABLE, STYLE_TABLE),
            )
            con.execute(
                "UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_schema = '' AND f_table_name = ? "
                "AND f_geometry_column = ?",
                (layer_name, geometry_column),
            )
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
                "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL)",
                (
                    layer_name,
                    geometry_column,
                    style.name,
                    graduated_qml(style, symbol_type),
                    graduated_sld(style, layer_name, symbol_type),
                    f"graduated colours of {style.column}",
                ),
            )
    finally:
        con.close()


# ----------------------------------------------------------------------------------------- QML and SLD


def _rgba(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},255"


def _number(value: float) -> str:
    return repr(float(value))


def _symbol(parent: ET.Element, name: str, symbol_type: str, colour: str) -> None:
    symbol = ET.SubElement(
        parent, "symbol", type=symbol_type, name=name, alpha="1", clip_to_extent="1", force_rhr="0"
    )
    if symbol_type == "fill":
        cls = "SimpleFill"
        props = {"color": _rgba(colour), "outline_color": "35,35,35,255", "outline_style": "solid",
                 "outline_width": "0.26", "outline_width_unit": "MM", "style": "solid"}
    elif symbol_type == "line":
        cls = "SimpleLine"
        props = {"line_color": _rgba(colour), "line_style": "solid", "line_width": "0.66",
                 "line_width_unit": "MM"}
    else:
        cls = "SimpleMarker"
        props = {"color": _rgba(colour), "name": "circle", "outline_color": "35,35,35,255",
                 "outline_style": "solid", "outline_width": "0.2", "size": "3", "size_unit": "MM"}
    layer = ET.SubElement(symbol, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    options = ET.SubElement(layer, "Option", type="Map")
    for key, value in props.items():  # QGIS >= 3.26 reads Option, older 3.x the prop elements
        ET.SubElement(options, "Option", type="QString", name=key, value=value)
    for key, value in props.items():
        ET.SubElement(layer, "prop", k=key, v=value)


def graduated_qml(style: GraduatedStyle, symbol_type: str = "fill") -> str:
    """A QGIS layer style (QML) with a graduated renderer over ``style.column`` and a no-data class."""
    column = style.column.replace('"', '""')
    expression = f'coalesce("{column}", {NO_DATA_SENTINEL:.1f})'
    root = ET.Element(
        "qgis", version=_QML_VERSION, styleCategories="Symbology", hasScaleBasedVisibilityFlag="0",
        minScale="100000000", maxScale="0",
    )
    renderer = ET.SubElement(
        root, "renderer-v2", type="graduatedSymbol", attr=expression, graduatedMethod="GraduatedColor",
        symbollevels="0", forceraster="0", enableorderby="0", referencescale="-1",
    )
    ranges = ET.SubElement(renderer, "ranges")
    symbols = ET.SubElement(renderer, "symbols")
    ET.SubElement(
        ranges, "range", lower=f"{NO_DATA_SENTINEL:.1f}", upper=f"{NO_DATA_SENTINEL:.1f}", symbol="0",
        label=style.no_data_label, render="true",
    )
    _symbol(symbols, "0", symbol_type, style.no_data_colour)
    for i, (colour, label) in enumerate(zip(style.colours, style.labels, strict=True), start=1):
        ET.SubElement(
            ranges, "range", lower=_number(style.breaks[i - 1]), upper=_number(style.breaks[i]),
            symbol=str(i), label=label, render="true",
        )
        _symbol(symbols, str(i), symbol_type, colour)
    source = ET.SubElement(renderer, "source-symbol")
    _symbol(source, "0", symbol_type, style.colours[0])
    ET.SubElement(renderer, "classificationMethod", id="Custom")
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerGeometryType").text = {"marker": "0", "line": "1", "fill": "2"}[symbol_type]
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


_SLD_NAMESPACES = {
    "xmlns": "http://www.opengis.net/sld",
    "xmlns:se": "http://www.opengis.net/se",
    "xmlns:ogc": "http://www.opengis.net/ogc",
    "xmlns:xlink": "http://www.w3.org/1999/xlink",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xsi:schemaLocation": "http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd",
}


def _comparison(parent: ET.Element, op: str, column: str, value: float) -> None:
    element = ET.SubElement(parent, f"ogc:{op}")
    ET.SubElement(element, "ogc:PropertyName").text = column
    ET.SubElement(element, "ogc:Literal").text = _number(value)


def _sld_symbolizer(rule: ET.Element, symbol_type: str, colour: str) -> None:
    def param(parent: ET.Element, name: str, value: str) -> None:
        ET.SubElement(parent, "se:SvgParameter", name=name).text = value

    if symbol_type == "fill":
        symbolizer = ET.SubElement(rule, "se:PolygonSymbolizer")
        param(ET.SubElement(symbolizer, "se:Fill"), "fill", colour)
        stroke = ET.SubElement(symbolizer, "se:Stroke")
        param(stroke, "stroke", "#232323")
        param(stroke, "stroke-width", "1")
    elif symbol_type == "line":
        stroke = ET.SubElement(ET.SubElement(rule, "se:LineSymbolizer"), "se:Stroke")
        param(stroke, "stroke", colour)
        param(stroke, "stroke-width", "2")
    else:
        graphic = ET.SubElement(ET.SubElement(rule, "se:PointSymbolizer"), "se:Graphic")
        mark = ET.SubElement(graphic, "se:Mark")
        ET.SubElement(mark, "se:WellKnownName").text = "circle"
        param(ET.SubElement(mark, "se:Fill"), "fill", colour)
        ET.SubElement(graphic, "se:Size").text = "11"


def _sld_rule(parent: ET.Element, label: str) -> ET.Element:
    rule = ET.SubElement(parent, "se:Rule")
    ET.SubElement(rule, "se:Name").text = label
    ET.SubElement(ET.SubElement(rule, "se:Description"), "se:Title").text = label
    return rule


def graduated_sld(style: GraduatedStyle, layer_name: str, symbol_type: str = "fill") -> str:
    """The same classes as an SLD 1.1 document (one rule per class, plus a PropertyIsNull rule)."""
    # prefixed tag names with the xmlns declarations written out, as QGIS's own SLD export has them
    root = ET.Element("StyledLayerDescriptor", {"version": "1.1.0", **_SLD_NAMESPACES})
    named = ET.SubElement(root, "NamedLayer")
    ET.SubElement(named, "se:Name").text = layer_name
    user_style = ET.SubElement(named, "UserStyle")
    ET.SubElement(user_style, "se:Name").text = style.name
    feature_style = ET.SubElement(user_style, "se:FeatureTypeStyle")
    for i, (colour, label) in enumerate(zip(style.colours, style.labels, strict=True)):
        rule = _sld_rule(feature_style, label)
        both = ET.SubElement(ET.SubElement(rule, "ogc:Filter"), "ogc:And")
        lower_op = "PropertyIsGreaterThanOrEqualTo" if i == 0 else "PropertyIsGreaterThan"
        _comparison(both, lower_op, style.column, style.breaks[i])
        _comparison(both, "PropertyIsLessThanOrEqualTo", style.column, style.breaks[i + 1])
        _sld_symbolizer(rule, symbol_type, colour)
    rule = _sld_rule(feature_style, style.no_data_label)
    is_null = ET.SubElement(ET.SubElement(rule, "ogc:Filter"), "ogc:PropertyIsNull")
    ET.SubElement(is_null, "ogc:PropertyName").text = style.column
    _sld_symbolizer(rule, symbol_type, style.no_data_colour)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# Numeric columns a map is most often coloured by, in order of preference, when none is named.
PREFERRED_VALUES = ("per_1000", "count", "share", "lq", "mean", "value", "area_km2")


def default_style(gdf: gpd.GeoDataFrame, value_col: str | None = None) -> GraduatedStyle | None:
    """The style the dashboard and the HTML map use: quantile classes of one numeric column in the YlOrRd palette,
    grey for no data. ``value_col`` names the column; without it the first of PREFERRED_VALUES present. None when
    the layer has no numeric column to colour by (it is then written without a style)."""
    from geo.io.writers import NO_DATA, class_breaks, class_colour

    if value_col is None:
        value_col = next((c for c in PREFERRED_VALUES if c in gdf.columns
                          and pd.api.types.is_numeric_dtype(gdf[c]) and gdf[c].notna().any()), None)
        if value_col is None:
            return None
    elif value_col not in gdf.columns:
        raise BadInput(f"--value {value_col!r} is not a column of the layer; fix: use one of "
                       f"{', '.join(map(str, gdf.columns))}")
    uppers = class_breaks(pd.to_numeric(gdf[value_col], errors="coerce"))
    low = float(pd.to_numeric(gdf[value_col], errors="coerce").min())
    breaks = tuple(dict.fromkeys([low, *uppers]))
    if len(breaks) < 2:  # a single value: one class around it
        breaks = (low, low + 1.0)
    n = len(breaks) - 1
    colours = tuple(class_colour(i, n) for i in range(n))
    labels = tuple(f"{a:,.6g} – {b:,.6g}" for a, b in zip(breaks, breaks[1:], strict=False))
    return GraduatedStyle(column=value_col, breaks=breaks, colours=colours, labels=labels, no_data_colour=NO_DATA)
