from marshmallow import Schema, fields, validate

from ..vocabulary import CALLBACK_OUTCOMES, CALLER_FLAGS, CATEGORIES, DISPOSITIONS, PRIORITIES
from .common import Choice, ClientRef, Flag, Id, Phone, Text, Time, has_field
from .duplicates import PossibleDuplicate
from .geo import LocationResult
from .incidents import IncidentOut, LocationFields

class LateEntryIn(Schema):
    """What the unit did for a call taken on paper, from the card (core/late.py)."""
    unit_id = Id(required=True, metadata={"description": "the unit that went (busy now or not: it is not touched)"})
    dispatched_at = Time(required=True)
    en_route_at = Time(allow_none=True)
    on_scene_at = Time(allow_none=True)
    transporting_at = Time(allow_none=True)
    hospital_id = Id(allow_none=True, metadata={"description": "the hospital the patient was taken to"})
    at_hospital_at = Time(allow_none=True)
    cleared_at = Time(allow_none=True, metadata={"description": "the unit free again; the incident closes then "
                                                              "(else at the card's last time)"})
    outcome = Text(500, min_length=1, allow_none=True, metadata={
        "description": "how it ended; by default transported (a hospital or transport time) or treated_on_scene"})


class CallIn(LocationFields):
    JSON_SCHEMA = {
        **LocationFields.JSON_SCHEMA,
        "allOf": [
            *LocationFields.JSON_SCHEMA["allOf"],
            # incident_id only for a duplicate call (the disposition's default is emergency).
            {"if": has_field("incident_id", "integer"),
             "then": {"required": ["disposition"], "properties": {"disposition": {"const": "duplicate"}}}},
            {"if": has_field("link_to_incident_id", "integer"),
             "then": {"properties": {"disposition": {"enum": ["emergency", "duplicate"]}}}},
        ],
    }

    caller_phone = Phone(required=True)
    caller_name = Text(200, allow_none=True)
    location_text = Text(500, allow_none=True)
    complaint = Text(2000, allow_none=True)
    category = Choice(CATEGORIES, load_default="other")
    priority = Choice(PRIORITIES, load_default="P2")
    notes = Text(2000, allow_none=True)
    disposition = Choice(DISPOSITIONS, load_default="emergency")
    incident_id = Id(
        allow_none=True,
        metadata={"description": "for a 'duplicate' call: the incident it repeats (link_to_incident_id says it "
                                 "in one field)"},
    )
    link_to_incident_id = Id(allow_none=True, metadata={
        "description": "the open incident this call is about (a possible duplicate the operator chose): the call "
                       "is stored as its duplicate and no incident is opened; 409 incident_finished / "
                       "incident_merged when it is no longer open"})
    callback_for_call_id = Id(allow_none=True, metadata={
        "description": "this call is an operator's call-back of that dropped or silent call, and reached an "
                       "emergency: the incident it opens is linked to it and it leaves the call-back queue "
                       "(409 not_for_callback / callback_done)"})
    confirm_blocked = Flag(load_default=False, metadata={
        "description": "take the call although its number is blocked (without it: 409 caller_blocked)"})
    client_ref = ClientRef(metadata={
        "description": "the console's own id for this call: sent again (an answer lost), the call is stored once"})
    taken_at = Time(allow_none=True, metadata={
        "description": "a call taken on paper while the system was down (supervisors): when it was received; not "
                       "in the future, at most 7 days back. The call is stored with this time and marked "
                       "entered_late"})
    late_entry = fields.Nested(LateEntryIn, allow_none=True, metadata={
        "description": "with taken_at, for an emergency that was served: the unit and its times from the card, in "
                       "order (dispatched_at <= en_route_at <= on_scene_at <= transporting_at <= at_hospital_at "
                       "<= cleared_at); the incident is stored with them and closed"})


