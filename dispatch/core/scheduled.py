"""The periodic jobs: each finds what is overdue from stored timestamps and flags it with a
compare-and-set, so it fires once whichever server process runs it, and after a restart.

:func:`jobs` lists them, with their cadence in seconds of the system's clock; the scheduler
(dispatch/scheduler.py) runs them. Each takes the session and the time; the settings they need
(the timers, auto-dispatch) are read from the database on every pass, so a supervisor's change
applies on the next one, in every process.
"""
from dataclasses import dataclass
from typing import Callable

from . import alerts, assignment, clock, offers, presence, settings
from .errors import Conflict


@dataclass(frozen=True)
class Spec:
    name: str
    every_s: float
    run: Callable                # run(session, now)
    real_time: bool = False      # the cadence is the machine's, whatever the clock's speed


def expire_devices(session, now, *, timeout_s):
    """Phones whose server stopped refreshing them (it died) are gone: a server's liveness is real
    time, so the timeout is real seconds whatever the clock's speed."""
    timeout = timeout_s * clock.speed()
    expired = presence.expired_units(session, timeout_s=timeout)
    return presence.expire_devices(session, unit_ids=expired, timeout_s=timeout) if expired else []


def flag_stale_positions(session, now, *, stale_after_s):
    stale = presence.stale_units(session, stale_after_s=stale_after_s)
    return presence.flag_stale_positions(session, unit_ids=stale, stale_after_s=stale_after_s) if stale else []


def flag_unacknowledged(session, now, *, timer_defaults):
    """Assignments the crew has not accepted within the acceptance timer (``assignment.unacknowledged``)."""
    timeout = settings.value(session, "timers", defaults=timer_defaults)["acceptance_s"]
    overdue = assignment.overdue_acknowledgements(session, timeout_s=timeout, now=now)
    return assignment.flag_unacknowledged(session, assignment_ids=overdue, timeout_s=timeout) if overdue else []


def sweep_alerts(session, now, *, timer_defaults):
    return alerts.sweep(session, timers=settings.value(session, "timers", defaults=timer_defaults), now=now)


def offer_freed_units(session, now, *, geo):
    """Each unit that came free while incidents wait: offered, or sent by auto-dispatch."""
    freed = offers.freed_units(session)
    session.rollback()
    done = []
    for unit_id, version in freed:
        auto = settings.value(session, "dispatch")["auto_dispatch"]
        session.rollback()
        outcome = offers.look_at(session, unit_id=unit_id, version=version, geo=geo, auto_dispatch=auto)
        if outcome is not None and outcome["outcome"] == "auto":
            try:
                assignment.assign(session, actor=None, incident_id=outcome["incident_id"], unit_id=unit_id, geo=geo,
                                  rule=f"auto_dispatch:{outcome['priority']}")
            except Conflict:
                outcome = None   # a dispatcher sent it (or closed the incident) meanwhile
        if outcome is not None:
            done.append(outcome)
    return done


def jobs(*, geo, timer_defaults, device_timeout_s, stale_after_s):
    """The system's jobs, each with its cadence (seconds of the system's clock unless real_time)."""
    return [
        Spec("offers", 1.0, lambda s, now: offer_freed_units(s, now, geo=geo)),
        Spec("alerts", 1.0, lambda s, now: sweep_alerts(s, now, timer_defaults=timer_defaults)),
        Spec("acknowledgements", 1.0, lambda s, now: flag_unacknowledged(s, now, timer_defaults=timer_defaults)),
        Spec("stale_positions", 1.0, lambda s, now: flag_stale_positions(s, now, stale_after_s=stale_after_s)),
        Spec("devices", 1.0, lambda s, now: expire_devices(s, now, timeout_s=device_timeout_s), real_time=True),
    ]
