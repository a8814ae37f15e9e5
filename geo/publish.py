"""``qala publish``, ``qala datasets list|remove``: a join result kept as a named, versioned dataset.

A join's output folder holds microdata (set_aside.csv lists rows with a cell each, report.json repeats the first
of them, hexagons can locate individuals) beside the per-district aggregates. Publishing copies only the
aggregate tables that geo.contract.PUBLISHED allows, column by column (any other column refuses the whole
publication, so nothing can slip through by being new), as Parquet without geometry (the build's district
geometry is joined back on reading: third-party boundaries are never copied), plus metadata.json with what a
reader must show beside every figure (title, source, period, method, licence, n, scales, min_n, checksum).
Reasons for set-aside rows are not kept either: they quote the rejected cells; only the counts are.

Only a released join is published: its report must carry the release gate's report (``geo.release``) with a
``min_n`` at least this server's policy (``QALA_MIN_N``), and the tables must be byte for byte those the join
wrote (their checksums are in that report), so a hand-edited cell cannot slip out. A new version is audited
against every version still served (``geo.release.versions``). Beside the tables go the public disclosure
report (``disclosure.json``) and its pages in kk/ru/en; the steward's copy, which says why each cell is
hidden, stays in the join's folder.

A version is written into a staging folder and renamed into place in one step, so a failure leaves nothing; the
earlier versions stay, the highest is current. Removal renames the folder away first, then deletes it. This is a
command on the server's machine only: no web endpoint writes datasets.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geo import __version__, store
from geo.contract import (
    DATASET_NAME,
    PUBLISHED,
    PUBLISHED_FORMAT,
    PUBLISHED_METADATA,
    VERSION_NAME,
    PublishedTable,
    dataset_checksum,
    dataset_versions,
)
from geo.errors import BadInput, UnknownName
from geo.io.atomic import sha256_file
from geo.release import page, versions
from geo.settings import datasets_dir, survey_min_n

REPORT_KEYS = ("input_rows", "joined_rows", "set_aside_rows", "weighted_total")
# what publishing reads of a join's output
JOIN_TABLES = {"districts": "districts.parquet", "scores": "scores.csv", "score_differences": "score_differences.csv",
               "groups": "groups.csv", "indices": "indices.csv", "banks": "banks.csv"}
DISCLOSURE = "disclosure.json"  # the public disclosure report beside the tables (pages: disclosure_<lang>.html)
STALE_SECONDS = 3600  # staging folders older than this were left by a killed run
MAX_TEXT = 500  # longest title, source, period ... kept in the metadata


def check_name(name: str) -> str:
    """A dataset name: a slug of lower-case letters, digits, - and _, at most 63 characters."""
    if not isinstance(name, str) or not DATASET_NAME.fullmatch(name):
        shown = repr(name)[:70]
        raise BadInput(f"dataset name {shown} is not a slug; fix: use 1-63 of a-z 0-9 - _, starting with a "
                       "letter or digit (e.g. --name astana-survey-2024)")
    return name


def read_join_output(folder: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The aggregate tables and the report of a join output folder (refused when it is not one)."""
    if not folder.is_dir():
        raise BadInput(f"{folder} is not a folder; fix: give the output folder of `qala join` (its -o)")
    missing = [n for n in ("districts.parquet", "report.json") if not (folder / n).is_file()]
    if missing:
        raise BadInput(f"{folder} is not a join output (no {', '.join(missing)}); fix: run `qala join FILE -o "
                       f"{folder}` first")
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        districts = pd.read_parquet(folder / "districts.parquet")
    except (ValueError, OSError) as exc:
        raise BadInput(f"{folder}: damaged join output ({str(exc).splitlines()[0][:200]}); fix: run `qala join` "
                       "again") from None
    if not isinstance(report, dict):
        raise BadInput(f"{folder / 'report.json'} is not a join report; fix: run `qala join` again")
    if districts.empty:
        raise BadInput(f"{folder / 'districts.parquet'} has no district rows; fix: join a file whose rows fall "
                       "in a city's districts")
    _check_released(folder, report)
    tables = {"districts": districts}
    for name, file in JOIN_TABLES.items():
        path = folder / file
        if name != "districts" and path.is_file():
            try:
                tables[name] = pd.read_csv(path, encoding="utf-8-sig", dtype={"district_id": str, "districts": str})
            except (ValueError, OSError) as exc:
                raise BadInput(f"{path}: unreadable ({str(exc).splitlines()[0][:200]}); fix: run `qala join` "
                               "again") from None
    return tables, report


