"""Incidents: reference numbers, reading, correcting, cancelling, closing and reopening."""
from datetime import timedelta

from sqlalchemy import case, select

from ..models import Call, Hospital, Incident, IncidentCounter
from ..database import upsert_increment
from ..database import writes
from ..geo.text import relation
from ..vocabulary import INCIDENT_FINISHED, INCIDENT_OPEN
from . import events
from .access import ensure_incident_access
from .clock import to_local, utcnow
from .errors import Conflict, InvalidTransition, NotFound
from .lifecycle import finish_incident, get_or_404, lock_incident, release_assignment
from .locate import Located, locate_chosen, locate_point, locate_text
from .payloads import incident_data
from .statemachine import incident_move

_PRIORITY_ORDER = case({"P1": 1, "P2": 2, "P3": 3}, value=Incident.priority)


def next_reference(session, moment):
    """PSC-YYYYMMDD-NNNN on the local (WIB) date of ``moment``; NNNN restarts each day."""
    day = to_local(moment).strftime("%Y%m%d")
    n = upsert_increment(session, IncidentCounter.__table__, "day", day, "last")
    return f"PSC-{day}-{n:04d}"


def list_incidents(session, *, status="open", limit=200):
    stmt = select(Incident)
    if status == "open":
        stmt = stmt.where(Incident.status.in_(INCIDENT_OPEN)).order_by(_PRIORITY_ORDER, Incident.created_at)
    elif status == "closed":
        stmt = stmt.where(Incident.status.in_(INCIDENT_FINISHED)).order_by(Incident.updated_at.desc())
    else:
        stmt = stmt.order_by(Incident.created_at.desc())
    return list(session.scalars(stmt.limit(limit)))


def get_incident(session, *, actor, incident_id):
    incident = get_or_404(session, Incident, incident_id, "incident")
    ensure_incident_access(actor, incident)
    return incident


def _merged_ids(session, incident_id):
    """The incidents merged into ``incident_id``, and those merged into them, and so on."""
    found, frontier = [], [incident_id]
    while frontier:
        frontier = list(session.scalars(select(Incident.id).where(Incident.merged_into_id.in_(frontier))))
        found.extend(frontier)
    return found


def timeline(session, incident_id):
    """Its events, with those of every incident merged into it, in order."""
    return events.list_after(session, after=0, limit=10_000, incident_ids=[incident_id, *_merged_ids(session, incident_id)])


def related(session, incident):
    """The incidents merged into this one (it is ``replacing`` them) and the one it was merged into
    (it was ``replaced`` by it), in NENA EIDO's words."""
    merged = session.scalars(select(Incident).where(Incident.merged_into_id == incident.id)
                             .order_by(Incident.merged_at, Incident.id)).all()
    found = [{"id": i.id, "reference": i.reference, "status": i.status, "relation": "replacing", "at": i.merged_at}
             for i in merged]
    if incident.merged_into is not None:
        into = incident.merged_into
        found.append({"id": into.id, "reference": into.reference, "status": into.status, "relation": "replaced",
                      "at": incident.merged_at})
    return found


def calls_about(session, incident_id):
    """The calls that opened or repeated an incident, in the order they came."""
    return session.scalars(select(Call).where(Call.incident_id == incident_id)
                           .order_by(Call.received_at, Call.id)).all()


_LOCATION_FIELDS = ("lat", "lon", "location_accuracy_m", "location_text", "location_relation", "kelurahan",
                    "kecamatan", "location_source", "location_confidence", "location_name", "location_kind",
                    "location_precision", "outside_service_area")
_PATCHABLE = ("priority", "category", "notes", "destination_hospital_id") + _LOCATION_FIELDS


# Where the pin came from the text, new text may move it; a pin from coordinates stays.
_PIN_FOLLOWS_TEXT = ("unknown", "gazetteer", "server", "text_coordinates")


