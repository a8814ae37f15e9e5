"""Hand-made districts of the three cities for the survey and multi-city join tests (no build needed): two
squares per city at the cities' real places, with the real district ids (so names match the reference table),
and one population figure per district."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

# district id, city, vintage, en, ru, kk, (lon, lat) of the square's south-west corner; squares of 0.02°
DISTRICTS = [
    ("711110000", "Astana", "astana-6", "Almaty", "Алматы", "Алматы", (71.40, 51.10)),
    ("711210000", "Astana", "astana-6", "Esil", "Есиль", "Есіл", (71.42, 51.10)),
    ("751710000", "Almaty", "almaty-8", "Medeu", "Медеу", "Медеу", (76.90, 43.20)),
    ("751410000", "Almaty", "almaty-8", "Bostandyk", "Бостандык", "Бостандық", (76.92, 43.20)),
    ("791110000", "Shymkent", "shymkent-5", "Abay", "Абай", "Абай", (69.58, 42.30)),
    ("791910000", "Shymkent", "shymkent-5", "Turan", "Туран", "Тұран", (69.60, 42.30)),
]
SIDE = 0.02


def districts() -> gpd.GeoDataFrame:
    rows = [{"district_id": d, "city": c, "vintage": v, "name_en": en, "name_ru": ru, "name_kk": kk}
            for d, c, v, en, ru, kk, _ in DISTRICTS]
    shapes = [shapely.box(x, y, x + SIDE, y + SIDE) for *_, (x, y) in DISTRICTS]
    return gpd.GeoDataFrame(rows, geometry=shapes, crs="EPSG:4326")


def population() -> pd.DataFrame:
    return pd.DataFrame({"district_id": [d[0] for d in DISTRICTS], "value": [10_000.0 * (i + 1) for i in range(6)],
                         "period_label": "2025 (start)", "source": "hand-made test figure"})


def inside(name_en: str) -> tuple[float, float]:
    """A point (lon, lat) in the middle of a district's square."""
    x, y = next(d[6] for d in DISTRICTS if d[3] == name_en)
    return round(x + SIDE / 2, 5), round(y + SIDE / 2, 5)
