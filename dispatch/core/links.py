"""Linking a call to the incident it is about, unlinking it, and merging two incidents into one.

Ten callers, one crash: the operator links each repeat call to the incident it is about (at intake
it is stored as a ``duplicate`` of it, no incident opened; just after saving, the incident the call
had opened is merged into the chosen one while no unit is on it). A call linked by mistake is
unlinked into an incident of its own: the one it had opened comes back, or a new one. Nothing is
deleted: the merged incident keeps its events and ends ``merged`` with a pointer to the survivor,
whose timeline shows them (NENA EIDO's words: the survivor is ``replacing`` it, it is ``replaced``;
one taken back out was ``split``).
"""
from sqlalchemy import update

from ..database import writes
from ..geo.text import relation
from ..models import Call, Incident
from ..vocabulary import INCIDENT_FINISHED, PRIORITY_RANK
from . import events
from .clock import utcnow
from .errors import Conflict, InvalidInput, NotFound
from .incidents import next_reference
from .lifecycle import lock_call, lock_incident, lock_unit, sync_incident
from .locate import Located, apply_location, locate_point, locate_text
from .payloads import assignment_data, call_data, incident_data, unit_data
from .statemachine import PHASE_RANK, incident_move



def open_target(session, incident_id, *, field="incident_id"):
    """The open incident a call is linked to (or one of two merged), locked; 404, or 409 when it is
    finished or merged. ``field``: the request field that named it (None: the path)."""
    incident = lock_incident(session, incident_id, fields={field: "unknown incident"} if field else None)
    if incident.status == "merged":
        survivor = incident.merged_into
        raise Conflict(f"{incident.reference} was merged into {survivor.reference}: link to that one",
                       code="incident_merged", fields={field: "merged into another incident"} if field else {},
                       details={"current": "merged", "merged_into_id": survivor.id,
                                "merged_into_reference": survivor.reference})
    if incident.status in INCIDENT_FINISHED:
        raise Conflict(f"{incident.reference} is {incident.status}: a call cannot be linked to it; take it as a "
                       "new emergency", code="incident_finished",
                       fields={field: f"incident {incident.status}"} if field else {},
                       details={"current": incident.status})
    return incident


def merge_into(session, *, actor, incident, into, now, reason):
    """Merge ``incident`` into ``into`` (both locked, open, neither with an active unit on the one
    merged): its calls move to the survivor, which keeps the higher priority (and takes the
    location when it had none); the merged one ends ``merged``. No commit."""
    incident_move(incident.status, "merged")
    session.execute(update(Call).where(Call.incident_id == incident.id).values(incident_id=into.id)
                    .execution_options(synchronize_session="fetch"))
    changes = {}
    if PRIORITY_RANK[incident.priority] < PRIORITY_RANK[into.priority]:
        changes["priority"] = {"from": into.priority, "to": incident.priority}
        into.priority = incident.priority
    if into.lat is None and incident.lat is not None:
        changes["location"] = {"from": None, "to": incident.location_name or f"{incident.lat},{incident.lon}"}
        for name in ("lat", "lon", "location_accuracy_m", "location_source", "location_confidence", "location_name",
                     "location_kind", "location_precision", "kelurahan", "kecamatan", "outside_service_area"):
            setattr(into, name, getattr(incident, name))
    before = incident.status
    incident.status = "merged"
    incident.merged_into_id = into.id
    incident.merged_at = incident.updated_at = into.updated_at = now
    session.flush()
    events.record(session, "incident.merged", actor=actor, incident_id=incident.id,
                  data={"from": before, "reason": reason, "relation": "replaced", "changes": changes,
                        "incident": incident_data(incident), "into": incident_data(into)})


def _units_on(incident):
    active = [a for a in incident.assignments if a.active]
    if active:
        names = ", ".join(f"{a.unit.call_sign} ({a.status})" for a in active)
        raise Conflict(f"{incident.reference} has units on it: {names}; it cannot be merged away by linking its call",
                       code="units_on_incident",
                       details={"incident_id": incident.id, "units": [
                           {"unit_id": a.unit_id, "call_sign": a.unit.call_sign, "status": a.status} for a in active]})


