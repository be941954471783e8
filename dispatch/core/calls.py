"""Taking a call: every call is stored; an emergency call becomes an incident."""
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..geo.text import relation
from ..models import Call, Incident
from ..database import writes
from . import callbacks, callers, events, idempotency, late
from .clock import utcnow
from .errors import InvalidInput, NotFound
from .duplicates import Probe, possible_duplicates
from .incidents import next_reference
from .links import check_link_body, open_target
from .payloads import call_data, incident_data
from .locate import Located, apply_location, locate_chosen, locate_point, locate_text


def list_calls(session, *, limit=100):
    return list(session.scalars(select(Call).order_by(Call.received_at.desc(), Call.id.desc()).limit(limit)))


class Taken(NamedTuple):
    """What taking a call gave: the call, its incident (None unless it opened one), how it was
    located, whether it was stored now (False: a retry of a ``client_ref`` seen before), and the
    open incidents it is possibly about (core/duplicates.py; empty when switched off)."""
    call: Call
    incident: Incident | None
    located: Located | None
    applied: bool
    possible_duplicates: list


def take_call(session, *, geo=None, rules=callers.Rules(), duplicates=True, **call):
    """Store the call; for an emergency, open an incident in ``pending``.

    The incident's location is the suggestion the operator chose (``location_name`` and
    ``location_kind`` with ``lat``/``lon``: source ``chosen``), else the coordinates given,
    else what ``geo`` finds in ``location_text`` (coordinates, a map link, a known place),
    with its source, confidence, precision, kelurahan and kecamatan. ``location_text`` is
    stored as typed, with the relation word found in it ("depan", ...). A call is never
    refused for its location: when
    nothing usable is found the incident is stored with its location ``unknown`` and
    the operator sets it later. A ``duplicate`` call may name the incident it repeats.

    The location is worked out before the write begins: a configured geocoding server
    may take its timeout, and no other write waits for it.

    With ``client_ref`` (the console's own id for the call), sending the same call again (its
    answer was lost) stores nothing: the call stored the first time is returned, ``applied``
    False. The same ref with other values is refused (``client_ref_reused``). A ref is one
    user's (``core/idempotency.py``).

    The number is stored normalised (``dispatch/phones.py``) beside the number as typed, with the
    flags its history gives (``repeat_prank``, ``blocked``: ``core/callers.py``). A call from a
    blocked number is refused with ``caller_blocked`` (409, the block in its details) unless
    ``confirm_blocked``: then it is taken like any other.

    With ``link_to_incident_id`` the call is about that open incident (409 when it is finished or
    merged): it is stored as its ``duplicate`` and no incident is opened. An emergency call that
    opened an incident comes back with the other open incidents it is possibly about (with
    ``duplicates``), so the operator can link it at once (core/links.py).

    With ``callback_for_call_id`` the call is an operator's call-back of that dropped or silent call
    that reached an emergency: the incident it opens is linked to it, and the dropped call leaves the
    call-back queue (core/callbacks.py).

    With ``taken_at`` the call was taken on paper at that time and is entered now by a supervisor
    (core/late.py): it keeps the card's time and is marked as entered late; with ``late_entry``,
    the emergency was served by the unit named, and its incident is stored with the card's phase
    times and closed.

    Returns a :class:`Taken`.
    """
    ref = idempotency.ref("call", owner_id=call["actor"].id, client_ref=call.pop("client_ref", None),
                          body={k: v for k, v in call.items() if k != "actor"})
    seen = _seen(session, ref)
    if seen is not None:
        return Taken(*seen, _suggest(session, seen[0], seen[1], duplicates))
    located = None
    if call.get("disposition", "emergency") == "emergency" and call.get("link_to_incident_id") is None:
        located = _locate(geo, call)
    try:
        return Taken(*_record_call(session, located=located, ref=ref, rules=rules, duplicates=duplicates, **call))
    except IntegrityError:
        # The same call raced in from a second request and won: answer with it.
        session.rollback()
        taken = _seen(session, ref)
        if taken is None:
            raise
    return Taken(*taken, _suggest(session, taken[0], taken[1], duplicates))


def _suggest(session, call, incident, enabled):
    """The other open incidents a call that opened ``incident`` is possibly about."""
    if not enabled or incident is None or incident.status != "pending":
        return []
    return possible_duplicates(session, _probe(incident, call.caller_phone), now=call.received_at,
                               exclude_id=incident.id)


def _probe(incident, phone):
    return Probe(lat=incident.lat, lon=incident.lon, accuracy_m=incident.location_accuracy_m,
                 place=incident.location_name, text=incident.location_text, phone=phone, category=incident.category)


def _seen(session, ref):
    """The call this user already stored under the ref, as a retry's answer; None if new."""
    request = idempotency.prior(session, ref)
    if request is None:
        return None
    stored = session.get(Call, request.result_id)
    incident = stored.incident if stored.disposition == "emergency" else None
    located = Located(incident.location_source, lat=incident.lat, lon=incident.lon,
                      confidence=incident.location_confidence, name=incident.location_name,
                      kind=incident.location_kind) if incident is not None else None
    return stored, incident, located, False


