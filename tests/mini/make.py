"""A tiny hand-made source set for the build: every file `python -m geo.build` reads, written by code.

Geometry is drawn in metres (UTM 42N for Astana, 43N for Almaty, the zones the build measures in) and written
as lon/lat with 4-corner squares, so areas and bank shares are exact numbers one can check by hand. Nothing
binary is committed: the shapefiles are written here, at test time.

Astana (origin X0, Y0 in UTM 42N, about 71.36E 51.15N; x, y in km from the origin)::

    y=4 +---------+---------+
        |         | Almaty  |      Saryarka [0,2]x[1.5,3.5]  (the river crosses it: 0.9 km² of land south,
    3.5 |Saryarka |  [2,4]  |                                  2.9 km² north -> left share 0.9 / 3.8 = 9/38)
        |  (both) |  right  |      Almaty   [2,4]x[2,4]      right bank
    2 ~~~~~~~~~~~~~~~~~~~~~~~~~~~~ the river, [-0.5,4.5]x[1.95,2.05] (100 m wide), leaves the city both sides
    1.5 +---------+  Nura   |      Nura     [2,4]x[0,2]      left bank
        |  Esil   |  left   |      Esil     [0,2]x[-0.5,1.5] left bank
    0   |  left   +---------+
   -0.5 +---------+

Boundary change: astana-3 (2018-03-16 .. 2022-12-01) had Esil = today's Esil + Nura (split on 2022-12-01,
today's vintage astana-4). Almaty has one vintage, almaty-3: Almaly [0,2]x[0,2], Bostandyk [0,2]x[-2,0],
Auezov [-2,0]x[-2,0].
Shymkent is absent (the build tolerates it).

Use::

    from tests.mini.make import write_mini
    paths = write_mini(tmp)  # {"mirror": ..., "reference": ...}
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import shapely
from shapely.geometry import box

from geo.io.catalogue import load_catalogue
from geo.settings import PROJECT_ROOT

ASTANA_UTM, ALMATY_UTM = "EPSG:32642", "EPSG:32643"
ASTANA_X0, ASTANA_Y0 = 665_000.0, 5_669_000.0  # about 71.359E 51.149N
ALMATY_X0, ALMATY_Y0 = 654_000.0, 4_790_000.0  # about 76.895E 43.250N
KM = 1000.0

ESIL, NURA, SARYARKA, ALMATY_D = "711210000", "711510000", "711310000", "711110000"
ALMALY, BOSTANDYK, AUEZOV = "751110000", "751410000", "751310000"

# Squares in km from each city's origin: (x0, y0, x1, y1).
ASTANA_SQUARES = {
    ESIL: (0, -0.5, 2, 1.5),
    NURA: (2, 0, 4, 2),
    SARYARKA: (0, 1.5, 2, 3.5),
    ALMATY_D: (2, 2, 4, 4),
}
RIVER = (-0.5, 1.95, 4.5, 2.05)
ALMATY_SQUARES = {
    ALMALY: (0, 0, 2, 2),
    BOSTANDYK: (0, -2, 2, 0),
    AUEZOV: (-2, -2, 0, 0),
}

SRC_A = "https://stat.example.kz/astana-districts-2024 (mini test source A)"
SRC_B = "https://stat.example.kz/astana-districts-2025 (mini test source B)"
SRC_SECONDARY = "github.com/Messer490/city1-kazakhstan-proxy-population (mini test source; secondary)"
SRC_ALM = "https://almaty.example.kz/districts (mini test source C)"


def _lonlat(x_km: float, y_km: float, city: str) -> str:
    """'lat,lon' of a point given in km from a city's origin."""
    from pyproj import Transformer

    crs, x0, y0 = (
        (ASTANA_UTM, ASTANA_X0, ASTANA_Y0) if city == "Astana" else (ALMATY_UTM, ALMATY_X0, ALMATY_Y0)
    )
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(
        x0 + x_km * KM, y0 + y_km * KM
    )
    return f"{lat:.6f},{lon:.6f}"


