from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..vocabulary import CAPABILITIES, UNIT_STATUSES
from .common import Accuracy, Choice, CleanString, ClientRef, FullMatch, Id, Lat, Lon, Text, Time, has_field


class PositionOut(Schema):
    lat = fields.Float()
    lon = fields.Float()
    at = fields.DateTime(attribute="position_at", allow_none=True,
                         metadata={"description": "time of the fix; null while the unit stands at its station"})
    source = fields.Function(lambda u: "gps" if u.position_at else "station")
    accuracy_m = fields.Float(attribute="position_accuracy_m", allow_none=True)
    speed_mps = fields.Float(allow_none=True)
    heading = fields.Float(allow_none=True)


class StationOut(Schema):
    name = fields.String(attribute="station_name")
    lat = fields.Float(attribute="station_lat")
    lon = fields.Float(attribute="station_lon")
    facility_id = fields.Integer(attribute="station_facility_id", allow_none=True, metadata={
        "description": "the hospital or puskesmas the unit is stationed at, if it is one"})


class PresenceOut(Schema):
    device_connected = fields.Boolean(metadata={"description": "the crew's phone has a live connection"})
    device_changed_at = fields.DateTime(allow_none=True, metadata={"description": "when it last connected or went"})
    position_stale = fields.Boolean(metadata={"description": "the last fix is older than POSITION_STALE_S"})


class CurrentAssignmentOut(Schema):
    id = fields.Integer()
    incident_id = fields.Integer()
    incident_reference = fields.Function(lambda a: a.incident.reference, metadata={
        "type": "string", "example": "PSC-20261128-0001"})
    status = fields.String()
    dispatched_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True, metadata={"description": "when the crew accepted; null: not yet"})
    unacknowledged_at = fields.DateTime(allow_none=True, metadata={
        "description": "when operators were told the crew had not accepted in time"})


class UnitOut(Schema):
    id = fields.Integer()
    call_sign = CleanString()
    capability = fields.String()
    status = fields.String()
    status_changed_at = fields.DateTime()
    station = fields.Function(lambda u: StationOut().dump(u))
    position = fields.Function(lambda u: PositionOut().dump(u) if u.lat is not None else None)
    current_assignment = fields.Nested(CurrentAssignmentOut, allow_none=True)
    presence = fields.Function(lambda u: PresenceOut().dump(u))
    version = fields.Integer()


class UnitList(Schema):
    items = fields.List(fields.Nested(UnitOut))


class UnitCreate(Schema):
    call_sign = CleanString(
        required=True,
        validate=[validate.Length(min=1, max=16), FullMatch(r"^[A-Za-z0-9][A-Za-z0-9 _-]*$",
                                                                 error="letters, digits, '-', '_' and spaces only")],
    )
    # A station is given by name and position, or is a facility (a puskesmas, a hospital): then its
    # name and position are the facility's (the name may be given, a position may not).
    JSON_SCHEMA = {"if": has_field("station_facility_id", "integer"),
                   "then": {"not": {"anyOf": [{"required": ["lat"]}, {"required": ["lon"]}]}},
                   "else": {"required": ["station_name", "lat", "lon"]}}
    capability = Choice(CAPABILITIES, required=True)
    station_name = Text(200, min_length=1)
    lat = Lat()
    lon = Lon()
    station_facility_id = Id(metadata={"description": "a hospital or puskesmas (GET /api/hospitals) as the station"})

    @validates_schema(skip_on_field_errors=False)
    def _station(self, data, **_kw):
        if "station_facility_id" in data:
            given = {f: "not with station_facility_id: the facility's position is the station"
                     for f in ("lat", "lon") if f in data}
            if given:
                raise ValidationError(given)
        else:
            missing = {f: "required without station_facility_id" for f in ("station_name", "lat", "lon")
                       if f not in data}
            if missing:
                raise ValidationError(missing)


class StatusIn(Schema):
    # hospital_id goes with transporting only (the server's 422 names hospital_id).
    JSON_SCHEMA = {"if": has_field("hospital_id", "integer"),
                   "then": {"properties": {"status": {"const": "transporting"}}}}
    status = Choice(UNIT_STATUSES, required=True)
    hospital_id = Id(allow_none=True)
    client_ref = ClientRef()
    assignment_id = Id(allow_none=True, metadata={
        "description": "the job the crew saw when pressing (null: none); refused with 409 assignment_changed "
                       "when the unit's current assignment is another one"})


class StatusOut(Schema):
    unit = fields.Nested(UnitOut)
    applied = fields.Boolean(metadata={"description": "false when client_ref was seen before"})


class LocationIn(Schema):
    lat = Lat(required=True)
    lon = Lon(required=True)
    recorded_at = Time(required=True)
    accuracy_m = Accuracy(allow_none=True)
    speed_mps = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(0, 150))
    heading = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(0, 360))


class LocationOut(Schema):
    unit = fields.Nested(UnitOut)
    applied = fields.Boolean(metadata={"description": "false when the fix is older than the last one stored"})


class RouteOut(Schema):
    unit_id = fields.Integer()
    incident_id = fields.Integer()
    eta_s = fields.Integer(metadata={"description": "estimated road time, seconds"})
    distance_m = fields.Integer()
    via = fields.List(fields.String(), metadata={"example": ["Jembatan Kapuas I"], "description": "bridges to cross"})
    from_ = fields.String(data_key="from", attribute="from", metadata={
        "description": "where the road starts: gps (a fresh fix), else station (to the incident) or scene "
                       "(to the hospital)"})
    to = fields.String(metadata={"description": "incident, or hospital while transporting to a chosen one"})
    hospital_id = fields.Integer(allow_none=True)
    path = fields.List(fields.List(fields.Float()), metadata={
        "description": "[lat, lon] points of the way, as in GET /api/route"})
    estimated_by = fields.String(metadata={"description": "graph, river or osrm, as in GET /api/route"})
    computed_at = fields.DateTime()
