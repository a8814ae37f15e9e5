"""The one console command ``qala`` (dashboard/cli.py): ``qala serve`` starts the dashboard as ``make run`` does,
``qala brief`` makes a brief, every other command is the library's (geo.cli); help names all three."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

import pytest

from dashboard import cli
from tests.browser.conftest import free_port, wait_http


def test_serve_is_gunicorn_with_the_projects_settings_and_the_options_given():
    command = cli.serve_command(["--workers", "1"])
    assert command[0].endswith("gunicorn") and command[1:3] == ["-c", str(cli.PROJECT_ROOT / "dashboard" /
                                                                          "gunicorn_conf.py")]
    assert command[3:6] == ["--preload", "--workers", "1"] and command[-1] == cli.APP


def test_brief_and_the_library_commands_are_handed_on(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr("dashboard.brief.document.main", lambda argv: seen.append(argv) or 0)
    assert cli.main(["brief", "city=Almaty", "-o", "a.pdf"]) == 0 and seen == [["city=Almaty", "-o", "a.pdf"]]
    assert cli.main(["data", "sources"]) == 0
    assert "geokz" in capsys.readouterr().out  # the library's catalogue
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    shown = capsys.readouterr().out
    assert "qala serve" in shown and "brief" in shown and "join" in shown


def test_qala_serve_answers_on_loopback_and_stops(tmp_path):
    port = free_port()
    env = {**os.environ, "QALA_TILES": "http://127.0.0.1:9/{z}/{x}/{y}.png"}
    server = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "serve", "--workers", "1", "--bind",
                               f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?city=Almaty&lang=kk", timeout=10) as reply:
            assert reply.status == 200 and b"Qala Atlas" in reply.read()
    finally:
        server.terminate()
        assert server.wait(timeout=30) == 0  # gunicorn itself got the signal (exec, no wrapper left behind)