class CallOut(Schema):
    id = fields.Integer()
    received_at = fields.DateTime()
    caller_phone = fields.String(metadata={"description": "normalised: E.164, or a short number as dialled",
                                           "example": "+62811573119"})
    caller_phone_as_given = fields.String(allow_none=True, metadata={"description": "as typed"})
    caller_phone_display = fields.String(metadata={"description": "as shown: 0811-573-119"})
    caller_flags = fields.List(fields.String(), metadata={
        "description": f"what the caller's history said when the call was taken: {', '.join(CALLER_FLAGS)}"})
    caller_name = fields.String(allow_none=True)
    location_text = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    location_accuracy_m = fields.Float(allow_none=True)
    complaint = fields.String(allow_none=True)
    disposition = fields.String()
    taken_by_id = fields.Integer(allow_none=True)
    incident_id = fields.Integer(allow_none=True, metadata={
        "description": "the incident it is about: the one it opened, or the one it repeats (a duplicate)"})
    opened_incident_id = fields.Integer(allow_none=True, metadata={
        "description": "the incident this call opened (kept when it was linked to another one and its own merged)"})
    callback_done_at = fields.DateTime(allow_none=True, metadata={
        "description": "a dropped or silent call: when a call-back reached someone or found a wrong number"})
    entered_late = fields.Boolean(metadata={
        "description": "taken on paper while the system was down and entered afterwards: received_at is the "
                       "time on the card"})
    entered_late_at = fields.DateTime(allow_none=True, metadata={"description": "when it was entered"})
    entered_late_by_id = fields.Integer(allow_none=True, metadata={"description": "who entered it"})


class CallCreated(Schema):
    call = fields.Nested(CallOut)
    applied = fields.Boolean(metadata={"description": "false when client_ref was seen before: nothing new stored"})
    incident = fields.Nested(IncidentOut, allow_none=True)
    location = fields.Nested(LocationResult, allow_none=True,
                             metadata={"description": "how the incident was located (emergency calls)"})
    possible_duplicates = fields.List(fields.Nested(PossibleDuplicate), metadata={
        "description": "for a call that opened an incident: the other open incidents it is possibly about, best "
                       "first (link it with POST /api/calls/<id>/link); empty otherwise"})


class CallList(Schema):
    items = fields.List(fields.Nested(CallOut))


class CallQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class LinkOut(Schema):
    call = fields.Nested(CallOut)
    incident = fields.Nested(IncidentOut, metadata={"description": "the incident the call is now about"})
    applied = fields.Boolean(metadata={"description": "false when the call was linked to it already"})
    merged_incident = fields.Nested(IncidentOut, allow_none=True, metadata={
        "description": "the call's own incident, merged into the chosen one (link); null otherwise"})
    left_incident = fields.Nested(IncidentOut, allow_none=True, metadata={
        "description": "the incident the call left (unlink)"})


class CallbackIn(Schema):
    outcome = Choice(CALLBACK_OUTCOMES, required=True)
    note = Text(500, min_length=1, allow_none=True)
    incident_id = Id(allow_none=True, metadata={
        "description": "reached_emergency: the open incident it was about (the intake opens a new one with "
                       "callback_for_call_id instead)"})
    attempts_seen = fields.Integer(strict=True, validate=validate.Range(0, 10_000), allow_none=True, metadata={
        "description": "how many attempts the operator's screen showed: another one recorded meanwhile is 409 "
                       "callback_changed (two operators calling the same number)"})


class AttemptOut(Schema):
    id = fields.Integer()
    call_id = fields.Integer()
    outcome = fields.String(metadata={"enum": list(CALLBACK_OUTCOMES)})
    attempted_at = fields.DateTime()
    attempted_by_id = fields.Integer(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)


class CallbackRecorded(Schema):
    call = fields.Nested(CallOut)
    attempt = fields.Nested(AttemptOut)
    done = fields.Boolean(metadata={"description": "the call left the queue"})


class CallbackItem(Schema):
    call = fields.Nested(CallOut)
    waiting_s = fields.Integer(metadata={"description": "since the call came"})
    attempts = fields.List(fields.Nested(AttemptOut), metadata={"description": "the call-backs tried, first first"})
    called_again = fields.List(fields.Nested(CallOut), metadata={
        "description": "the calls the same number made since: it called again while waiting"})


class CallbackQueue(Schema):
    items = fields.List(fields.Nested(CallbackItem), metadata={"description": "oldest first"})
    total = fields.Integer(metadata={"description": "calls waiting in all (items holds the oldest `limit`)"})
    oldest_waiting_s = fields.Integer(allow_none=True)
    now = fields.DateTime()


class CallbackQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
