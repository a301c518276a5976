"""The real Redis and PostgreSQL test servers (tests/services.py) work, restart and clean up after themselves."""

from __future__ import annotations

import os

import pytest
import redis
import sqlalchemy as sa

try:
    from services import PostgresServer, RedisServer, ServiceUnavailable
except ImportError:  # pragma: no cover - if tests/ becomes a package
    from tests.services import PostgresServer, RedisServer, ServiceUnavailable

pytestmark = pytest.mark.timeout(120)


def test_redis_set_get(redis_url):
    assert redis_url.startswith("redis://127.0.0.1:") and redis_url.endswith("/0")
    r = redis.Redis.from_url(redis_url, socket_timeout=2)
    assert r.ping() is True
    r.set("test_services:key", "waarde é")
    assert r.get("test_services:key").decode() == "waarde é"
    assert r.incr("test_services:counter") == 1
    assert r.config_get("save") == {"save": ""}  # nothing written to disk
    assert r.config_get("appendonly") == {"appendonly": "no"}
    r.delete("test_services:key", "test_services:counter")


def test_postgres_table_roundtrip(postgres_url):
    assert postgres_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert postgres_url.endswith("/assistant_test")
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE test_services_t (id serial PRIMARY KEY, body text NOT NULL)"))
            conn.execute(sa.text("INSERT INTO test_services_t (body) VALUES (:b)"), [{"b": "één"}, {"b": "two"}])
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, body FROM test_services_t ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [(1, "één"), (2, "two")]
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == "assistant_test"
            assert conn.execute(sa.text("SHOW server_encoding")).scalar() == "UTF8"
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE test_services_t"))
    finally:
        engine.dispose()


def _standalone(cls):
    try:
        return cls()
    except ServiceUnavailable as e:
        if os.environ.get("CI"):
            pytest.fail(str(e), pytrace=False)
        pytest.skip(str(e))


def test_redis_stop_start_same_port_and_cleanup():
    server = _standalone(RedisServer)
    with server:
        r = redis.Redis.from_url(server.url, socket_timeout=2, socket_connect_timeout=2)
        r.set("k", "v")
        server.stop()
        with pytest.raises(redis.ConnectionError):  # a real outage, as the app will see it
            r.ping()
        server.start()
        assert r.ping() is True
        assert r.get("k") is None  # no persistence: a restart is an empty Redis
        proc = server.proc
    assert proc.poll() is not None
    assert not server.dir.exists()


def test_postgres_stop_start_keeps_data_and_cleanup():
    server = _standalone(PostgresServer)
    with server:
        engine = sa.create_engine(server.url, pool_pre_ping=True)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (x int)"))
            conn.execute(sa.text("INSERT INTO t VALUES (7)"))
        server.stop()
        with pytest.raises(sa.exc.OperationalError):
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        server.start()
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT x FROM t")).scalar() == 7
        engine.dispose()
        root = server.root
    assert not root.exists()