@writes
def _record_call(session, *, actor, caller_phone, located, disposition="emergency", caller_name=None,
                 location_text=None, lat=None, lon=None, location_accuracy_m=None, location_name=None,
                 location_kind=None, complaint=None, category="other", priority="P2", notes=None, incident_id=None,
                 link_to_incident_id=None, callback_for_call_id=None, ref=None, confirm_blocked=False,
                 taken_at=None, late_entry=None, rules=callers.Rules(), duplicates=True):
    now = utcnow()
    late.check_card(actor=actor, taken_at=taken_at, card=late_entry, disposition=disposition,
                    linked=link_to_incident_id is not None or callback_for_call_id is not None, now=now)
    received = taken_at or now
    number = callers.number_of(caller_phone, field="caller_phone")
    flags = []
    if rules is not None:   # None: the checks switched off, to measure them (config CALLER_CHECKS)
        # A card of the past is taken already: its number's block is shown, not asked about.
        flags = callers.checks(session, number.number, rules=rules, now=received,
                               confirmed=confirm_blocked or taken_at is not None)
    if incident_id is not None and disposition != "duplicate":
        raise InvalidInput("incident_id is only for a 'duplicate' call",
                           fields={"incident_id": "only with disposition duplicate"})
    linked = None
    if link_to_incident_id is not None:
        check_link_body(disposition)
        if incident_id is not None and incident_id != link_to_incident_id:
            raise InvalidInput("link_to_incident_id and incident_id name two incidents",
                               fields={"link_to_incident_id": "not the same as incident_id"})
        disposition = "duplicate"
        linked = open_target(session, link_to_incident_id, field="link_to_incident_id")
    elif incident_id is not None:
        linked = session.get(Incident, incident_id)
        if linked is None:
            raise NotFound(f"incident {incident_id} not found", fields={"incident_id": "unknown incident"})
    dropped = None
    if callback_for_call_id is not None:
        if disposition != "emergency" or link_to_incident_id is not None:
            raise InvalidInput("callback_for_call_id: a call-back that reached an emergency opens an incident",
                               fields={"callback_for_call_id": "only for an emergency that opens an incident"})
        dropped = callbacks.waiting_call(session, callback_for_call_id, field="callback_for_call_id")
    incident = None
    suggestions = []
    if disposition == "emergency":
        incident = Incident(
            category=category, priority=priority, status="pending",
            location_accuracy_m=location_accuracy_m if lat is not None else located.precision_m,
            location_text=location_text, location_relation=relation(location_text),
            complaint=complaint, notes=notes, created_by_id=actor.id, created_at=received, updated_at=now,
            entered_late_at=now if taken_at else None, entered_late_by_id=actor.id if taken_at else None,
        )
        apply_location(incident, located)
        # The open incidents it is possibly about, read in this transaction before anything is
        # written or locked (the day's reference counter is next): no round trips of a second one.
        if duplicates and late_entry is None:
            suggestions = possible_duplicates(session, _probe(incident, number.number), now=received)
        incident.reference = next_reference(session, received)
    call = Call(
        received_at=received, caller_phone=number.number, caller_phone_as_given=caller_phone.strip(),
        caller_flags=flags, caller_name=caller_name, location_text=location_text,
        lat=lat, lon=lon, location_accuracy_m=location_accuracy_m, complaint=complaint,
        disposition=disposition, taken_by_id=actor.id, incident=incident or linked, opened_incident=incident,
        entered_late_at=now if taken_at else None, entered_late_by_id=actor.id if taken_at else None,
    )
    session.add(call)
    session.flush()
    if dropped is not None:
        callbacks.attempt(session, actor=actor, call=dropped, outcome="reached_emergency", now=now,
                          incident_id=incident.id)
    idempotency.remember(session, ref, now=now, result_id=call.id)
    events.record(session, "call.received", actor=actor, incident_id=call.incident_id, occurred_at=taken_at,
                  data={"call": call_data(call)})
    if incident is not None:
        events.record(session, "incident.created", actor=actor, incident_id=incident.id, occurred_at=taken_at,
                      data={"incident": incident_data(incident)})
    if late_entry is not None:
        late.serve(session, actor=actor, incident=incident, card=late_entry, now=now)
    session.commit()
    return call, incident, located, True, suggestions


def _locate(geo, call):
    lat, lon, text = call.get("lat"), call.get("lon"), call.get("location_text")
    if lat is not None and call.get("location_name") is not None:
        return locate_chosen(geo, lat, lon, name=call["location_name"], kind=call.get("location_kind"),
                             precision_m=call.get("location_accuracy_m"))
    if lat is not None:
        return locate_point(geo, lat, lon, source="given")
    if geo is not None and text:
        return locate_text(geo, text)
    return Located("unknown")
