from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..vocabulary import FACILITY_KINDS, HOSPITAL_STATUSES
from .common import Choice


class HospitalOut(Schema):
    id = fields.Integer()
    name = fields.String()
    short_name = fields.String(allow_none=True)
    address = fields.String()
    kind = fields.String(metadata={"enum": list(FACILITY_KINDS), "description": "hospital or puskesmas"})
    lat = fields.Float()
    lon = fields.Float()
    position_estimated = fields.Boolean(metadata={
        "description": "the position was estimated from the address (the puskesmas), not surveyed"})
    capabilities = fields.Method("_capabilities")
    status = fields.String()
    beds_available = fields.Integer(allow_none=True)
    beds_reported_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()

    def _capabilities(self, h):
        return {
            "emergency": h.has_emergency, "icu": h.has_icu,
            "maternity": h.has_maternity, "trauma": h.has_trauma,
        }


class HospitalList(Schema):
    items = fields.List(fields.Nested(HospitalOut))


class HospitalPatch(Schema):
    JSON_SCHEMA = {"minProperties": 1}
    beds_available = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 10_000))
    status = Choice(HOSPITAL_STATUSES)

    @validates_schema
    def _not_empty(self, data, **_kw):
        if not data:
            raise ValidationError("give beds_available or status", "_schema")
