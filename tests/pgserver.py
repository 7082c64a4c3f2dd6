"""A throwaway PostgreSQL server for the test suite.

The server lives in a temporary directory (data directory, unix socket and
log), listens on 127.0.0.1 on a free port, trusts every local connection and
trades durability for speed. It is meant to last one pytest session.

PostgreSQL refuses to run as root, so when the suite runs as root the server
is run as the ``postgres`` system user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
SERVER_USER = "postgres"
START_TIMEOUT_S = 30.0
PORT_ATTEMPTS = 3
LOG_TAIL_LINES = 40

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Settings appended to postgresql.conf; {port} and {socket_dir} are filled in.
_CONFIG = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
fsync = off
synchronous_commit = off
full_page_writes = off
"""


class PostgresUnavailable(RuntimeError):
    """No way to run a PostgreSQL server here that does not involve changing the machine."""


def _has_binaries(bindir: Path) -> bool:
    return all((bindir / name).is_file() for name in REQUIRED_BINARIES)


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        out = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out else None


def _version_key(bindir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); non-numeric versions sort first.
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def find_bindir() -> Path:
    """Return the directory holding the PostgreSQL server binaries (initdb, pg_ctl, postgres)."""
    searched: list[str] = []

    bindir = _pg_config_bindir()
    if bindir is None:
        searched.append("`pg_config --bindir` (pg_config not found or failed)")
    else:
        searched.append(f"`pg_config --bindir` ({bindir})")
        if _has_binaries(bindir):
            return bindir

    pattern = "/usr/lib/postgresql/*/bin"
    versioned = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    searched.append(f"{pattern} ({', '.join(map(str, versioned)) or 'none exist'})")
    for bindir in versioned:
        if _has_binaries(bindir):
            return bindir

    searched.append(f"PATH ({os.environ.get('PATH', '')})")
    found = {name: shutil.which(name) for name in REQUIRED_BINARIES}
    paths = list(found.values())
    if all(paths):
        dirs = {Path(p).parent for p in paths if p}
        if len(dirs) == 1:
            return dirs.pop()
        # Symlinks scattered over several directories: use the real location.
        real = {Path(p).resolve().parent for p in paths if p}
        if len(real) == 1:
            return real.pop()

    raise RuntimeError(
        f"PostgreSQL server binaries not found: looked for {', '.join(REQUIRED_BINARIES)} in "
        + "; then in ".join(searched)
        + ". Install the server (e.g. `apt-get install postgresql-15`)."
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_account() -> pwd.struct_passwd | None:
    """Return the account to run the server as, or None to run it as the current user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, and PostgreSQL refuses to run as root, but there is no "
            f"{SERVER_USER!r} user to run it as (create one with "
            f"`useradd --system {SERVER_USER}`, or run the tests as a non-root user)"
        ) from None


class PostgresServer:
    """A private PostgreSQL server in a temporary directory, for tests."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir if bindir is not None else find_bindir()
        self.port = 0
        self.startup_s = 0.0
        self._account = _server_account()
        self._tmp: Path | None = None

    @property
    def running(self) -> bool:
        """Whether start() has succeeded and stop() has not been called since."""
        return self._tmp is not None

    def _command(self, *args: str) -> list[str]:
        if self._account is None:
            return list(args)
        if shutil.which("runuser"):
            return ["runuser", "-u", self._account.pw_name, "--", *args]
        return ["su", "-s", "/bin/sh", self._account.pw_name, "-c", shlex.join(args)]

    def _run(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        assert self._tmp is not None
        return subprocess.run(
            self._command(*args),
            cwd=self._tmp,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _log_tail(self) -> str:
        assert self._tmp is not None
        try:
            lines = (self._tmp / "server.log").read_text(errors="replace").splitlines()
        except OSError as exc:
            return f"(no server log: {exc})"
        return "\n".join(lines[-LOG_TAIL_LINES:]) or "(server log is empty)"

    def _fail(self, what: str, proc: subprocess.CompletedProcess[str] | None) -> RuntimeError:
        detail = ""
        if proc is not None:
            detail = (
                f"\ncommand: {shlex.join(proc.args)}\nexit status: {proc.returncode}"
                f"\nstdout:\n{proc.stdout.strip()}\nstderr:\n{proc.stderr.strip()}"
            )
        return RuntimeError(f"{what}{detail}\nserver log tail:\n{self._log_tail()}")

    def start(self) -> None:
        """Initialise a new cluster and start the server; return once it accepts connections."""
        if self.running:
            raise RuntimeError("PostgreSQL test server is already running")
        began = time.monotonic()
        self._tmp = Path(tempfile.mkdtemp(prefix="goodstanding-pg-"))
        try:
            self._start(began)
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.monotonic() - began

    def _start(self, began: float) -> None:
        assert self._tmp is not None
        data, sockets = self._tmp / "data", self._tmp / "sockets"
        sockets.mkdir()
        if self._account is not None:
            for path in (self._tmp, sockets):
                os.chown(path, self._account.pw_uid, self._account.pw_gid)

        proc = self._run(
            str(self.bindir / "initdb"),
            "--pgdata", str(data),
            "--username", SERVER_USER,
            "--auth", "trust",
            "--encoding", "UTF8",
            "--locale", "C",
            "--no-sync",
        )  # fmt: skip
        if proc.returncode != 0:
            raise self._fail("initdb failed", proc)

        for attempt in range(1, PORT_ATTEMPTS + 1):
            # Another process may take the free port before the server binds it: retry.
            self.port = _free_port()
            with (data / "postgresql.conf").open("a") as conf:  # later settings win
                conf.write(_CONFIG.format(port=self.port, socket_dir=sockets))
            proc = self._run(
                str(self.bindir / "pg_ctl"),
                "--pgdata", str(data),
                "--log", str(self._tmp / "server.log"),
                "--wait",
                "--timeout", str(int(START_TIMEOUT_S)),
                "start",
                timeout=START_TIMEOUT_S + 10,
            )  # fmt: skip
            if proc.returncode == 0:
                break
            if attempt == PORT_ATTEMPTS or "could not bind" not in self._log_tail():
                raise self._fail(f"PostgreSQL did not start on 127.0.0.1:{self.port}", proc)

        deadline = began + START_TIMEOUT_S
        while True:
            try:
                with self.connect():
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() >= deadline:
                    raise self._fail(
                        f"PostgreSQL on 127.0.0.1:{self.port} did not accept connections "
                        f"within {START_TIMEOUT_S:.0f}s: {exc}",
                        None,
                    ) from exc
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server, if it runs, and delete its temporary directory."""
        if self._tmp is None:
            return
        try:
            if (self._tmp / "data" / "postmaster.pid").exists():
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "--pgdata", str(self._tmp / "data"),
                    "--mode", "immediate",
                    "--wait",
                    "stop",
                )  # fmt: skip
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """Return a new autocommit psycopg connection to database `dbname`."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SERVER_USER,
            dbname=dbname,
            connect_timeout=2,
            autocommit=True,
        )

    def url(self, dbname: str) -> str:
        """Return the SQLAlchemy URL of database `dbname` on this server."""
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create a new, empty database called `name` and return its SQLAlchemy URL."""
        if not _DB_NAME.match(name):
            raise ValueError(f"invalid test database name {name!r} (want {_DB_NAME.pattern})")
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database `name` if it exists, disconnecting anyone still connected to it."""
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextlib.contextmanager
def running_postgres(bindir: Path | None = None) -> Iterator[PostgresServer]:
    """Yield a started PostgresServer; stop it and delete its files afterwards."""
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
