from marshmallow import Schema, fields

from .common import Lat, Lon


class RouteQuery(Schema):
    from_lat = Lat(required=True)
    from_lon = Lon(required=True)
    to_lat = Lat(required=True)
    to_lon = Lon(required=True)


class WalkOut(Schema):
    from_ = fields.Integer(data_key="from", attribute="from",
                           metadata={"description": "metres from the start to the nearest road"})
    to = fields.Integer(metadata={"description": "metres from the nearest road to the end"})


class WayOut(Schema):
    eta_s = fields.Integer(required=True, metadata={"description": "estimated road time, seconds"})
    distance_m = fields.Integer(required=True, metadata={"description": "road distance, metres (walks included)"})
    via = fields.List(fields.String(), required=True,
                      metadata={"example": ["Jembatan Kapuas I"], "description": "bridges to cross, in order"})
    path = fields.List(fields.List(fields.Float()), required=True, metadata={
        "description": "[lat, lon] points of the way, from the start to the end (the walks to and from "
                       "the road included); with the river model, straight lines by the bridges",
        "example": [[-0.0366, 109.3135], [-0.0362, 109.3141]]})
    estimated_by = fields.String(metadata={"description": "graph (the road graph), river (the river-aware "
                                                          "estimate, when the graph is missing), osrm"})
    walk_m = fields.Nested(WalkOut)
    far_from_road = fields.Boolean(metadata={"description": "a point is more than 250 m from the nearest road"})
    computed_at = fields.DateTime()