FIGURE_HEADER = "city,district,year,indicator,value,unit,source_url_or_ref,note"
PLACE_HEADER = (
    "id,city,name_en,name_ru,name_kk,kind,lat,lon,coord_source,district_stated,district_by_polygon,"
    "population,population_year,migrant_link,evidence_paraphrase,evidence_source,note"
)
# The curated tables as CSV text: the real headers of data/reference, a few hand-made rows. A figure's id is
# <table>:<row>, row 2 being the first data row.
TABLES = {
    "districts": """district_id,city,name_en,name_ru,name_kk,kato,osm_relation,aliases
711110000,Astana,Almaty,Алматы,Алматы,711110000,3482819,Алматинский|район Алматы|Almaty District
711210000,Astana,Esil,Есиль,Есіл,711210000,3479876,Yesil|Esil District|Есильский|Ishim
711310000,Astana,Saryarka,Сарыарка,Сарыарқа,711310000,3486954,Saryarqa|Сарыаркинский
711510000,Astana,Nura,Нура,Нұра,711510000,20593940,Нуринский
751110000,Almaty,Almaly,Алмалы,Алмалы,751110000,3072807,Алмалинский
751310000,Almaty,Auezov,Ауэзов,Әуезов,751310000,3072808,Auezov District|Ауэзовский|Auyezov
751410000,Almaty,Bostandyk,Бостандык,Бостандық,751410000,3390291,Bostandyq|Бостандыкский
""",
    "vintages": """vintage,city,valid_from,valid_to,n_districts,geometry,source_note,valid_from_earliest
astana-3,Astana,2018-03-16,2022-12-01,3,lineage:astana-4,Esil = Esil + Nura (mini),
astana-4,Astana,2022-12-01,,4,astana_districts_osm,Nura split from Esil (mini set),
almaty-3,Almaty,,,3,almaty_districts_osm,three squares (mini set),
""",
    "lineage": """city,date,vintage,district_id,parent_vintage,parent_id,relation,source,overlap_km2,share_of_parent,\
share_of_district
Astana,2022-12-01,astana-4,711210000,astana-3,711210000,continues (lost territory to Nura),https://adilet.example.kz/n,,,
Astana,2022-12-01,astana-4,711510000,astana-3,711210000,split from,https://adilet.example.kz/n,,,
Astana,2022-12-01,astana-4,711110000,astana-3,711110000,same,,,,
Astana,2022-12-01,astana-4,711310000,astana-3,711310000,same,,,,
""",
    "population_by_district": f"""{FIGURE_HEADER}
Astana,Esil,2024 (start),population,20000,persons,{SRC_A},
Astana,Nura,2024 (start),population,10000,persons,{SRC_A},
Astana,Saryarka,2024 (start),population,30000,persons,{SRC_A},[approx] 'about 30 thousand'
Astana,Almaty,2024 (start),population,40000,persons,{SRC_A},
Astana,Esil,2025 (start),population,22000,persons,{SRC_B},[x2] same figure in the akimat's report
Astana,Nura,2025 (start),population,13000,persons,{SRC_SECONDARY},
Astana,Saryarka,2025 (start),population,31000,persons,{SRC_B},
Astana,Almaty,2025 (start),population,38000,persons,{SRC_B},
Astana,Esil,2020,population,18000,persons,{SRC_A},[secondary] quoted by a news site
Almaty,Almaly,2021,population,8000,persons,{SRC_ALM},
Almaty,Almaly,2023,population,8400,persons,{SRC_ALM},[x2] also in the district report
Almaty,Almaly,"n.d. (gov.kz district page, c. 2023-2025)",population,50000,persons,{SRC_ALM},undated page
Almaty,Auezov,"n.d. (gov.kz district page, c. 2023-2025)",population,12000,persons,{SRC_SECONDARY},LOWER BOUND
Almaty,Bostandyk,2023,population,9000,persons,{SRC_ALM},
Astana,(city total),2025 (start),population,104000,persons,{SRC_B},
Astana,Koktal,2024 (start),population,5000,persons,{SRC_A},no such district
""",  # rows 2-5: Astana 2024; 6-9: 2025; 10: astana-3 Esil; 11-13: Almaly; 14: Auezov; 17: unmatched
    "migration_by_district": f"""{FIGURE_HEADER}
Astana,Nura,2021,net_migration,1500,persons,{SRC_A},Nura did not exist in 2021: vintage adjusted
Astana,Saryarka,2024,net_migration,-800,persons,{SRC_A},
""",
    "city_internal_migration": f"""{FIGURE_HEADER}
Astana,(city total),2023,arrivals_from:Akmola region,5000,persons,{SRC_A},
""",
    "district_area_bank": f"""{FIGURE_HEADER}
Astana,Nura,2023,area,400,ha,{SRC_A},[approx] 4 km² as drawn
""",
    "host_attitudes": FIGURE_HEADER + "\n",
    "civil_service_context": FIGURE_HEADER + "\n",
    "housing_context": FIGURE_HEADER + "\n",
    "migrant_settlement_findings": f"""{FIGURE_HEADER}
Almaty,Auezov,n.d.,qualitative,newcomers rent flats in the district,text,{SRC_ALM},
""",
    "focus_group_coding": """id,city,source_kind,participant_sex,participant_age,age_group,theme,\
migrant_category,subcategory,origin_mentioned,stance,paraphrase,source_ref
FG-AST-01,Astana,participant_statement,f,37,36-52,attitude_to_migration,rural,,villages,1,Welcome.,mini coding
FG-AST-02,Astana,participant_statement,m,25,18-35,attitude_to_migration,rural,,,-1,Too many.,mini coding
FG-ALM-01,Almaty,participant_statement,m,47,36-52,attitude_to_migration,all,,,0,Cities grow.,mini coding
""",
    "city_images": """city,image_tag,evidence_ids,source_ref
Astana,city of the future,FG-AST-01,mini coding
""",
    # One sourced point in Esil, one place without coordinates.
    "state_institutions_astana": f"""{PLACE_HEADER}
A01,Astana,Test Ministry,Тестовое министерство,,ministry,{_lonlat(1.0, 0.5, "Astana")},mini,,Esil,,,n/a,,\
{SRC_A},
A02,Astana,Test Akimat,Тестовый акимат,,akimat,,,,,,,,n/a,,{SRC_A},
""",
    "migrant_settlement_places": f"""{PLACE_HEADER}
B01,Almaty,Test Settlement,Тестовый,,self_built_settlement,{_lonlat(-1.0, -1.0, "Almaty")},mini,Auezov,,,,\
yes,newcomers built houses here,{SRC_ALM},
""",
}
HEADERS = {name: text.splitlines()[0].split(",") for name, text in TABLES.items()}


