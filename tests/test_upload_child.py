"""Uploads that cannot wedge a worker: each task in its own child process, ended at its deadline and reaped; a
dead child fails one call only; a child's log is capped; each browser session keeps a bounded share of the
result store. Not browser tests: the children are real spawned processes, the store a temporary folder."""

from __future__ import annotations

import logging
import os
import time

import dash
import flask
import pytest
from dash import Input, Output, dcc, html

from dashboard.upload.child import CHILD_LOG_LINES, GRACE, run_in_child
from dashboard.upload.keep import SESSION_COOKIE, ResultStore, upload_owner
from tests import upload_child_fns as fns

A, B = "a" * 32, "0123456789abcdef" * 2


def gone(pid: int) -> bool:
    """The process no longer exists, not even as a zombie (it was reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def from_children(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "dashboard.upload.child"
            and r.getMessage().startswith("child ") and ": " in r.getMessage()]


# ------------------------------------------------------------------------------------------ the child process


@pytest.mark.parametrize("task", [fns.sleep_forever, fns.ignore_term_and_sleep])
def test_a_task_past_its_deadline_is_ended_reaped_and_the_next_call_runs_at_once(tmp_path, task):
    pid_file = tmp_path / "pid"
    start = time.monotonic()
    assert run_in_child(task, str(pid_file), timeout=3) == ("timeout", None)
    assert time.monotonic() - start < 3 + GRACE + 3
    assert gone(int(pid_file.read_text()))
    start = time.monotonic()
    assert run_in_child(fns.ok, [1, "two"], timeout=30) == ("ok", [1, "two"])
    assert time.monotonic() - start < 5  # a fresh interpreter, nothing to wait behind


def test_the_default_deadline_is_the_request_timeout_less_five_seconds(tmp_path, monkeypatch):
    monkeypatch.setenv("QALA_TIMEOUT", "6")  # -> 1 s
    start = time.monotonic()
    assert run_in_child(fns.sleep_forever, str(tmp_path / "pid")) == ("timeout", None)
    assert time.monotonic() - start < 1 + GRACE + 3


@pytest.mark.parametrize(("task", "args"), [(fns.kill_myself, ()), (fns.exit_hard, (3,)), (fns.exit_hard, (0,)),
                                            (fns.raise_error, ()), (fns.not_a_pair, ())])
def test_a_child_that_dies_or_raises_fails_that_call_only(task, args, caplog):
    caplog.set_level(logging.WARNING, logger="dashboard.upload.child")
    assert run_in_child(task, *args, timeout=30) == ("failed", None)
    assert run_in_child(fns.ok, 7, timeout=30) == ("ok", 7)
    assert all(len(m) < 2 * 2048 + 200 for m in from_children(caplog))  # the 10,000 x's of raise_error cut


def test_a_raising_child_logs_one_line_with_the_error(caplog):
    caplog.set_level(logging.WARNING, logger="dashboard.upload.child")
    assert run_in_child(fns.raise_error, timeout=30) == ("failed", None)
    lines = [m for m in from_children(caplog) if "raised" in m]
    assert len(lines) == 1 and "RuntimeError: the task broke" in lines[0] and "bytes cut)" in lines[0]


def test_an_unpicklable_task_fails_without_a_child():
    assert run_in_child(lambda: ("ok", 1), timeout=5) == ("failed", None)


def test_a_large_result_comes_back_intact():
    outcome, payload = run_in_child(fns.big_payload, 20, timeout=60)
    assert outcome == "ok" and payload == bytes(range(256)) * (20 * 4096) and len(payload) == 20 * 2**20


def test_a_chatty_child_reaches_the_log_capped(caplog):
    caplog.set_level(logging.WARNING, logger="dashboard.upload.child")
    start = time.monotonic()
    assert run_in_child(fns.chatty, 10_000, timeout=120) == ("ok", 10_000)
    lines = from_children(caplog)
    assert len(lines) <= CHILD_LOG_LINES + 1, len(lines)
    assert "more lines suppressed" in lines[-1] and int(lines[-1].split("… ")[1].split()[0]) >= 20_000
    assert all(len(line) < 2048 + 100 for line in lines)
    assert time.monotonic() - start < 60


# ------------------------------------------------------------------------------------------ per-session quota


def test_a_session_evicts_only_its_own_oldest_results(tmp_path):
    store = ResultStore(tmp_path / "r", ttl=600, keep=64, max_bytes=10**7, per_owner=8)
    theirs = [store.put({"owner": "B", "i": i}, owner=B) for i in range(3)]
    anonymous = store.put({"owner": None})
    mine = [store.put({"owner": "A", "i": i}, owner=A) for i in range(9)]
    assert store.get(mine[0]) is None and all(store.get(k)["i"] == i for i, k in enumerate(mine) if i)
    assert all(store.get(k) is not None for k in [*theirs, anonymous])
    names = [p.name for p in (tmp_path / "r").iterdir()]
    assert len([n for n in names if n.endswith(".owner")]) == 8 + 3
    assert not any(A in n or B in n for n in names)  # the session ids themselves never reach the folder


@pytest.mark.parametrize("forged", ["../" + "a" * 29, "A" * 32, "a" * 31, "a" * 33, "g" * 32, "*", "", 12, b"a" * 32])
def test_forged_owner_ids_are_refused(tmp_path, forged):
    store = ResultStore(tmp_path / "r", ttl=600, keep=64, max_bytes=10**7, per_owner=8)
    with pytest.raises(ValueError):
        store.put({"x": 1}, owner=forged)
    assert not (tmp_path / "r").exists() or list((tmp_path / "r").iterdir()) == []


def test_the_global_bound_still_holds_and_takes_the_owner_marks_along(tmp_path):
    store = ResultStore(tmp_path / "r", ttl=600, keep=5, max_bytes=10**7, per_owner=8)
    keys = [store.put({"i": i}, owner=A if i % 2 else B) for i in range(12)]
    kept = [k for k in keys if store.get(k) is not None]
    assert kept == keys[-5:]
    folder = tmp_path / "r"
    assert sorted(p.name.split(".")[0] for p in folder.glob("*.owner")) == sorted(kept)
    stale = folder / f"{'f' * 32}.{'e' * 32}.owner"  # a mark whose entry went (get removed it as expired)
    stale.touch()
    os.utime(stale, (time.time() - 120, time.time() - 120))
    store.prune()
    assert not stale.exists() and len(list(folder.glob("*.owner"))) == 5


# ------------------------------------------------------------------------------------------ the session cookie


def test_upload_owner_reads_a_valid_cookie_and_replaces_a_forged_one():
    app = flask.Flask(__name__)
    with app.test_request_context(headers={"Cookie": f"{SESSION_COOKIE}={B}"}):
        assert upload_owner() == B
    for forged in ("../../etc", "A" * 32, "a" * 64, ""):
        with app.test_request_context(headers={"Cookie": f"{SESSION_COOKIE}={forged}"}):
            owner = upload_owner()  # no Dash callback here: no cookie to set, and no error
            assert owner != forged and ResultStore.OWNER.fullmatch(owner)
    assert upload_owner() != upload_owner()  # outside any request


def test_upload_owner_sets_the_cookie_from_a_dash_callback():
    app = dash.Dash(__name__)
    app.layout = html.Div([dcc.Input(id="in"), html.Div(id="out")])

    @app.callback(Output("out", "children"), Input("in", "value"))
    def who(_value):
        return upload_owner()

    client = app.server.test_client()
    body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "in", "property": "value", "value": "x"}], "state": [], "changedPropIds": ["in.value"]}
    reply = client.post("/_dash-update-component", json=body)
    owner = reply.get_json()["response"]["out"]["children"]
    cookie = reply.headers["Set-Cookie"]
    assert ResultStore.OWNER.fullmatch(owner) and cookie.startswith(f"{SESSION_COOKIE}={owner};")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    again = client.post("/_dash-update-component", json=body)  # the test client sends the cookie back
    assert again.get_json()["response"]["out"]["children"] == owner and "Set-Cookie" not in again.headers
