"""Live counts and today's response times, for the supervisor's wall screen."""
from datetime import timedelta, timezone

from sqlalchemy import func, select

from ..models import Incident, Unit
from .clock import to_local, utcnow
from ..vocabulary import INCIDENT_OPEN, PRIORITIES, UNIT_STATUSES


def percentile(sorted_values, q):
    """The q-th percentile (0-100) with linear interpolation between ranks; None when empty."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _summary(seconds):
    seconds = sorted(seconds)
    return {"n": len(seconds), "median": percentile(seconds, 50), "p90": percentile(seconds, 90)}


def today(session, *, now=None):
    """Open incidents by priority, units by status, and, for the incidents of today (local day,
    WIB), the time from the call to the first dispatch and to the first unit on scene."""
    now = now or utcnow()
    local = to_local(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    start_utc = start.astimezone(timezone.utc)
    rows = session.execute(select(Incident.created_at, Incident.dispatched_at, Incident.on_scene_at)
                           .where(Incident.created_at >= start_utc)).all()
    open_by_priority = dict(session.execute(select(Incident.priority, func.count()).where(
        Incident.status.in_(INCIDENT_OPEN)).group_by(Incident.priority)).all())
    units_by_status = dict(session.execute(select(Unit.status, func.count()).group_by(Unit.status)).all())
    return {
        "day": start.date().isoformat(),
        "since": start_utc,
        "until": start_utc + timedelta(days=1),
        "incidents_today": len(rows),
        "call_to_dispatch_s": _summary((d - c).total_seconds() for c, d, _ in rows if d is not None),
        "call_to_arrival_s": _summary((a - c).total_seconds() for c, _, a in rows if a is not None),
        "open_incidents": {p: open_by_priority.get(p, 0) for p in PRIORITIES},
        "units": {s: units_by_status.get(s, 0) for s in UNIT_STATUSES},
    }
