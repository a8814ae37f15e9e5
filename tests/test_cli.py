"""The `qala` command: catalogue output, and one line + exit code 2 for expected failures."""

import subprocess
import sys

from geo.cli import main
from geo.settings import PROJECT_ROOT


def test_sources_prints_the_catalogue(capsys):
    assert main(["data", "sources"]) == 0
    out = capsys.readouterr().out
    assert "astana_districts_osm  (required)" in out and "osm_state_institutions  (optional)" in out
    assert "ODbL 1.0" in out and "CC BY 4.0" in out


def test_expected_failure_is_one_line_and_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["join", str(empty), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("qala: error: ") and "empty.csv" in err[0]
    assert not (tmp_path / "out").exists()


def test_console_script_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "geo.cli", "export", "no_such_layer", "--format", "csv"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "unknown layer 'no_such_layer'" in result.stderr
    assert "Traceback" not in result.stderr