@writes
def link_call(session, *, actor, call_id, incident_id):
    """Link a stored call to the open incident it is about. Returns ``(call, incident, merged,
    applied)``: ``merged`` is the call's own incident merged away (or None).

    The call becomes a ``duplicate`` of it. When the call had just opened an incident of its
    own, that one is merged into the chosen one, allowed only while no unit is on it (409
    ``units_on_incident`` naming them). A call already linked to another incident must be
    unlinked first (409 ``call_linked``); linked to this one already: nothing changes.
    """
    call = lock_call(session, call_id)
    if call.incident_id == incident_id:
        session.rollback()
        return call, session.get(Incident, incident_id), None, False
    own = call.incident if call.incident_id is not None and call.incident_id == call.opened_incident_id else None
    if call.incident_id is not None and own is None:
        linked = session.get(Incident, call.incident_id)
        raise Conflict(f"this call is linked to {linked.reference}: unlink it first", code="call_linked",
                       fields={"incident_id": "the call is linked to another incident"},
                       details={"incident_id": linked.id, "reference": linked.reference})
    # Lock order: the lower id first, the same everywhere (core/lifecycle.py).
    if own is not None and own.id < incident_id:
        own = lock_incident(session, own.id)
        target = open_target(session, incident_id)
    else:
        target = open_target(session, incident_id)
        if own is not None:
            own = lock_incident(session, own.id)
    now = utcnow()
    if own is not None:
        if own.status in INCIDENT_FINISHED:
            raise Conflict(f"this call's incident {own.reference} is {own.status}", code="incident_finished",
                           details={"incident_id": own.id, "current": own.status})
        _units_on(own)
        merge_into(session, actor=actor, incident=own, into=target, now=now, reason="call linked")
    call.incident_id = target.id
    call.disposition = "duplicate"
    session.flush()
    events.record(session, "call.linked", actor=actor, incident_id=target.id,
                  data={"call": call_data(call), "from_incident_id": own.id if own else None,
                        "merged_incident_id": own.id if own else None, "incident": incident_data(target)})
    session.commit()
    return call, target, own, True


def unlink_call(session, *, actor, call_id, geo=None, category=None, priority=None):
    """Give a call linked by mistake an incident of its own. Returns ``(call, incident, left)``:
    ``left`` is the incident it was linked to.

    The incident the call had opened, if it was merged away by the link, comes back (``pending``,
    event ``incident.split``); otherwise a new incident opens from what the call said (its point
    or its words, located before the write begins), with the category and priority given or
    those of the incident it leaves. 409 ``call_not_linked`` for a call that is not a duplicate.
    """
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(f"call {call_id} not found")
    located = None
    if call.lat is not None:
        located = locate_point(geo, call.lat, call.lon, source="given")
    elif geo is not None and call.location_text:
        located = locate_text(geo, call.location_text)
    session.rollback()
    return _unlink(session, actor=actor, call_id=call_id, located=located or Located("unknown"),
                   category=category, priority=priority)


@writes
def _unlink(session, *, actor, call_id, located, category, priority):
    call = lock_call(session, call_id)
    # A repeat call, or the call that opened an incident a supervisor merged into this one.
    merged_away = call.opened_incident_id is not None and call.opened_incident_id != call.incident_id
    if call.incident_id is None or not (call.disposition == "duplicate" or merged_away):
        raise Conflict("this call is not linked to another incident: there is nothing to unlink",
                       code="call_not_linked", details={"disposition": call.disposition,
                                                        "incident_id": call.incident_id})
    # Both incidents locked, the lower id first, as everywhere (core/lifecycle.py).
    locked = {i: lock_incident(session, i) for i in sorted({call.incident_id, call.opened_incident_id} - {None})}
    left = locked[call.incident_id]
    now = utcnow()
    opened = locked.get(call.opened_incident_id)
    if opened is not None and opened.status == "merged":
        incident_move("merged", "pending")
        opened.status = "pending"
        opened.merged_into_id = opened.merged_at = None
        opened.updated_at = now
        if category:
            opened.category = category
        if priority:
            opened.priority = priority
        incident = opened
        revived = True
    else:
        incident = Incident(
            reference=next_reference(session, now), category=category or left.category,
            priority=priority or left.priority, status="pending",
            location_accuracy_m=call.location_accuracy_m if call.lat is not None else located.precision_m,
            location_text=call.location_text, location_relation=relation(call.location_text),
            complaint=call.complaint, created_by_id=actor.id, created_at=now, updated_at=now)
        apply_location(incident, located)
        session.add(incident)
        revived = False
    session.flush()
    call.incident_id = incident.id
    call.opened_incident_id = incident.id
    call.disposition = "emergency"
    session.flush()
    if revived:
        events.record(session, "incident.split", actor=actor, incident_id=incident.id,
                      data={"relation": "split", "from_incident_id": left.id, "incident": incident_data(incident)})
    else:
        events.record(session, "incident.created", actor=actor, incident_id=incident.id,
                      data={"incident": incident_data(incident)})
    events.record(session, "call.unlinked", actor=actor, incident_id=incident.id,
                  data={"call": call_data(call), "from_incident_id": left.id, "incident": incident_data(incident)})
    session.commit()
    return call, incident, left


