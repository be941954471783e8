"""A unit that comes free while incidents wait is offered to the one it should take.

When a unit becomes available (its crew cleared, it was taken off a job, it came back into
service), the scheduler (core/scheduled.py, woken at once by the unit's event) looks at the
waiting queue: the open incidents no unit is on, the highest priority first, then the oldest.
The unit is offered to the first one it is a good match for: it would reach it no more than
``OFFER_SLACK_S`` after the fastest available unit (the ranking already prefers an ALS unit
for the P1 cases that want one), or the incident's location is unknown (then someone must
still remember it). The offer is stored on the incident and recorded as
``incident.unit_offered`` with the recommendation; the consoles show it with one key to assign.

An offer stands while the incident has no unit, the offered unit is still available, and it was
made since the unit last changed status (:func:`stands`): consoles and the REST API apply that
one rule to the same stored state, so a reload shows what the live screen showed.

With auto-dispatch on for the incident's priority (core/settings.py, off by default) the unit
is sent at once instead, with the system as the actor and the rule (``auto_dispatch:P1``)
recorded on the assignment and its event.

Each time a unit comes free is looked at once, whichever server process sees it first: a
compare-and-set of ``units.offer_version`` against the unit's ``version``.
"""
from sqlalchemy import exists, or_, select, update

from ..database import writes
from ..models import Assignment, Incident, Unit
from ..vocabulary import INCIDENT_OPEN, PRIORITY_RANK
from . import events
from .clock import utcnow
from .payloads import incident_data, unit_data
from .recommend import load_candidates, rank_for

# A unit is a good match for an incident when it is at most this much slower than the fastest
# available unit.
OFFER_SLACK_S = 60
# How many of the most urgent waiting incidents a unit that came free is weighed against.
OFFER_DEPTH = 50


def stands(incident, unit, *, active):
    """Whether ``incident``'s offer still stands: it has no active unit (``active``), the offered
    ``unit`` is available, and the offer was made since the unit last changed status."""
    return (incident.offer_unit_id is not None and unit is not None and not active
            and unit.id == incident.offer_unit_id and unit.status == "available"
            and incident.offered_at >= unit.status_changed_at)


def freed_units(session):
    """Units available whose coming free has not been looked at yet, the longest free first."""
    return list(session.execute(
        select(Unit.id, Unit.version).where(Unit.status == "available",
                                            or_(Unit.offer_version.is_(None), Unit.offer_version < Unit.version))
        .order_by(Unit.status_changed_at, Unit.id)).all())


def _waiting(session):
    active = exists().where(Assignment.incident_id == Incident.id, Assignment.active.is_(True))
    incidents = list(session.scalars(select(Incident).where(Incident.status.in_(INCIDENT_OPEN), ~active)))
    incidents.sort(key=lambda i: (PRIORITY_RANK[i.priority], i.created_at, i.id))
    return incidents


def _standing_offers(session, incidents):
    """Ids of the incidents whose offer (of another unit) still stands."""
    offered = [i for i in incidents if i.offer_unit_id is not None]
    if not offered:
        return set()
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({i.offer_unit_id for i in offered})))}
    return {i.id for i in offered if stands(i, units.get(i.offer_unit_id), active=False)}


def choose(session, unit, *, geo, now):
    """``(incident, pick or None)``: the waiting incident ``unit`` should take, or ``(None, None)``."""
    incidents = _waiting(session)
    if not incidents:
        return None, None
    taken = _standing_offers(session, incidents)
    candidates = load_candidates(session, now=now)
    ids = [int(i) for i in candidates.ids]
    if unit.id not in ids:
        return None, None
    for incident in [i for i in incidents if i.id not in taken][:OFFER_DEPTH]:
        if incident.lat is None:
            return incident, None
        ranked = rank_for(candidates, incident, geo=geo, now=now, limit=len(candidates))
        mine = next((p for p in ranked if ids[p.index] == unit.id), None)
        if mine is not None and len(ranked) and mine.eta_s <= ranked[0].eta_s + OFFER_SLACK_S:
            return incident, mine
    return None, None


@writes
def look_at(session, *, unit_id, version, geo, auto_dispatch, now=None):
    """Look at one unit that came free (``version``: as :func:`freed_units` read it). Returns
    ``{"incident_id", "priority", "outcome": "offered" | "auto"}`` or None. The offer is committed here; an auto-dispatch
    is then made by :func:`~dispatch.core.assignment.assign` (the caller's next step)."""
    now = now or utcnow()
    won = session.execute(
        update(Unit).where(Unit.id == unit_id, Unit.version == version, Unit.status == "available",
                           or_(Unit.offer_version.is_(None), Unit.offer_version < version))
        .values(offer_version=version).execution_options(synchronize_session=False)).rowcount == 1
    if not won:
        session.rollback()
        return None
    unit = session.scalar(select(Unit).where(Unit.id == unit_id).execution_options(populate_existing=True))
    incident, pick = choose(session, unit, geo=geo, now=now)
    if incident is None:
        session.commit()
        return None
    if auto_dispatch.get(incident.priority) and incident.lat is not None:
        result = {"incident_id": incident.id, "priority": incident.priority, "outcome": "auto"}
        session.commit()
        return result
    incident.offer_unit_id, incident.offered_at, incident.updated_at = unit.id, now, now
    incident.offer_eta_s = None if pick is None else round(pick.eta_s)
    session.flush()
    events.record(session, "incident.unit_offered", actor=None, incident_id=incident.id, unit_id=unit.id, data={
        "unit": unit_data(unit), "eta_s": incident.offer_eta_s,
        "distance_m": None if pick is None else round(pick.distance_m),
        "via": [] if pick is None else list(pick.via),
        "waiting_s": max(0, round((now - incident.created_at).total_seconds())),
        "incident": incident_data(incident)})
    result = {"incident_id": incident.id, "priority": incident.priority, "outcome": "offered"}
    session.commit()
    return result
