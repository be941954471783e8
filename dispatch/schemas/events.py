from marshmallow import Schema, fields, validate

from .incidents import EventOut


class EventQuery(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(0, 2**62))
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 1000))


class EventPage(Schema):
    items = fields.List(fields.Nested(EventOut))
    last_id = fields.Integer(metadata={"description": "id of the last item, or `after` when empty"})


class EventSchemas(Schema):
    types = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "event type -> the JSON Schema of its `data`"})
