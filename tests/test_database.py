"""dispatch/database.py: UTC timestamps, the per-day counter, and write transactions
that always let go of their locks."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from conftest import ON_POSTGRES
from dispatch.core import units
from dispatch.database import _sqlite_write_locks, begin_write, upsert_increment, writes
from dispatch.extensions import db
from dispatch.models import IncidentCounter, Unit


def test_timestamps_come_back_as_aware_utc(session):
    wib = timezone(timedelta(hours=7))
    unit = units.create_unit(session, actor=None, call_sign="T-1", capability="BLS", station_name="x",
                             lat=0, lon=109)
    unit.position_at = datetime(2026, 3, 2, 0, 30, tzinfo=wib)
    session.commit()
    session.expire_all()
    stored = session.scalar(select(Unit).where(Unit.call_sign == "T-1")).position_at
    assert stored == datetime(2026, 3, 1, 17, 30, tzinfo=timezone.utc)
    assert stored.utcoffset() == timedelta(0)


def test_naive_timestamp_is_refused(session):
    unit = units.create_unit(session, actor=None, call_sign="T-2", capability="BLS", station_name="x",
                             lat=0, lon=109)
    unit.position_at = datetime(2026, 3, 1, 12, 0)
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()
    session.rollback()


def test_counter_upsert_counts_per_key(session):
    table = IncidentCounter.__table__
    assert [upsert_increment(session, table, "day", "20260301", "last") for _ in range(3)] == [1, 2, 3]
    assert upsert_increment(session, table, "day", "20260302", "last") == 1
    session.commit()
    assert session.get(IncidentCounter, "20260301").last == 3


@pytest.mark.skipif(ON_POSTGRES, reason="the writer queue exists on SQLite only")
def test_sqlite_writer_queue_is_released_however_the_transaction_ends(app, session):
    begin_write(session)
    lock = _sqlite_write_locks[db.engine]
    assert lock.locked()
    session.commit()
    assert not lock.locked()
    begin_write(session)
    session.rollback()
    assert not lock.locked()

    @writes
    def failing(s):
        s.add(Unit(call_sign="X"))  # incomplete row: fails at flush
        s.flush()

    with pytest.raises(Exception):
        failing(session)
    assert not lock.locked()
    # and a closed session lets go too
    begin_write(session)
    session.close()
    assert not lock.locked()


def test_begin_write_ends_a_read_snapshot_first(app, session, world):
    """A unit of work reads the state as of its start, not an older snapshot."""
    session.scalar(select(Unit).limit(1))  # opens a read transaction
    other = db.new_session()
    units.create_unit(other, actor=None, call_sign="T-3", capability="ALS", station_name="y", lat=0, lon=109)
    other.close()
    begin_write(session)
    assert session.scalar(select(Unit.id).where(Unit.call_sign == "T-3")) is not None
    session.rollback()


# --- a database that cannot write (issue 11, item 18) -------------------------------------------

def test_a_full_disk_answers_503_database_unavailable_and_health_says_so(app, world, client):
    """SQLite's real "database or disk is full" (PRAGMA max_page_count on every connection):
    writes answer 503 database_unavailable with Retry-After, never 500 or an HTML page; health
    is 503 saying it cannot write; once there is room again, both recover."""
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the full disk is made with SQLite's max_page_count")
    from sqlalchemy import event

    from dispatch.extensions import db

    def cap(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA page_count")
        cur.execute(f"PRAGMA max_page_count = {cur.fetchone()[0]}")
        cur.close()

    event.listen(db.engine, "connect", cap)
    db.engine.dispose()
    answers = []
    try:
        body = {"caller_phone": "0811573119", "location_text": "Jl. Gajah Mada", "notes": "n" * 900, "lat": -0.035,
                "lon": 109.335, "category": "cardiac", "priority": "P1"}
        for _ in range(200):
            r = world.post("op", "/api/calls", body)
            answers.append(r.status_code)
            if r.status_code == 503:
                break
        assert answers[-1] == 503, answers
        assert set(answers) <= {201, 503}, answers
        assert r.is_json and r.get_json()["error"]["code"] == "database_unavailable"
        assert int(r.headers["Retry-After"]) > 0
        health = client.get("/api/health")
        assert health.status_code == 503 and "cannot write" in health.get_json()["database"], health.get_json()
        assert "Retry-After" in health.headers
        assert world.get("op", "/api/incidents").status_code == 200       # reads still work
    finally:
        event.remove(db.engine, "connect", cap)
        db.engine.dispose()
    assert world.post("op", "/api/calls", body).status_code == 201          # room again
    health = client.get("/api/health").get_json()
    assert health.pop("now") and health == {"status": "ok", "database": "ok", "travel": "graph", "clock_speed": 1.0}


def test_unknown_api_paths_and_methods_answer_json(client):
    for method, url, status in (("GET", "/api/nowhere", 404), ("DELETE", "/api/health", 405),
                                ("POST", "/api/nowhere/deeper", 404)):
        r = client.open(url, method=method)
        assert r.status_code == status and r.is_json, r.get_data(as_text=True)[:200]
        assert r.get_json()["error"]["code"] in ("not_found", "method_not_allowed")
