"""Writers for every export format: GeoJSON, CSV, GeoParquet and a standalone HTML map.

Each format has a pure ``to_<format>_bytes`` function (for dashboard downloads) and a ``to_<format>(data, path)``
that writes it atomically. The rules each writer enforces, and why:

- GeoJSON follows RFC 7946: EPSG:4326 lon/lat (a layer without a CRS is an error, never a guess), exterior rings
  counter-clockwise and holes clockwise (right-hand rule), no ``crs`` member, coordinates rounded to 6 decimals
  (~0.1 m, far below the precision of any boundary here), UTF-8, NaN written as null.
- CSV is safe to open in a spreadsheet: text cells and header names starting with = + - @ tab or CR get a
  leading single quote (OWASP "CSV injection"), and so does every piece of a cell that a spreadsheet could
  split off and run: after a ; , tab or line break (Excel with the ru/kk ";" list separator reads "a;=1+1" as
  two cells), after leading spaces, or with the fullwidth signs ＝ ＋ － ＠; genuine numbers such as
  "-5.2" are left alone; geometry becomes WKT (and lon/lat
  columns for point layers); UTF-8 with BOM so Excel shows Cyrillic names correctly.
- GeoParquet keeps the CRS (geopandas writes it into the ``geo`` metadata).
- The HTML map is made with folium, with Leaflet inlined (from the ``django-js-lib-leaflet`` package) so it opens
  offline apart from the basemap tiles; it has a legend, tooltips (HTML-escaped) and the sources' attribution.
"""

from __future__ import annotations

import html
import importlib.util
import io
import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from geo.errors import BadInput, CRSError, SourceUnavailable, UnknownName
from geo.io.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from branca.element import Figure

FORMATS = ("geojson", "csv", "parquet", "html", "gpkg")
EXTENSIONS = {"geojson": ".geojson", "csv": ".csv", "parquet": ".parquet", "html": ".html", "gpkg": ".gpkg"}
COORDINATE_DECIMALS = 6
_INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_FORMULA_SIGNS = "=+-@＝＋－＠"
_PIECE_SEPARATORS = re.compile(r"([;,\t\r\n])")


# ---------------------------------------------------------------------------------------------------- GeoJSON


def _to_wgs84(gdf: gpd.GeoDataFrame, what: str = "layer") -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise BadInput(f"{what} has no geometry; export it as csv or parquet instead")
    if gdf.crs is None:
        raise CRSError(f"{what} has no CRS; set it (gdf.set_crs) before exporting, it is never guessed")
    return gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


def _rfc7946_geometries(geometry: ArrayLike) -> np.ndarray:
    """Snapped to a 10^-6 degree grid and oriented by the right-hand rule (after snapping, so it holds).

    ``set_precision`` keeps the result valid: slivers narrower than the grid collapse and are dropped instead of
    surviving as zero-area rings; the final ``round`` only removes float noise from the snapped values.
    """
    geoms = np.asarray(geometry, dtype=object)
    snapped = shapely.set_precision(geoms, 10.0**-COORDINATE_DECIMALS)
    rounded = shapely.transform(snapped, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return shapely.orient_polygons(rounded, exterior_cw=False)


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return [_json_value(v) for v in value.tolist()]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def to_geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """An RFC 7946 FeatureCollection (see module docstring) as UTF-8 bytes."""
    gdf = _to_wgs84(gdf)
    props = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    records = [{k: _json_value(v) for k, v in row.items()} for row in props.to_dict(orient="records")]
    geometries = shapely.to_geojson(_rfc7946_geometries(gdf.geometry.array))
    features = [
        '{"type":"Feature","properties":'
        + json.dumps(rec, ensure_ascii=False, allow_nan=False, default=str)
        + ',"geometry":' + (geom if geom is not None else "null") + "}"
        for rec, geom in zip(records, geometries, strict=False)
    ]
    return ('{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n").encode("utf-8")


def to_geojson(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    atomic_write_bytes(path, to_geojson_bytes(gdf))
    return Path(path)


# ---------------------------------------------------------------------------------------------------- CSV


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text.replace(",", ".")))
    except ValueError:
        return False


def _runs_as_formula(piece: str) -> bool:
    """A piece a spreadsheet would evaluate: a formula sign after leading (Unicode) spaces, not a number."""
    bare = piece.lstrip()
    return bare[:1] in _FORMULA_SIGNS and bare != "" and not _is_number(bare.strip())


def neutralise_formula(value: object) -> object:
    """Prefix a quote to text, or to each piece of it, that a spreadsheet would run as a formula (see the
    module docstring); leave genuine numbers alone."""
    if not isinstance(value, str):
        return value
    parts = _PIECE_SEPARATORS.split(value)  # pieces at even positions, separators at odd ones
    text = "".join("'" + part if i % 2 == 0 and _runs_as_formula(part) else part
                   for i, part in enumerate(parts))
    if value.startswith(_INJECTION_PREFIXES) and not text.startswith("'") and not _is_number(value.strip()):
        text = "'" + text
    return text


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """A spreadsheet-safe CSV (see module docstring); geometry as WKT, plus lon/lat for point layers."""
    frame = pd.DataFrame(df).copy()
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns:
        gdf = _to_wgs84(df)
        geoms = _rfc7946_geometries(gdf.geometry.array)
        frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        kinds = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist())
        if kinds <= {0}:  # points (or no geometry at all)
            frame["lon"] = shapely.get_x(geoms)
            frame["lat"] = shapely.get_y(geoms)
        frame["geometry_wkt"] = shapely.to_wkt(geoms, rounding_precision=COORDINATE_DECIMALS, trim=True)
    for col in frame.columns:
        if not (pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col])):
            frame[col] = frame[col].map(
                lambda v: neutralise_formula(v if isinstance(v, str) or v is None else _json_value(v))
            )
    frame.columns = [neutralise_formula(c) for c in frame.columns]  # headers may be built from user values
    # CRLF as RFC 4180 says; it also makes the csv module quote any field holding a bare CR or LF
    text = frame.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def to_csv(df: pd.DataFrame, path: str | Path) -> Path:
    atomic_write_bytes(path, to_csv_bytes(df))
    return Path(path)


