from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate

# The largest id a client may send: the id columns are 32-bit integers on PostgreSQL.
MAX_ID = 2**31 - 1


class CleanString(fields.String):
    """A string the databases can store: no NUL character, no lone UTF-16 surrogate."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise ValidationError("must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("is not valid Unicode text") from None
        return value


NOT_BLANK = validate.Regexp(r"\S", error="must not be blank")

Lat = lambda **kw: fields.Float(validate=validate.Range(-90, 90), allow_nan=False, **kw)  # noqa: E731
Lon = lambda **kw: fields.Float(validate=validate.Range(-180, 180), allow_nan=False, **kw)  # noqa: E731
Accuracy = lambda **kw: fields.Float(validate=validate.Range(0, 100_000), allow_nan=False, **kw)  # noqa: E731
Id = lambda **kw: fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kw)  # noqa: E731


def Text(max_length, min_length=None, **kw):
    """Free text up to ``max_length``; with ``min_length`` it must also not be blank."""
    checks = [validate.Length(min=min_length, max=max_length)]
    if min_length:
        checks.append(NOT_BLANK)
    return CleanString(validate=checks, **kw)


def Choice(choices, **kw):
    return CleanString(validate=validate.OneOf(choices), **kw)


def Time(**kw):
    """A timestamp: ISO 8601 in UTC on output; an offset is required-or-UTC on input
    (a time without one is taken as UTC). Years before 2000 are refused."""
    return fields.AwareDateTime(default_timezone=timezone.utc,
                                validate=validate.Range(min=datetime(2000, 1, 1, tzinfo=timezone.utc)), **kw)


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"example": "validation_error"})
    message = fields.String(required=True)
    fields = fields.Dict(
        keys=fields.String(), values=fields.String(),
        metadata={"description": "field name -> what is wrong with it"},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


def ClientRef(**kw):
    """A client's own id for a request, so that sending it again changes nothing."""
    return CleanString(validate=[validate.Length(min=1, max=64), validate.Regexp(r"^\S+$", error="no spaces")], **kw)
