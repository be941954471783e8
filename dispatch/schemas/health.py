from marshmallow import Schema, fields


class HealthOut(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "degraded"]})
    database = fields.String(required=True, metadata={
        "description": "`ok`, or `error: cannot reach the database (...)` / `error: cannot write (...)`",
        "example": "ok"})
