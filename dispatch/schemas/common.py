from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate

from ..phones import NotAPhoneNumber, normalise

# The largest id a client may send: the id columns are 32-bit integers on PostgreSQL.
MAX_ID = 2**31 - 1


# Python's whitespace (str.isspace(), what its re's \s matches), spelled out: ECMA-262's \s, which a
# JSON Schema validator uses for a pattern in the OpenAPI document, is another set (it lacks \x1c-\x1f and
# \x85 and has \ufeff), so a pattern written with \s or \S would not mean what the server checks.
SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Text with no NUL character, as the document says it (the server checks it in CleanString).
NO_NUL = r"^[^\x00]*$"


def has_field(name, kind):
    """JSON Schema (for a schema's ``JSON_SCHEMA``, api/openapi.py): the object has ``name`` and
    it is of JSON type ``kind``."""
    return {"required": [name], "properties": {name: {"type": kind}}}


class FullMatch(validate.Regexp):
    """The whole value must match (Python's ``$`` also matches before a final newline; a JSON Schema
    pattern's does not): the pattern means the same to the server and in the document."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class CleanString(fields.String):
    """A string the databases can store: no NUL character, no lone UTF-16 surrogate.

    The document says so with a pattern (unless the field is a choice or names a pattern of its own)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not any(isinstance(v, (validate.OneOf, validate.Regexp)) for v in self.validators):
            self.metadata = {"pattern": NO_NUL, **self.metadata}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise ValidationError("must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("is not valid Unicode text") from None
        return value


# Free text that must say something begins with a character that is not a space (re.match: at the start).
NOT_BLANK = validate.Regexp(f"^[^\\x00{SPACE}]", error="must not be blank or begin with a space")
NOT_BLANK_TEXT = f"^[^\\x00{SPACE}][^\\x00]*$"   # the same, with no NUL, as the document says it

Lat = lambda **kw: fields.Float(validate=validate.Range(-90, 90), allow_nan=False, **kw)  # noqa: E731
Lon = lambda **kw: fields.Float(validate=validate.Range(-180, 180), allow_nan=False, **kw)  # noqa: E731
Accuracy = lambda **kw: fields.Float(validate=validate.Range(0, 100_000), allow_nan=False, **kw)  # noqa: E731
Id = lambda **kw: fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kw)  # noqa: E731


def Text(max_length, min_length=None, **kw):
    """Free text up to ``max_length``; with ``min_length`` it must also not be blank."""
    checks = [validate.Length(min=min_length, max=max_length)]
    if min_length:
        checks.append(NOT_BLANK)
        kw["metadata"] = {"pattern": NOT_BLANK_TEXT, **kw.get("metadata", {})}
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
    details = fields.Dict(
        keys=fields.String(),
        metadata={"description": "more about the error, by code: e.g. `current` and `requested` (409 "
                                 "invalid_transition, assignment_changed), `units` (409 units_still_assigned, "
                                 "units_transporting), `scope` and `retry_after_s` (429 too_many_attempts)"},
    )
    fields = fields.Dict(
        keys=fields.String(), values=fields.String(), required=True,
        metadata={"description": "field name -> what is wrong with it"},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


def ClientRef(**kw):
    """A client's own id for a request, so that sending it again changes nothing."""
    return CleanString(validate=[validate.Length(min=1, max=64),
                                 FullMatch(f"^[^\\x00{SPACE}]+$", error="no spaces")], **kw)


class Flag(fields.Boolean):
    """A JSON ``true`` or ``false`` in a body, nothing else (not 0, 1 or "yes"): the document's
    ``boolean`` means the same to the server."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):   # (1 == True in Python: a set of {True} would take 1)
            raise self.make_error("invalid")
        return value


PHONE = FullMatch(
    r"^\+?\(?[0-9][0-9 ().\-/]{0,38}$",
    error="digits, spaces, '+', '-' and brackets only (e.g. 0811-573-119)",
)


def _possible_phone(value):
    """A number libphonenumber can read (region ID), or a short service number (112, 119)."""
    if PHONE.regex.fullmatch(value) is None:
        return   # PHONE says why, once
    try:
        normalise(value)
    except NotAPhoneNumber as exc:
        raise ValidationError(str(exc)) from None


PHONE_DESCRIPTION = ("as typed or shown by the telephone: 0811-573-119, +62 811 573 119 and 62811573119 are "
                     "one number (stored as +62811573119, the typed form kept beside it); short service "
                     "numbers (112, 119) as they are")


def Phone(**kw):
    """A phone number as typed (dispatch/phones.py reads it)."""
    metadata = {"description": PHONE_DESCRIPTION, "example": "0811-573-119", **kw.pop("metadata", {})}
    return fields.String(validate=[validate.Length(min=2, max=40), PHONE, _possible_phone], metadata=metadata, **kw)
