from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from ..vocabulary import (APPROXIMATE_PRECISIONS, CATEGORIES, LOCATION_KINDS, LOCATION_PRECISION_LABELS,
                          LOCATION_PRECISIONS, LOCATION_SOURCES, PRIORITIES)
from .common import Accuracy, Choice, Flag, Id, Lat, Lon, Text, has_field


class AssignmentOut(Schema):
    id = fields.Integer()
    incident_id = fields.Integer()
    unit_id = fields.Integer()
    call_sign = fields.Function(lambda a: a.unit.call_sign)
    status = fields.String()
    active = fields.Boolean()
    assigned_by_id = fields.Integer(allow_none=True)
    recommended_unit_id = fields.Integer(allow_none=True)
    eta_s = fields.Integer(allow_none=True, metadata={"description": "estimated travel time when dispatched"})
    recommended_eta_s = fields.Integer(allow_none=True)
    hospital_id = fields.Integer(allow_none=True)
    dispatched_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True)
    unacknowledged_at = fields.DateTime(allow_none=True, metadata={"description": "operators were told the crew "
                                                                                 "had not accepted in time"})
    en_route_at = fields.DateTime(allow_none=True)
    on_scene_at = fields.DateTime(allow_none=True)
    transporting_at = fields.DateTime(allow_none=True)
    at_hospital_at = fields.DateTime(allow_none=True)
    cleared_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    entered_late_at = fields.DateTime(allow_none=True, metadata={
        "description": "from a paper card entered afterwards (its times are the card's; never active)"})
    auto_rule = fields.String(allow_none=True, metadata={
        "description": "sent by the system, not a dispatcher (assigned_by_id null): the rule that did it",
        "example": "auto_dispatch:P1"})


class OfferOut(Schema):
    unit_id = fields.Integer(attribute="offer_unit_id")
    offered_at = fields.DateTime()
    eta_s = fields.Integer(attribute="offer_eta_s", allow_none=True, metadata={
        "description": "its estimated road time when offered; null: the incident's location is unknown"})


class IncidentOut(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "PSC-20261128-0001"})
    category = fields.String()
    category_label = fields.Function(lambda i: CATEGORIES[i.category],
                                     metadata={"description": '{"id": Bahasa Indonesia, "en": English}'})
    priority = fields.String()
    priority_label = fields.Function(lambda i: PRIORITIES[i.priority])
    status = fields.String()
    location_known = fields.Function(lambda i: i.lat is not None)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    location_accuracy_m = fields.Float(allow_none=True)
    location_text = fields.String(allow_none=True, metadata={
        "description": "the words as the caller said them / the operator typed them, never rewritten"})
    address_text = fields.Function(lambda i: i.location_text, allow_none=True, metadata={
        "description": "deprecated: the old name of location_text (the same value)", "deprecated": True,
        "type": "string"})
    location_relation = fields.String(allow_none=True, metadata={
        "description": "the relation word in location_text (depan, belakang, dekat, samping, seberang, "
                       "sebelah, ...), in one spelling", "example": "depan"})
    kelurahan = fields.String(allow_none=True)
    kecamatan = fields.String(allow_none=True)
    location_source = fields.String(metadata={"description": "where the location came from",
                                              "enum": list(LOCATION_SOURCES)})
    location_confidence = fields.Float(allow_none=True, metadata={"description": "0..1"})
    location_name = fields.String(allow_none=True, metadata={"description": "the place matched"})
    location_kind = fields.String(allow_none=True)
    location_precision = fields.String(metadata={"description": "how precise the point is",
                                                 "enum": list(LOCATION_PRECISIONS)})
    location_precision_label = fields.Function(
        lambda i: LOCATION_PRECISION_LABELS[i.location_precision] if i.location_precision in APPROXIMATE_PRECISIONS
        else None, allow_none=True, metadata={
            "description": 'for a point that only approximates the place (road, kelurahan, kecamatan): '
                           '{"id": "perkiraan: tengah kelurahan", "en": "approximate: centre of the kelurahan"}; '
                           'null otherwise', "type": "object",
            "properties": {"id": {"type": "string"}, "en": {"type": "string"}}})
    outside_service_area = fields.Boolean(metadata={"description": "outside the city; kecamatan is the nearest"})
    complaint = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    destination_hospital_id = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    dispatched_at = fields.DateTime(allow_none=True)
    on_scene_at = fields.DateTime(allow_none=True)
    transporting_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()
    merged_into_id = fields.Integer(allow_none=True, metadata={
        "description": "status merged: the incident it was merged into (the same event), which carries on"})
    merged_at = fields.DateTime(allow_none=True)
    entered_late = fields.Boolean(metadata={
        "description": "opened by a call taken on paper and entered afterwards: created_at and the phase times "
                       "are the card's"})
    entered_late_at = fields.DateTime(allow_none=True, metadata={"description": "when it was entered"})
    entered_late_by_id = fields.Integer(allow_none=True, metadata={"description": "who entered it"})
    offer = fields.Nested(OfferOut, allow_none=True, metadata={
        "description": "a unit that came free while it waited, offered to it (core/offers.py); it stands while "
                       "the incident has no unit and the offered unit is available"})
    assignments = fields.List(fields.Nested(AssignmentOut))


class IncidentList(Schema):
    items = fields.List(fields.Nested(IncidentOut))


class IncidentQuery(Schema):
    status = Choice(("open", "closed", "all"), load_default="open")
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000))


