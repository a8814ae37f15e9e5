"""Write a layer into a PostGIS table that QGIS and SQL users can use as it is.

The table gets every column of the frame with a matching SQL type, a ``geom`` column typed with the frame's
geometry type and SRID (``geometry(MultiPolygon,4326)``; plain ``geometry(Geometry,srid)`` for mixed types),
a ``fid`` identity primary key, a GiST index and a table comment carrying the attribution. All of it happens
in one transaction, so a replace that fails anywhere (a bad value half-way through the COPY included) leaves
the old table exactly as it was. Errors are one line and never show the password of the URL.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from geo.errors import BadInput, CRSError, SourceUnavailable

GEOMETRY_COLUMN = "geom"
KEY_COLUMN = "fid"
CONNECT_TIMEOUT_S = 10
_MAX_IDENTIFIER_BYTES = 63  # PostgreSQL silently truncates longer names, so two columns could collide
_SINGLE_TO_MULTI = {"Polygon": "MultiPolygon", "LineString": "MultiLineString", "Point": "MultiPoint"}
_MULTI_CLASS = {
    "Polygon": shapely.MultiPolygon, "LineString": shapely.MultiLineString, "Point": shapely.MultiPoint,
}
_TYPE_NAMES = {  # shapely.get_type_id -> PostGIS type modifier (a LinearRing is stored as a LineString)
    0: "Point", 1: "LineString", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
    6: "MultiPolygon", 7: "GeometryCollection",
}
_TYPE_IDS = {"Point": 0, "LineString": 1, "Polygon": 3}


def to_postgis(
    gdf: gpd.GeoDataFrame,
    url: str,
    *,
    table: str,
    schema: str = "public",
    replace: bool = False,
    attribution: str = "",
) -> int:
    """Write ``gdf`` to ``schema.table`` at the database ``url``; returns the number of rows written."""
    name = f"{schema}.{table}"
    for part in (schema, table):
        if not part or len(part.encode("utf-8")) > _MAX_IDENTIFIER_BYTES:
            raise BadInput(f"table name {name!r} has an empty or over-63-byte part; fix: shorten it")
    srid = _srid(gdf, name)
    columns = _columns(gdf, name)
    geometries, geometry_type = _geometries(gdf, name, srid)
    with _connect(url) as conn:
        try:
            with conn.transaction(), conn.cursor() as cur:
                _check_target(cur, schema, table, replace)
                rows = _write(cur, sql.Identifier(schema, table), replace, columns, geometries,
                              f"geometry({geometry_type}, {srid})", attribution, gdf.index.tolist())
        except _RowError as exc:
            raise BadInput(
                f"writing {name} at {_where(url)} failed at row {exc.row!r}: {_first_line(exc.error, url)}; "
                "nothing was changed; fix: correct that value"
            ) from exc.error
        except psycopg.DatabaseError as exc:
            if isinstance(exc, psycopg.OperationalError) and conn.broken:
                raise SourceUnavailable(
                    f"lost the connection to {_where(url)} writing {name}; fix: check the server and retry"
                ) from exc
            raise BadInput(
                f"writing {name} at {_where(url)} failed: {_first_line(exc, url)}; "
                "nothing was changed; fix: correct the value or object it names"
            ) from exc
    return rows if rows >= 0 else len(gdf)


class _RowError(Exception):
    """A row that could not be sent: which one, and why."""

    def __init__(self, row: Any, error: psycopg.Error) -> None:
        super().__init__(row, error)
        self.row, self.error = row, error


def _write(
    cur: psycopg.Cursor,
    target: sql.Identifier,
    replace: bool,
    columns: list[tuple[str, str, pd.Series]],
    geometries: list[str | None],
    geometry_sql_type: str,
    attribution: str,
    index: list[Any],
) -> int:
    """Inside the caller's transaction: (drop,) create, COPY the rows, index, comment. Returns the rows."""
    if replace:
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
    key, geom = sql.Identifier(KEY_COLUMN), sql.Identifier(GEOMETRY_COLUMN)
    definitions = [
        sql.SQL("{} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY").format(key),
        *(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t, _ in columns),
        sql.SQL("{} {}").format(geom, sql.SQL(geometry_sql_type)),
    ]
    cur.execute(sql.SQL("CREATE TABLE {} ({})").format(target, sql.SQL(", ").join(definitions)))
    names = sql.SQL(", ").join([*(sql.Identifier(c) for c, _, _ in columns), geom])
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, names)) as copy:
        for label, row in zip(index, _rows(columns, geometries), strict=True):
            try:
                copy.write_row(row)
            except psycopg.Error as exc:  # a value psycopg cannot send (a NUL in text): name the row
                raise _RowError(label, exc) from exc
    rows = cur.rowcount
    cur.execute(sql.SQL("CREATE INDEX ON {} USING gist ({})").format(target, geom))
    cur.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(target, sql.Literal(attribution)))
    cur.execute(sql.SQL("ANALYZE {}").format(target))
    return rows