def check_link_body(disposition):
    """A call linked at intake is a duplicate; any other disposition with a link is a mistake."""
    if disposition not in ("emergency", "duplicate"):
        raise InvalidInput("link_to_incident_id is for a call about an open incident (a duplicate)",
                           fields={"link_to_incident_id": f"not with disposition {disposition}"})


@writes
def merge_incidents(session, *, actor, incident_id, into_id, reason=None):
    """A supervisor merges two open incidents found to be one event: ``incident_id`` into ``into_id``.

    Every call, note, event and assignment of both is kept: the calls move to the survivor, the
    merged one's notes are added to its notes (with its reference), its events stay and show on the
    survivor's timeline, its active units move to the survivor (event ``assignment.moved`` each, so
    the crew follows), the survivor keeps the higher priority and the earlier phase times, and its
    status follows its units. Returns ``(merged, survivor)``.
    """
    if incident_id == into_id:
        raise InvalidInput("into: an incident cannot be merged into itself", fields={"into": "the same incident"})
    # Lock order: the lower id first; the units after the incidents (core/lifecycle.py).
    if incident_id < into_id:
        incident = open_target(session, incident_id, field=None)
        into = open_target(session, into_id, field="into")
    else:
        into = open_target(session, into_id, field="into")
        incident = open_target(session, incident_id, field=None)
    now = utcnow()
    reached = incident.status   # how far the merged one got: the survivor does not fall behind it
    moved = []
    for assignment in [a for a in incident.assignments if a.active]:
        unit = lock_unit(session, assignment.unit_id)
        assignment.incident_id = into.id
        unit.version += 1
        moved.append((assignment, unit))
    session.flush()
    session.expire(incident, ["assignments"])
    session.expire(into, ["assignments"])
    for stamp in ("dispatched_at", "on_scene_at", "transporting_at"):
        times = [t for t in (getattr(into, stamp), getattr(incident, stamp)) if t is not None]
        if times:
            setattr(into, stamp, min(times))
    if incident.notes:
        into.notes = "\n".join(n for n in (into.notes, f"[{incident.reference}] {incident.notes}") if n)
    merge_into(session, actor=actor, incident=incident, into=into, now=now, reason=reason or "merged by a supervisor")
    for assignment, unit in moved:
        session.expire(unit, ["current_assignment"])
        events.record(session, "assignment.moved", actor=actor, unit_id=unit.id, incident_id=into.id,
                      data={"assignment": assignment_data(assignment), "unit": unit_data(unit),
                            "from_incident_id": incident.id, "incident": incident_data(into)})
    sync_incident(session, actor=actor, incident=into, now=now)
    if PHASE_RANK[reached] > PHASE_RANK[into.status]:
        # A unit had reached the patient of the merged one (and was taken off): so it has, of this one.
        before, into.status, into.updated_at = into.status, reached, now
        session.flush()
        events.record(session, "incident.status_changed", actor=actor, incident_id=into.id,
                      data={"from": before, "to": reached, "incident": incident_data(into)})
    session.commit()
    return incident, into
