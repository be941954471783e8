from marshmallow import Schema, fields


class Durations(Schema):
    n = fields.Integer(metadata={"description": "incidents counted"})
    median = fields.Float(allow_none=True, metadata={"description": "seconds; null when none"})
    p90 = fields.Float(allow_none=True, metadata={"description": "90th percentile, seconds"})


class TodayOut(Schema):
    day = fields.String(metadata={"description": "the local day (WIB), YYYY-MM-DD"})
    since = fields.DateTime(metadata={"description": "its start, UTC"})
    until = fields.DateTime()
    incidents_today = fields.Integer()
    call_to_dispatch_s = fields.Nested(Durations, metadata={"description": "from the call to the first unit sent"})
    call_to_arrival_s = fields.Nested(Durations, metadata={"description": "from the call to the first unit on scene"})
    open_incidents = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                 metadata={"description": "open incidents by priority (P1, P2, P3)"})
    units = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "units by status"})
