"""Bad input on every endpoint that takes a body or a query.

Every refused request must answer a 4xx JSON error in the project's shape
(``{"error": {"code", "message", "fields"}}``) whose ``fields`` names the offending
field where there is one, and must write nothing: no call, incident, event,
assignment, client_ref or token row, and no unit, incident or hospital changed.
Text that looks like SQL or HTML is data: stored and returned verbatim. No input
gives a 500.
"""
import json
from datetime import timedelta
from typing import Callable, NamedTuple, Optional

import pytest
from sqlalchemy import func, select

from dispatch.core.clock import shifted, utcnow
from dispatch.models import (ApiToken, Assignment, Call, ClientRequest, Event, Hospital, Incident, Unit,
                             User)
from dispatch.schemas.auth import LoginIn
from dispatch.schemas.calls import CallbackIn, CallIn
from dispatch.schemas.duplicates import LinkIn, MergeIn, UnlinkIn
from dispatch.schemas.hospitals import HospitalPatch
from dispatch.schemas.incidents import AssignIn, CancelIn, CloseIn, IncidentPatch, ReopenIn
from dispatch.schemas.units import LocationIn, StatusIn, UnitCreate

PASSWORD = "correct-horse-119"
NOBODY = None  # no Authorization header
UNKNOWN_ID = 999_999
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns on PostgreSQL
INT32_OVERFLOW = 2**31
INT64_OVERFLOW = 2**63  # larger than any 64-bit integer (SQLite's INTEGER)


def send(world, who, method, url, body=None, **kw):
    """One request as ``who`` (NOBODY: without a token), JSON ``body`` unless ``data``
    is given."""
    headers = dict(world.headers(who)) if who else {}
    if body is not None:
        kw["json"] = body
    return world.client.open(url, method=method, headers=headers, **kw)


def ok(resp, status=200):
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()


def assert_error(resp, status, code=None, field=None, context=""):
    """A JSON error in the project's shape; ``field`` must be named in ``fields``."""
    assert resp.status_code == status, (context, resp.get_data(as_text=True))
    assert resp.mimetype == "application/json", context
    error = resp.get_json()["error"]
    assert isinstance(error["message"], str) and error["message"], (context, error)
    assert isinstance(error["fields"], dict), (context, error)
    if code is not None:
        assert error["code"] == code, (context, error)
    if field is not None:
        assert field in error["fields"], (context, error)


def assert_no_500(resp):
    assert resp.status_code < 500, resp.get_data(as_text=True)
    if resp.status_code >= 400:
        assert_error(resp, resp.status_code)


def snapshot(session):
    """Everything a refused request could have written."""
    session.expire_all()
    rows = lambda *cols: session.execute(select(*cols).order_by(cols[0])).all()  # noqa: E731
    snap = {
        "counts": {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                   for m in (Call, Incident, Event, Assignment, ClientRequest, ApiToken, Unit, Hospital, User)},
        "units": rows(Unit.id, Unit.status, Unit.version, Unit.lat, Unit.lon, Unit.position_at,
                      Unit.position_accuracy_m, Unit.speed_mps, Unit.heading, Unit.station_name),
        "incidents": rows(Incident.id, Incident.status, Incident.priority, Incident.category, Incident.notes,
                          Incident.lat, Incident.lon, Incident.location_accuracy_m, Incident.location_text,
                          Incident.kelurahan, Incident.kecamatan, Incident.destination_hospital_id,
                          Incident.outcome, Incident.cancel_reason, Incident.updated_at),
        "assignments": rows(Assignment.id, Assignment.status, Assignment.active, Assignment.hospital_id),
        "hospitals": rows(Hospital.id, Hospital.status, Hospital.beds_available, Hospital.beds_reported_at,
                          Hospital.updated_at),
        "revoked_tokens": session.scalar(select(func.count()).select_from(ApiToken)
                                         .where(ApiToken.revoked_at.is_not(None))),
    }
    session.rollback()  # end the read transaction before the next request
    return snap


# --- The scene every test starts from ---------------------------------------------------------

class Scene:
    """The world plus:

    * ``inc``: unit_a (crew_a's) is on scene, ``asg`` is that assignment;
    * ``pending``: a new incident nobody is assigned to;
    * ``closable``: unit_b reached the patient and was withdrawn (no unit left; the operator closes it);
    * ``cancelled``: cancelled a moment ago (it may be reopened);
    * ``stale``: cancelled 25 hours ago (too late to reopen);
    * unit_c: available.
    """

    def __init__(self, world):
        self.world = world
        w = world
        self.ids = {"unit_a": w.unit_a.id, "unit_b": w.unit_b.id, "unit_c": w.unit_c.id, "hospital": w.hospital.id}
        self.ids["inc"] = self.take_call()
        self.ids["asg"] = self.assign(self.ids["inc"], w.unit_a.id)
        for status in ("en_route", "on_scene"):
            ok(send(w, "crew_a", "POST", f"/api/units/{w.unit_a.id}/status", {"status": status}))
        self.ids["pending"] = self.take_call()
        self.ids["prank"] = ok(send(w, "op", "POST", "/api/calls", {"caller_phone": "0899-573-001", "disposition": "prank"}),
                               201)["call"]["id"]
        self.ids["repeat"] = ok(send(w, "op", "POST", "/api/calls", {"caller_phone": "0899-573-002",
                                                                     "link_to_incident_id": self.ids["pending"]}),
                                201)["call"]["id"]
        self.ids["dropped"] = ok(send(w, "op", "POST", "/api/calls", {"caller_phone": "0899-573-003",
                                                                      "disposition": "dropped"}), 201)["call"]["id"]
        self.ids["closable"] = self.take_call()
        withdrawn = self.assign(self.ids["closable"], w.unit_b.id)
        for status in ("en_route", "on_scene"):
            ok(send(w, "crew_b", "POST", f"/api/units/{w.unit_b.id}/status", {"status": status}))
        ok(send(w, "op", "POST", f"/api/incidents/{self.ids['closable']}/assignments/{withdrawn}/cancel",
                {"reason": "treated, unit needed elsewhere"}))
        self.ids["cancelled"] = self.take_call()
        ok(send(w, "op", "POST", f"/api/incidents/{self.ids['cancelled']}/cancel", {"reason": "caller hung up"}))
        with shifted(-timedelta(hours=25)):
            self.ids["stale"] = self.take_call()
            ok(send(w, "op", "POST", f"/api/incidents/{self.ids['stale']}/cancel", {"reason": "caller hung up"}))

    def take_call(self):
        body = {"caller_phone": "0811573119", "location_text": "Jl. Gajah Mada", "lat": -0.035, "lon": 109.335,
                "category": "cardiac", "priority": "P1"}
        return ok(send(self.world, "op", "POST", "/api/calls", body), 201)["incident"]["id"]

    def assign(self, incident_id, unit_id):
        incident = ok(send(self.world, "op", "POST", f"/api/incidents/{incident_id}/assign", {"unit_id": unit_id}))
        return next(a["id"] for a in incident["assignments"] if a["unit_id"] == unit_id and a["active"])

    def url(self, path):
        return path.format(**self.ids)


@pytest.fixture
def scene(world):
    return Scene(world)


# --- The endpoints that take a body, each with a body it accepts -------------------------------

class Endpoint(NamedTuple):
    who: Optional[str]
    method: str
    path: str
    schema: type
    valid: Callable  # scene ids -> a body the endpoint accepts in the scene
    success: int = 200


