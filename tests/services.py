"""Real Redis and PostgreSQL servers for tests (Debian packages; `make services` installs them).

Nothing is mocked: each server is the real binary listening on 127.0.0.1 on a free port, with its data in a
temporary directory that is removed afterwards. PostgreSQL refuses to run as root, so when the tests run as
root (CI) every PostgreSQL binary runs as the ``postgres`` user (``runuser -u postgres --``) and the temporary
directory is handed to that user; as an ordinary user the binaries run as that user.

Session fixtures (registered in conftest.py):

* ``redis_url``    -> ``"redis://127.0.0.1:PORT/0"``
* ``postgres_url`` -> ``"postgresql+psycopg://postgres@127.0.0.1:PORT/assistant_test"`` (SQLAlchemy URL)

Tests that need to stop or restart a server (e.g. "Redis goes away mid-request") can use ``RedisServer`` /
``PostgresServer`` directly: ``with RedisServer() as r: ...; r.stop(); ...; r.start()``.

When a binary is missing the fixture skips with the reason and the install command -- unless the environment
variable ``CI`` is set, where a missing binary is a failure (CI installs them, so they must run there).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

__all__ = [
    "PostgresServer",
    "RedisServer",
    "ServiceUnavailable",
    "find_postgres_bin",
    "find_redis_server",
    "postgres_url",
    "redis_url",
]

PG_DATABASE = "assistant_test"
PG_USER = "postgres"
_START_TIMEOUT = 30.0


class ServiceUnavailable(RuntimeError):
    """A server binary is not installed (the message says how to install it)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_redis_server() -> str:
    """Path of ``redis-server``; raises ServiceUnavailable if it is not installed."""
    path = shutil.which("redis-server")
    if path is None and os.access("/usr/bin/redis-server", os.X_OK):  # /usr/bin not on PATH
        path = "/usr/bin/redis-server"
    if path is None:
        raise ServiceUnavailable("redis-server is not installed (`make services` or `apt-get install redis-server`)")
    return path


def find_postgres_bin() -> Path:
    """Directory with ``initdb``/``pg_ctl`` of the newest installed PostgreSQL; raises ServiceUnavailable if none."""
    candidates = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    candidates.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServiceUnavailable("PostgreSQL is not installed (run `make services` or `apt-get install postgresql`)")


# --------------------------------------------------------------------------------------------- Redis


class RedisServer:
    """A throw-away ``redis-server`` on 127.0.0.1 with no persistence, in its own temporary directory."""

    OPTIONS = ("--save", "", "--appendonly", "no", "--protected-mode", "yes")  # no persistence, local only

    def __init__(self) -> None:
        self.binary = find_redis_server()
        self.dir = Path(tempfile.mkdtemp(prefix="assistant-redis-"))
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = _START_TIMEOUT) -> RedisServer:
        """Start (or restart, on the same port) and wait until PING answers."""
        log = (self.dir / "redis.log").open("ab")
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", *self.OPTIONS, "--dir", str(self.dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.dir,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited ({self.proc.returncode}): {self.log_tail()}")
            if self._ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"redis-server did not answer PING within {timeout} s: {self.log_tail()}")

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (the port and directory stay reserved for ``start``)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def log_tail(self, n: int = 2000) -> str:
        try:
            return (self.dir / "redis.log").read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()


# ---------------------------------------------------------------------------------------- PostgreSQL


class PostgresServer:
    """A throw-away PostgreSQL cluster (initdb into a temp dir) on 127.0.0.1, trust auth, fsync off.

    Run as root, every PostgreSQL command runs as the ``postgres`` user and the temp dir is chowned to it.
    """

    def __init__(self, database: str = PG_DATABASE) -> None:
        self.bin = find_postgres_bin()
        self.database = database
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                pw = pwd.getpwnam(PG_USER)
            except KeyError as e:
                raise ServiceUnavailable(f"running as root but there is no {PG_USER!r} user to run PostgreSQL") from e
            if not shutil.which("runuser"):
                raise ServiceUnavailable("running as root but `runuser` (util-linux) is missing")
        self.root = Path(tempfile.mkdtemp(prefix="assistant-pg-"))  # 0700, under /tmp (reachable by postgres)
        if self.as_root:
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self.data = self.root / "data"
        self.sockets = self.root  # unix socket dir (-k); the tests connect over TCP anyway
        self.logfile = self.root / "postgres.log"
        self.port = _free_port()
        self._initialised = False
        self._running = False

    @property
    def url(self) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of the test database."""
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{self.database}"

    @property
    def dsn(self) -> str:
        """Plain libpq URL of the test database (for psycopg.connect)."""
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", PG_USER, "--", *cmd]
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        env.pop("PGDATA", None)
        proc = subprocess.run(cmd, cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
        return proc

    def start(self) -> PostgresServer:
        """initdb (first time), start the server, wait until it accepts connections, create the database."""
        if not self._initialised:
            flags = ("-U", PG_USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
            self._run("initdb", "-D", str(self.data), *flags)
        opts = (
            f"-p {self.port} -h 127.0.0.1 -k {self.sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        try:
            wait = ("-w", "-t", str(int(_START_TIMEOUT)))
            self._run("pg_ctl", "start", *wait, "-D", str(self.data), "-l", str(self.logfile), "-o", opts)
        except RuntimeError as e:
            raise RuntimeError(f"{e}\n{self.log_tail()}") from None
        self._running = True
        if not self._initialised:
            self._create_database()
            self._initialised = True
        return self

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(f"postgresql://{PG_USER}@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are disconnected); the data stays for ``start``."""
        if not self._running:
            return
        self._running = False
        try:
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))
        except (RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data))

    def log_tail(self, n: int = 2000) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()


# ------------------------------------------------------------------------------------------ fixtures


def _unavailable(err: ServiceUnavailable):
    if os.environ.get("CI"):
        pytest.fail(f"{err} -- CI must run the service tests", pytrace=False)
    pytest.skip(str(err))


@pytest.fixture(scope="session")
def redis_url():
    """URL of a real redis-server that lives for the whole test session (empty at start, no persistence)."""
    try:
        server = RedisServer()
    except ServiceUnavailable as e:
        _unavailable(e)
    with server:
        yield server.url


@pytest.fixture(scope="session")
def postgres_url():
    """SQLAlchemy URL of a database on a real PostgreSQL that lives for the whole test session."""
    try:
        server = PostgresServer()
    except ServiceUnavailable as e:
        _unavailable(e)
    with server:
        yield server.url
