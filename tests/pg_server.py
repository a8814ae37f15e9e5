"""A throw-away PostgreSQL + PostGIS server for the export tests, run from Debian's own binaries.

The tests need a real server (the COPY, the typmods, the GiST index, the transaction on replace), and CI has
no service of its own: this starts one in a temp folder on 127.0.0.1 at a free port, with its unix socket in
the same folder, and removes all of it afterwards. initdb refuses to run as root, so under root the cluster
belongs to the ``postgres`` user and every server command runs through ``runuser``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

INSTALL_HINT = "fix: run `make postgis` (apt-get installs postgresql and postgresql-15-postgis-3)"
DATABASE = "qala"
USER = "qala"
PASSWORD = "qala-test-secret"
START_TIMEOUT_S = 60


class PgServerError(RuntimeError):
    """The test server could not be found, started or prepared; the message says why and how to fix it."""


def find_bin_dir(root: str = "/usr/lib/postgresql") -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has initdb, pg_ctl and a PostGIS extension."""
    candidates = sorted(
        (Path(p).parent for p in glob.glob(f"{root}/*/bin/initdb")),
        key=lambda d: _version_key(d.parent.name),
        reverse=True,
    )
    for bin_dir in candidates:
        version = bin_dir.parent.name
        has_postgis = glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if (bin_dir / "pg_ctl").is_file() and has_postgis:
            return bin_dir
    if candidates:
        raise PgServerError(f"PostgreSQL in {candidates[0]} has no PostGIS extension; {INSTALL_HINT}")
    raise PgServerError(f"no PostgreSQL server binaries (initdb, pg_ctl) under {root}/*/bin; {INSTALL_HINT}")


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """``with PgServer() as server: server.url`` — a running cluster with database ``qala`` and PostGIS."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        self.bin_dir = bin_dir
        self.folder: Path | None = None
        self.port = 0
        self._bin: Path | None = None
        self._as_user: list[str] = []

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def admin_url(self) -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/postgres"

    def __enter__(self) -> PgServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert self.folder is not None
        cmd = [*self._as_user, *args]
        try:
            done = subprocess.run(
                cmd, cwd=self.folder, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PgServerError(f"{Path(args[0]).name} could not run: {exc}") from exc
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise PgServerError(f"{Path(args[0]).name} failed ({done.returncode}): {' | '.join(detail)}")
        return done

    def start(self) -> None:
        bin_dir = self._bin = self.bin_dir or find_bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="qala-pg-"))
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the postgres user
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PgServerError(f"running as root and there is no postgres user; {INSTALL_HINT}") from exc
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            self._as_user = [runuser, "-u", "postgres", "--"]
        data = self.folder / "data"
        password_file = self.folder / "password"
        password_file.write_text(PASSWORD + "\n")
        if self._as_user:
            owner = pwd.getpwnam("postgres")
            os.chown(password_file, owner.pw_uid, owner.pw_gid)
        self._run(
            str(bin_dir / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={password_file}",
            "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale", "--no-sync",
        )
        password_file.unlink()
        self.port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=20"
        )
        try:
            self._run(
                str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "server.log"),
                "-o", options, "-w", "-t", str(START_TIMEOUT_S), "start",
            )
        except PgServerError as exc:
            raise PgServerError(f"{exc} | server log: {self._log_tail()}") from exc
        self._prepare()

    def _prepare(self) -> None:
        import psycopg  # the tests need it anyway; imported here so find_bin_dir works without it

        try:
            with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE}")
            with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                conn.execute("CREATE EXTENSION postgis")
        except psycopg.Error as exc:
            raise PgServerError(f"preparing the test database failed: {exc}; {INSTALL_HINT}") from exc

    def _log_tail(self) -> str:
        log = self.folder / "server.log" if self.folder else None
        if log is None or not log.is_file():
            return "(no log)"
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-5:])

    def stop(self) -> None:
        """Stop the server (fast shutdown; kill its postmaster if that fails) and remove the folder."""
        if self.folder is None:
            return
        data = self.folder / "data"
        if (data / "postmaster.pid").is_file() and self._bin is not None:  # a server of ours may be running
            try:
                self._run(str(self._bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop")
            except PgServerError:
                self._quit_postmaster(data)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    @staticmethod
    def _quit_postmaster(data: Path) -> None:
        """Immediate shutdown (SIGQUIT) of the postmaster whose pid this cluster's own pid file holds."""
        pid_file = data / "postmaster.pid"
        if pid_file.is_file():
            with contextlib.suppress(ProcessLookupError, ValueError, IndexError):
                os.kill(int(pid_file.read_text().splitlines()[0]), signal.SIGQUIT)
