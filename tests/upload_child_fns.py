"""Top-level tasks for tests/test_upload_child.py: a spawned child imports them by name."""

from __future__ import annotations

import logging
import os
import signal
import time
import warnings
from pathlib import Path


def ok(value: object) -> tuple[str, object]:
    return "ok", value


def sleep_forever(pid_file: str) -> tuple[str, object]:
    Path(pid_file).write_text(str(os.getpid()))
    while True:
        time.sleep(60)


def ignore_term_and_sleep(pid_file: str) -> tuple[str, object]:
    """A child that shrugs off SIGTERM: only SIGKILL ends it."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return sleep_forever(pid_file)


def kill_myself() -> tuple[str, object]:
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(10)
    return "ok", None


def exit_hard(code: int) -> tuple[str, object]:
    os._exit(code)


def raise_error() -> tuple[str, object]:
    raise RuntimeError("the task broke " + "x" * 10_000)


def not_a_pair() -> object:
    return {"rows": [1]}


def big_payload(megabytes: int) -> tuple[str, object]:
    return "ok", bytes(range(256)) * (megabytes * 4096)


def chatty(lines: int) -> tuple[str, object]:
    """Logs and warns ``lines`` times each, writes to fd 2 directly, then succeeds."""
    log = logging.getLogger("qala.test.child")
    for i in range(lines):
        log.warning("warning %d %s", i, "y" * 5_000)
        warnings.warn(f"warned {i}", UserWarning, stacklevel=1)
    os.write(2, b"raw stderr line\n" * lines)
    print("to stdout " * 2_000)
    return "ok", lines

