"""PostGIS export against a real server (tests/pg_server.py), read back with psycopg and plain SQL."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely

from geo.errors import BadInput, CRSError, SourceUnavailable
from geo.io.postgis import to_postgis
from tests.frames import NAMES_KK, NAMES_RU, districts, stations
from tests.pg_server import PgServer, PgServerError, find_bin_dir

ATTRIBUTION = "© Qala Atlas; аудандар шекаралары: stat.gov.kz"


@pytest.fixture(scope="session")
def postgis_url() -> Iterator[str]:
    """A PostgreSQL + PostGIS server of our own on 127.0.0.1, stopped and removed after the session."""
    server = PgServer()
    failure = None
    try:
        server.start()
    except (PgServerError, OSError) as exc:
        server.stop()
        failure = f"the PostGIS test server could not start: {exc}"
    if failure is not None:  # fails (never skips) every test that needs the server, with the reason
        pytest.fail(failure, pytrace=False)
    try:
        yield server.url
    finally:
        server.stop()


def _query(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


def _comment(url: str, table: str) -> str | None:
    return _query(url, "SELECT obj_description(%s::regclass, 'pg_class')", (table,))[0][0]


def _geometry_column(url: str, table: str, schema: str = "public") -> tuple:
    return _query(
        url,
        "SELECT type, srid, coord_dimension FROM geometry_columns "
        "WHERE f_table_schema = %s AND f_table_name = %s AND f_geometry_column = 'geom'",
        (schema, table),
    )[0]


def test_polygons_land_with_every_column_srid_and_exact_geometry(postgis_url: str) -> None:
    frame = districts()
    assert to_postgis(frame, postgis_url, table="districts_a", attribution=ATTRIBUTION) == 2

    assert _query(postgis_url, "SELECT count(*) FROM districts_a") == [(2,)]
    assert _geometry_column(postgis_url, "districts_a") == ("POLYGON", 4326, 2)
    assert _query(postgis_url, "SELECT DISTINCT ST_SRID(geom) FROM districts_a") == [(4326,)]
    rows = _query(
        postgis_url,
        "SELECT name_kk, name_ru, name_en, value, households, left_bank, ST_AsBinary(geom) "
        "FROM districts_a ORDER BY fid",
    )
    assert [r[0] for r in rows] == NAMES_KK
    assert [r[1] for r in rows] == NAMES_RU
    assert [r[2] for r in rows] == ["Yesil district", "Saryarka district"]
    assert [r[3] for r in rows] == [3.75, None]  # NaN is missing, so NULL
    assert [r[4] for r in rows] == [1200, 845]
    assert [r[5] for r in rows] == [True, False]
    back = shapely.from_wkb([bytes(r[6]) for r in rows])
    assert all(shapely.equals_exact(back, frame.geometry.values, tolerance=0))

    types = dict(_query(
        postgis_url,
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'districts_a'",
    ))
    assert types == {
        "fid": "bigint", "name_kk": "text", "name_ru": "text", "name_en": "text",
        "value": "double precision", "households": "bigint", "left_bank": "boolean", "geom": "USER-DEFINED",
    }


def test_table_has_gist_index_primary_key_and_comment(postgis_url: str) -> None:
    to_postgis(districts(), postgis_url, table="districts_b", attribution=ATTRIBUTION)
    indexes = [d for (d,) in _query(
        postgis_url, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s",
        ("districts_b",),
    )]
    assert any("USING gist (geom)" in d for d in indexes), indexes
    key = _query(
        postgis_url,
        "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a "
        "ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
        "WHERE c.conrelid = 'public.districts_b'::regclass AND c.contype = 'p'",
    )
    assert key == [("fid",)]
    assert _comment(postgis_url, "public.districts_b") == ATTRIBUTION


def test_point_layer_is_typed_point(postgis_url: str) -> None:
    assert to_postgis(stations(), postgis_url, table="stations") == 2
    assert _geometry_column(postgis_url, "stations") == ("POINT", 4326, 2)
    rows = _query(postgis_url, "SELECT name_kk, ST_X(geom), ST_Y(geom) FROM stations ORDER BY fid")
    assert rows == [("Нұрлы жол", 71.5327, 51.1126), ("Бәйтерек", 71.4304, 51.1283)]


def test_polygon_and_multipolygon_become_multipolygon(postgis_url: str) -> None:
    frame = districts()
    frame.loc[1, "geometry"] = shapely.MultiPolygon([frame.geometry[1], shapely.box(71.6, 51.2, 71.7, 51.3)])
    to_postgis(frame, postgis_url, table="districts_multi")
    assert _geometry_column(postgis_url, "districts_multi") == ("MULTIPOLYGON", 4326, 2)
    back = shapely.from_wkb([bytes(w) for (w,) in _query(
        postgis_url, "SELECT ST_AsBinary(geom) FROM districts_multi ORDER BY fid"
    )])
    assert all(shapely.equals(back, frame.geometry.values))


def test_mixed_geometry_types_get_a_generic_column(postgis_url: str) -> None:
    frame = gpd.GeoDataFrame(
        {"name_kk": ["нүкте", "аудан"]},
        geometry=[shapely.Point(71.4, 51.1), shapely.box(71.40, 51.10, 71.45, 51.15)],
        crs="EPSG:4326",
    )
    to_postgis(frame, postgis_url, table="mixed")
    assert _geometry_column(postgis_url, "mixed") == ("GEOMETRY", 4326, 2)


def test_existing_table_is_refused_without_replace(postgis_url: str) -> None:
    to_postgis(districts(), postgis_url, table="districts_c", attribution="first")
    with pytest.raises(BadInput) as err:
        to_postgis(stations(), postgis_url, table="districts_c")
    assert str(err.value) == "table public.districts_c exists; fix: pass --replace to overwrite it"
    assert _query(postgis_url, "SELECT count(*), min(name_kk) FROM districts_c") == [(2, NAMES_KK[0])]


def test_replace_swaps_the_table(postgis_url: str) -> None:
    to_postgis(districts(), postgis_url, table="districts_d", attribution="first")
    assert to_postgis(stations(), postgis_url, table="districts_d", replace=True, attribution="second") == 2
    assert _geometry_column(postgis_url, "districts_d") == ("POINT", 4326, 2)
    names = _query(postgis_url, "SELECT name_kk FROM districts_d ORDER BY fid")
    assert names == [("Нұрлы жол",), ("Бәйтерек",)]
    assert _comment(postgis_url, "public.districts_d") == "second"


def test_failed_replace_leaves_the_old_table_intact(postgis_url: str) -> None:
    to_postgis(districts(), postgis_url, table="districts_e", attribution="old")
    snapshot = "SELECT fid, name_kk, value, ST_AsBinary(geom) FROM districts_e ORDER BY fid"
    before = _query(postgis_url, snapshot)
    bad = gpd.GeoDataFrame(  # the second row's text has a NUL byte, which PostgreSQL refuses mid-COPY
        {"name_kk": ["жақсы", "жаман\x00", "тағы"], "value": [1.0, 2.0, 3.0]},
        geometry=[shapely.Point(71.4, 51.1)] * 3,
        crs="EPSG:4326",
    )
    with pytest.raises(BadInput) as err:
        to_postgis(bad, postgis_url, table="districts_e", replace=True, attribution="new")
    message = str(err.value)
    assert "\n" not in message and "public.districts_e" in message and "nothing was changed" in message
    assert "row 1" in message
    assert _query(postgis_url, snapshot) == before
    assert _geometry_column(postgis_url, "districts_e") == ("POLYGON", 4326, 2)
    assert _comment(postgis_url, "public.districts_e") == "old"
    assert len(_query(postgis_url, "SELECT 1 FROM pg_indexes WHERE tablename = 'districts_e'")) == 2


def test_other_schema_and_missing_schema(postgis_url: str) -> None:
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS atlas")
    assert to_postgis(districts(), postgis_url, table="districts", schema="atlas") == 2
    assert _geometry_column(postgis_url, "districts", schema="atlas") == ("POLYGON", 4326, 2)
    with pytest.raises(BadInput, match="schema nowhere does not exist; fix:"):
        to_postgis(districts(), postgis_url, table="districts", schema="nowhere")


def test_frame_without_crs_is_a_crs_error() -> None:
    frame = districts().set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="public.x has no CRS; fix:"):
        to_postgis(frame, "postgresql://u@127.0.0.1:1/db", table="x")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_connection_names_host_port_not_password() -> None:
    port = _closed_port()
    url = f"postgresql://qala:hunter2-secret@127.0.0.1:{port}/qala"
    with pytest.raises(SourceUnavailable) as err:
        to_postgis(districts(), url, table="x")
    message = str(err.value)
    assert f"127.0.0.1:{port}" in message and "fix:" in message
    assert "hunter2" not in message and "\n" not in message


@pytest.mark.parametrize(
    "url",
    ["postgresql://qala:hunter2-secret@127.0.0.1:notaport/qala", "host=127.0.0.1 password=hunter2 =x"],
    ids=["bad-port", "bad-conninfo"],
)
def test_unreadable_url_is_source_unavailable_without_password(url: str) -> None:
    with pytest.raises(SourceUnavailable) as err:
        to_postgis(districts(), url, table="x")
    assert "hunter2" not in str(err.value) and "fix:" in str(err.value)


def test_wrong_password_is_source_unavailable(postgis_url: str) -> None:
    url = postgis_url.replace("qala-test-secret", "wrong-hunter2")
    with pytest.raises(SourceUnavailable) as err:
        to_postgis(districts(), url, table="x")
    assert "hunter2" not in str(err.value) and "127.0.0.1:" in str(err.value)


def test_missing_server_binaries_say_run_make_postgis(tmp_path: Path) -> None:
    with pytest.raises(PgServerError, match="make postgis"):
        find_bin_dir(root=str(tmp_path))