def update_incident(session, *, actor, incident_id, changes, geo=None):
    """Correct an incident: priority, category, notes, destination hospital, location.

    New ``lat``/``lon`` set the location (source ``operator``) with the zones of the point,
    unless they are the ones it has; with ``location_name`` (and ``location_kind``) they are
    the suggestion the operator chose (source ``chosen``). A new ``location_text`` is stored
    as typed, with its relation word; alone it moves the pin when ``geo`` finds the place
    and the pin came from text (never a pin from coordinates given with the call, chosen or
    set by an operator); when nothing is found the pin stays. The text is geocoded before
    the write begins (a geocoding server may take its timeout).
    """
    from_text = None
    if geo is not None and changes.get("location_text") and "lat" not in changes:
        from_text = locate_text(geo, changes["location_text"])
    return _update_incident(session, actor=actor, incident_id=incident_id, changes=changes, geo=geo,
                            from_text=from_text)


def _relocate(incident, geo, changes, from_text):
    """The location fields a correction implies (see update_incident)."""
    implied = {}
    if "location_text" in changes:
        implied["location_relation"] = relation(changes["location_text"])
    if "lat" in changes and changes.get("location_name") is not None:
        if ((changes["lat"], changes["lon"], changes["location_name"], changes.get("location_kind"))
                == (incident.lat, incident.lon, incident.location_name, incident.location_kind)
                and incident.location_source == "chosen"):
            return implied
        located = locate_chosen(geo, changes["lat"], changes["lon"], name=changes["location_name"],
                                kind=changes.get("location_kind"), precision_m=changes.get("location_accuracy_m"))
    elif "lat" in changes:
        if (changes["lat"], changes["lon"]) == (incident.lat, incident.lon):
            return implied
        if changes["lat"] is None:
            located = Located("unknown")
        else:
            located = locate_point(geo, changes["lat"], changes["lon"], source="operator")
    elif (from_text is not None and from_text.known and changes["location_text"] != incident.location_text
          and incident.location_source in _PIN_FOLLOWS_TEXT):
        located = from_text
    else:
        return implied
    implied.update({
        "lat": located.lat, "lon": located.lon, "location_source": located.source,
        "location_confidence": located.confidence, "location_name": located.name,
        "location_kind": located.kind, "location_precision": located.precision,
        "kelurahan": located.kelurahan, "kecamatan": located.kecamatan,
        "outside_service_area": bool(located.outside_service_area),
    })
    if "location_accuracy_m" not in changes:
        implied["location_accuracy_m"] = located.precision_m
    return implied


@writes
def _update_incident(session, *, actor, incident_id, changes, geo, from_text):
    incident = lock_incident(session, incident_id)
    if incident.status in INCIDENT_FINISHED:
        raise Conflict(f"incident is '{incident.status}'; it can no longer be changed",
                       code="incident_finished", details={"current": incident.status})
    hospital_id = changes.get("destination_hospital_id")
    if hospital_id is not None and session.get(Hospital, hospital_id) is None:
        raise NotFound(f"hospital {hospital_id} not found", fields={"destination_hospital_id": "unknown hospital"})
    changes = {**_relocate(incident, geo, changes, from_text), **changes}
    diff = {}
    for field in _PATCHABLE:
        if field in changes and getattr(incident, field) != changes[field]:
            diff[field] = {"from": getattr(incident, field), "to": changes[field]}
            setattr(incident, field, changes[field])
    if not diff:
        session.rollback()
        return incident
    incident.updated_at = utcnow()
    session.flush()
    events.record(session, "incident.updated", actor=actor, incident_id=incident.id,
                  data={"changes": diff, "incident": incident_data(incident)})
    session.commit()
    return incident


@writes
def cancel_incident(session, *, actor, incident_id, reason):
    """Cancel an open incident and free the units still working it.

    Refused (nothing changes) when a unit cannot be freed, e.g. it is transporting.
    """
    incident = lock_incident(session, incident_id)
    incident_move(incident.status, "cancelled")
    now = utcnow()
    for assignment in [a for a in incident.assignments if a.active]:
        release_assignment(session, actor=actor, assignment=assignment, reason=f"incident cancelled: {reason}",
                           now=now)
    incident.cancel_reason = reason
    finish_incident(session, actor=actor, incident=incident, status="cancelled", now=now, reason=reason)
    session.commit()
    return incident


