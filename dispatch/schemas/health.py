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