ENDPOINTS = {
    "take_call": Endpoint("op", "POST", "/api/calls", CallIn, lambda ids: {
        "caller_phone": "0812-5600-119", "caller_name": "Pak Rahman", "location_text": "Jl. Tanjungpura 12",
        "lat": -0.0263, "lon": 109.3425, "location_accuracy_m": 25.0, "complaint": "sesak napas",
        "category": "breathing", "priority": "P2", "notes": "lantai 2", "disposition": "emergency"}, 201),
    "patch_incident": Endpoint("op", "PATCH", "/api/incidents/{inc}", IncidentPatch, lambda ids: {
        "priority": "P1", "notes": "pagar biru", "lat": -0.036, "lon": 109.336, "destination_hospital_id":
        ids["hospital"]}),
    "assign": Endpoint("op", "POST", "/api/incidents/{pending}/assign", AssignIn, lambda ids: {
        "unit_id": ids["unit_c"], "recommended_unit_id": ids["unit_c"]}),
    "cancel_assignment": Endpoint("op", "POST", "/api/incidents/{inc}/assignments/{asg}/cancel", CancelIn,
                                  lambda ids: {"reason": "sent elsewhere"}),
    "cancel_incident": Endpoint("op", "POST", "/api/incidents/{pending}/cancel", CancelIn,
                                lambda ids: {"reason": "caller says it was a mistake"}),
    "close_incident": Endpoint("op", "POST", "/api/incidents/{closable}/close", CloseIn,
                               lambda ids: {"outcome": "treated on scene", "release_units": False}),
    "reopen_incident": Endpoint("op", "POST", "/api/incidents/{cancelled}/reopen", ReopenIn,
                                lambda ids: {"reason": "the caller rang again: not a mistake"}),
    "create_unit": Endpoint("adm", "POST", "/api/units", UnitCreate, lambda ids: {
        "call_sign": "PSC-09", "capability": "BLS", "station_name": "Pos Siantan", "lat": 0.0013,
        "lon": 109.3616}, 201),
    "unit_status": Endpoint("crew_a", "POST", "/api/units/{unit_a}/status", StatusIn, lambda ids: {
        "status": "transporting", "hospital_id": ids["hospital"], "client_ref": "tablet-1-0001"}),
    "unit_location": Endpoint("crew_a", "POST", "/api/units/{unit_a}/location", LocationIn, lambda ids: {
        "lat": -0.0301, "lon": 109.3402, "recorded_at": utcnow().isoformat(), "accuracy_m": 8.0,
        "speed_mps": 12.5, "heading": 90.0}),
    "patch_hospital": Endpoint("sup", "PATCH", "/api/hospitals/{hospital}", HospitalPatch, lambda ids: {
        "beds_available": 4, "status": "diverting"}),
    "login": Endpoint(NOBODY, "POST", "/api/auth/login", LoginIn, lambda ids: {
        "username": "op", "password": PASSWORD}),
    "merge_incident": Endpoint("sup", "POST", "/api/incidents/{closable}/merge", MergeIn, lambda ids: {
        "into": ids["pending"], "reason": "laporan yang sama"}),
    "call_back": Endpoint("op", "POST", "/api/calls/{dropped}/callbacks", CallbackIn, lambda ids: {
        "outcome": "reached_emergency", "note": "ibu pingsan, sudah dicatat", "incident_id": ids["pending"],
        "attempts_seen": 0}, 201),
    "link_call": Endpoint("op", "POST", "/api/calls/{prank}/link", LinkIn, lambda ids: {"incident_id": ids["pending"]}),
    "unlink_call": Endpoint("op", "POST", "/api/calls/{repeat}/unlink", UnlinkIn, lambda ids: {
        "category": "trauma", "priority": "P1"}),
}


def call(scene, name, body=None, who=None, **kw):
    ep = ENDPOINTS[name]
    return send(scene.world, who or ep.who, ep.method, scene.url(ep.path), body, **kw)


def refused(scene, session, name, body=None, who=None, **kw):
    """Send a request that must be refused; check that it wrote nothing."""
    before = snapshot(session)
    resp = call(scene, name, body, who=who, **kw)
    assert resp.status_code < 500, resp.get_data(as_text=True)
    assert snapshot(session) == before, f"refused request ({resp.status_code}) wrote to the database"
    return resp


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_valid_bodies_are_accepted(scene, name):
    """The baseline every bad-input test below departs from by one thing."""
    ep = ENDPOINTS[name]
    resp = call(scene, name, ep.valid(scene.ids))
    assert resp.status_code == ep.success, resp.get_data(as_text=True)


# --- Whole-body faults, on every endpoint -----------------------------------------------------

MALFORMED_JSON = {
    "truncated": '{"caller_phone": ',
    "single quotes": "{'single': 'quotes'}",
    "lone comma": "{,}",
    "trailing comma": '{"a": 1,}',
    "bare word": "nul",
    "not UTF-8": b'{"notes": "\xff\xfe"}',
}

NOT_JSON = {
    "text/plain": "caller_phone=0811",
    "application/x-www-form-urlencoded": "caller_phone=0811&lat=1",
    "multipart/form-data; boundary=xyz": '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n',
    "application/xml": "<call><caller_phone>0811</caller_phone></call>",
}

NOT_AN_OBJECT = {
    "empty array": "[]",
    "array of an object": '[{"unit_id": 1}]',
    "null": "null",
    "string": '"text"',
    "number": "42",
    "true": "true",
}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_malformed_json_is_400(scene, session, name):
    for label, raw in MALFORMED_JSON.items():
        resp = refused(scene, session, name, data=raw, content_type="application/json")
        assert_error(resp, 400, "malformed_json", "_body", context=label)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_wrong_content_type_is_415(scene, session, name):
    for content_type, data in NOT_JSON.items():
        resp = refused(scene, session, name, data=data, content_type=content_type)
        assert_error(resp, 415, "unsupported_media_type", context=content_type)
    # JSON, but not declared as JSON.
    resp = refused(scene, session, name, data=json.dumps(ENDPOINTS[name].valid(scene.ids)))
    assert_error(resp, 415, "unsupported_media_type", context="no Content-Type")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_oversized_body_is_413(scene, session, name):
    body = {**ENDPOINTS[name].valid(scene.ids), "padding": "x" * (300 * 1024)}
    resp = refused(scene, session, name, data=json.dumps(body), content_type="application/json")
    assert_error(resp, 413, "payload_too_large")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_body_that_is_not_an_object_is_422(scene, session, name):
    for label, raw in NOT_AN_OBJECT.items():
        resp = refused(scene, session, name, data=raw, content_type="application/json")
        assert_error(resp, 422, "validation_error", "_schema", context=label)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_unknown_field_is_422_and_named(scene, session, name):
    body = {**ENDPOINTS[name].valid(scene.ids), "is_admin": True}
    resp = refused(scene, session, name, body)
    assert_error(resp, 422, "validation_error", "is_admin")
    assert set(resp.get_json()["error"]["fields"]) == {"is_admin"}


REQUIRED = {
    "take_call": {"caller_phone"},
    "patch_incident": {"_schema"},
    "assign": {"unit_id"},
    "cancel_assignment": {"reason"},
    "cancel_incident": {"reason"},
    "reopen_incident": {"reason"},
    "create_unit": {"call_sign", "capability", "station_name", "lat", "lon"},
    "unit_status": {"status"},
    "unit_location": {"lat", "lon", "recorded_at"},
    "patch_hospital": {"_schema"},
    "login": {"username", "password"},
}


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("how", ["empty-object", "no-body"])
def test_empty_body_names_every_required_field(scene, session, name, how):
    kw = {"body": {}} if how == "empty-object" else {}
    resp = refused(scene, session, name, **kw)
    assert_error(resp, 422, "validation_error")
    assert set(resp.get_json()["error"]["fields"]) == REQUIRED[name]


@pytest.mark.parametrize("name", ["take_call", "assign", "login"])
def test_deeply_nested_json_is_refused(scene, session, name):
    resp = refused(scene, session, name, data="[" * 50_000 + "]" * 50_000, content_type="application/json")
    assert resp.status_code in (400, 422)
    assert_error(resp, resp.status_code)


@pytest.mark.parametrize("name, field", [("take_call", "lat"), ("assign", "unit_id"),
                                         ("patch_hospital", "beds_available")])
