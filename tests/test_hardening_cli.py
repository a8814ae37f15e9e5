"""Hardening of the command line and its writers: markup in column names, formula cells, special files as
outputs or inputs, and one line with exit 2 instead of a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.cli import main
from geo.errors import BadInput
from geo.io import writers
from geo.io.atomic import atomic_path, atomic_write_bytes
from geo.settings import PROJECT_ROOT

MARKUP = "<img src=x onerror=alert(1)>"


def _layer(tmp_path: Path, columns: dict) -> Path:
    gdf = gpd.GeoDataFrame(columns, geometry=[shapely.box(71.4, 51.1, 71.5, 51.2)], crs=4326)
    path = tmp_path / "layer.geojson"
    path.write_text(gdf.to_json())
    return path


def _one_line_exit_2(args: list[str], capsys) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("qala: error: ") and err.count("\n") == 1, err
    return err


# ------------------------------------------------------------------------------------------------ HTML


def test_html_export_escapes_column_names_and_aliases(tmp_path, capsys):
    source = _layer(tmp_path, {MARKUP: ["v"], "plain": [1]})
    out = tmp_path / "map.html"
    assert main(["export", str(source), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<img src=x" not in page and "onerror=alert(1)>" not in page.replace("&gt;", "")
    # the name is kept, escaped (inside the page's JSON the & itself is written \u0026): shown as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.replace("\\u0026", "&")


# ------------------------------------------------------------------------------------------------ CSV


@pytest.mark.parametrize("cell", ["a;=1+1", "＝1+1", " =1+1", "\n=1+1", "\u00a0@SUM(A1)", "x,+1+1", "a\t-1+1",
                                  "＋cmd", "＠x", "－1+1"])
def test_csv_neutralises_formulas_behind_separators_spaces_and_fullwidth_signs(cell):
    text = writers.to_csv_bytes(pd.DataFrame({"t": [cell]})).decode("utf-8-sig")
    for delimiter in (",", ";", "\t"):  # however a spreadsheet splits the line, no cell starts a formula
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            for value in row:
                for part in re.split(r"[;,\t\r\n]", value):
                    assert not re.match(r"[\s\u3000]*[=+\-@＝＋－＠]", part) or part.strip() in ("-",), (cell, part)


def test_csv_neutralises_header_names_and_keeps_numbers():
    frame = pd.DataFrame({"count_a;=1+1": [1], "=cmd": ["-5.2"], "name": ["Есиль"]})
    text = writers.to_csv_bytes(frame).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert header == ["count_a;'=1+1", "'=cmd", "name"]
    assert row == ["1", "-5.2", "Есиль"]


# ------------------------------------------------------------------------------------------------ outputs


def test_atomic_writer_refuses_what_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    real = tmp_path / "real.txt"
    real.write_text("keep")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    for target in (fifo, link, tmp_path):
        with pytest.raises(BadInput, match="not a regular file"):
            atomic_write_bytes(target, b"new")
    assert fifo.is_fifo() and link.is_symlink() and real.read_text() == "keep"
    # checked before the block runs (never tried on /dev/null itself: a regression would replace it as root)
    with pytest.raises(BadInput, match="not a regular file"), atomic_path(fifo) as tmp:
        tmp.write_bytes(b"x")
    assert fifo.is_fifo() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_export_to_special_or_impossible_outputs_is_one_line_exit_2(tmp_path, capsys):
    source = _layer(tmp_path, {"name": ["a"]})
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "elsewhere.csv")
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    for target in (fifo, link, tmp_path, plain / "under.csv", Path("/proc/qala-test.csv")):
        err = _one_line_exit_2(["export", str(source), "--format", "csv", "-o", str(target)], capsys)
        assert str(target) in err and "fix:" in err
    assert fifo.is_fifo() and link.is_symlink() and not (tmp_path / "elsewhere.csv").exists()


def test_export_of_a_json_without_geometry_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "table.json"
    path.write_text(json.dumps({"rows": [1, 2, 3]}))
    err = _one_line_exit_2(["export", str(path), "--format", "csv", "-o", str(tmp_path / "o.csv")], capsys)
    assert "table.json" in err


# ------------------------------------------------------------------------------------------------ join input


def test_join_names_what_a_special_input_is(tmp_path, capsys):
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "FIFO"), ("/dev/zero", "device"), (tmp_path, "folder")):
        err = _one_line_exit_2(["join", str(path), "-o", str(tmp_path / "out")], capsys)
        assert f"is a {kind}, not a regular file" in err and "no such file" not in err, err
    err = _one_line_exit_2(["join", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "out")], capsys)
    assert "no such file" in err


def test_join_on_dev_stdin_says_it_is_not_a_regular_file(tmp_path):
    done = subprocess.run([sys.executable, "-m", "geo.cli", "join", "/dev/stdin", "-o", str(tmp_path / "o")],
                          cwd=PROJECT_ROOT, stdin=subprocess.PIPE, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "not a regular file" in done.stderr and "Traceback" not in done.stderr