class LocationFields(Schema):
    # What _pair and _chosen check, as the OpenAPI document says it.
    JSON_SCHEMA = {
        "dependentRequired": {"lat": ["lon"], "lon": ["lat"]},
        "allOf": [
            {"if": has_field("lat", "null"), "then": {"properties": {"lon": {"type": "null"}}}},
            {"if": has_field("lon", "null"), "then": {"properties": {"lat": {"type": "null"}}}},
            {"if": has_field("location_name", "string"), "then": has_field("lat", "number")},
            {"if": has_field("location_kind", "string"), "then": {"allOf": [has_field("lat", "number"),
                                                                          has_field("location_name", "string")]}},
        ],
    }

    lat = Lat(allow_none=True)
    lon = Lon(allow_none=True)
    location_accuracy_m = Accuracy(allow_none=True)
    location_name = Text(200, min_length=1, allow_none=True, metadata={
        "description": "the suggestion the operator chose, with its lat/lon: stored with location_source "
                       "'chosen' (location_text stays as typed)"})
    location_kind = Choice(LOCATION_KINDS, allow_none=True, metadata={
        "description": "the chosen suggestion's kind (with location_name)"})

    @validates_schema
    def _pair(self, data, **_kw):
        if ("lat" in data) != ("lon" in data):
            missing = "lon" if "lat" in data else "lat"
            raise ValidationError("lat and lon go together", missing)
        if ("lat" in data) and ((data["lat"] is None) != (data["lon"] is None)):
            raise ValidationError("lat and lon must both be numbers or both null", "lat")

    @validates_schema
    def _chosen(self, data, **_kw):
        for name in ("location_name", "location_kind"):
            if data.get(name) is not None and data.get("lat") is None:
                raise ValidationError("a chosen suggestion needs its lat and lon", name)
        if data.get("location_kind") is not None and data.get("location_name") is None:
            raise ValidationError("goes with location_name", "location_kind")


class IncidentPatch(LocationFields):
    JSON_SCHEMA = {
        **LocationFields.JSON_SCHEMA,
        "minProperties": 1,
        # No JSON Schema compares two values: said in words.
        "description": "at least one field; `address_text` (the old name of `location_text`) with "
                       "`location_text` only with the same value (else 422 naming address_text)",
    }

    priority = Choice(PRIORITIES)
    category = Choice(CATEGORIES)
    location_text = Text(500, allow_none=True, metadata={"description": "the words as said or typed"})
    address_text = Text(500, allow_none=True, metadata={"description": "deprecated: the old name of location_text",
                                                        "deprecated": True})
    kelurahan = Text(100, allow_none=True)
    kecamatan = Text(100, allow_none=True)
    notes = Text(2000, allow_none=True)
    destination_hospital_id = Id(allow_none=True)

    @validates_schema
    def _not_empty(self, data, **_kw):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")

    @validates_schema
    def _one_text(self, data, **_kw):
        if "address_text" in data and "location_text" in data and data["address_text"] != data["location_text"]:
            raise ValidationError("the old name of location_text: give one of them", "address_text")

    @post_load
    def _alias(self, data, **_kw):
        if "address_text" in data:
            data["location_text"] = data.pop("address_text")
        return data


class AssignIn(Schema):
    unit_id = Id(required=True)
    recommended_unit_id = Id(allow_none=True, metadata={"description": "the unit the console recommended first"})


class CancelIn(Schema):
    reason = Text(500, min_length=1, required=True)


class CloseIn(Schema):
    outcome = Text(500, allow_none=True)
    release_units = Flag(load_default=False, metadata={
        "description": "free every unit still on the incident that is not transporting a patient, and close, "
                       "in one action"})


class ReopenIn(Schema):
    reason = Text(500, min_length=1, required=True)


class EventOut(Schema):
    id = fields.Integer()
    type = fields.String()
    at = fields.String(metadata={"format": "date-time", "description": "when it was recorded: UTC, ISO 8601"})
    occurred_at = fields.String(metadata={
        "format": "date-time", "description": "when it happened: `at`, or the earlier time on a paper card entered "
                                              "late (UTC, ISO 8601)"})
    actor = fields.Dict(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    data = fields.Dict()


class CallerOut(Schema):
    """A call about the incident, as the console shows it: who to call back."""
    id = fields.Integer()
    received_at = fields.DateTime()
    caller_phone = fields.String(metadata={"description": "normalised (+62811573119): for a tel: link"})
    caller_phone_display = fields.String(metadata={"description": "as an operator writes it: 0811-573-119"})
    caller_phone_as_given = fields.String(allow_none=True, metadata={"description": "as typed at intake"})
    caller_flags = fields.List(fields.String(), metadata={"description": "repeat_prank, blocked: when taken"})
    caller_name = fields.String(allow_none=True)
    disposition = fields.String()
    entered_late = fields.Boolean(metadata={"description": "taken on paper and entered afterwards"})


class RelatedIncident(Schema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    relation = fields.String(metadata={"description": "NENA EIDO: replacing (it was merged into this one), "
                                                      "replaced (this one was merged into it)"})
    at = fields.DateTime(metadata={"description": "when they were merged"})


class IncidentDetail(IncidentOut):
    timeline = fields.List(fields.Nested(EventOut), metadata={
        "description": "its events, with those of the incidents merged into it, in order"})
    related = fields.List(fields.Nested(RelatedIncident), metadata={
        "description": "the incidents merged into it, and the one it was merged into"})
    calls = fields.List(fields.Nested(CallerOut), metadata={
        "description": "the calls about it, first first: the one that opened it and any repeated ones"})


class IncidentEnvelope(Schema):
    incident = fields.Nested(IncidentOut)