def test_number_with_thousands_of_digits_is_refused(scene, session, name, field):
    rest = json.dumps({k: v for k, v in ENDPOINTS[name].valid(scene.ids).items() if k != field})
    body = '{"%s": 1%s, %s' % (field, "0" * 5000, rest[1:])
    resp = refused(scene, session, name, data=body, content_type="application/json")
    assert 400 <= resp.status_code < 500
    assert_error(resp, resp.status_code)


# --- Field by field -----------------------------------------------------------------------------

def put(**changes):
    return lambda body: {**body, **changes}


def drop(*keys):
    return lambda body: {k: v for k, v in body.items() if k not in keys}


def only(**fields):
    return lambda body: fields


NAN, INF = float("nan"), float("inf")
LONG = lambda n: "x" * n  # noqa: E731


class Bad(NamedTuple):
    endpoint: str
    change: Callable
    field: str
    status: int = 422
    code: str = "validation_error"
    who: Optional[str] = None   # the endpoint's user unless said (a paper card: a supervisor)


def late(minutes_ago=120, *, unit="unit_a", hospital=None, extra=None, **entry):
    """A paper card entered late (by a supervisor), made when the case runs: taken ``minutes_ago``,
    with a ``late_entry`` of the scene's ``unit`` (and ``hospital``) and ``entry`` (times as minutes
    after the call; other values as they are); ``extra`` fields beside it."""
    def change(body, ids):
        taken = utcnow() - timedelta(minutes=minutes_ago)
        card = {k: (taken + timedelta(minutes=v)).isoformat() if k.endswith("_at") else v for k, v in entry.items()}
        if unit is not None and entry:
            card.setdefault("unit_id", ids[unit])
        if hospital is not None:
            card["hospital_id"] = ids[hospital]
        return {**body, "taken_at": taken.isoformat(), **({"late_entry": card} if card else {}), **(extra or {})}
    change.needs_ids = True
    return change


