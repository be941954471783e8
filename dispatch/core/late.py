"""Calls taken on paper while the system or the network was down, entered afterwards.

A supervisor enters each card with its original time (``taken_at``) and, for an emergency that
was served, what the unit did (``late_entry``: the unit, its phase times, the hospital, the
outcome), in the same request as the call (core/calls.py). The call, its incident and the
assignment keep the card's times, so they count in every interval and statistic; each row is
marked as entered late, with who entered it and when; every event is recorded now, in commit
order, with the card's time as its ``occurred_at``.

The card is history: its assignment is never active and the unit's state is not touched, so a
unit that is busy now can be named for a card of the past, and no crew is sent anywhere.
"""
from datetime import timedelta

from ..models import Assignment, Hospital, Unit
from . import events
from .errors import Forbidden, InvalidInput, NotFound
from .payloads import assignment_data, incident_data, unit_data

# How far back a card may be entered, and how far ahead of the server's clock a time may be (the
# supervisor's watch).
MAX_AGE = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=2)

# The unit's phases on a card, in the order they happen.
PHASES = ("dispatched_at", "en_route_at", "on_scene_at", "transporting_at", "at_hospital_at", "cleared_at")


def check_card(*, actor, taken_at, card, disposition, linked, now):
    """Refuse a card that cannot be right (422 naming the field), before anything is written:
    only supervisors enter cards; ``taken_at`` not in the future nor more than 7 days back;
    ``late_entry`` only with ``taken_at``, for an emergency that opens its incident, with its
    phase times in order, none before the call nor after now."""
    if card is not None and taken_at is None:
        raise InvalidInput("late_entry is for a call taken on paper: give its taken_at",
                           fields={"taken_at": "required with late_entry"})
    if taken_at is None:
        return
    if actor.role != "supervisor":
        raise Forbidden("only a supervisor enters calls taken on paper (taken_at)",
                        fields={"taken_at": "supervisors only"})
    if taken_at > now + CLOCK_SKEW:
        raise InvalidInput("taken_at is in the future", fields={"taken_at": "in the future"})
    if taken_at < now - MAX_AGE:
        raise InvalidInput("taken_at is more than 7 days back: a card that old is not entered as a call",
                           fields={"taken_at": "more than 7 days back"})
    if card is None:
        return
    if disposition != "emergency" or linked:
        raise InvalidInput("late_entry is for an emergency call that opens its incident",
                           fields={"late_entry": "only for an emergency that opens an incident"})
    previous, previous_name = taken_at, "taken_at"
    for name in PHASES:
        moment = card.get(name)
        if moment is None:
            continue
        field = f"late_entry.{name}"
        if moment > now + CLOCK_SKEW:
            raise InvalidInput(f"{field} is in the future", fields={field: "in the future"})
        if moment < previous:
            raise InvalidInput(f"{field} is before {previous_name}: the times on the card are out of order",
                               fields={field: f"before {previous_name}"})
        previous, previous_name = moment, name
    if card.get("at_hospital_at") is not None and card.get("hospital_id") is None:
        raise InvalidInput("late_entry.at_hospital_at needs the hospital (late_entry.hospital_id)",
                           fields={"late_entry.hospital_id": "required with at_hospital_at"})


def serve(session, *, actor, incident, card, now):
    """Record what the unit on the card did for ``incident`` (just opened from the card): an
    assignment that is history (not active, its unit untouched), the incident's phase times, and
    the incident closed at the card's last time, with its outcome. Events: assignment.entered_late
    and incident.closed, each with the card's time as ``occurred_at``."""
    unit = session.get(Unit, card["unit_id"])
    if unit is None:
        raise NotFound(f"unit {card['unit_id']} not found", fields={"late_entry.unit_id": "unknown unit"})
    hospital_id = card.get("hospital_id")
    if hospital_id is not None and session.get(Hospital, hospital_id) is None:
        raise NotFound(f"hospital {hospital_id} not found", fields={"late_entry.hospital_id": "unknown hospital"})
    times = {name: card.get(name) for name in PHASES}
    assignment = Assignment(unit_id=unit.id, status="cleared", active=False, assigned_by_id=actor.id,
                            hospital_id=hospital_id, entered_late_at=now, **times)
    incident.assignments.append(assignment)
    reached = _reached(times)
    transported = times["transporting_at"] is not None or times["at_hospital_at"] is not None or hospital_id
    incident.dispatched_at = times["dispatched_at"]
    incident.on_scene_at = times["on_scene_at"]
    incident.transporting_at = times["transporting_at"] or times["at_hospital_at"]
    incident.destination_hospital_id = hospital_id
    incident.outcome = card.get("outcome") or (
        "transported" if transported else "treated_on_scene" if times["on_scene_at"] else None)
    incident.status = "closed"
    incident.closed_at = times["cleared_at"] or max(t for t in times.values() if t is not None)
    incident.updated_at = now
    session.flush()
    events.record(session, "assignment.entered_late", actor=actor, incident_id=incident.id, unit_id=unit.id,
                  occurred_at=times["dispatched_at"],
                  data={"assignment": assignment_data(assignment), "unit": unit_data(unit),
                        "incident": incident_data(incident)})
    events.record(session, "incident.closed", actor=actor, incident_id=incident.id, occurred_at=incident.closed_at,
                  data={"outcome": incident.outcome, "from": reached, "entered_late": True,
                        "hospital_id": hospital_id, "incident": incident_data(incident)})


def _reached(times):
    """The incident phase the card's unit reached last, before the incident closed."""
    if times["transporting_at"] or times["at_hospital_at"]:
        return "transporting"
    return "on_scene" if times["on_scene_at"] else "dispatched"
