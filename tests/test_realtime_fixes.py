"""Group commit of position fixes (realtime/fixes.py, core units.record_locations): many phones'
fixes stored together, each phone answered with its own result only after the commit."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import fresh
from dispatch.core import units
from dispatch.core.clock import utcnow
from dispatch.extensions import db
from dispatch.models import Unit
from dispatch.realtime.fixes import FixWriter, Unavailable


def a_fix(world, who, unit, seconds_ago, lat):
    return units.Fix(world.users[who], unit.id, lat, 109.33, utcnow() - timedelta(seconds=seconds_ago))


def test_a_batch_stores_the_newest_fix_of_each_unit_and_answers_each_as_if_one_by_one(world, session):
    fixes = [a_fix(world, "crew_a", world.unit_a, 30, -0.031), a_fix(world, "crew_b", world.unit_b, 30, -0.041),
             a_fix(world, "crew_a", world.unit_a, 20, -0.032),      # newer: moves A again
             a_fix(world, "crew_a", world.unit_a, 25, -0.039)]      # older than the one before: not applied
    results = units.record_locations(session, fixes=fixes)
    assert [applied for applied, _ in results] == [True, True, True, False]
    assert all(position["lat"] == -0.032 for _, position in (results[0], results[2], results[3]))
    stored = {u.id: u.lat for u in fresh(session).scalars(select(Unit))}
    assert (stored[world.unit_a.id], stored[world.unit_b.id]) == (-0.032, -0.041)


def test_a_fix_for_an_unknown_unit_gets_no_position_and_spoils_nothing(world, session):
    ghost = units.Fix(world.users["crew_a"], 99_999, -0.03, 109.33, utcnow())
    results = units.record_locations(session, fixes=[ghost, a_fix(world, "crew_a", world.unit_a, 1, -0.035)])
    assert results[0] == (False, None) and results[1][0] is True


@pytest.fixture
def writer(app):
    with app.app_context():
        fixes = FixWriter(db.new_session)
        yield fixes
        fixes.stop()


def test_phones_sending_at_once_are_answered_each_after_one_shared_commit(world, writer, session):
    crews = {"crew_a": world.unit_a, "crew_b": world.unit_b}
    answers, start = {}, threading.Barrier(len(crews) * 10)

    def phone(who, i):
        start.wait()
        answers[(who, i)] = writer.submit(a_fix(world, who, crews[who], 60 - i, -0.03 - i / 10_000))

    threads = [threading.Thread(target=phone, args=(who, i)) for who in crews for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(answers) == 20 and all(position is not None for _, position in answers.values())
    # Whatever the batching, each unit ends on its newest fix (i = 9), and that fix was applied.
    stored = {u.id: u.lat for u in fresh(session).scalars(select(Unit))}
    assert stored[world.unit_a.id] == stored[world.unit_b.id] == pytest.approx(-0.0309)
    assert answers[("crew_a", 9)][0] is True and answers[("crew_b", 9)][0] is True


def test_when_the_database_fails_every_waiting_phone_is_told(world, app):
    def broken_session():
        raise ConnectionError("database unreachable")

    with app.app_context():
        writer = FixWriter(broken_session)
        try:
            with pytest.raises(Unavailable):
                writer.submit(a_fix(world, "crew_a", world.unit_a, 1, -0.03), timeout_s=10)
        finally:
            writer.stop()