BAD = {
    # --- POST /api/calls
    "call: client_ref empty": Bad("take_call", put(client_ref=""), "client_ref"),
    "call: client_ref with a space": Bad("take_call", put(client_ref="a b"), "client_ref"),
    "call: client_ref 65 chars": Bad("take_call", put(client_ref=LONG(65)), "client_ref"),
    "call: caller_phone missing": Bad("take_call", drop("caller_phone"), "caller_phone"),
    "call: caller_phone null": Bad("take_call", put(caller_phone=None), "caller_phone"),
    "call: caller_phone number": Bad("take_call", put(caller_phone=811573119), "caller_phone"),
    "call: caller_phone letters": Bad("take_call", put(caller_phone="call me maybe"), "caller_phone"),
    "call: caller_phone 33 digits": Bad("take_call", put(caller_phone="0" * 33), "caller_phone"),
    "call: caller_phone too short": Bad("take_call", put(caller_phone="0811"), "caller_phone"),
    "call: caller_phone not a service number": Bad("take_call", put(caller_phone="123"), "caller_phone"),
    "call: caller_phone mobile missing digits": Bad("take_call", put(caller_phone="0812-999"), "caller_phone"),
    "call: confirm_blocked string": Bad("take_call", put(confirm_blocked="ya"), "confirm_blocked"),
    "call: lat string": Bad("take_call", put(lat="north"), "lat"),
    "call: lat > 90": Bad("take_call", put(lat=90.0001), "lat"),
    "call: lat < -90": Bad("take_call", put(lat=-91), "lat"),
    "call: lon > 180": Bad("take_call", put(lon=180.5), "lon"),
    "call: lon < -180": Bad("take_call", put(lon=-180.01), "lon"),
    "call: lat NaN": Bad("take_call", put(lat=NAN), "lat"),
    "call: lon Infinity": Bad("take_call", put(lon=INF), "lon"),
    "call: lat list": Bad("take_call", put(lat=[-0.03, 109.3]), "lat"),
    "call: lat without lon": Bad("take_call", drop("lon"), "lon"),
    "call: lon without lat": Bad("take_call", drop("lat"), "lat"),
    "call: lat null with lon": Bad("take_call", put(lat=None), "lat"),
    "call: accuracy negative": Bad("take_call", put(location_accuracy_m=-1), "location_accuracy_m"),
    "call: accuracy NaN": Bad("take_call", put(location_accuracy_m=NAN), "location_accuracy_m"),
    "call: unknown category": Bad("take_call", put(category="alien_abduction"), "category"),
    "call: category null": Bad("take_call", put(category=None), "category"),
    "call: category number": Bad("take_call", put(category=3), "category"),
    "call: unknown priority": Bad("take_call", put(priority="P0"), "priority"),
    "call: priority lower case": Bad("take_call", put(priority="p1"), "priority"),
    "call: priority list": Bad("take_call", put(priority=["P1"]), "priority"),
    "call: unknown disposition": Bad("take_call", put(disposition="angry"), "disposition"),
    "call: disposition null": Bad("take_call", put(disposition=None), "disposition"),
    "call: caller_name 201 chars": Bad("take_call", put(caller_name=LONG(201)), "caller_name"),
    "call: caller_name number": Bad("take_call", put(caller_name=12345), "caller_name"),
    "call: location_text 501 chars": Bad("take_call", put(location_text=LONG(501)), "location_text"),
    "call: location_name without lat/lon": Bad("take_call", lambda b: {**drop("lat", "lon")(b),
                                                                       "location_name": "RSU Santo Antonius"},
                                               "location_name"),
    "call: location_name with lat/lon null": Bad("take_call", put(lat=None, lon=None, location_name="RSU Antonius"),
                                                 "location_name"),
    "call: location_name empty": Bad("take_call", put(location_name=""), "location_name"),
    "call: location_name 201 chars": Bad("take_call", put(location_name=LONG(201)), "location_name"),
    "call: location_name number": Bad("take_call", put(location_name=7), "location_name"),
    "call: location_kind unknown": Bad("take_call", put(location_name="RSU Santo Antonius", location_kind="castle"),
                                       "location_kind"),
    "call: location_kind without location_name": Bad("take_call", put(location_kind="hospital"), "location_kind"),
    "call: location_kind without lat/lon": Bad("take_call", lambda b: {**drop("lat", "lon")(b),
                                                                       "location_kind": "hospital"},
                                               "location_kind"),
    "call: complaint 2001 chars": Bad("take_call", put(complaint=LONG(2001)), "complaint"),
    "call: notes 2001 chars": Bad("take_call", put(notes=LONG(2001)), "notes"),
    "call: notes object": Bad("take_call", put(notes={"text": "x"}), "notes"),
    "call: incident_id string": Bad("take_call", put(disposition="duplicate", incident_id="1"), "incident_id"),
    "call: incident_id 0": Bad("take_call", put(disposition="duplicate", incident_id=0), "incident_id"),
    "call: incident_id negative": Bad("take_call", put(disposition="duplicate", incident_id=-5), "incident_id"),
    "call: incident_id 2**63": Bad("take_call", put(disposition="duplicate", incident_id=INT64_OVERFLOW),
                                   "incident_id"),
    "call: incident_id on an emergency": Bad("take_call", put(incident_id=1), "incident_id"),
    "call: link_to_incident_id string": Bad("take_call", put(link_to_incident_id="1"), "link_to_incident_id"),
    "call: link_to_incident_id 0": Bad("take_call", put(link_to_incident_id=0), "link_to_incident_id"),
    "call: link_to_incident_id on a prank": Bad("take_call", put(disposition="prank", link_to_incident_id=1),
                                                "link_to_incident_id"),
    "call: link_to_incident_id unknown": Bad("take_call", put(link_to_incident_id=UNKNOWN_ID), "link_to_incident_id",
                                             404, "not_found"),
    # --- POST /api/calls/<id>/link, /unlink
    "link: incident_id missing": Bad("link_call", drop("incident_id"), "incident_id"),
    "link: incident_id string": Bad("link_call", put(incident_id="2"), "incident_id"),
    "link: incident_id 2**63": Bad("link_call", put(incident_id=INT64_OVERFLOW), "incident_id"),
    "link: incident unknown": Bad("link_call", put(incident_id=UNKNOWN_ID), "incident_id", 404, "not_found"),
    "merge: into missing": Bad("merge_incident", drop("into"), "into"),
    "merge: into string": Bad("merge_incident", put(into="2"), "into"),
    "merge: into unknown": Bad("merge_incident", put(into=UNKNOWN_ID), "into", 404, "not_found"),
    "merge: reason blank": Bad("merge_incident", put(reason=" "), "reason"),
    "merge: reason 501 chars": Bad("merge_incident", put(reason=LONG(501)), "reason"),
    "card: taken_at not a time": Bad("take_call", put(taken_at="kemarin sore"), "taken_at", who="sup"),
    "card: taken_at in the future": Bad("take_call", late(-10), "taken_at", who="sup"),
    "card: taken_at 8 days back": Bad("take_call", late(8 * 24 * 60), "taken_at", who="sup"),
    "card: taken_at by an operator": Bad("take_call", late(), "taken_at", 403, "forbidden"),
    "card: late_entry without taken_at": Bad("take_call", put(late_entry={"unit_id": 1, "dispatched_at":
                                                                          "2026-12-01T08:00:00+00:00"}),
                                             "taken_at", who="sup"),
    "card: late_entry not an object": Bad("take_call", late(extra={"late_entry": [1]}), "late_entry", who="sup"),
    "card: late_entry on a prank": Bad("take_call", late(dispatched_at=1, extra={"disposition": "prank"}),
                                       "late_entry", who="sup"),
    "card: late_entry without its unit": Bad("take_call", late(unit=None, dispatched_at=1), "late_entry.unit_id",
                                             who="sup"),
    "card: late_entry unknown unit": Bad("take_call", late(unit=None, unit_id=UNKNOWN_ID, dispatched_at=1),
                                         "late_entry.unit_id", 404, "not_found", who="sup"),
    "card: late_entry without dispatched_at": Bad("take_call", late(en_route_at=3), "late_entry.dispatched_at",
                                                  who="sup"),
    "card: dispatched before the call": Bad("take_call", late(dispatched_at=-5), "late_entry.dispatched_at", who="sup"),
    "card: en route before dispatched": Bad("take_call", late(dispatched_at=5, en_route_at=4), "late_entry.en_route_at",
                                            who="sup"),
    "card: on scene before en route": Bad("take_call", late(dispatched_at=1, en_route_at=9, on_scene_at=4),
                                          "late_entry.on_scene_at", who="sup"),
    "card: transporting before on scene": Bad("take_call", late(dispatched_at=1, on_scene_at=9, transporting_at=4),
                                              "late_entry.transporting_at", who="sup"),
    "card: at hospital before transporting": Bad("take_call", late(dispatched_at=1, transporting_at=9, at_hospital_at=4,
                                                                   hospital="hospital"),
                                                 "late_entry.at_hospital_at", who="sup"),
    "card: cleared in the future": Bad("take_call", late(dispatched_at=1, cleared_at=200), "late_entry.cleared_at",
                                       who="sup"),
    "card: at hospital without the hospital": Bad("take_call", late(dispatched_at=1, at_hospital_at=30),
                                                  "late_entry.hospital_id", who="sup"),
    "card: unknown hospital": Bad("take_call", late(dispatched_at=1, hospital_id=UNKNOWN_ID),
                                  "late_entry.hospital_id", 404, "not_found", who="sup"),
    "card: blank outcome": Bad("take_call", late(dispatched_at=1, outcome="  "), "late_entry.outcome", who="sup"),
    "call: callback_for_call_id string": Bad("take_call", put(callback_for_call_id="1"), "callback_for_call_id"),
    "call: callback_for_call_id unknown": Bad("take_call", put(callback_for_call_id=UNKNOWN_ID), "callback_for_call_id",
                                              404, "not_found"),
    "call: callback_for_call_id on a prank": Bad("take_call", put(disposition="prank", callback_for_call_id=1),
                                                 "callback_for_call_id"),
    "callback: outcome missing": Bad("call_back", drop("outcome"), "outcome"),
    "callback: outcome unknown": Bad("call_back", put(outcome="busy"), "outcome"),
    "callback: note blank": Bad("call_back", put(note=" "), "note"),
    "callback: note 501 chars": Bad("call_back", put(note=LONG(501)), "note"),
    "callback: incident_id string": Bad("call_back", put(incident_id="3"), "incident_id"),
    "callback: incident_id unknown": Bad("call_back", put(incident_id=UNKNOWN_ID), "incident_id", 404, "not_found"),
    "callback: attempts_seen string": Bad("call_back", put(attempts_seen="0"), "attempts_seen"),
    "callback: attempts_seen negative": Bad("call_back", put(attempts_seen=-1), "attempts_seen"),
    "callback: attempts_seen out of date": Bad("call_back", put(attempts_seen=2), "attempts_seen", 409,
                                               "callback_changed"),
    "unlink: category unknown": Bad("unlink_call", put(category="flu"), "category"),
    "unlink: priority P4": Bad("unlink_call", put(priority="P4"), "priority"),
    "call: duplicate of unknown incident": Bad("take_call", put(disposition="duplicate", incident_id=UNKNOWN_ID),
                                               "incident_id", 404, "not_found"),
    # --- PATCH /api/incidents/<id>
    "patch: empty": Bad("patch_incident", only(), "_schema"),
    "patch: unknown priority": Bad("patch_incident", put(priority="P9"), "priority"),
    "patch: priority null": Bad("patch_incident", put(priority=None), "priority"),
    "patch: unknown category": Bad("patch_incident", put(category="meteor"), "category"),
    "patch: category null": Bad("patch_incident", put(category=None), "category"),
    "patch: notes 2001 chars": Bad("patch_incident", put(notes=LONG(2001)), "notes"),
    "patch: notes number": Bad("patch_incident", put(notes=42), "notes"),
    "patch: address_text 501 chars": Bad("patch_incident", put(address_text=LONG(501)), "address_text"),
    "patch: location_text 501 chars": Bad("patch_incident", put(location_text=LONG(501)), "location_text"),
    "patch: location_text number": Bad("patch_incident", put(location_text=5), "location_text"),
    "patch: location_text and a different address_text": Bad("patch_incident", put(
        location_text="depan RS Antonius", address_text="RSU Santo Antonius"), "address_text"),
    "patch: location_name without lat/lon": Bad("patch_incident", lambda b: {**drop("lat", "lon")(b),
                                                                             "location_name": "Pasar Flamboyan"},
                                                 "location_name"),
    "patch: location_name empty": Bad("patch_incident", put(location_name=""), "location_name"),
    "patch: location_kind unknown": Bad("patch_incident", put(location_name="Pasar", location_kind="market"),
                                        "location_kind"),
    "patch: kelurahan 101 chars": Bad("patch_incident", put(kelurahan=LONG(101)), "kelurahan"),
    "patch: kecamatan 101 chars": Bad("patch_incident", put(kecamatan=LONG(101)), "kecamatan"),
    "patch: lat > 90": Bad("patch_incident", put(lat=95), "lat"),
    "patch: lon < -180": Bad("patch_incident", put(lon=-200), "lon"),
    "patch: lat NaN": Bad("patch_incident", put(lat=NAN), "lat"),
    "patch: lon string": Bad("patch_incident", put(lon="east"), "lon"),
    "patch: lat without lon": Bad("patch_incident", drop("lon"), "lon"),
    "patch: lon null with lat": Bad("patch_incident", put(lon=None), "lat"),
    "patch: accuracy string": Bad("patch_incident", put(location_accuracy_m="far"), "location_accuracy_m"),
    "patch: destination_hospital_id string": Bad("patch_incident", put(destination_hospital_id="1"),
                                                 "destination_hospital_id"),
    "patch: destination_hospital_id 0": Bad("patch_incident", put(destination_hospital_id=0),
                                            "destination_hospital_id"),
    "patch: destination_hospital_id true": Bad("patch_incident", put(destination_hospital_id=True),
                                               "destination_hospital_id"),
    "patch: unknown destination hospital": Bad("patch_incident", put(destination_hospital_id=UNKNOWN_ID),
                                               "destination_hospital_id", 404, "not_found"),
    # --- POST /api/incidents/<id>/assign
    "assign: unit_id missing": Bad("assign", drop("unit_id"), "unit_id"),
    "assign: unit_id null": Bad("assign", put(unit_id=None), "unit_id"),
    "assign: unit_id string": Bad("assign", put(unit_id="3"), "unit_id"),
    "assign: unit_id float": Bad("assign", put(unit_id=1.5), "unit_id"),
    "assign: unit_id true": Bad("assign", put(unit_id=True), "unit_id"),
    "assign: unit_id 0": Bad("assign", put(unit_id=0), "unit_id"),
    "assign: unit_id negative": Bad("assign", put(unit_id=-1), "unit_id"),
    "assign: unit_id 2**63": Bad("assign", put(unit_id=INT64_OVERFLOW), "unit_id"),
    "assign: unit_id list": Bad("assign", put(unit_id=[3]), "unit_id"),
    "assign: unknown unit": Bad("assign", put(unit_id=UNKNOWN_ID), "unit_id", 404, "not_found"),
    "assign: recommended_unit_id string": Bad("assign", put(recommended_unit_id="x"), "recommended_unit_id"),
    "assign: unknown recommended unit": Bad("assign", put(recommended_unit_id=UNKNOWN_ID), "recommended_unit_id",
                                            404, "not_found"),
    # --- POST .../assignments/<id>/cancel and .../cancel
    "cancel assignment: reason missing": Bad("cancel_assignment", only(), "reason"),
    "cancel assignment: reason empty": Bad("cancel_assignment", put(reason=""), "reason"),
    "cancel assignment: reason null": Bad("cancel_assignment", put(reason=None), "reason"),
    "cancel assignment: reason 501 chars": Bad("cancel_assignment", put(reason=LONG(501)), "reason"),
    "cancel assignment: reason number": Bad("cancel_assignment", put(reason=5), "reason"),
    "cancel incident: reason missing": Bad("cancel_incident", only(), "reason"),
    "cancel incident: reason empty": Bad("cancel_incident", put(reason=""), "reason"),
    "cancel incident: reason null": Bad("cancel_incident", put(reason=None), "reason"),
    "cancel incident: reason 501 chars": Bad("cancel_incident", put(reason=LONG(501)), "reason"),
    "cancel incident: reason list": Bad("cancel_incident", put(reason=["prank"]), "reason"),
    # --- POST .../close
    "close: outcome 501 chars": Bad("close_incident", put(outcome=LONG(501)), "outcome"),
    "close: outcome number": Bad("close_incident", put(outcome=3), "outcome"),
    "close: outcome list": Bad("close_incident", put(outcome=["x"]), "outcome"),
    "close: release_units string": Bad("close_incident", put(release_units="sure"), "release_units"),
    "close: release_units list": Bad("close_incident", put(release_units=[True]), "release_units"),
    "close: release_units null": Bad("close_incident", put(release_units=None), "release_units"),
    # --- POST .../reopen
    "reopen: reason missing": Bad("reopen_incident", only(), "reason"),
    "reopen: reason empty": Bad("reopen_incident", put(reason=""), "reason"),
    "reopen: reason blank": Bad("reopen_incident", put(reason="   "), "reason"),
    "reopen: reason null": Bad("reopen_incident", put(reason=None), "reason"),
    "reopen: reason 501 chars": Bad("reopen_incident", put(reason=LONG(501)), "reason"),
    # --- POST /api/units
    "unit: call_sign missing": Bad("create_unit", drop("call_sign"), "call_sign"),
    "unit: capability missing": Bad("create_unit", drop("capability"), "capability"),
    "unit: station_name missing": Bad("create_unit", drop("station_name"), "station_name"),
    "unit: lat missing": Bad("create_unit", drop("lat"), "lat"),
    "unit: lon missing": Bad("create_unit", drop("lon"), "lon"),
    "unit: station_facility_id not an id": Bad("create_unit", put(station_facility_id="RS"), "station_facility_id"),
    "unit: unknown capability": Bad("create_unit", put(capability="MICU"), "capability"),
    "unit: capability lower case": Bad("create_unit", put(capability="als"), "capability"),
    "unit: capability null": Bad("create_unit", put(capability=None), "capability"),
    "unit: call_sign 17 chars": Bad("create_unit", put(call_sign="P" * 17), "call_sign"),
    "unit: call_sign punctuation": Bad("create_unit", put(call_sign="PSC 01!"), "call_sign"),
    "unit: call_sign empty": Bad("create_unit", put(call_sign=""), "call_sign"),
    "unit: call_sign number": Bad("create_unit", put(call_sign=7), "call_sign"),
    "unit: station_name empty": Bad("create_unit", put(station_name=""), "station_name"),
    "unit: station_name 201 chars": Bad("create_unit", put(station_name=LONG(201)), "station_name"),
    "unit: lat > 90": Bad("create_unit", put(lat=90.1), "lat"),
    "unit: lon > 180": Bad("create_unit", put(lon=181), "lon"),
    "unit: lat NaN": Bad("create_unit", put(lat=NAN), "lat"),
    "unit: lat string": Bad("create_unit", put(lat="x"), "lat"),
    "unit: lat null": Bad("create_unit", put(lat=None), "lat"),
    # --- POST /api/units/<id>/status
    "status: missing": Bad("unit_status", drop("status"), "status"),
    "status: unknown": Bad("unit_status", put(status="flying"), "status"),
    "status: upper case": Bad("unit_status", put(status="TRANSPORTING"), "status"),
    "status: null": Bad("unit_status", put(status=None), "status"),
    "status: number": Bad("unit_status", put(status=1), "status"),
    "status: hospital_id string": Bad("unit_status", put(hospital_id="1"), "hospital_id"),
    "status: hospital_id 0": Bad("unit_status", put(hospital_id=0), "hospital_id"),
    "status: unknown hospital": Bad("unit_status", put(hospital_id=UNKNOWN_ID), "hospital_id", 404, "not_found"),
    "status: hospital_id without transporting": Bad("unit_status", put(status="available"), "hospital_id"),
    "status: client_ref empty": Bad("unit_status", put(client_ref=""), "client_ref"),
    "status: client_ref 65 chars": Bad("unit_status", put(client_ref=LONG(65)), "client_ref"),
    "status: client_ref number": Bad("unit_status", put(client_ref=5), "client_ref"),
    "status: assignment_id string": Bad("unit_status", put(assignment_id="7"), "assignment_id"),
    "status: assignment_id 0": Bad("unit_status", put(assignment_id=0), "assignment_id"),
    "status: assignment_id not the unit's": Bad("unit_status", put(assignment_id=UNKNOWN_ID), "assignment_id", 409,
                                                "assignment_changed"),
    # --- POST /api/units/<id>/location
    "location: lat missing": Bad("unit_location", drop("lat"), "lat"),
    "location: lon missing": Bad("unit_location", drop("lon"), "lon"),
    "location: recorded_at missing": Bad("unit_location", drop("recorded_at"), "recorded_at"),
    "location: lat > 90": Bad("unit_location", put(lat=91), "lat"),
    "location: lat < -90": Bad("unit_location", put(lat=-90.5), "lat"),
    "location: lon < -180": Bad("unit_location", put(lon=-181), "lon"),
    "location: lon > 180": Bad("unit_location", put(lon=180.0001), "lon"),
    "location: lat NaN": Bad("unit_location", put(lat=NAN), "lat"),
    "location: lon -Infinity": Bad("unit_location", put(lon=-INF), "lon"),
    "location: lon string": Bad("unit_location", put(lon="east"), "lon"),
    "location: lat null": Bad("unit_location", put(lat=None), "lat"),
    "location: recorded_at not a date": Bad("unit_location", put(recorded_at="yesterday"), "recorded_at"),
    "location: recorded_at number": Bad("unit_location", put(recorded_at=1_700_000_000), "recorded_at"),
    "location: recorded_at null": Bad("unit_location", put(recorded_at=None), "recorded_at"),
    "location: recorded_at tomorrow": Bad("unit_location", put(recorded_at=(utcnow() + timedelta(days=1)).isoformat()),
                                          "recorded_at"),
    "location: accuracy negative": Bad("unit_location", put(accuracy_m=-5), "accuracy_m"),
    "location: speed negative": Bad("unit_location", put(speed_mps=-1), "speed_mps"),
    "location: speed 151 m/s": Bad("unit_location", put(speed_mps=151), "speed_mps"),
    "location: speed NaN": Bad("unit_location", put(speed_mps=NAN), "speed_mps"),
    "location: heading 361": Bad("unit_location", put(heading=361), "heading"),
    "location: heading negative": Bad("unit_location", put(heading=-1), "heading"),
    "location: heading string": Bad("unit_location", put(heading="north"), "heading"),
    # --- PATCH /api/hospitals/<id>
    "hospital: empty": Bad("patch_hospital", only(), "_schema"),
    "hospital: beds negative": Bad("patch_hospital", put(beds_available=-1), "beds_available"),
    "hospital: beds 10001": Bad("patch_hospital", put(beds_available=10_001), "beds_available"),
    "hospital: beds string": Bad("patch_hospital", put(beds_available="5"), "beds_available"),
    "hospital: beds float": Bad("patch_hospital", put(beds_available=2.5), "beds_available"),
    "hospital: beds true": Bad("patch_hospital", put(beds_available=True), "beds_available"),
    "hospital: unknown status": Bad("patch_hospital", put(status="full"), "status"),
    "hospital: status null": Bad("patch_hospital", put(status=None), "status"),
    "hospital: status number": Bad("patch_hospital", put(status=1), "status"),
    # --- POST /api/auth/login
    "login: username missing": Bad("login", drop("username"), "username"),
    "login: password missing": Bad("login", drop("password"), "password"),
    "login: username empty": Bad("login", put(username=""), "username"),
    "login: username 65 chars": Bad("login", put(username=LONG(65)), "username"),
    "login: password 257 chars": Bad("login", put(password=LONG(257)), "password"),
    "login: username number": Bad("login", put(username=5), "username"),
    "login: password null": Bad("login", put(password=None), "password"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_field_is_refused_and_named(scene, session, case):
    bad = BAD[case]
    valid = ENDPOINTS[bad.endpoint].valid(scene.ids)
    body = bad.change(valid, scene.ids) if getattr(bad.change, "needs_ids", False) else bad.change(valid)
    resp = refused(scene, session, bad.endpoint, body, who=bad.who)
    assert_error(resp, bad.status, bad.code, bad.field)


def test_every_schema_field_has_a_bad_input_case():
    """A new field in a request schema needs a row in BAD."""
    covered = {(b.endpoint, b.field) for b in BAD.values()}
    missing = [(name, field) for name, ep in ENDPOINTS.items() for field in ep.schema().fields
               if (name, field) not in covered]
    assert missing == []


@pytest.mark.parametrize("name, field, limit", [
    ("take_call", "caller_name", 200), ("take_call", "location_text", 500), ("take_call", "complaint", 2000),
    ("take_call", "notes", 2000), ("patch_incident", "notes", 2000), ("patch_incident", "address_text", 500),
    ("patch_incident", "kelurahan", 100), ("patch_incident", "kecamatan", 100), ("cancel_incident", "reason", 500),
    ("close_incident", "outcome", 500), ("create_unit", "station_name", 200),
    ("patch_incident", "location_text", 500), ("take_call", "location_name", 200),
])
def test_text_at_its_limit_is_stored_whole(scene, name, field, limit):
    """The other side of the length checks: exactly ``limit`` characters (multi-byte ones,
    too) is accepted and comes back whole."""
    text = ("Jl. Tanjungpura ñ 🚑 " * limit)[:limit - 1] + "."
    resp = call(scene, name, {**ENDPOINTS[name].valid(scene.ids), field: text})
    assert resp.status_code == ENDPOINTS[name].success, resp.get_data(as_text=True)
    data = resp.get_json()
    stored = {
        ("take_call", "caller_name"): lambda: data["call"]["caller_name"],
        ("take_call", "location_text"): lambda: data["call"]["location_text"],
        ("take_call", "complaint"): lambda: data["call"]["complaint"],
        ("take_call", "notes"): lambda: data["incident"]["notes"],
        ("take_call", "location_name"): lambda: data["incident"]["location_name"],
        ("cancel_incident", "reason"): lambda: data["cancel_reason"],
        ("create_unit", "station_name"): lambda: data["station"]["name"],
    }.get((name, field), lambda: data[field])()
    assert stored == text


# --- Ids in URLs and bodies ---------------------------------------------------------------------

URL_ID_ROUTES = {
    # route: (who, method, path with {id} in place of the id under test, body)
    "GET incident": ("op", "GET", "/api/incidents/{id}", None),
    "PATCH incident": ("op", "PATCH", "/api/incidents/{id}", {"notes": "x"}),
    "assign to incident": ("op", "POST", "/api/incidents/{id}/assign", {"unit_id": "{unit_c}"}),
    "cancel incident": ("op", "POST", "/api/incidents/{id}/cancel", {"reason": "x"}),
    "close incident": ("op", "POST", "/api/incidents/{id}/close", {}),
    "reopen incident": ("op", "POST", "/api/incidents/{id}/reopen", {"reason": "x"}),
    "cancel assignment (incident id)": ("op", "POST", "/api/incidents/{id}/assignments/{asg}/cancel", {"reason": "x"}),
    "cancel assignment (assignment id)": ("op", "POST", "/api/incidents/{inc}/assignments/{id}/cancel",
                                          {"reason": "x"}),
    "GET unit": ("op", "GET", "/api/units/{id}", None),
    "unit status": ("op", "POST", "/api/units/{id}/status", {"status": "out_of_service"}),
    "PATCH hospital": ("sup", "PATCH", "/api/hospitals/{id}", {"beds_available": 1}),
}


def send_to_id(scene, route, ident):
    who, method, path, body = URL_ID_ROUTES[route]
    url = path.format(id=ident, **{k: v for k, v in scene.ids.items()})
    if body is not None:
        body = {k: scene.ids["unit_c"] if v == "{unit_c}" else v for k, v in body.items()}
    return send(scene.world, who, method, url, body)


@pytest.mark.parametrize("route, value", [
    pytest.param(route, value, id=f"{route}-{label}")
    for route in URL_ID_ROUTES
    for label, value in (("unknown", UNKNOWN_ID), ("zero", 0), ("2**31", INT32_OVERFLOW), ("2**63", INT64_OVERFLOW),
                         ("2**70", 2**70))
])
def test_unknown_url_id_is_404(scene, session, route, value):
    before = snapshot(session)
    resp = send_to_id(scene, route, value)
    assert_error(resp, 404, "not_found")
    assert snapshot(session) == before


@pytest.mark.parametrize("route", ["GET incident", "GET unit", "PATCH hospital"])
@pytest.mark.parametrize("ident", ["-1", "abc", "1.5", "%00", "1%20OR%201=1"])
def test_non_numeric_url_id_is_404(scene, session, route, ident):
    before = snapshot(session)
    assert_error(send_to_id(scene, route, ident), 404, "not_found")
    assert snapshot(session) == before


def test_assignment_of_another_incident_is_404(scene, session):
    """The assignment id exists, but on another incident."""
    before = snapshot(session)
    resp = send(scene.world, "op", "POST", scene.url("/api/incidents/{pending}/assignments/{asg}/cancel"),
                {"reason": "x"})
    assert_error(resp, 404, "not_found")
    assert snapshot(session) == before


def test_crew_posting_a_position_for_an_unknown_unit_is_refused(scene, session):
    """Only a unit's own crew reports its position, so an unknown unit is 'not yours' (403)."""
    before = snapshot(session)
    resp = send(scene.world, "crew_a", "POST", f"/api/units/{UNKNOWN_ID}/location",
                ENDPOINTS["unit_location"].valid(scene.ids))
    assert_error(resp, 403, "forbidden")
    assert snapshot(session) == before


@pytest.mark.parametrize("endpoint, field, extra", [
    ("assign", "unit_id", {}),
    ("assign", "recommended_unit_id", {}),
    ("patch_incident", "destination_hospital_id", {}),
    ("unit_status", "hospital_id", {}),
    ("take_call", "incident_id", {"disposition": "duplicate"}),
])
def test_body_id_beyond_32_bits_is_refused_and_named(scene, session, endpoint, field, extra):
    """Ids are 32-bit columns on PostgreSQL: a larger id cannot exist (404) or is out of
    range (422); either way the field is named, and never a 500."""
    body = {**ENDPOINTS[endpoint].valid(scene.ids), **extra, field: INT32_OVERFLOW}
    resp = refused(scene, session, endpoint, body)
    assert resp.status_code in (404, 422), resp.get_data(as_text=True)
    assert_error(resp, resp.status_code, field=field)


# --- Well-formed requests the state refuses: nothing half-written --------------------------------

def test_refused_cancel_frees_no_unit(scene, session):
    """Cancelling an incident frees its units one by one; when a later one cannot be freed
    (it is transporting a patient) the units freed before it must not stay freed."""
    w, ids = scene.world, scene.ids
    incident_id = scene.take_call()
    scene.assign(incident_id, ids["unit_c"])
    scene.assign(incident_id, ids["unit_b"])
    for status in ("en_route", "on_scene"):
        ok(send(w, "crew_b", "POST", f"/api/units/{ids['unit_b']}/status", {"status": status}))
    ok(send(w, "crew_b", "POST", f"/api/units/{ids['unit_b']}/status",
            {"status": "transporting", "hospital_id": ids["hospital"]}))
    before = snapshot(session)
    resp = send(w, "op", "POST", f"/api/incidents/{incident_id}/cancel", {"reason": "caller hung up"})
    assert_error(resp, 409, "invalid_transition")
    assert snapshot(session) == before
    unit_c = ok(send(w, "op", "GET", f"/api/units/{ids['unit_c']}"))
    assert unit_c["status"] == "dispatched" and unit_c["current_assignment"]["incident_id"] == incident_id


STATE_REFUSALS = {
    # case: (who, method, path, body, status, code)
    "assign a busy unit": ("op", "POST", "/api/incidents/{pending}/assign", {"unit_id": "unit_a"}, 409,
                           "unit_unavailable"),
    "close while a unit is on scene": ("op", "POST", "/api/incidents/{inc}/close", {"outcome": "x"}, 409,
                                       "units_still_assigned"),
    "close releasing a unit that carries the patient": ("op", "POST", "/api/incidents/{inc}/close",
                                                        {"release_units": True}, 409, "units_transporting"),
    "release the units of an incident that has none": ("op", "POST", "/api/incidents/{closable}/close",
                                                       {"release_units": True}, 409, "no_units_to_release"),
    "reopen an open incident": ("op", "POST", "/api/incidents/{pending}/reopen", {"reason": "x"}, 409,
                                "incident_open"),
    "reopen after the window": ("op", "POST", "/api/incidents/{stale}/reopen", {"reason": "x"}, 409,
                                "reopen_window_passed"),
    "illegal unit move": ("crew_a", "POST", "/api/units/{unit_a}/status", {"status": "en_route",
                                                                           "client_ref": "r-9"}, 409,
                          "invalid_transition"),
    "reused client_ref": ("crew_a", "POST", "/api/units/{unit_a}/status", {"status": "transporting",
                                                                           "client_ref": "r-1"}, 409,
                          "client_ref_reused"),
    "cancel a cleared assignment": ("op", "POST", "/api/incidents/{inc}/assignments/{asg}/cancel",
                                    {"reason": "again"}, 409, "invalid_transition"),
}


@pytest.mark.parametrize("case", STATE_REFUSALS)
def test_request_refused_by_the_state_writes_nothing(scene, session, case):
    who, method, path, body, status, code = STATE_REFUSALS[case]
    w = scene.world
    if case == "reused client_ref":  # r-1 was used for another move
        ok(send(w, "crew_a", "POST", scene.url("/api/units/{unit_a}/status"), {"status": "available",
                                                                               "client_ref": "r-1"}))
    if case == "cancel a cleared assignment":
        ok(send(w, "crew_a", "POST", scene.url("/api/units/{unit_a}/status"), {"status": "available"}))
    if case == "close releasing a unit that carries the patient":
        ok(send(w, "crew_a", "POST", scene.url("/api/units/{unit_a}/status"),
                {"status": "transporting", "hospital_id": scene.ids["hospital"]}))
    body = {k: scene.ids[v] if k == "unit_id" else v for k, v in body.items()}
    before = snapshot(session)
    resp = send(w, who, method, scene.url(path), body)
    assert_error(resp, status, code)
    assert snapshot(session) == before


def test_patching_a_closed_incident_writes_nothing(scene, session):
    ok(send(scene.world, "op", "POST", scene.url("/api/incidents/{closable}/close"), {"outcome": "treated"}))
    before = snapshot(session)
    resp = send(scene.world, "op", "PATCH", scene.url("/api/incidents/{closable}"), {"notes": "late note"})
    assert_error(resp, 409, "incident_finished")
    assert snapshot(session) == before


# --- Queries --------------------------------------------------------------------------------------

QUERIES = [
    # url, field named
    ("/api/calls?limit=abc", "limit"),
    ("/api/calls?limit=0", "limit"),
    ("/api/calls?limit=1001", "limit"),
    ("/api/calls?limit=-1", "limit"),
    ("/api/calls?limit=1.5", "limit"),
    ("/api/calls?limit=", "limit"),
    (f"/api/calls?limit={2**70}", "limit"),
    ("/api/incidents?status=bogus", "status"),
    ("/api/incidents?status=OPEN", "status"),
    ("/api/incidents?status=open'%20OR%20'1'='1", "status"),
    ("/api/incidents?limit=abc", "limit"),
    ("/api/incidents?limit=0", "limit"),
    ("/api/events?after=-1", "after"),
    ("/api/events?after=abc", "after"),
    (f"/api/events?after={2**70}", "after"),
    ("/api/events?limit=0", "limit"),
    ("/api/events?limit=5000", "limit"),
    ("/api/geocode", "q"),
    ("/api/geocode?q=", "q"),
    ("/api/geocode?q=" + "a" * 501, "q"),
    ("/api/geocode?q=RS&limit=0", "limit"),
    ("/api/geocode?q=RS&limit=21", "limit"),
    ("/api/geocode?q=RS&typing=perhaps", "typing"),
    ("/api/geocode?q=%00%01%02", "q"),
    ("/api/reverse?lon=109.33", "lat"),
    ("/api/reverse?lat=-0.02", "lon"),
    ("/api/reverse?lat=91&lon=109.33", "lat"),
    ("/api/reverse?lat=-0.02&lon=181", "lon"),
    ("/api/reverse?lat=nan&lon=109.33", "lat"),
    ("/api/reverse?lat=-0.02&lon=inf", "lon"),
    ("/api/reverse?lat=-0.02&lon=-Infinity", "lon"),
    ("/api/reverse?lat=abc&lon=109.33", "lat"),
    ("/api/reverse?lat=1e400&lon=109.33", "lat"),
    ("/api/incidents/{inc}/recommendations?limit=0", "limit"),
    ("/api/incidents/{inc}/recommendations?limit=51", "limit"),
    ("/api/incidents/{inc}/recommendations?limit=x", "limit"),
    ("/api/incidents/{inc}/hospitals?limit=0", "limit"),
    ("/api/incidents/{inc}/hospitals?limit=abc", "limit"),
]


@pytest.mark.parametrize("url, field", QUERIES)
def test_bad_query_is_422_and_named(scene, session, url, field):
    before = snapshot(session)
    resp = send(scene.world, "sup", "GET", scene.url(url))
    assert_error(resp, 422, "validation_error", field)
    assert snapshot(session) == before


def test_repeated_query_parameter_does_not_break_the_list(scene):
    resp = send(scene.world, "sup", "GET", "/api/incidents?status=open&status=all&limit=5&limit=abc")
    assert_no_500(resp)


# --- SQL- and HTML-looking text is data ----------------------------------------------------------

SQL = "Robert'); DROP TABLE incidents; --"
SQL_2 = "1' OR '1'='1'; DELETE FROM events WHERE '1'='1"
HTML = '<script>alert("119")</script><img src=x onerror=alert(1)>'
UNICODE = "Ibu Siti 🚑 — Jl. Tanjungpura № 5, Pontianak Kota ‘Gg. Ḥaji’ 中文 العربية"


@pytest.mark.parametrize("text", [SQL, SQL_2, HTML, UNICODE], ids=["sql", "sql-2", "html", "unicode"])
def test_call_text_is_stored_and_returned_verbatim(scene, session, text):
    body = {**ENDPOINTS["take_call"].valid(scene.ids), "caller_name": text, "notes": text, "location_text": text,
            "complaint": text}
    resp = call(scene, "take_call", body)
    created = ok(resp, 201)
    assert resp.mimetype == "application/json"
    assert created["call"]["caller_name"] == text and created["call"]["location_text"] == text
    assert created["call"]["complaint"] == text
    assert created["incident"]["notes"] == text and created["incident"]["address_text"] == text

    listed = ok(send(scene.world, "op", "GET", "/api/calls"))["items"]
    assert listed[0]["id"] == created["call"]["id"] and listed[0]["caller_name"] == text
    detail = ok(send(scene.world, "op", "GET", f"/api/incidents/{created['incident']['id']}"))
    assert detail["notes"] == text and detail["address_text"] == text

    session.expire_all()
    row = session.get(Call, created["call"]["id"])
    assert (row.caller_name, row.location_text, row.complaint) == (text, text, text)
    assert session.get(Incident, created["incident"]["id"]).notes == text
    # Nothing was executed: every table is still there, with every row.
    assert session.scalar(select(func.count()).select_from(Incident)) == 6
    assert session.scalar(select(func.count()).select_from(Event)) > 0
    session.rollback()


@pytest.mark.parametrize("text", [SQL, HTML], ids=["sql", "html"])
def test_patched_text_is_stored_and_returned_verbatim(scene, session, text):
    body = {"notes": text, "address_text": text, "kelurahan": text[:100], "kecamatan": text[:100]}
    patched = ok(call(scene, "patch_incident", body))
    assert patched["notes"] == text and patched["address_text"] == text and patched["kelurahan"] == text[:100]
    detail = ok(send(scene.world, "op", "GET", scene.url("/api/incidents/{inc}")))
    assert detail["notes"] == text
    event = detail["timeline"][-1]
    assert event["type"] == "incident.updated" and event["data"]["changes"]["notes"]["to"] == text


@pytest.mark.parametrize("text", [SQL, HTML], ids=["sql", "html"])
def test_cancel_reason_and_outcome_are_stored_verbatim(scene, text):
    assert ok(call(scene, "cancel_incident", {"reason": text}))["cancel_reason"] == text
    assert ok(call(scene, "close_incident", {"outcome": text}))["outcome"] == text


def test_sql_in_login_is_just_a_wrong_password(scene, session):
    before = snapshot(session)
    for body in ({"username": "op' --", "password": "x"}, {"username": "op", "password": "' OR '1'='1"}):
        assert_error(call(scene, "login", body), 401, "invalid_credentials")
    assert snapshot(session) == before


# --- Values that are valid JSON strings but cannot be stored -------------------------------------

@pytest.mark.parametrize("name, field", [("take_call", "notes"), ("take_call", "caller_name"),
                                         ("patch_incident", "notes"), ("cancel_incident", "reason"),
                                         ("login", "username")])
def test_nul_character_in_text_is_not_a_500(scene, session, name, field):
    """PostgreSQL cannot store NUL in text: refused naming the field (and nothing written),
    or stored; either way not a server error."""
    before = snapshot(session)
    resp = call(scene, name, {**ENDPOINTS[name].valid(scene.ids), field: "Jl. A\x00B"})
    assert_no_500(resp)
    if resp.status_code >= 400:
        assert snapshot(session) == before
    if resp.status_code == 422:
        assert field in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("name, field", [("take_call", "notes"), ("patch_incident", "notes"),
                                         ("create_unit", "station_name"), ("login", "username"),
                                         ("login", "password")])
def test_lone_surrogate_in_text_is_refused(scene, session, name, field):
    body = json.dumps({**ENDPOINTS[name].valid(scene.ids), field: "PLACEHOLDER"}).replace("PLACEHOLDER", "\\ud800")
    resp = refused(scene, session, name, data=body, content_type="application/json")
    assert_error(resp, resp.status_code, field=field)
    assert resp.status_code in (400, 422)


@pytest.mark.parametrize("recorded_at", ["0001-01-01T05:00:00+07:00", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z"])
def test_ancient_position_fix_moves_nothing(scene, session, recorded_at):
    """A fix from year 1 (whose UTC time, for +07:00, is in year 0) is refused naming the
    field, or accepted without moving the unit; never a 500."""
    before = snapshot(session)
    resp = call(scene, "unit_location", {**ENDPOINTS["unit_location"].valid(scene.ids), "recorded_at": recorded_at})
    assert_no_500(resp)
    if resp.status_code == 422:
        assert "recorded_at" in resp.get_json()["error"]["fields"]
    else:
        assert ok(resp)["applied"] is False
    assert snapshot(session) == before


def test_blank_station_name_is_refused(scene, session):
    resp = refused(scene, session, "create_unit", {**ENDPOINTS["create_unit"].valid(scene.ids),
                                                   "station_name": "   "})
    assert_error(resp, 422, "validation_error", "station_name")


# --- A small fuzz: odd values in every field, never a 500 ----------------------------------------

ODD = {
    "empty": "",
    "blank": "   ",
    "zero": 0,
    "minus-one": -1,
    "2**31": INT32_OVERFLOW,
    "2**63": INT64_OVERFLOW,
    "2**70": 2**70,
    "-2**70": -(2**70),
    "half": 0.5,
    "1e308": 1e308,
    "true": True,
    "null": None,
    "list": ["P1", 1],
    "object": {"$ne": None},
    "unicode": "Pontianak — ĀĒĪŌŪ ñ ü 中文 العربية",
    "emoji": "🚑🏥🆘" * 20,
    "sql": SQL,
    "long": "x" * 5000,
}

@pytest.mark.parametrize("name", ENDPOINTS)
def test_fuzz_odd_value_in_each_field_is_never_a_500(scene, name):
    ep = ENDPOINTS[name]
    failures = []
    for field in ep.schema().fields:
        for label, value in ODD.items():
            resp = call(scene, name, {**ep.valid(scene.ids), field: value})
            if resp.status_code >= 500 or not resp.is_json:
                failures.append((field, label, resp.status_code, resp.get_data(as_text=True)[:200]))
            elif resp.status_code >= 400:
                error = resp.get_json().get("error") or {}
                if not (error.get("code") and error.get("message") and isinstance(error.get("fields"), dict)):
                    failures.append((field, label, resp.status_code, resp.get_json()))
    assert failures == []


@pytest.mark.parametrize("name", ENDPOINTS)
def test_fuzz_nan_and_infinity_in_each_field_is_never_a_500(scene, name):
    ep = ENDPOINTS[name]
    for field in ep.schema().fields:
        for value in (NAN, INF, -INF):
            resp = call(scene, name, {**ep.valid(scene.ids), field: value})
            assert_no_500(resp)
            if resp.status_code == 422:
                assert field in resp.get_json()["error"]["fields"], (field, value, resp.get_json())