# ----------------------------------------------------------------------------------------- the frame


def _srid(gdf: gpd.GeoDataFrame, name: str) -> int:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise BadInput(f"layer for {name} has no geometry; fix: pass a GeoDataFrame")
    if gdf.crs is None:
        raise CRSError(f"layer for {name} has no CRS; fix: set it (gdf.set_crs) first, it is not guessed")
    epsg = gdf.crs.to_epsg()
    if epsg is None:
        raise CRSError(f"layer for {name} has a CRS without an EPSG code; fix: gdf.to_crs('EPSG:4326') first")
    return int(epsg)


def _sql_type(series: pd.Series) -> str | None:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        if pd.api.types.is_unsigned_integer_dtype(dtype) and dtype.itemsize >= 8:
            return "numeric(20)"
        return {1: "smallint", 2: "smallint", 4: "integer"}.get(dtype.itemsize, "bigint")
    if pd.api.types.is_float_dtype(dtype):
        return "real" if dtype.itemsize == 4 else "double precision"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "timestamp with time zone"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "timestamp"
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        values = series.dropna()
        kinds = {type(v) for v in values}
        if kinds <= {str} or isinstance(dtype, pd.CategoricalDtype) and kinds <= {str, np.str_}:
            return "text"
        if kinds <= {date}:
            return "date"
        if kinds <= {bytes}:
            return "bytea"
    return None


def _columns(gdf: gpd.GeoDataFrame, name: str) -> list[tuple[str, str, pd.Series]]:
    """(name, SQL type, values) for every non-geometry column."""
    out = []
    for column in gdf.columns:
        if column == gdf.geometry.name:
            continue
        label = str(column)
        where = f"column {label!r} of the layer for {name}"
        if label.lower() in (KEY_COLUMN, GEOMETRY_COLUMN):
            raise BadInput(f"{where} clashes with the table's own {label.lower()} column; fix: rename it")
        if len(label.encode("utf-8")) > _MAX_IDENTIFIER_BYTES or not label:
            raise BadInput(f"{where}: the name is empty or longer than 63 bytes; fix: rename it")
        series = gdf[column]
        if isinstance(series.dtype, gpd.array.GeometryDtype):
            raise BadInput(f"{where} is a second geometry; fix: drop it or convert it to WKT")
        sql_type = _sql_type(series)
        if sql_type is None:
            raise BadInput(f"{where} holds {series.dtype} values without SQL type; fix: use numbers or text")
        out.append((label, sql_type, series))
    lowered = [c.lower() for c, _, _ in out]
    if len(set(lowered)) != len(lowered):
        raise BadInput(f"the layer for {name} has column names equal but for case; fix: rename one of them")
    return out


