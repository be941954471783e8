"""Ambulances: registration, status reports from the crew, and position fixes."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..models import Assignment, Hospital, Unit
from ..database import begin_write, writes
from . import events, idempotency, positions, presence
from .access import ensure_unit_access, may_set_service_status
from .clock import utcnow
from .errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from .lifecycle import (PHASE_TIMESTAMP, close_when_done, get_or_404, lock_incident, lock_unit, move_unit,
                        sync_incident)
from .payloads import unit_data
from .statemachine import unit_move


def list_units(session):
    # The current assignments and their incidents (the reference) in two more queries, not one per unit.
    return list(session.scalars(select(Unit).order_by(Unit.call_sign).options(
        selectinload(Unit.current_assignment).selectinload(Assignment.incident))))


def get_unit(session, *, actor, unit_id):
    ensure_unit_access(actor, unit_id)
    return get_or_404(session, Unit, unit_id, "unit")


@writes
def create_unit(session, *, actor, call_sign, capability, station_name=None, lat=None, lon=None,
                station_facility_id=None):
    """A new unit, available at its station: a name and position, or a facility (a puskesmas or a
    hospital, whose name, unless one is given, and position it takes)."""
    call_sign = call_sign.strip().upper()
    if session.scalar(select(Unit.id).where(Unit.call_sign == call_sign)) is not None:
        raise Conflict(f"unit {call_sign} exists already", fields={"call_sign": "taken"}, code="unit_exists")
    if station_facility_id is not None:
        facility = session.get(Hospital, station_facility_id)
        if facility is None:
            raise NotFound(f"no hospital or puskesmas {station_facility_id}",
                           fields={"station_facility_id": "no such facility"})
        station_name, lat, lon = station_name or facility.name, facility.lat, facility.lon
    now = utcnow()
    unit = Unit(
        call_sign=call_sign, capability=capability, station_name=station_name.strip(),
        station_lat=lat, station_lon=lon, station_facility_id=station_facility_id, status="available",
        status_changed_at=now,
        lat=lat, lon=lon, position_at=None, position_accuracy_m=None, version=1, created_at=now,
    )
    session.add(unit)
    try:
        session.flush()
    except IntegrityError:  # the same call sign registered at the same moment
        raise Conflict(f"unit {call_sign} exists already", fields={"call_sign": "taken"},
                       code="unit_exists") from None
    events.record(session, "unit.created", actor=actor, unit_id=unit.id, data={"unit": unit_data(unit)})
    session.commit()
    return unit


def _lock_with_incident(session, unit_id):
    """Lock the unit's current incident (if any), then the unit: the global lock order.

    Returns ``(unit, active assignment or None, incident or None)`` as they are under the
    locks. If the unit's job changed between the first read and the locks (PostgreSQL
    only; SQLite writers are serial), let go and look again.
    """
    while True:
        assignment = get_or_404(session, Unit, unit_id, "unit").current_assignment
        incident = lock_incident(session, assignment.incident_id) if assignment else None
        unit = lock_unit(session, unit_id)
        session.expire(unit, ["current_assignment"])
        current = unit.current_assignment
        if (current.id if current else None) == (assignment.id if assignment else None):
            return unit, current, incident
        session.rollback()
        begin_write(session)


_UNCHECKED = object()


@writes
def change_status(session, *, actor, unit_id, status, hospital_id=None, client_ref=None, assignment_id=_UNCHECKED):
    """A status report for a unit. Returns ``(unit, applied)``.

    ``applied`` is False when ``client_ref`` was already applied to this unit (a ref is the
    unit's, whoever reports for it: ``core/idempotency.py``): the retried request changes
    nothing and answers with the unit as it is now. The same ref with another status or
    hospital is refused (``client_ref_reused``).

    ``assignment_id``, when given, is the job the crew saw when pressing (None: no job). A
    press queued on a phone while offline may arrive after the job was cancelled and another
    given; it is then refused (``assignment_changed``) rather than applied to the new job.
    """
    ensure_unit_access(actor, unit_id)
    unit, assignment, incident = _lock_with_incident(session, unit_id)

    # Looked up under the unit's lock: a concurrent retry waits for the first and finds it here.
    ref = idempotency.ref("unit_status", owner_id=unit_id, client_ref=client_ref, body=[status, hospital_id])
    if idempotency.prior(session, ref) is not None:
        session.rollback()
        return get_or_404(session, Unit, unit_id, "unit"), False

    current_id = assignment.id if assignment is not None else None
    if assignment_id is not _UNCHECKED and assignment_id != current_id:
        raise Conflict(
            f"the press was for assignment {assignment_id}, but the unit's job is now "
            f"{current_id if current_id is not None else 'none'}; nothing changed",
            fields={"assignment_id": "not the unit's current assignment"},
            details={"current": current_id, "requested": assignment_id}, code="assignment_changed")

    how = unit_move(unit.status, status)
    if how == "assign":
        raise InvalidTransition(
            f"unit cannot go from '{unit.status}' to '{status}' by a status report; assign it to an incident",
            details={"current": unit.status, "requested": status})
    if how == "cancel":
        raise InvalidTransition(
            f"unit cannot go from '{unit.status}' to '{status}' by a status report; "
            "cancel its assignment instead",
            details={"current": unit.status, "requested": status})
    if how == "service":
        may_set_service_status(actor, unit_id)

    hospital = None
    if hospital_id is not None:
        if status != "transporting":
            raise InvalidInput("hospital_id goes with status 'transporting'",
                               fields={"hospital_id": "only with transporting"})
        hospital = session.get(Hospital, hospital_id)
        if hospital is None:
            raise NotFound(f"hospital {hospital_id} not found", fields={"hospital_id": "unknown hospital"})

    now = utcnow()
    try:
        idempotency.remember(session, ref, now=now)
    except IntegrityError:
        return _raced(session, unit_id, ref)

    if status == "out_of_service" and assignment is not None:
        # The unit drops out of its job: the assignment ends and the incident goes back
        # into the queue if nobody else has reached the patient.
        assignment.active = False
        assignment.status = "cancelled"
        assignment.cancelled_at = now
        assignment.cancel_reason = "unit out of service"
    elif assignment is not None:
        if status == "available":
            assignment.active = False
            assignment.status = "cleared"
            assignment.cleared_at = now
        else:
            assignment.status = status
            setattr(assignment, PHASE_TIMESTAMP[status], now)
            if hospital is not None:
                assignment.hospital_id = hospital.id
                incident.destination_hospital_id = hospital.id
    move_unit(session, actor=actor, unit=unit, to=status, now=now, assignment=assignment)
    if incident is not None:
        sync_incident(session, actor=actor, incident=incident, now=now)
        if status == "available":
            # The crew cleared the last leg: the incident closes by itself (the system's event).
            close_when_done(session, incident=incident, now=now)
    try:
        session.commit()
    except IntegrityError:
        return _raced(session, unit_id, ref)
    return unit, True


def _raced(session, unit_id, ref):
    """The same client_ref raced in from a second connection and won: nothing changes here."""
    session.rollback()
    idempotency.prior(session, ref)   # client_ref_reused if it won with other values
    return get_or_404(session, Unit, unit_id, "unit"), False


@dataclass(frozen=True)
class Fix:
    """One position fix from a crew's phone (checked with :func:`check_fix`)."""

    actor: object
    unit_id: int
    lat: float
    lon: float
    recorded_at: datetime
    accuracy_m: float | None = None
    speed_mps: float | None = None
    heading: float | None = None


def check_fix(fix, *, max_future_s=120):
    """What may be refused before storing: only a unit's own crew reports its position, and
    not from a clock far in the future."""
    if fix.actor.role != "crew" or fix.actor.unit_id != fix.unit_id:
        raise Forbidden("only the unit's own crew reports its position")
    if fix.recorded_at > utcnow() + timedelta(seconds=max_future_s):
        raise InvalidInput("recorded_at is in the future; check the device clock",
                           fields={"recorded_at": "in the future"})


_POSITION_COLUMNS = (Unit.id, Unit.call_sign, Unit.status, Unit.lat, Unit.lon, Unit.position_at,
                     Unit.position_accuracy_m, Unit.speed_mps, Unit.heading, Unit.position_stale)


@writes
def record_locations(session, *, fixes, stale_after_s=120):
    """Store checked fixes of one or many units in one transaction (a group commit: a server
    taking hundreds of fixes a second writes them together). Positions are not events: only
    the newest fix of each unit is kept, and each fix that moved a unit is announced to the
    live stream after commit (``core.positions``). A fresh fix of a unit flagged stale clears
    the flag (an event).

    Returns, for each fix in order, ``(applied, position)``: ``applied`` when the fix is newer
    than the unit's stored one and every earlier fix of the batch, as if they had come one by
    one; ``position`` the unit's stored position after the batch (``None``: unknown unit).
    """
    unit_ids = sorted({fix.unit_id for fix in fixes})
    newest = dict(session.execute(select(Unit.id, Unit.position_at).where(Unit.id.in_(unit_ids))
                                  .order_by(Unit.id).with_for_update()).all())
    applied, chosen = [], {}
    for fix in fixes:
        moved = fix.unit_id in newest and (newest[fix.unit_id] is None or fix.recorded_at > newest[fix.unit_id])
        if moved:
            newest[fix.unit_id] = fix.recorded_at
            chosen[fix.unit_id] = fix
        applied.append(moved)
    if chosen:
        session.execute(update(Unit), [
            {"id": f.unit_id, "lat": f.lat, "lon": f.lon, "position_at": f.recorded_at,
             "position_accuracy_m": f.accuracy_m, "speed_mps": f.speed_mps, "heading": f.heading}
            for f in chosen.values()])
    rows = {row.id: row for row in session.execute(select(*_POSITION_COLUMNS).where(Unit.id.in_(unit_ids)))}
    for unit_id, fix in chosen.items():
        if rows[unit_id].position_stale and presence.clear_stale(session, unit_id, actor=fix.actor,
                                                                 stale_after_s=stale_after_s):
            rows[unit_id] = session.execute(select(*_POSITION_COLUMNS).where(Unit.id == unit_id)).one()
    session.commit()
    positions_now = {unit_id: positions.position_of(row) for unit_id, row in rows.items()}
    for unit_id in chosen:
        positions.announce(positions_now[unit_id])
    return [(moved, positions_now.get(fix.unit_id)) for moved, fix in zip(applied, fixes)]


def record_location(session, *, actor, unit_id, lat, lon, recorded_at, accuracy_m=None,
                    speed_mps=None, heading=None, max_future_s=120, stale_after_s=120):
    """Store one position fix (see :func:`record_locations`). Returns ``(unit, applied)``: a
    fix older than the one stored is accepted but does not move the unit."""
    fix = Fix(actor, unit_id, lat, lon, recorded_at, accuracy_m, speed_mps, heading)
    check_fix(fix, max_future_s=max_future_s)
    [(applied, position)] = record_locations(session, fixes=[fix], stale_after_s=stale_after_s)
    if position is None:
        raise NotFound(f"unit {unit_id} not found")
    return session.scalar(select(Unit).where(Unit.id == unit_id).execution_options(populate_existing=True)), applied
