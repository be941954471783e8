from marshmallow import Schema

from .common import Id


class AcceptIn(Schema):
    assignment_id = Id(required=True)
