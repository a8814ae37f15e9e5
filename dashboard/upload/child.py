"""One task, one fresh child process, always ended: how an upload's join runs beside a dashboard worker.

A process pool cannot cancel a running task, and a pool whose child was killed (out of memory) refuses every
later task for good. Here each call spawns its own child (a fresh interpreter, never a fork of the threaded
worker), niced so map requests keep the CPU, killed with its parent worker (Linux), and waited for at most
a deadline: past it the child is terminated, then killed, and always reaped before the call returns, so its
memory is back and no later call can wait behind it or inherit its failure.

The child's stdout and stderr (its log records one line each, its warnings through logging, and whatever C
code writes to fd 2) go through a pipe that this process reads: at most ``CHILD_LOG_LINES`` lines reach the
worker's log, each cut at the worker's own message cap (``QALA_LOG_LINE``), then one line saying how many
more were dropped. The parent counts, so a child cannot lift the cap, and the count is said even when the
child is killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import select
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from geo.settings import dashboard_timeout, log_line_limit

CHILD_LOG_LINES = 20  # lines of one child's output that reach the worker's log; the rest are counted
GRACE = 1.0  # seconds a child gets to end after SIGTERM (and after sending its result) before SIGKILL
_PR_SET_PDEATHSIG = 1
_log = logging.getLogger(__name__)


def default_timeout() -> float:
    """The request timeout less a margin to answer the page in (``QALA_TIMEOUT`` - 5 s, at least 1 s)."""
    return max(1, dashboard_timeout() - 5)


def run_in_child(fn: Callable[..., tuple[str, object]], *args: object,
                 timeout: float | None = None) -> tuple[str, object]:
    """``fn(*args)`` in a fresh spawned child (``fn`` top-level and picklable, like ``args``): its own
    ``(outcome, payload)``; ("failed", None) when the child raised, returned something else or died (any exit
    code or signal); ("timeout", None) past ``timeout`` seconds (default :func:`default_timeout`)."""
    timeout = default_timeout() if timeout is None else max(0.0, float(timeout))
    context = multiprocessing.get_context("spawn")
    result_r, result_w = context.Pipe(duplex=False)
    log_r, log_w = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(fn, args, result_w, log_w, os.getpid()), daemon=True,
                            name="qala-child")
    try:
        child.start()
    except Exception:  # noqa: BLE001 -- an unpicklable task or no process to spare: this call fails, not the worker
        _log.exception("could not start a child process for %s", getattr(fn, "__name__", fn))
        for conn in (result_r, log_r):
            conn.close()
        return "failed", None
    finally:
        result_w.close()  # the child holds its own copies: EOF here once it is gone
        log_w.close()
    forwarder = _LogForwarder(log_r, child.pid)
    forwarder.start()
    received: list[object] = []
    reader = threading.Thread(target=_receive, args=(result_r, received), daemon=True)
    reader.start()  # read while the child writes, so a large result cannot fill the pipe and stall both
    reader.join(timeout)
    timed_out = reader.is_alive()
    pid, code = child.pid, _reap(child, 0.0 if timed_out else GRACE)
    reader.join(GRACE)
    forwarder.finish()
    if not reader.is_alive():
        result_r.close()
    if timed_out:
        _log.warning("child %s (%s) stopped after the %.0f s deadline", pid, getattr(fn, "__name__", "?"), timeout)
        return "timeout", None
    out = received[0] if received else None
    if isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], str):
        return out
    _log.warning("child %s (%s) ended without a result (exit code %s)", pid, getattr(fn, "__name__", "?"), code)
    return "failed", None


def _receive(conn: Connection, into: list[object]) -> None:
    with contextlib.suppress(Exception):  # EOF (the child died) or an unreadable message: no result
        into.append(conn.recv())


def _reap(child: BaseProcess, wait: float) -> int | None:
    """Wait ``wait`` s for the child to end, then SIGTERM, then SIGKILL; reaped (no zombie). Its exit code."""
    child.join(wait)
    if child.exitcode is None:
        child.terminate()
        child.join(GRACE)
    if child.exitcode is None:
        child.kill()
        child.join(5.0)
    code = child.exitcode
    with contextlib.suppress(ValueError):  # still running (uninterruptible sleep): left to the OS
        child.close()
    return code


class _LogForwarder(threading.Thread):
    """Reads a child's output and logs at most ``lines`` lines of it, each cut at ``width`` characters, then
    how many more there were; never holds more than one cut line in memory."""

    def __init__(self, conn: Connection, pid: int | None, lines: int = CHILD_LOG_LINES,
                 width: int | None = None) -> None:
        super().__init__(daemon=True, name=f"qala-child-log-{pid}")
        self.conn, self.pid, self.lines = conn, pid, lines
        self.width = log_line_limit() if width is None else width
        self.shown = self.suppressed = self.dropped = 0
        self.buffer = bytearray()
        self.stop = threading.Event()

    def run(self) -> None:
        fd = self.conn.fileno()
        poller = select.poll()  # not select(): a busy worker's descriptors may pass 1024
        poller.register(fd, select.POLLIN)
        try:
            while True:
                if not poller.poll(200):
                    if self.stop.is_set():  # the child is reaped; only a descendant could still write
                        break
                    continue
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                *ends, rest = chunk.split(b"\n")
                for piece in ends:
                    self._add(piece)
                    self._line()
                self._add(rest)
        except OSError:
            pass
        if self.buffer:
            self._line()
        if self.suppressed:
            _log.warning("child %s: … %d more lines suppressed", self.pid, self.suppressed)

    def _add(self, piece: bytes) -> None:
        room = max(0, self.width * 4 - len(self.buffer))  # a character is at most 4 bytes of UTF-8
        self.buffer += piece[:room]
        self.dropped += max(0, len(piece) - room)

    def _line(self) -> None:
        text = self.buffer.decode("utf-8", "replace").rstrip()
        dropped, self.buffer, self.dropped = self.dropped, bytearray(), 0
        if not text:
            return
        if self.shown >= self.lines:
            self.suppressed += 1
            return
        self.shown += 1
        if len(text) > self.width or dropped:
            dropped += len(text[self.width:].encode("utf-8", "replace"))
            text = f"{text[:self.width]}… ({dropped} bytes cut)"
        _log.warning("child %s: %s", self.pid, text)

    def finish(self) -> None:
        self.stop.set()
        self.join(2.0)
        if not self.is_alive():
            self.conn.close()


# ------------------------------------------------------------------------------------------- in the child


class _OneLine(logging.Formatter):
    """A record as one line (an exception as its type, message and where it was raised), so the parent's line
    cap counts records, not traceback lines."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error, frames = record.exc_info[1], traceback.extract_tb(record.exc_info[2])
            where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
            text += f" | {type(error).__name__}: {error}{where}"
        return " | ".join(line.strip() for line in text.splitlines() if line.strip())


