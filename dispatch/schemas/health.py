from marshmallow import Schema, fields


class HealthOut(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "degraded"]})
    database = fields.String(required=True, metadata={
        "description": "`ok`, or `error: cannot reach the database (...)` / `error: cannot write (...)`",
        "example": "ok"})
    travel = fields.String(required=True, metadata={
        "description": "what estimates road times: `graph` (the road graph), `osrm+graph`, or `river: ...` "
                       "(the river-aware estimate, and why: the graph switched off, missing or broken)",
        "example": "graph"})
    clock_speed = fields.Float(required=True, metadata={
        "description": "how many times faster than real time the server's clock runs (PSC_CLOCK_SPEED; 1: real "
                       "time); a simulator checks it matches its own --speed", "example": 1})
    now = fields.DateTime(required=True, metadata={"description": "the server's clock (UTC)"})
