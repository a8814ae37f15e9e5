"""Every test runs under pytest-timeout (pyproject.toml): a hung test fails alone, after the limit, and the run
goes on; a test waiting on a child process is ended too, and its child with it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

HANGING = '''
import subprocess
import sys


def test_loops_forever():
    while True:
        pass


def test_waits_on_a_child_forever():
    child = "import os, pathlib, time; pathlib.Path('child.pid').write_text(str(os.getpid())); time.sleep(600)"
    subprocess.run([sys.executable, "-c", child], check=False)


def test_after_them_still_runs():
    assert True
'''


def test_the_limit_is_on_for_every_test(request):
    assert request.config.pluginmanager.hasplugin("timeout")
    assert float(request.config.getini("timeout")) >= 60
    assert request.config.getini("timeout_method") == "signal"


def test_a_hanging_test_fails_with_timeout_and_the_run_goes_on(tmp_path):
    (tmp_path / "test_hangs.py").write_text(HANGING)
    started = time.monotonic()
    # the project's own configuration, with its limit lowered to 2 s
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
                           str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), "-o", "timeout=2",
                           str(tmp_path / "test_hangs.py")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.count("Timeout") >= 2, done.stdout[-3000:]
    assert "2 failed, 1 passed" in done.stdout, done.stdout[-3000:]
    assert time.monotonic() - started < 60  # not the child's 600 s
    with pytest.raises(ProcessLookupError):  # the child was ended with its test
        os.kill(int((tmp_path / "child.pid").read_text()), 0)
