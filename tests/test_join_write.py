"""``JoinResult.write``: the whole output folder is replaced in one step, or not at all."""

from __future__ import annotations

import pytest

from geo import store
from geo.errors import BadInput
from geo.io import writers
from geo.join.pipeline import join_user_data


@pytest.fixture(scope="module")
def csv_file(built, tmp_path_factory):
    astana = store.load_districts("Astana")
    points = [d.representative_point() for d in astana.geometry.iloc[:3]]
    path = tmp_path_factory.mktemp("input") / "points.csv"
    path.write_text("lat,lon,g\n" + "".join(f"{p.y},{p.x},{g}\n" for p, g in zip(points, "aba", strict=True))
                    + "x,71.4,a\n")
    return path


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()], ids=["error", "interrupt"])
def test_a_write_failing_midway_leaves_the_previous_output_as_it_was(tmp_path, csv_file, monkeypatch,
                                                                     failure):
    out = tmp_path / "out"
    first = join_user_data(csv_file, group_col="g", h3_res=[8], permutations=0)
    written = first.write(out)
    assert sorted(p.name for p in written) == sorted(_snapshot(out))
    before = _snapshot(out)

    second = join_user_data(csv_file, h3_res=[], permutations=0)  # other files: no groups, no hexagons
    calls = []

    def failing_to_csv(frame, path):
        calls.append(path.name)
        raise failure

    monkeypatch.setattr(writers, "to_csv", failing_to_csv)
    with pytest.raises(type(failure)):
        second.write(out)
    assert calls == ["districts.csv"]  # districts.geojson was written (into the staging folder) before it
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind

    monkeypatch.undo()
    second.write(out)  # a later run replaces the whole folder: no file of the first run is left
    assert sorted(_snapshot(out)) == ["districts.csv", "districts.geojson", "districts.parquet",
                                      "report.json", "set_aside.csv"]


def test_staging_folders_of_a_killed_run_are_removed(tmp_path, csv_file):
    stale = [tmp_path / ".out.k1ll3d.tmp", tmp_path / ".out.r3t1r3d.old"]
    for folder in stale:
        folder.mkdir()
        (folder / "districts.csv").write_text("half written")
    others = [tmp_path / ".other.abc.tmp", tmp_path / "notes.txt"]
    others[0].mkdir()
    others[1].write_text("mine")
    join_user_data(csv_file, h3_res=[], permutations=0).write(tmp_path / "out")
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in others)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.abc.tmp", "notes.txt", "out"]


def test_a_folder_with_other_files_is_not_replaced(tmp_path, csv_file):
    result = join_user_data(csv_file, h3_res=[], permutations=0)
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_text("years of work")
    with pytest.raises(BadInput, match=r"documents holds files that are not join outputs \(thesis.docx\)"):
        result.write(folder)
    assert [p.name for p in folder.iterdir()] == ["thesis.docx"]
    with pytest.raises(BadInput, match="is a file, not a folder"):
        result.write(folder / "thesis.docx")