def _geometries(gdf: gpd.GeoDataFrame, name: str, srid: int) -> tuple[list[str | None], str]:
    """Hex EWKB (with SRID) per row, and the column's geometry type: one type, promoted to Multi, or mixed."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = ~shapely.is_missing(geoms)
    names = {_TYPE_NAMES[t] for t in shapely.get_type_id(geoms[present]).tolist()}
    single = next((n for n in names if _SINGLE_TO_MULTI.get(n) in names), None)
    if len(names) == 1:
        (geometry_type,) = names
    elif len(names) == 2 and single is not None:  # Polygon + MultiPolygon: promote, as ogr2ogr does
        geometry_type = _SINGLE_TO_MULTI[single]
        multi = _MULTI_CLASS[single]
        is_single = present.copy()
        is_single[present] = shapely.get_type_id(geoms[present]) == _TYPE_IDS[single]
        geoms = geoms.copy()
        geoms[is_single] = [multi([g]) for g in geoms[is_single]]
    else:
        geometry_type = "Geometry"
    has_z = shapely.has_z(geoms[present])
    if has_z.any() and not has_z.all():
        raise BadInput(f"the layer for {name} mixes 2D and 3D geometries; fix: shapely.force_2d them")
    dimension = 3 if has_z.any() else 2
    if dimension == 3:
        geometry_type += "Z"
    with_srid = shapely.set_srid(geoms, srid)
    wkb = shapely.to_wkb(with_srid, hex=True, include_srid=True, output_dimension=dimension)
    return [None if w is None else str(w) for w in wkb], geometry_type


def _python(value: Any) -> Any:
    """A value COPY can send: None for every missing marker, plain Python numbers and datetimes."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    return value


def _rows(columns: list[tuple[str, str, pd.Series]], geometries: list[str | None]) -> Iterator[tuple]:
    values = [series.astype(object).tolist() for _, _, series in columns]
    for i, geometry in enumerate(geometries):
        yield (*(_python(column[i]) for column in values), geometry)


# ----------------------------------------------------------------------------------------- the database


def _where(url: str) -> str:
    """``host:port/dbname`` of a connection string, never its password."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.Error:
        return "an unreadable PostGIS URL"
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    dbname = params.get("dbname") or params.get("user") or ""
    return f"{host}:{params.get('port') or 5432}/{dbname}".rstrip("/")


def _first_line(exc: BaseException, url: str) -> str:
    diag = getattr(exc, "diag", None)
    text = (getattr(diag, "message_primary", None) or str(exc) or type(exc).__name__).strip()
    line = text.splitlines()[0].strip() if text else type(exc).__name__
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.Error:
        password = None
    return line.replace(str(password), "***") if password else line


def _connect(url: str) -> psycopg.Connection:
    if not url or not isinstance(url, str):
        raise SourceUnavailable("no PostGIS URL given; fix: pass postgresql://user:password@host:port/dbname")
    try:
        conninfo_to_dict(url)
    except psycopg.Error as exc:  # its message may quote the URL, password and all: not shown
        raise SourceUnavailable(
            "the PostGIS URL cannot be read; fix: write it as postgresql://user:password@host:port/dbname"
        ) from exc
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, client_encoding="utf8")
    except psycopg.Error as exc:
        raise SourceUnavailable(
            f"cannot connect to PostGIS at {_where(url)}: {_first_line(exc, url)}; "
            "fix: start the server or correct host, port, user and password"
        ) from exc


def _check_target(cur: psycopg.Cursor, schema: str, table: str, replace: bool) -> None:
    cur.execute("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", (schema,))
    if cur.fetchone() is None:
        raise BadInput(f"schema {schema} does not exist; fix: CREATE SCHEMA {schema} or pass another schema")
    cur.execute("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'postgis'")
    if cur.fetchone() is None:
        raise BadInput("the database has no PostGIS; fix: run CREATE EXTENSION postgis in it")
    cur.execute(
        "SELECT c.relkind FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        (schema, table),
    )
    found = cur.fetchone()
    if found is None:
        return
    if found[0] not in ("r", "p"):
        raise BadInput(f"{schema}.{table} exists and is not a table; fix: choose another table name")
    if not replace:
        raise BadInput(f"table {schema}.{table} exists; fix: pass --replace to overwrite it")
