from marshmallow import Schema, fields

FLAT_LINE = {"description": "one line as [lat, lon, lat, lon, ...], 5 decimals"}


class RoadClassOut(Schema):
    code = fields.String(metadata={"description": "arteri, kolektor, lokal, lain (gang-level lanes), connector "
                                                  "(a join the data lacked), bridge"})
    min_zoom = fields.Integer(metadata={"description": "the map shows the class from this zoom on"})
    lines = fields.List(fields.List(fields.Float()), metadata=FLAT_LINE)


class StreetOut(Schema):
    name = fields.String(metadata={"example": "Jl. Ahmad Yani"})
    lines = fields.List(fields.List(fields.Float()), metadata=FLAT_LINE)


class BridgeLineOut(Schema):
    name = fields.String()
    metres = fields.Integer()
    line = fields.List(fields.Float(), metadata=FLAT_LINE)


class LabelPointOut(Schema):
    name = fields.String()
    kind = fields.String(metadata={"description": "kecamatan or kelurahan (zones); hospital or puskesmas (places)"})
    lat = fields.Float()
    lon = fields.Float()


class RoadLayerOut(Schema):
    classes = fields.List(fields.Nested(RoadClassOut))
    streets = fields.List(fields.Nested(StreetOut))
    bridges = fields.List(fields.Nested(BridgeLineOut))
    zones = fields.List(fields.Nested(LabelPointOut), metadata={"description": "where each zone's name goes"})
    places = fields.List(fields.Nested(LabelPointOut), metadata={"description": "hospitals and puskesmas"})
    bounds = fields.List(fields.List(fields.Float()), metadata={"description": "[[south, west], [north, east]]"})