def _check_released(folder: Path, report: dict[str, Any]) -> None:
    """The join's release report is there, at this server's threshold, and its tables are unchanged."""
    release = report.get("release")
    if not isinstance(release, dict) or not isinstance(release.get("files"), dict):
        raise BadInput(f"{folder} was joined without the release gate (its report has no release); fix: run "
                       "`qala join` again with --score items or --min-n")
    policy = survey_min_n()
    min_n = release.get("min_n")
    if not isinstance(min_n, int) or min_n < policy:
        raise BadInput(f"{folder} was joined with --min-n {min_n}, below this server's {policy} (QALA_MIN_N); "
                       f"fix: run `qala join` again with --min-n {policy} or more")
    for name in JOIN_TABLES.values():  # every file publishing reads, as the join wrote it
        path = folder / name
        if path.is_file() and release["files"].get(name) != sha256_file(path):
            raise BadInput(f"{path} is not the file the join wrote (changed, or not from the join); fix: run "
                           "`qala join` again and publish its output unchanged")


def aggregate_only(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each table cut to its allowed columns (build attributes dropped); any unknown column refuses."""
    items = _values(tables.get("scores"), "item")
    groups = _values(tables.get("groups"), "group")
    out = {}
    for name, frame in tables.items():
        spec = PUBLISHED[name]
        frame = frame.drop(columns=[c for c in spec.from_build if c in frame.columns])
        refused = [str(c) for c in frame.columns if not _allowed(spec, str(c), items, groups)]
        if refused:
            raise BadInput(f"{name}: column(s) {', '.join(refused[:5])} are not aggregate columns a dataset may "
                           "hold; fix: publish the unmodified output of `qala join`")
        lacking = [c for c in spec.required if c not in frame.columns]
        if lacking:
            raise BadInput(f"{name}: lacks {', '.join(lacking)}; fix: run `qala join` again with this version")
        out[name] = pd.DataFrame(frame).reset_index(drop=True)
    return out


def _values(frame: pd.DataFrame | None, column: str) -> set[str]:
    if frame is None or column not in frame.columns:
        return set()
    return {str(v) for v in frame[column].dropna().unique()}


def _allowed(spec: PublishedTable, column: str, items: set[str], groups: set[str]) -> bool:
    if column in spec.allowed or any(re.fullmatch(p, column) for p in spec.patterns):
        return True
    if any(column == f"{item}_{suffix}" for item in items for suffix in spec.per_item):
        return True
    return any(column == f"{prefix}_{group}" for group in groups for prefix in spec.per_group)


def _text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    if not value or len(value) > MAX_TEXT:
        raise BadInput(f"--{what} must be 1-{MAX_TEXT} characters of text; fix: shorten or fill it")
    return value


def metadata(tables: dict[str, pd.DataFrame], report: dict[str, Any], fields: dict[str, str | None]) -> dict:
    """metadata.json without name, version, files and checksum: what the dataset is and how it was made."""
    districts = tables["districts"]
    synthetic = bool(report.get("synthetic")) or bool(
        "synthetic" in districts and districts["synthetic"].fillna(False).astype(bool).any())
    title = fields["title"] or ""
    if synthetic and "SYNTHETIC" not in title.upper():
        title = f"SYNTHETIC: {title}"
    release = report["release"]
    return {
        **fields, "title": title,
        "n": int(report.get("joined_rows", 0) or 0),
        "rows": {k: report[k] for k in REPORT_KEYS if isinstance(report.get(k), (int, float))},
        "cities": sorted({str(c) for c in districts["city"].dropna()}),
        "vintages": sorted({str(v) for v in districts["vintage"].dropna()}),
        "items": _items(tables.get("scores"), report),
        "groups": sorted(_values(tables.get("groups"), "group")),
        "min_n": int(release["min_n"]),
        "release": {"rules": release["rules"], "cells": release["cells"], "left_out": release["left_out"],
                    "audit": release["audit"]},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "synthetic": synthetic,
        "qala_version": __version__,
        "format": PUBLISHED_FORMAT,
    }


def _items(scores: pd.DataFrame | None, report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each score item with its scale: as the join reported it, else the answer points seen in ``dist``."""
    stated: dict[str, dict[str, Any]] = {}
    reported = report.get("score_items")
    for key, entry in (reported.items() if isinstance(reported, dict) else []):
        found = re.fullmatch(r"(-?\d+(?:\.\d+)?)-(-?\d+(?:\.\d+)?)",
                             str(entry.get("scale", "")) if isinstance(entry, dict) else "")
        if isinstance(entry, dict) and found:
            stated[str(key)] = {"low": float(found[1]), "high": float(found[2]),
                                "inferred": bool(entry.get("scale_inferred")), "top": entry.get("top_box"),
                                "dont_know": entry.get("dont_know"), "blank": entry.get("blank")}
    items = []
    for item in sorted(_values(scores, "item")):
        scale = stated.get(item)
        if scale is None:
            points: set[int] = set()
            if scores is not None and "dist" in scores:
                for text in scores.loc[scores["item"].astype(str) == item, "dist"].dropna():
                    try:
                        points |= {int(float(k)) for k in json.loads(text)}
                    except (ValueError, TypeError, AttributeError):
                        continue
            scale = {"low": min(points), "high": max(points), "inferred": True} if points else {}
        items.append({"item": item, **scale})
    return items


def publish(folder: str | Path, name: str, *, title: str, source: str, period: str, method: str | None = None,
            licence: str | None = None, author: str | None = None, root: Path | None = None) -> Path:
    """Publish the join output in ``folder`` as the next version of ``name``; returns the version folder."""
    check_name(name)
    fields = {"title": _text(title, "title"), "source": _text(source, "source"), "period": _text(period, "period"),
              "method": _text(method, "method"), "licence": _text(licence, "licence"),
              "author": _text(author, "author")}
    tables, report = read_join_output(Path(folder))
    kept = aggregate_only(tables)
    meta = metadata(kept, report, fields)
    home = (root or datasets_dir()) / name
    audited = versions.check(kept, meta, _served(home), meta["min_n"], name)
    try:
        home.mkdir(parents=True, exist_ok=True)
        _remove_stale(home)
        staging = Path(tempfile.mkdtemp(prefix=".publish.", suffix=".tmp", dir=home))
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700: the dashboard may run as another user
    except OSError as exc:
        raise BadInput(f"cannot write {home}: {exc.strerror or exc}; fix: set QALA_DATASETS to a folder you can "
                       "write to") from None
    try:
        for table, frame in kept.items():
            frame.to_parquet(staging / PUBLISHED[table].file, index=False)
        files = sorted(PUBLISHED[t].file for t in kept)
        known = dataset_versions(home)
        version = f"v{int(known[-1][1:]) + 1 if known else 1}"
        meta = {"name": name, "version": version, **meta, "files": {
            f: {"rows": len(kept[f.removesuffix(".parquet")])} for f in files},
            "checksum": dataset_checksum(staging, files)}
        disclosure = {**report["release"], "dataset": {"name": name, "version": version, "title": meta["title"],
                                                       "synthetic": meta["synthetic"]},
                      "versions": {"audited_with": audited, "rule": "difference"}}
        disclosure.pop("files", None)
        (staging / DISCLOSURE).write_text(json.dumps(disclosure, ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
        page.write_pages(disclosure, staging)
        (staging / PUBLISHED_METADATA).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                                  encoding="utf-8")
        target = home / version
        if target.exists():
            raise BadInput(f"{target} appeared while publishing (another publish of {name}?); fix: run it again")
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _served(home: Path) -> list[tuple[str, dict[str, pd.DataFrame], dict[str, Any]]]:
    """Every version of the dataset still served: its published tables and metadata."""
    out = []
    for version in dataset_versions(home):
        folder = home / version
        try:
            meta = json.loads((folder / PUBLISHED_METADATA).read_text(encoding="utf-8"))
            tables = {t: pd.read_parquet(folder / spec.file) for t, spec in PUBLISHED.items()
                      if (folder / spec.file).is_file()}
        except (OSError, ValueError) as exc:
            raise BadInput(f"{folder}: an earlier version cannot be read ({type(exc).__name__}), so the new one "
                           f"cannot be audited against it; fix: `qala datasets remove {home.name} --version "
                           f"{version}` if it is damaged") from None
        out.append((version, tables, meta))
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_stale(home: Path) -> None:
    now = time.time()
    for path in home.glob(".*"):
        if path.is_dir() and not path.is_symlink() and now - path.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(path, ignore_errors=True)


def remove(name: str, version: str | None = None, root: Path | None = None) -> list[str]:
    """Remove a dataset (every version) or one version of it; returns the versions removed."""
    check_name(name)
    home = (root or datasets_dir()) / name
    versions = dataset_versions(home)
    if not versions:
        raise UnknownName(f"no published dataset '{name}'; fix: see `qala datasets list`")
    if version is not None and (not VERSION_NAME.fullmatch(version) or version not in versions):
        raise UnknownName(f"dataset '{name}' has no version {version[:20]!r}; versions: {', '.join(versions)}")
    gone = [version] if version else versions
    victim = home / version if version and len(versions) > 1 else home
    retired = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".removed", dir=victim.parent))
    os.rename(victim, retired / victim.name)  # gone from readers in one step, then deleted
    shutil.rmtree(retired, ignore_errors=True)
    return gone


