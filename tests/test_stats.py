"""Live counts and today's response times (core/stats.py, GET /api/stats/today)."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from dispatch.core import stats
from dispatch.models import Incident


def test_percentile_interpolates_between_ranks():
    assert stats.percentile([], 50) is None
    assert stats.percentile([10], 90) == 10
    assert stats.percentile([10, 20, 30, 40], 50) == 25
    assert stats.percentile(list(range(1, 11)), 90) == 9.1


def set_times(session, incident_id, created, dispatched=None, on_scene=None):
    session.execute(update(Incident).where(Incident.id == incident_id).values(
        created_at=created, dispatched_at=dispatched, on_scene_at=on_scene))
    session.commit()


def test_todays_response_times_and_live_counts(world, session):
    now = datetime(2026, 11, 28, 5, 0, tzinfo=timezone.utc)            # 12:00 WIB
    first, second, third = (world.new_incident(priority=p)["id"] for p in ("P1", "P1", "P3"))
    set_times(session, first, now - timedelta(minutes=30), now - timedelta(minutes=29), now - timedelta(minutes=20))
    set_times(session, second, now - timedelta(minutes=10), now - timedelta(minutes=7))
    set_times(session, third, now - timedelta(hours=6))                 # 06:00 WIB: today, not sent yet
    yesterday = world.new_incident()["id"]
    set_times(session, yesterday, now - timedelta(hours=13), now - timedelta(hours=12))   # 23:00 WIB the day before
    today = stats.today(session, now=now)
    assert today["day"] == "2026-11-28" and today["since"] == datetime(2026, 11, 27, 17, 0, tzinfo=timezone.utc)
    assert today["incidents_today"] == 3
    assert today["call_to_dispatch_s"] == {"n": 2, "median": 120.0, "p90": 168.0}     # 60 s and 180 s
    assert today["call_to_arrival_s"] == {"n": 1, "median": 600.0, "p90": 600.0}
    assert today["open_incidents"] == {"P1": 3, "P2": 0, "P3": 1}   # the one of yesterday is still open
    assert sum(today["units"].values()) == 3 and today["units"]["available"] == 3


def test_the_api_gives_it_to_operators_and_supervisors(world):
    world.new_incident()
    r = world.get("sup", "/api/stats/today")
    assert r.status_code == 200
    body = r.get_json()
    assert body["incidents_today"] == 1 and body["open_incidents"]["P1"] == 1
    assert body["call_to_dispatch_s"] == {"n": 0, "median": None, "p90": None}
