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