# A unit with the patient aboard or at the hospital: closing the incident must not free it.
_CARRYING = ("transporting", "at_hospital")


def _units(assignments):
    return [{"unit_id": a.unit_id, "call_sign": a.unit.call_sign, "status": a.status} for a in assignments]


def _names(assignments):
    return ", ".join(f"{a.unit.call_sign} ({a.status})" for a in assignments)


@writes
def close_incident(session, *, actor, incident_id, outcome=None, release_units=False):
    """Close an incident whose units have all cleared.

    With ``release_units``, the units still on it are freed and the incident closed in one
    transaction, unless one of them is transporting the patient or at the hospital: then
    nothing changes (``units_transporting`` names them).
    """
    incident = lock_incident(session, incident_id)
    incident_move(incident.status, "closed")
    busy = [a for a in incident.assignments if a.active]
    if not busy and release_units:
        raise Conflict("no unit is on this incident: there is nothing to release; close it without release_units",
                       code="no_units_to_release", details={"current": incident.status, "units": []})
    if busy and not release_units:
        raise InvalidTransition(
            f"incident cannot go from '{incident.status}' to 'closed' while units are still on it: {_names(busy)}",
            code="units_still_assigned",
            details={"current": incident.status, "requested": "closed", "units": _units(busy)})
    carrying = [a for a in busy if a.status in _CARRYING]
    if carrying:
        raise Conflict(f"units are transporting the patient and cannot be released: {_names(carrying)}",
                       code="units_transporting", details={"current": incident.status, "units": _units(carrying)})
    now = utcnow()
    released = _units(busy)
    for assignment in busy:
        release_assignment(session, actor=actor, assignment=assignment, reason="incident closed", now=now)
    incident.outcome = outcome
    data = {"outcome": outcome}
    if release_units:
        data["released_units"] = released
    finish_incident(session, actor=actor, incident=incident, status="closed", now=now, **data)
    session.commit()
    return incident


# How long after closing or cancelling an incident it may be reopened.
REOPEN_WINDOW = timedelta(hours=24)


@writes
def reopen_incident(session, *, actor, incident_id, reason):
    """Put a closed or cancelled incident back in the queue (``pending``), within REOPEN_WINDOW.

    What it was closed or cancelled with (outcome, reason, time) goes; the timeline keeps it."""
    incident = lock_incident(session, incident_id)
    if incident.status not in INCIDENT_FINISHED:
        raise Conflict(f"incident is '{incident.status}': it is open, there is nothing to reopen",
                       code="incident_open", details={"current": incident.status})
    if incident.status == "merged":
        raise Conflict(f"incident was merged into another one (id {incident.merged_into_id}); unlink its call to "
                       "give it back its own incident", code="incident_merged",
                       details={"current": "merged", "merged_into_id": incident.merged_into_id})
    now = utcnow()
    finished_at = incident.closed_at if incident.status == "closed" else incident.cancelled_at
    if finished_at is None or now - finished_at > REOPEN_WINDOW:
        hours = REOPEN_WINDOW.total_seconds() / 3600
        raise Conflict(f"incident was {incident.status} more than {hours:g} hours ago; take a new call instead",
                       code="reopen_window_passed",
                       details={"current": incident.status, "finished_at": finished_at.isoformat() if finished_at
                                else None, "window_s": int(REOPEN_WINDOW.total_seconds())})
    before = incident.status
    incident_move(before, "pending")
    incident.status = "pending"
    incident.closed_at = incident.cancelled_at = None
    incident.outcome = incident.cancel_reason = None
    incident.updated_at = now
    session.flush()
    events.record(session, "incident.reopened", actor=actor, incident_id=incident.id,
                  data={"reason": reason, "from": before, "incident": incident_data(incident)})
    session.commit()
    return incident