def _utm_box(square: tuple[float, float, float, float], x0: float, y0: float):
    a, b, c, d = square
    return box(x0 + a * KM, y0 + b * KM, x0 + c * KM, y0 + d * KM)


def _frame(props: list[dict], geoms: list, crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(props, geometry=geoms, crs=crs).to_crs("EPSG:4326")


def _geojson(gdf: gpd.GeoDataFrame, path: Path, multi: bool = False) -> None:
    """GeoJSON with full-precision coordinates (so areas in UTM stay exact)."""
    if multi:
        gdf = gdf.set_geometry(
            [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in gdf.geometry]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gdf.to_geo_dict(drop_id=True), ensure_ascii=False), encoding="utf-8")


def astana_districts_utm() -> dict[str, shapely.Polygon]:
    return {d: _utm_box(sq, ASTANA_X0, ASTANA_Y0) for d, sq in ASTANA_SQUARES.items()}


def almaty_districts_utm() -> dict[str, shapely.Polygon]:
    return {d: _utm_box(sq, ALMATY_X0, ALMATY_Y0) for d, sq in ALMATY_SQUARES.items()}


def write_mirror(mirror: Path) -> None:
    """The eight required sources at their mirror paths (data/sources.csv)."""
    files = {sid: [mirror / f for f in s.mirror_files] for sid, s in load_catalogue().items()}
    names = {r[0]: r for r in csv.reader(TABLES["districts"].splitlines()[1:])}

    astana = astana_districts_utm()
    _geojson(
        _frame(
            [
                {"id": names[d][2].lower(), "name": names[d][3], "osm_relation": int(names[d][6])}
                for d in astana
            ],
            list(astana.values()),
            ASTANA_UTM,
        ),
        files["astana_districts_osm"][0],
        multi=True,
    )
    almaty = almaty_districts_utm()
    _geojson(
        _frame(
            [
                {"osm-relation-id": names[d][6], "name": names[d][2], "nameRu": names[d][3] + " район"}
                for d in almaty
            ],
            list(almaty.values()),
            ALMATY_UTM,
        ),
        files["almaty_districts_osm"][0],
        multi=True,
    )
    # The outline without collinear vertices (a vertex where two districts meet on it would sit a few 1e-10 m
    # off the straight side after the lon/lat round trip, and leave zero-area slivers in the banks).
    outline = shapely.simplify(shapely.union_all(list(astana.values())), 0.0)
    _geojson(
        _frame(
            [
                {
                    "osm_id": -3087155,
                    "name": "Астана",
                    "name_en": "Astana",
                    "boundary": "administrative",
                    "admin_level": 4,
                }
            ],
            [outline],
            ASTANA_UTM,
        ),
        files["astana_city_osm"][0],
        multi=True,
    )
    river = _utm_box(RIVER, ASTANA_X0, ASTANA_Y0)
    _geojson(
        _frame(
            [{"name": "р. Ишим", "esaulet_sourceId": 41, "note": "mini test river: one 100 m wide strip"}],
            [river],
            ASTANA_UTM,
        ),
        files["esil_river_geoportal"][0],
    )

    wof = _frame(
        [
            {
                "wof_id": 1000000001,
                "name": "Testaul",
                "name_ru": "Тестаул",
                "name_kk": None,
                "geonames_id": 1000001,
                "src_geom": "geonames",
                "city": "Astana (city)",
                "is_current": -1,
            },
            {
                "wof_id": 1000000002,
                "name": "Testkent",
                "name_ru": None,
                "name_kk": None,
                "geonames_id": 1000002,
                "src_geom": "geonames",
                "city": "Almaty (city)",
                "is_current": -1,
            },
        ],
        [
            shapely.Point(ASTANA_X0 + 3000, ASTANA_Y0 + 3000),
            shapely.Point(ALMATY_X0 + 1000, ALMATY_Y0 + 1000),
        ],
        ASTANA_UTM,
    )
    # The Almaty point was given in Almaty's zone: convert it on its own.
    wof.loc[1, "geometry"] = (
        gpd.GeoSeries([shapely.Point(ALMATY_X0 + 1000, ALMATY_Y0 + 1000)], crs=ALMATY_UTM)
        .to_crs("EPSG:4326")
        .iloc[0]
    )
    _geojson(wof, files["wof_localities"][0])

    # geokz ADM2 (shapefile): today's districts of both cities with their KATO codes (no mini vintage reads
    # it, but the build requires the source).
    adm2_rows = [
        {
            "KATO": d,
            "ADM1_EN": f"{names[d][1]} (city)",
            "ADM2_EN": names[d][2],
            "ADM2_RU": names[d][3],
            "ADM2_KK": names[d][4],
            "Year": 2024,
        }
        for d in [*astana, *almaty]
    ]
    adm2_geoms = [
        *_frame([{}] * len(astana), list(astana.values()), ASTANA_UTM).geometry,
        *_frame([{}] * len(almaty), list(almaty.values()), ALMATY_UTM).geometry,
    ]
    _shapefile(gpd.GeoDataFrame(adm2_rows, geometry=adm2_geoms, crs="EPSG:4326"), files["geokz_adm2_2024"])
    # geokz ADM2 of 2018: the same squares with Year=2018 (no mini vintage reads it; the build requires it).
    _shapefile(gpd.GeoDataFrame([{**r, "Year": 2018} for r in adm2_rows], geometry=adm2_geoms, crs="EPSG:4326"),
               files["geokz_adm2_2018"])

    # geokz ADM1 (shapefile): Akmola around Astana, the two cities (KATO of geo.settings.CITY_KATO).
    astana_city = _frame([{}], [outline], ASTANA_UTM).geometry.iloc[0]
    almaty_city = _frame([{}], [shapely.union_all(list(almaty.values()))], ALMATY_UTM).geometry.iloc[0]
    akmola = shapely.box(70.0, 50.5, 73.0, 52.5).difference(astana_city)
    adm1 = gpd.GeoDataFrame(
        [
            {
                "KATO": "110000000",
                "ADM1_EN": "Akmola",
                "ADM1_RU": "Акмолинская",
                "ADM1_KK": "Ақмола",
                "Year": 2024,
            },
            {
                "KATO": "710000000",
                "ADM1_EN": "Astana (city)",
                "ADM1_RU": "Астана",
                "ADM1_KK": "Астана (қала)",
                "Year": 2024,
            },
            {
                "KATO": "750000000",
                "ADM1_EN": "Almaty (city)",
                "ADM1_RU": "Алматы",
                "ADM1_KK": "Алматы (қала)",
                "Year": 2024,
            },
        ],
        geometry=[akmola, astana_city, almaty_city],
        crs="EPSG:4326",
    )
    _shapefile(adm1, files["geokz_adm1_2024"])


