"""``qala export LAYER``: a built layer or a joined result written in any format of :mod:`geo.io.writers`,
with the attribution of the sources it comes from."""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.contract import EXPORTABLE, LAYERS
from geo.errors import BadInput
from geo.io.gpkg import default_style, to_gpkg
from geo.io.writers import EXTENSIONS, FORMATS, WRITERS, to_html_map
from geo.settings import CITIES

# ---------------------------------------------------------------------------------------------------- CLI


def layer_attribution(name: str, frame: pd.DataFrame) -> str:
    """Attribution lines of the catalogue sources a built layer comes from."""
    from geo.io.catalogue import load_catalogue

    catalogue = load_catalogue()
    ids = list(LAYERS[name].sources) if name in LAYERS and name != "districts" else []
    if "vintage" in frame.columns:  # districts, built or joined: the boundary file of each vintage
        ids += [_vintage_source(v) for v in frame["vintage"].dropna().unique()]
    for col in ("geometry_source", "coord_source", "source"):
        if col in frame.columns:
            ids += [str(v) for v in frame[col].dropna().unique() if str(v) in catalogue]
    lines = dict.fromkeys(f"{catalogue[i].attribution} ({catalogue[i].licence})" for i in ids if i in catalogue)
    return "; ".join(lines)


def _vintage_source(vintage: str) -> str:
    """The catalogue source a vintage's boundaries come from (following lineage: astana-4 -> astana-5 -> geokz)."""
    from geo import store

    table = store.load_layer("vintages").set_index("vintage").geometry
    source = table.get(vintage, "")
    while source.startswith("lineage:"):
        source = table.get(source.split(":", 1)[1], "")
    return source


def load_for_export(
    layer: str, *, vintage: str | None = None, city: str | None = None
) -> tuple[pd.DataFrame, str, str]:
    """A built layer by name, a published dataset (``dataset:NAME``: its newest version; ``dataset:NAME@v1``: an
    earlier one, asked for by name), or a joined user-data output (a file, or a ``qala join`` output folder)."""
    from geo import store as layers

    if layer.startswith("dataset:"):
        name, _, version = layer.split(":", 1)[1].partition("@")
        data, _scores = layers.load_published(name, version or None)
        meta = data.attrs.get("dataset", {})
        credit = f"{meta.get('title', name)}: {meta.get('source', '?')}, {meta.get('period', '?')}"
        if version:
            newest = next((m.get("version") for m in layers.published_datasets() if m.get("name") == name), None)
            credit += f" ({version}" + (", not the newest)" if version != newest else ")")
        if city is not None:
            data = data[data["city"] == city].reset_index(drop=True)
        return data, f"dataset-{name}" + (f"-{version}" if version else ""), "; ".join(filter(None, [credit, layer_attribution("districts", data)]))
    path = Path(layer)
    if path.is_dir():
        candidates = [path / "districts.parquet", path / "districts.geojson"]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            raise BadInput(f"{layer}: no districts.parquet or districts.geojson; give a `qala join -o` folder")
        path = found
    if path.suffix.lower() in (".geojson", ".json", ".parquet") and path.is_file():
        data = _read_geographic(path)
        return data, path.stem, layer_attribution("districts", data)
    if layer == "districts":
        data = layers.load_districts(city=city, vintage=vintage)
    else:
        if vintage is not None:
            raise BadInput(f"--vintage applies to the districts layer only, not to {layer!r}")
        data = layers.load_layer(layer)
        if city is not None and "city" in data.columns:
            data = data[data["city"] == city].reset_index(drop=True)
    return data, layer, layer_attribution(layer, data)


def _read_geographic(path: Path) -> gpd.GeoDataFrame:
    """A joined result or other geographic file; anything else (plain JSON, a truncated file): one line."""
    try:
        data = gpd.read_parquet(path) if path.suffix.lower() == ".parquet" else gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 -- pyogrio/pyarrow raise many kinds; all mean "not a layer"
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise BadInput(f"{path}: not a geographic layer ({reason}); fix: give a GeoJSON FeatureCollection, a "
                       "GeoParquet file or a `qala join -o` folder") from None
    if not isinstance(data, gpd.GeoDataFrame) or data.geometry.name not in data.columns:
        raise BadInput(f"{path}: has no geometry; fix: give a GeoJSON FeatureCollection or a GeoParquet file")
    return data


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "export",
        help="write a built layer or joined user data as GeoJSON, CSV, GeoParquet or an HTML map",
        description=f"LAYER: one of {', '.join(EXPORTABLE)}, a published dataset (dataset:NAME, see `qala "
        "datasets list`), or a `qala join` output (folder or districts file).",
    )
    p.add_argument("layer", metavar="LAYER")
    p.add_argument("--format", choices=FORMATS, default="geojson")
    p.add_argument("-o", "--output", help="output file (default: LAYER[-VINTAGE].EXT in the current folder)")
    p.add_argument("--vintage", help="boundary vintage of the districts layer, e.g. astana-5 (default: latest)")
    p.add_argument("--city", choices=CITIES, help="only this city")
    p.add_argument("--value", help="HTML map and GeoPackage style: the column to colour by")
    p.add_argument("--to", metavar="URL", help="write into a PostGIS table instead of a file "
                   "(postgresql://user:password@host:port/db)")
    p.add_argument("--table", help="with --to: the table (default: the layer's name), optionally schema.table")
    p.add_argument("--replace", action="store_true", help="with --to: replace the table when it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data, stem, attribution = load_for_export(args.layer, vintage=args.vintage, city=args.city)
    stem = "-".join(filter(None, [stem, args.vintage, args.city and args.city.lower()]))
    if args.to:
        return _to_postgis(data, stem, attribution, args)
    if args.table or args.replace:
        raise BadInput("--table and --replace go with --to postgresql://...; fix: add --to or drop them")
    target = Path(args.output or f"{stem}{EXTENSIONS[args.format]}")
    if args.format == "html":
        to_html_map(data, target, value_col=args.value, title=stem, attribution=attribution)
    elif args.format == "gpkg":
        to_gpkg(data, target, layer_name=stem.replace("-", "_"), style=default_style(data, args.value))
    elif args.value:
        raise BadInput("--value is for --format html or gpkg only")
    else:
        WRITERS[args.format](data, target)
    print(f"wrote {target} ({len(data)} rows, {args.format})")
    return 0


def _to_postgis(data: pd.DataFrame, stem: str, attribution: str, args: argparse.Namespace) -> int:
    from geo.io.postgis import to_postgis

    schema, _, table = (args.table or stem.replace("-", "_")).rpartition(".")
    rows = to_postgis(data, args.to, table=table, schema=schema or "public", replace=args.replace,
                      attribution=attribution)
    print(f"wrote table {schema or 'public'}.{table} ({rows} rows, PostGIS)")
    return 0