def format_list(entries: list[dict[str, Any]]) -> str:
    """`qala datasets list`: one line per dataset (a damaged one says why)."""
    if not entries:
        return f"no published datasets in {datasets_dir()}; publish one with `qala publish OUT --name ...`"
    lines = [f"{'name':<24} {'version':<8} {'n':>7}  {'created':<25} versions  title"]
    for e in entries:
        if e.get("warning"):
            lines.append(f"{e['name']:<24} DAMAGED: {e['warning']}")
            continue
        lines.append(f"{e['name']:<24} {e['version']:<8} {e['n']:>7}  {e['created']:<25} "
                     f"{len(e.get('versions', [])):>8}  {e['title']}")
    return "\n".join(lines)


def add_parser(sub: Any) -> None:
    """``qala publish`` and ``qala datasets list|remove``."""
    p = sub.add_parser("publish", help="publish a join output folder as a named dataset (server machine only)")
    p.add_argument("folder", metavar="OUT_FOLDER", help="the output folder of `qala join`")
    p.add_argument("--name", required=True, help="dataset name: a-z 0-9 - _ (e.g. astana-survey-2024)")
    p.add_argument("--title", required=True)
    p.add_argument("--source", required=True, help="who collected the data (project, team)")
    p.add_argument("--period", required=True, help="when the data were collected, e.g. 2023-05..2023-09")
    p.add_argument("--method", help="sampling and survey method")
    p.add_argument("--licence", help="terms of use")
    p.add_argument("--author", help="who published it")
    p.set_defaults(func=_run_publish)
    d = sub.add_parser("datasets", help="list or remove published datasets")
    d_sub = d.add_subparsers(dest="datasets_command", required=True)
    d_sub.add_parser("list", help="name, current version, title, n, created, versions").set_defaults(
        func=lambda args: print(format_list(store.published_datasets())) or 0)
    r = d_sub.add_parser("remove", help="remove a dataset, or one version of it")
    r.add_argument("name")
    r.add_argument("--version", help="remove only this version (e.g. v1); default: every version")
    r.set_defaults(func=_run_remove)


def _run_publish(args: argparse.Namespace) -> int:
    target = publish(args.folder, args.name, title=args.title, source=args.source, period=args.period,
                     method=args.method, licence=args.licence, author=args.author)
    meta = json.loads((target / PUBLISHED_METADATA).read_text(encoding="utf-8"))
    tag = " [SYNTHETIC]" if meta["synthetic"] else ""
    print(f"published {meta['name']} {meta['version']}{tag}: n={meta['n']}, {', '.join(meta['cities'])}, "
          f"{len(meta['items'])} score item(s), checksum {meta['checksum'][:12]} -> {target}")
    release = meta["release"]
    print(f"release: {release['cells']['hidden']} of {release['cells']['published']} cells hidden (min_n "
          f"{meta['min_n']}), every hidden cell audited; {len(release['left_out'])} output(s) left out; disclosure "
          f"report: {target / DISCLOSURE} and {target / 'disclosure_ru.html'} (also _kk, _en)")
    print("restart the dashboard (or run `make data` to record it in the build manifest) to show it")
    return 0


def _run_remove(args: argparse.Namespace) -> int:
    gone = remove(args.name, args.version)
    print(f"removed {args.name} {', '.join(gone)}")
    return 0