def _shapefile(gdf: gpd.GeoDataFrame, paths: list[Path]) -> None:
    shp = next(p for p in paths if p.suffix == ".shp")
    shp.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(shp, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
    cpg = shp.with_suffix(".cpg")
    if not cpg.is_file():
        cpg.write_text("UTF-8")
    missing = [p for p in paths if not p.is_file()]
    assert not missing, f"shapefile parts not written: {missing}"


def _csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            assert len(row) == len(header), (path.name, row)
            writer.writerow(row)


def write_reference(reference: Path) -> None:
    """Every curated table the build reads; tables the mini set does not need hold only their header."""
    reference.mkdir(parents=True, exist_ok=True)
    for name, text in TABLES.items():
        rows = list(csv.reader(text.splitlines()))
        bad = [r for r in rows if len(r) != len(rows[0])]
        assert not bad, f"{name}: rows of the wrong length: {bad}"
        (reference / f"{name}.csv").write_text(text, encoding="utf-8")


def write_mini(folder: Path) -> dict[str, Path]:
    """Write the mirror and the reference tables under ``folder``; return their paths."""
    folder = Path(folder)
    paths = {"mirror": folder / "mirror", "reference": folder / "reference"}
    write_mirror(paths["mirror"])
    write_reference(paths["reference"])
    return paths


def mini_env(folder: Path, build: Path | None = None) -> dict[str, str]:
    """Environment for a build of the mini set written in ``folder`` (offline, empty cache)."""
    folder = Path(folder)
    (folder / "cache").mkdir(parents=True, exist_ok=True)
    return {
        "QALA_MIRROR": str(folder / "mirror"),
        "QALA_REFERENCE": str(folder / "reference"),
        "QALA_CACHE": str(folder / "cache"),
        "QALA_BUILD": str(build or folder / "build"),
        "QALA_OFFLINE": "1",
    }


def build(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`python -m geo.build --quiet` with ``env`` (from :func:`mini_env`) over the current environment."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("QALA_")}
    return subprocess.run(
        [sys.executable, "-m", "geo.build", "--quiet", *args],
        cwd=PROJECT_ROOT,
        env={**full, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def build_in_process(env: dict[str, str]) -> SimpleNamespace:
    """The same build run inside this process (so coverage and mutation tools see the code it runs): the
    environment is set for the call only; returns returncode, stdout and stderr like :func:`build`."""
    from geo.build.run import run
    from geo.errors import QalaError

    saved = {k: os.environ.get(k) for k in env}
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        os.environ.update(env)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            run(force=True, quiet=True)
    except QalaError as exc:
        err.write(f"qala: error: {exc}\n")
        code = 2
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "mini")
    print(write_mini(target))
