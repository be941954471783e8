from marshmallow import Schema, fields, validate

from .common import Lat, Lon, Text
from .hospitals import HospitalOut
from .units import UnitOut


class Label(Schema):
    id = fields.String(metadata={"description": "Bahasa Indonesia"})
    en = fields.String()


class Reason(Label):
    code = fields.String(metadata={"example": "crosses_river"})


class GeocodeQuery(Schema):
    q = Text(500, min_length=1, required=True,
             metadata={"description": "what the caller said: a place, an address, coordinates or a map link"})
    limit = fields.Integer(load_default=8, validate=validate.Range(1, 20))
    typing = fields.Boolean(load_default=True,
                            metadata={"description": "also offer places whose name starts with the last word"})


class Candidate(Schema):
    name = fields.String()
    kind = fields.String(metadata={"description": "kecamatan, kelurahan, hospital, puskesmas, landmark, school, bridge, "
                                                  "road, gang, coordinates, server (a configured geocoding server)"})
    lat = fields.Float()
    lon = fields.Float()
    kelurahan = fields.String(allow_none=True)
    kecamatan = fields.String(allow_none=True)
    outside_service_area = fields.Boolean(allow_none=True)
    confidence = fields.Float(metadata={"description": "0..1: how sure the match is (not how precise)"})
    match = fields.String(metadata={"description": "exact, typo, prefix; for coordinates their format"})
    matched_text = fields.String(allow_none=True)
    precision_m = fields.Float(allow_none=True, metadata={"description": "how far the point may be from the place"})
    source = fields.String()
    notes = fields.List(fields.String(), metadata={"description": "what in the text does not fit this place"})
    unmatched = fields.String(metadata={
        "description": "on a street's or a zone's candidate: what the text also names that the geocoder does "
                       "not know, a gang, a street or a place (the point is on the street or in the zone, not "
                       "there)", "example": "Gg. Mawar"})


class CandidateList(Schema):
    items = fields.List(fields.Nested(Candidate))


class ReverseQuery(Schema):
    lat = Lat(required=True)
    lon = Lon(required=True)


class NearestPlace(Schema):
    name = fields.String()
    kind = fields.String()
    distance_m = fields.Integer()


class ReverseOut(Schema):
    name = fields.String(metadata={"example": "dekat RSU Santo Antonius"})
    lat = fields.Float()
    lon = fields.Float()
    kelurahan = fields.String(allow_none=True)
    kecamatan = fields.String(allow_none=True, metadata={"description": "the nearest one when outside"})
    outside_service_area = fields.Boolean()
    nearest_place = fields.Nested(NearestPlace, allow_none=True)


class LocationResult(Schema):
    """How the location of a new incident was found."""
    source = fields.String(metadata={"description": "given, text_coordinates, gazetteer, server, unknown"})
    confidence = fields.Float(allow_none=True)
    name = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    message = fields.Nested(Label, allow_none=True)
    candidates = fields.List(fields.Nested(Candidate))


class LimitQuery(Schema):
    limit = fields.Integer(load_default=5, validate=validate.Range(1, 50))


class Recommendation(Schema):
    unit = fields.Nested(UnitOut)
    eta_s = fields.Integer(metadata={"description": "estimated road time, seconds"})
    distance_m = fields.Integer(metadata={"description": "estimated road distance, metres"})
    via = fields.List(fields.String(), metadata={"example": ["Jembatan Kapuas I"]})
    position_source = fields.String(metadata={"description": "gps: its last fix; station: its station"})
    position_age_s = fields.Integer(allow_none=True, metadata={"description": "age of its last fix; null: none"})
    reasons = fields.List(fields.Nested(Reason))


class RecommendationList(Schema):
    incident_id = fields.Integer()
    computed_at = fields.DateTime()
    estimated_by = fields.String(metadata={"description": "graph (the road graph, the default), river (the "
                                                          "river-aware fallback), osrm, or osrm+graph (OSRM for some)"})
    available_units = fields.Integer()
    items = fields.List(fields.Nested(Recommendation))


class Need(Label):
    code = fields.String()


class HospitalSuggestion(Schema):
    hospital = fields.Nested(HospitalOut)
    eta_s = fields.Integer()
    distance_m = fields.Integer()
    via = fields.List(fields.String())
    reasons = fields.List(fields.Nested(Reason))


class HospitalExcluded(Schema):
    hospital = fields.Nested(HospitalOut)
    reasons = fields.List(fields.Nested(Reason))


class HospitalSuggestions(Schema):
    incident_id = fields.Integer()
    need = fields.Nested(Need, allow_none=True, metadata={"description": "what the category needs, besides an ER"})
    estimated_by = fields.String(metadata={"description": "as in the recommendations: graph, river, osrm..."})
    items = fields.List(fields.Nested(HospitalSuggestion))
    excluded = fields.List(fields.Nested(HospitalExcluded))


class TilesOut(Schema):
    url = fields.String(metadata={"example": "https://tile.example.org/{z}/{x}/{y}.png"})
    attribution = fields.String()


class MapLayersOut(Schema):
    zones = fields.Dict(metadata={"description": "GeoJSON FeatureCollection: kecamatan and kelurahan polygons "
                                                 "(properties name, kind, code, kecamatan)"})
    rivers = fields.Dict(metadata={"description": "GeoJSON FeatureCollection: rivers and bridges "
                                                  "(properties kind river|bridge, name, length_m)"})
    tiles = fields.Nested(TilesOut, allow_none=True,
                          metadata={"description": "a tile layer, only when MAP_TILE_URL is set (none: offline)"})
