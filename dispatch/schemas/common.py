from datetime import timezone

from marshmallow import Schema, fields, validate

Lat = lambda **kw: fields.Float(validate=validate.Range(-90, 90), allow_nan=False, **kw)  # noqa: E731
Lon = lambda **kw: fields.Float(validate=validate.Range(-180, 180), allow_nan=False, **kw)  # noqa: E731
Accuracy = lambda **kw: fields.Float(validate=validate.Range(0, 100_000), allow_nan=False, **kw)  # noqa: E731
Id = lambda **kw: fields.Integer(strict=True, validate=validate.Range(1, 2**62), **kw)  # noqa: E731


def Text(max_length, min_length=None, **kw):
    return fields.String(validate=validate.Length(min=min_length, max=max_length), **kw)


def Time(**kw):
    """A timestamp: ISO 8601 in UTC on output; an offset is required-or-UTC on input."""
    return fields.AwareDateTime(default_timezone=timezone.utc, **kw)


class Labels(Schema):
    id = fields.String(metadata={"description": "Bahasa Indonesia"})
    en = fields.String(metadata={"description": "English"})


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"example": "validation_error"})
    message = fields.String(required=True)
    fields = fields.Dict(
        keys=fields.String(), values=fields.String(),
        metadata={"description": "field name -> what is wrong with it"},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)
