from marshmallow import Schema, fields

from .common import Text


class LoginIn(Schema):
    username = Text(64, min_length=1, required=True)
    password = Text(256, required=True)


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    role = fields.String()
    unit_id = fields.Integer(allow_none=True)


class LoginOut(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    user = fields.Nested(UserOut)