# ---------------------------------------------------------------------------------------------------- Parquet


def to_parquet_bytes(df: pd.DataFrame) -> bytes:
    """GeoParquet with its CRS (a GeoDataFrame without one is refused), or plain Parquet for a table."""
    buffer = io.BytesIO()
    if isinstance(df, gpd.GeoDataFrame):
        if df.crs is None:
            raise CRSError("layer has no CRS; set it (gdf.set_crs) before exporting GeoParquet, it is never guessed")
        df.to_parquet(buffer, index=False)
    else:
        pd.DataFrame(df).to_parquet(buffer, index=False)
    return buffer.getvalue()


def to_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    atomic_write_bytes(path, to_parquet_bytes(df))
    return Path(path)


# ---------------------------------------------------------------------------------------------------- HTML map


def _leaflet_assets() -> tuple[str, str]:
    spec = importlib.util.find_spec("js_lib_leaflet")
    if spec is None or not spec.submodule_search_locations:
        raise SourceUnavailable(
            "Leaflet for offline HTML maps is missing; fix: pip install django-js-lib-leaflet (ships Leaflet 1.9.4)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "static" / "js_lib_leaflet"
    return (folder / "leaflet.js").read_text(encoding="utf-8"), (folder / "leaflet.css").read_text(encoding="utf-8")


def class_breaks(values: pd.Series, k: int = 5) -> list[float]:
    """Quantile class upper bounds of the non-missing values (mapclassify), at most ``k`` distinct."""
    import mapclassify

    present = values.dropna().astype(float)
    if present.empty:
        return []
    k = min(k, present.nunique())
    if k < 2:
        return [float(present.max())]
    return [float(b) for b in mapclassify.Quantiles(present.to_numpy(), k=k).bins]


# The maps' sequential palette (ColorBrewer YlOrRd, 5 classes) and the grey of "no data".
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NO_DATA = "#bdbdbd"


def _colour(value: float | None, bins: list[float]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or not bins:
        return NO_DATA
    index = next((i for i, b in enumerate(bins) if value <= b), len(bins) - 1)
    return class_colour(index, len(bins))


def class_colour(index: int, n_classes: int) -> str:
    """The palette colour of class ``index`` of ``n_classes``, spread over the whole palette."""
    return PALETTE[round(index * (len(PALETTE) - 1) / max(n_classes - 1, 1))]


def _escaped(shown: gpd.GeoDataFrame, value_col: str | None, bins: list[float]) -> gpd.GeoDataFrame:
    """The features' properties as the page may show them: user data may hold markup, so every text value is
    escaped; so are the column names (folium writes tooltip fields and aliases as HTML), the properties renamed
    to match so the tooltip still finds its values. ``_fill``: each feature's class colour."""
    props = pd.DataFrame(shown.drop(columns=shown.geometry.name))
    for col in props.columns:
        props[col] = props[col].map(lambda v: html.escape(v) if isinstance(v, str) else _json_value(v))
    if value_col:
        props["_fill"] = [_colour(v, bins) for v in props[value_col]]
    props.columns = [html.escape(str(c)) for c in props.columns]
    return gpd.GeoDataFrame(props, geometry=shown.geometry.array, crs="EPSG:4326")


def to_html_map_bytes(
    gdf: gpd.GeoDataFrame,
    *,
    value_col: str | None = None,
    title: str = "Qala Atlas layer",
    tooltip_cols: list[str] | None = None,
    attribution: str = "",
) -> bytes:
    """A standalone folium map of ``gdf``: choropleth of ``value_col`` (quantile classes, grey = no data),
    tooltips, legend, attribution; Leaflet inlined so only the basemap needs the network."""
    import folium

    gdf = _to_wgs84(gdf)
    if value_col is not None and value_col not in gdf.columns:
        raise UnknownName(f"no column {value_col!r} to colour the map by; columns: {list(gdf.columns)}")
    missing_geometry = int(gdf.geometry.isna().sum() + gdf.geometry.is_empty.sum())
    shown = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)].copy()
    if shown.empty:
        raise BadInput(f"{title}: no feature has a geometry, so there is nothing to map; export csv instead")
    synthetic = "synthetic" in gdf.columns and bool(gdf["synthetic"].fillna(False).astype(bool).any())
    if synthetic:
        title = f"SYNTHETIC DATA: {title}"
    shown.geometry = _rfc7946_geometries(shown.geometry.array)
    bins = class_breaks(shown[value_col]) if value_col else []
    fields = tooltip_cols or [c for c in shown.columns if c != shown.geometry.name][:8]
    data = _escaped(shown, value_col, bins)
    fields = [html.escape(str(f)) for f in fields]

    minx, miny, maxx, maxy = data.total_bounds
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, control_scale=True)
    fmap.default_js, fmap.default_css = [], []  # no CDN: Leaflet is inlined below
    leaflet_js, leaflet_css = _leaflet_assets()
    # branca annotates get_root() as returning Element; a Map's root is always its Figure
    header = cast("Figure", fmap.get_root()).header
    header.add_child(folium.Element(f"<style>{leaflet_css}</style>"), name="leaflet_css")
    header.add_child(folium.Element(f"<script>{leaflet_js}</script>"), name="leaflet_js")
    data_credit = html.escape(attribution) if attribution else "see the layer's source columns"
    folium.TileLayer(
        "OpenStreetMap",
        attr=f"Basemap © OpenStreetMap contributors | Data: {data_credit}",
    ).add_to(fmap)

    def style(feature: dict[str, Any]) -> dict[str, object]:
        fill = feature["properties"].get("_fill", "#3182bd")
        return {"fillColor": fill, "color": "#333333", "weight": 1, "fillOpacity": 0.7}

    folium.GeoJson(
        data.to_json(na="null", drop_id=True),
        name=html.escape(title),
        style_function=style,
        marker=folium.CircleMarker(radius=5, fill=True),
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=fields, sticky=True),
    ).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    cast("Figure", fmap.get_root()).html.add_child(
        folium.Element(_legend_html(title, value_col, bins, missing_geometry, data_credit, synthetic))
    )
    return fmap.get_root().render().encode("utf-8")


