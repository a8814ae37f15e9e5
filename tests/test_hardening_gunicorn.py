"""gunicorn under dashboard/gunicorn_conf.py: no server banner, and one control socket per instance (gunicorn
27 has --control-socket; by default every instance of a user shares one path, and stopping one removes it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from geo.settings import PROJECT_ROOT

PROBE = "def app(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n" \
        "    return [b'ok']\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(tmp_path: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "-c", "dashboard/gunicorn_conf.py", "--workers", "1", "--bind",
                             f"127.0.0.1:{port}", "--pythonpath", str(tmp_path), "probe:app"],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("gunicorn did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_each_instance_has_its_own_control_socket_and_no_banner(tmp_path):
    (tmp_path / "probe.py").write_text(PROBE)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env["HOME"] = str(home)
    first, url = _start(tmp_path, env)
    second = None
    try:
        second, _ = _start(tmp_path, env)
        with urllib.request.urlopen(url, timeout=5) as reply:
            assert reply.headers["Server"] == "qala"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(list((home / ".gunicorn").glob("*.ctl"))) < 2:
            time.sleep(0.2)
        sockets = sorted(p.name for p in (home / ".gunicorn").glob("*.ctl"))
        assert sockets == sorted([f"qala-{first.pid}.ctl", f"qala-{second.pid}.ctl"])
        _stop(first)
        assert (home / ".gunicorn" / f"qala-{second.pid}.ctl").exists()  # the other instance keeps its socket
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
