"""Possible duplicates of a call, and linking or unlinking a call (core/duplicates.py, core/links.py)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..vocabulary import CATEGORIES, DUPLICATE_REASONS, PRIORITIES
from .common import Accuracy, Choice, Id, Lat, Lon, Phone, Text
from .incidents import CallerOut, IncidentOut


class PossibleDuplicate(Schema):
    incident = fields.Nested(IncidentOut)
    distance_m = fields.Integer(allow_none=True, metadata={
        "description": "from the call's point to the incident's; null when either is not known"})
    minutes_ago = fields.Float(metadata={"description": "since the incident was opened"})
    last_call_minutes_ago = fields.Float(metadata={"description": "since the last call about it"})
    score = fields.Float(metadata={"description": "0..1: how probably it is the same event; best first"})
    why = fields.List(fields.String(metadata={"enum": list(DUPLICATE_REASONS)}), metadata={
        "description": "near (within the radius both uncertainties give), recent (a call about it within 60 "
                       "minutes), same_caller, same_place (the same road or landmark named), same_category, "
                       "related_category; labels in GET /api/vocabulary (duplicate_reasons)"})
    calls = fields.List(fields.Nested(CallerOut), metadata={"description": "every call logged about it, first first"})


class DuplicateList(Schema):
    possible_duplicates = fields.List(fields.Nested(PossibleDuplicate))


class DuplicateQuery(Schema):
    JSON_SCHEMA = {"dependentRequired": {"lat": ["lon"], "lon": ["lat"]}}

    lat = Lat()
    lon = Lon()
    accuracy_m = Accuracy(metadata={"description": "how uncertain the call's point is (widens the radius)"})
    q = Text(500, metadata={"description": "the location as the caller gives it: located like the intake does "
                                           "when lat/lon are not given, and its words compared"})
    phone = Phone(metadata={"description": "the caller's number: incidents it called about come first"})
    category = Choice(CATEGORIES)
    exclude_incident_id = Id(metadata={"description": "an incident not to suggest (the call's own)"})
    limit = fields.Integer(load_default=5, validate=validate.Range(1, 20))

    @validates_schema
    def _pair(self, data, **_kw):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("lat and lon go together", "lon" if "lat" in data else "lat")


class LinkIn(Schema):
    incident_id = Id(required=True, metadata={"description": "the open incident the call is about"})


class UnlinkIn(Schema):
    category = Choice(CATEGORIES, metadata={"description": "of the incident it gets; default: the one it leaves"})
    priority = Choice(PRIORITIES, metadata={"description": "of the incident it gets; default: the one it leaves"})


class MergeIn(Schema):
    into = Id(required=True, metadata={"description": "the open incident that carries on (the survivor)"})
    reason = Text(500, min_length=1, metadata={"example": "dua laporan tabrakan yang sama di Jl. Gajah Mada"})


class MergeOut(Schema):
    incident = fields.Nested(IncidentOut, metadata={"description": "the incident merged (status merged)"})
    into = fields.Nested(IncidentOut, metadata={"description": "the survivor, with its calls, units and priority"})
