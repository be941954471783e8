from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..vocabulary import CATEGORIES, LOCATION_SOURCES, PRIORITIES
from .common import Accuracy, Choice, Id, Lat, Lon, Text


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
    address_text = fields.String(allow_none=True)
    kelurahan = fields.String(allow_none=True)
    kecamatan = fields.String(allow_none=True)
    location_source = fields.String(metadata={"description": "where the location came from",
                                              "enum": list(LOCATION_SOURCES)})
    location_confidence = fields.Float(allow_none=True, metadata={"description": "0..1"})
    location_name = fields.String(allow_none=True, metadata={"description": "the place matched"})
    location_kind = fields.String(allow_none=True)
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
    assignments = fields.List(fields.Nested(AssignmentOut))


class IncidentList(Schema):
    items = fields.List(fields.Nested(IncidentOut))


class IncidentQuery(Schema):
    status = Choice(("open", "closed", "all"), load_default="open")
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000))


class LocationFields(Schema):
    lat = Lat(allow_none=True)
    lon = Lon(allow_none=True)
    location_accuracy_m = Accuracy(allow_none=True)

    @validates_schema
    def _pair(self, data, **_kw):
        if ("lat" in data) != ("lon" in data):
            missing = "lon" if "lat" in data else "lat"
            raise ValidationError("lat and lon go together", missing)
        if ("lat" in data) and ((data["lat"] is None) != (data["lon"] is None)):
            raise ValidationError("lat and lon must both be numbers or both null", "lat")


class IncidentPatch(LocationFields):
    priority = Choice(PRIORITIES)
    category = Choice(CATEGORIES)
    address_text = Text(500, allow_none=True)
    kelurahan = Text(100, allow_none=True)
    kecamatan = Text(100, allow_none=True)
    notes = Text(2000, allow_none=True)
    destination_hospital_id = Id(allow_none=True)

    @validates_schema
    def _not_empty(self, data, **_kw):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


class AssignIn(Schema):
    unit_id = Id(required=True)
    recommended_unit_id = Id(allow_none=True, metadata={"description": "the unit the console recommended first"})


class CancelIn(Schema):
    reason = Text(500, min_length=1, required=True)


class CloseIn(Schema):
    outcome = Text(500, allow_none=True)


class EventOut(Schema):
    id = fields.Integer()
    type = fields.String()
    at = fields.String(metadata={"format": "date-time", "description": "UTC, ISO 8601"})
    actor = fields.Dict(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    data = fields.Dict()


class CallerOut(Schema):
    """A call about the incident, as the console shows it: who to call back."""
    id = fields.Integer()
    received_at = fields.DateTime()
    caller_phone = fields.String()
    caller_name = fields.String(allow_none=True)
    disposition = fields.String()


class IncidentDetail(IncidentOut):
    timeline = fields.List(fields.Nested(EventOut))
    calls = fields.List(fields.Nested(CallerOut), metadata={
        "description": "the calls about it, first first: the one that opened it and any repeated ones"})


class IncidentEnvelope(Schema):
    incident = fields.Nested(IncidentOut)