def _output_to(conn: Connection) -> None:
    """fd 1 and 2 into the parent's pipe; log records (WARNING and up) and warnings as one line each."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os.dup2(conn.fileno(), 1)
    os.dup2(conn.fileno(), 2)
    conn.close()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.captureWarnings(True)


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this child when the thread that started it ends (a worker killed mid-join
    leaves no orphan behind; that thread waits for the child, so it never ends first)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent is already gone
        os._exit(1)


def _child_main(fn: Callable[..., object], args: tuple[object, ...], result_w: Connection, log_w: Connection,
                parent: int) -> None:
    _die_with_parent(parent)
    with contextlib.suppress(OSError):
        os.nice(10)  # yield the CPU to the workers that answer map requests
    _output_to(log_w)
    try:
        out = fn(*args)
    except BaseException:  # noqa: BLE001 -- whatever the task raised, the parent gets one clear outcome
        logging.getLogger(__name__).exception("the child's task raised")
        out = ("failed", None)
    if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], str)):
        out = ("failed", None)
    try:
        result_w.send(out)
    except Exception:  # noqa: BLE001 -- a result that cannot be pickled
        logging.getLogger(__name__).exception("the child's result could not be sent")
        with contextlib.suppress(Exception):
            result_w.send(("failed", None))
    finally:
        result_w.close()
