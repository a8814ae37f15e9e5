"""Acquisition: each source from the local cache, else the offline mirror, else its original location.

The download path is real code (tested offline against a loopback HTTP server). Downloads are checked to parse
before they are written, atomically, into the cache. When nothing works the error says which source, where it
looked and where to put the file.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import requests

from geo.errors import SourceUnavailable
from geo.io.atomic import atomic_write_bytes
from geo.io.catalogue import Source, get_source
from geo.settings import cache_dir, mirror_dir, offline

TIMEOUT_S = 60
# Astana's bounding box, for the optional Overpass query of state institutions.
ASTANA_BBOX = (50.95, 71.15, 51.35, 71.75)  # south, west, north, east
OVERPASS_QUERY = """[out:json][timeout:60];
(
  nwr["office"="government"]({s},{w},{n},{e});
  nwr["amenity"="townhall"]({s},{w},{n},{e});
  nwr["government"]({s},{w},{n},{e});
);
out center tags;"""


@dataclass(frozen=True)
class Acquired:
    source: Source
    paths: tuple[Path, ...]
    origin: str  # cache | mirror | download

    @property
    def path(self) -> Path:
        return self.paths[0]


def _file_names(source: Source) -> list[str]:
    if source.mirror_files:
        return [Path(f).name for f in source.mirror_files]
    return [f"{source.id}.geojson"]


def acquire(source_id: str, *, allow_download: bool = True) -> Acquired:
    """Return local paths of a source's files, looking in the cache, the mirror, then downloading."""
    source = get_source(source_id)
    names = _file_names(source)
    cached = [cache_dir() / source.id / n for n in names]
    if all(p.is_file() for p in cached):
        return Acquired(source, tuple(cached), "cache")

    looked = [f"cache {cache_dir() / source.id}"]
    mirror = mirror_dir()
    if mirror is not None and source.mirror_files:
        mirrored = [mirror / f for f in source.mirror_files]
        if all(p.is_file() for p in mirrored):
            return Acquired(source, tuple(mirrored), "mirror")
        looked.append(f"mirror {mirror} (missing {', '.join(f for f in source.mirror_files if not (mirror / f).is_file())})")
    else:
        looked.append("no mirror (set QALA_MIRROR)" if mirror is None else "mirror (source has no mirror copy)")

    if allow_download and not offline():
        try:
            download(source, cached)
            return Acquired(source, tuple(cached), "download")
        except (requests.RequestException, ValueError, KeyError) as exc:
            looked.append(f"download {source.urls[0]} failed ({type(exc).__name__}: {str(exc)[:120]})")
    else:
        looked.append("download skipped (offline)")
    raise SourceUnavailable(
        f"source '{source.id}' ({source.title}) is unavailable: looked in {'; '.join(looked)}; "
        f"fix: put {', '.join(names)} in {cache_dir() / source.id} or point QALA_MIRROR at a mirror folder"
    )


def download(source: Source, targets: list[Path]) -> None:
    """Fetch a source from its original location into ``targets`` (checked before written)."""
    if source.fetch == "http":
        for url, target in zip(source.urls, targets, strict=True):
            response = requests.get(url, timeout=TIMEOUT_S)
            response.raise_for_status()
            content = response.content
            if target.suffix in (".geojson", ".json"):
                content = _keep_features(_check_feature_collection(content, url), source.keep)
            atomic_write_bytes(target, content)
        return
    if source.fetch == "osm_relations":
        features = []
        for rel_id, url in zip(source.ids, source.urls, strict=True):
            if "get_geojson.py" in url:  # the service computes a relation's polygon on its first visit
                with contextlib.suppress(requests.RequestException):
                    requests.get(url.replace("get_geojson.py", "index.py").split("&")[0], timeout=TIMEOUT_S)
            response = requests.get(url, timeout=TIMEOUT_S)
            response.raise_for_status()
            geometry = _osm_relation_geometry(response.json(), url)
            features.append({"type": "Feature", "properties": {"osm_relation": rel_id}, "geometry": geometry})
    elif source.fetch == "wof_records":
        features = []
        for url in source.urls:
            response = requests.get(url, timeout=TIMEOUT_S)
            response.raise_for_status()
            features.append(wof_record_to_feature(response.json()))
    elif source.fetch == "overpass":
        s, w, n, e = ASTANA_BBOX
        query = OVERPASS_QUERY.format(s=s, w=w, n=n, e=e)
        response = requests.post(source.url, data={"data": query}, timeout=TIMEOUT_S)
        response.raise_for_status()
        features = overpass_to_features(response.json())
    else:
        raise ValueError(f"unknown fetch method '{source.fetch}' for source '{source.id}' in data/sources.csv")
    collection = {"type": "FeatureCollection", "features": features}
    atomic_write_bytes(targets[0], json.dumps(collection, ensure_ascii=False).encode("utf-8"))


def _check_feature_collection(content: bytes, url: str) -> dict:
    data = json.loads(content)
    if data.get("type") != "FeatureCollection":
        raise ValueError(f"{url} did not return a GeoJSON FeatureCollection")
    return data


def _keep_features(data: dict, pattern: str) -> bytes:
    """Of a whole layer (e.g. every water body of Astana) keep the features an attribute names (the Esil)."""
    if pattern:
        wanted = re.compile(pattern, re.IGNORECASE)
        data["features"] = [f for f in data["features"]
                            if any(wanted.search(str(v)) for v in (f.get("properties") or {}).values())]
        if not data["features"]:
            raise ValueError(f"no feature has an attribute matching '{pattern}'")
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _osm_relation_geometry(data: dict, url: str) -> dict:
    """polygons.openstreetmap.fr answers with a geometry, a GeometryCollection of one, or a Feature(Collection)."""
    if data.get("type") == "FeatureCollection":
        data = data["features"][0]
    if data.get("type") == "Feature":
        data = data["geometry"]
    if data.get("type") == "GeometryCollection":
        parts = data["geometries"]
        if len(parts) != 1:
            raise ValueError(f"{url} returned {len(parts)} geometries, expected one (multi)polygon")
        data = parts[0]
    if data.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"{url} returned a {data.get('type')}, expected a (multi)polygon")
    return data


def wof_record_to_feature(record: dict) -> dict:
    """A Who's On First record reduced to the fields the project reads."""
    props = record["properties"]

    def first(key: str) -> str | None:
        value = props.get(key)
        return value[0] if isinstance(value, list) and value else value

    return {
        "type": "Feature",
        "properties": {
            "wof_id": props["wof:id"],
            "name": props.get("wof:name"),
            "name_ru": first("name:rus_x_preferred"),
            "name_kk": first("name:kaz_x_preferred"),
            "geonames_id": props.get("wof:concordances", {}).get("gn:id"),
            "src_geom": props.get("src:geom"),
            "is_current": props.get("mz:is_current"),
        },
        "geometry": record["geometry"],
    }


def overpass_to_features(data: dict) -> list[dict]:
    """Overpass JSON (nodes with lat/lon, ways and relations with a center) to point features."""
    features = []
    for el in data.get("elements", []):
        lat, lon = (el["lat"], el["lon"]) if "lat" in el else (el["center"]["lat"], el["center"]["lon"])
        tags = el.get("tags", {})
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "osm_id": f"{el['type']}/{el['id']}",
                    "name": tags.get("name"),
                    "name_ru": tags.get("name:ru"),
                    "name_kk": tags.get("name:kk"),
                    "name_en": tags.get("name:en"),
                    "kind": tags.get("office") or tags.get("amenity") or tags.get("government"),
                    "government": tags.get("government"),
                },
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    return features