def _legend_html(
    title: str,
    value_col: str | None,
    bins: list[float],
    missing_geometry: int,
    credit: str,
    synthetic: bool,
) -> str:
    rows = []
    if value_col and bins:
        lower = None
        for _i, upper in enumerate(bins):
            label = f"≤ {upper:,.4g}" if lower is None else f"{lower:,.4g} – {upper:,.4g}"
            colour = _colour(upper, bins)
            rows.append(f'<div><span style="background:{colour}" class="qala-swatch"></span>{label}</div>')
            lower = upper
        rows.append(f'<div><span style="background:{NO_DATA}" class="qala-swatch"></span>no data</div>')
    notes = [f"{missing_geometry} feature(s) without geometry are not drawn"] if missing_geometry else []
    if synthetic:
        notes.append("made from SYNTHETIC points, not real observations")
    return (
        '<style>.qala-legend{position:fixed;top:12px;right:12px;z-index:1000;background:#fff;padding:8px 10px;'
        "font:12px sans-serif;border:1px solid #999;max-width:320px}.qala-swatch{display:inline-block;width:14px;"
        'height:14px;margin-right:6px;vertical-align:middle;border:1px solid #666}</style>'
        f'<div class="qala-legend"><b>{html.escape(title)}</b>'
        + (f"<div>{html.escape(value_col)} (quantile classes)</div>" if value_col else "")
        + "".join(rows)
        + "".join(f"<div><i>{html.escape(n)}</i></div>" for n in notes)
        + f"<div>Sources: {credit}</div></div>"
    )


def to_html_map(gdf: gpd.GeoDataFrame, path: str | Path, **kwargs: Any) -> Path:
    atomic_write_bytes(path, to_html_map_bytes(gdf, **kwargs))
    return Path(path)


WRITERS = {"geojson": to_geojson, "csv": to_csv, "parquet": to_parquet, "html": to_html_map}

