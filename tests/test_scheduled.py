"""The system's periodic jobs (core/scheduled.py), run by the app's scheduler."""
from datetime import timedelta

from dispatch.core import clock, presence, scheduled
from dispatch.core.clock import shifted

NEAR_A = {"lat": -0.0210, "lon": 109.3400}


def test_the_app_runs_every_job_of_the_system(app):
    names = set(app.extensions["psc_scheduler"]._jobs)
    assert {"offers", "alerts", "acknowledgements", "stale_positions", "devices"} <= names


def test_a_freed_units_offer_reaches_a_live_console_at_once(consoles, world):
    """The scheduler is woken by the unit's event: the offer comes right after the status change,
    not at a sweep (the console's wait would fail on a job that ran only every hour)."""
    from dispatch.scheduler import Job

    for unit_id in (world.unit_b.id, world.unit_c.id):
        job = world.new_incident(priority="P2", lat=-0.05, lon=109.36)
        world.assign(job["id"], unit_id)
    waiting = world.new_incident(priority="P1", **NEAR_A)
    console = consoles("op")
    console.next("snapshot")
    scheduler = world.app.extensions["psc_scheduler"]
    scheduler.add(Job("offers", 3600.0, scheduler._jobs["offers"].run, due=float("inf")))   # no sweep in time
    world.status(world.unit_a.id, "out_of_service")
    world.status(world.unit_a.id, "available")
    while True:
        _, event = console.next("event")
        if event["type"] == "incident.unit_offered":
            break
    assert event["incident_id"] == waiting["id"] and event["data"]["unit"]["call_sign"] == "PSC-01"


def test_the_acceptance_timer_a_supervisor_set_is_the_one_that_flags(world, session):
    world.call("sup", "PUT", "/api/settings/timers", json={"acceptance_s": 120})
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_a.id)
    defaults = world.app.config["TIMER_DEFAULTS"]
    with shifted(timedelta(seconds=90)):
        assert scheduled.flag_unacknowledged(session, clock.utcnow(), timer_defaults=defaults) == []
    with shifted(timedelta(seconds=121)):
        [flagged] = scheduled.flag_unacknowledged(session, clock.utcnow(), timer_defaults=defaults)
    [event] = [e for e in world.events() if e["type"] == "assignment.unacknowledged"]
    assert event["data"]["timeout_s"] == 120 and event["data"]["assignment"]["id"] == flagged


def test_a_servers_liveness_is_counted_in_real_seconds_whatever_the_clock_speed(world, session):
    presence.device_connected(session, actor=world.users["crew_a"], sid="phone-a", server="gone")
    try:
        clock.run_at(60)          # 35 real seconds are 35 minutes of this clock
        with shifted(timedelta(seconds=120)):
            assert scheduled.expire_devices(session, clock.utcnow(), timeout_s=35) == []
        with shifted(timedelta(minutes=36)):
            assert scheduled.expire_devices(session, clock.utcnow(), timeout_s=35) == [world.unit_a.id]
    finally:
        clock.run_at(1)
