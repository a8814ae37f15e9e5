"""The sources catalogue (data/sources.csv): what each raw input is, where it comes from, its licence.

Kept as a data file so that adding a source is a row, not code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from geo.errors import UnknownName
from geo.settings import DATA_DIR, PROJECT_ROOT

CATALOGUE_PATH = DATA_DIR / "sources.csv"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    required: bool
    fetch: str  # http | osm_relations | wof_records | overpass
    url: str  # space-separated URLs (http) or a template with {id} / {path}
    ids: tuple[str, ...]
    keep: str  # regex: of a downloaded layer keep only features with an attribute matching it (empty: all)
    mirror_files: tuple[str, ...]
    licence: str
    attribution: str
    notes: str

    @property
    def urls(self) -> list[str]:
        """Concrete download locations, one per file or record."""
        if self.fetch == "http":
            return self.url.split()
        if self.fetch == "osm_relations":
            return [self.url.format(id=i) for i in self.ids]
        if self.fetch == "wof_records":
            return [self.url.format(path=wof_path(i)) for i in self.ids]
        return [self.url]


def wof_path(wof_id: str) -> str:
    """Who's On First stores record 1193007163 at data/119/300/716/3/1193007163.geojson."""
    chunks = [wof_id[i : i + 3] for i in range(0, len(wof_id), 3)]
    return "/".join(chunks) + "/" + wof_id


def _ids(field: str) -> tuple[str, ...]:
    if field.startswith("@"):  # ids listed in a file of the project
        path = PROJECT_ROOT / field[1:]
        return tuple(line.strip() for line in path.read_text().splitlines() if line.strip())
    return tuple(field.split())


def load_catalogue(path: Path = CATALOGUE_PATH) -> dict[str, Source]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        row["id"]: Source(
            id=row["id"],
            title=row["title"],
            required=row["required"] == "yes",
            fetch=row["fetch"],
            url=row["url"],
            ids=_ids(row["ids"]),
            keep=row["keep"],
            mirror_files=tuple(row["mirror_files"].split()),
            licence=row["licence"],
            attribution=row["attribution"],
            notes=row["notes"],
        )
        for row in rows
    }


def get_source(source_id: str) -> Source:
    catalogue = load_catalogue()
    if source_id not in catalogue:
        raise UnknownName(f"unknown source '{source_id}' in {CATALOGUE_PATH}; known: {', '.join(catalogue)}")
    return catalogue[source_id]


def format_catalogue() -> str:
    """The catalogue as text for `qala data sources`."""
    lines = []
    for s in load_catalogue().values():
        where = s.url if s.fetch != "osm_relations" else f"OSM relations {' '.join(s.ids)} via {s.url}"
        if s.fetch == "wof_records":
            where = f"{len(s.ids)} Who's On First records via {s.url}"
        lines += [
            f"{s.id}  ({'required' if s.required else 'optional'})",
            f"  what:        {s.title}",
            f"  from:        {where}",
            f"  licence:     {s.licence}; attribution: {s.attribution}",
            f"  mirror file: {', '.join(s.mirror_files) or '(none: fetched live only)'}",
            f"  notes:       {s.notes}",
            "",
        ]
    return "\n".join(lines)
