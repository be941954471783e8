from marshmallow import Schema, fields, validate

from .incidents import IncidentOut
from .units import UnitOut


class BestUnit(Schema):
    unit = fields.Nested(UnitOut)
    eta_s = fields.Integer(metadata={"description": "estimated road time, seconds"})
    distance_m = fields.Integer(metadata={"description": "estimated road distance, metres"})
    via = fields.List(fields.String(), metadata={"description": "the bridges crossed", "example": ["Jembatan Landak"]})


class StandingOffer(Schema):
    unit = fields.Nested(UnitOut)
    offered_at = fields.DateTime()
    eta_s = fields.Integer(allow_none=True, metadata={"description": "when offered; null: location unknown"})


class WaitingItem(Schema):
    incident = fields.Nested(IncidentOut)
    waiting_s = fields.Integer(metadata={"description": "since the incident was opened"})
    best = fields.Nested(BestUnit, allow_none=True, metadata={
        "description": "the available unit that would reach it first; null: none available, or its location unknown"})
    offer = fields.Nested(StandingOffer, allow_none=True, metadata={
        "description": "the unit offered to it when it came free, while the offer stands (core/offers.py); else null"})


class WaitingQueue(Schema):
    items = fields.List(fields.Nested(WaitingItem), metadata={"description": "P1 first, then the longest wait"})
    total = fields.Integer(metadata={"description": "incidents waiting in all (items holds the first `limit`)"})
    available_units = fields.Integer()
    computed_at = fields.DateTime()
    estimated_by = fields.String(allow_none=True, metadata={
        "description": "what estimated the road times (graph, river, osrm, osrm+graph); null: nothing ranked"})


class WaitingQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
