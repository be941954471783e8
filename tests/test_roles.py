"""Who may call what.

1. The role matrix: every endpoint under /api x every kind of caller (no token, a bad
   token, operator, crew, supervisor, admin). No or a bad token -> 401 with an error code
   and a WWW-Authenticate header; a role the endpoint does not allow -> 403 `forbidden`
   and nothing changes; an allowed role with a valid body -> the endpoint's success status.
2. The crew's scope: its own unit only, and an incident only while its unit is on it.
3. Taking a unit out of service and back: a supervisor or the unit's own crew, never an
   operator.
4. Tokens: revoked by logout, expired, or of a deactivated user -> 401.
"""
import re
from datetime import timedelta
from typing import Callable, NamedTuple, Optional, Union

import pytest
from sqlalchemy import func, select, update

from dispatch.core.clock import shifted, utcnow
from dispatch.models import ApiToken, Assignment, Event, Unit, User

NO_TOKEN, BAD_TOKEN = "no token", "bad token"
OP, CREW, SUP, ADM = "op", "crew_a", "sup", "adm"  # CREW is the crew of unit_a
CALLERS = (NO_TOKEN, BAD_TOKEN, OP, CREW, SUP, ADM)
ANYONE = frozenset({OP, CREW, SUP, ADM})


def send(world, who, method, url, body=None, **kw):
    """One request as ``who`` (a user name of the world, NO_TOKEN or BAD_TOKEN)."""
    headers = dict(kw.pop("headers", {}))
    if who == BAD_TOKEN:
        headers["Authorization"] = "Bearer not-a-token-that-was-ever-issued"
    elif who != NO_TOKEN:
        headers.update(world.headers(who))
    if body is not None:
        kw["json"] = body
    return world.client.open(url, method=method, headers=headers, **kw)


def ok(resp, status=200):
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def take_call(world):
    body = {"caller_phone": "0811573119", "location_text": "Jl. Gajah Mada", "lat": -0.035, "lon": 109.335,
            "category": "cardiac", "priority": "P1"}
    return ok(send(world, OP, "POST", "/api/calls", body), 201)["incident"]["id"]


def assign(world, incident_id, unit_id):
    incident = ok(send(world, OP, "POST", f"/api/incidents/{incident_id}/assign", {"unit_id": unit_id}))
    return next(a["id"] for a in incident["assignments"] if a["unit_id"] == unit_id and a["active"])


def report(world, who, unit_id, status):
    return send(world, who, "POST", f"/api/units/{unit_id}/status", {"status": status})


def state(session):
    """What a refused request must leave alone: the event log, units (status, version,
    position) and tokens."""
    session.expire_all()
    snapshot = {
        "events": session.scalar(select(func.count()).select_from(Event)),
        "assignments": session.execute(select(Assignment.id, Assignment.status, Assignment.active)
                                       .order_by(Assignment.id)).all(),
        "units": session.execute(select(Unit.id, Unit.status, Unit.version, Unit.lat, Unit.lon, Unit.position_at)
                                 .order_by(Unit.id)).all(),
        "revoked_tokens": session.scalar(select(func.count()).select_from(ApiToken)
                                         .where(ApiToken.revoked_at.is_not(None))),
    }
    session.rollback()
    return snapshot


def unit_row(session, unit_id):
    session.expire_all()
    row = session.execute(select(Unit.status, Unit.version, Unit.lat, Unit.lon, Unit.position_at)
                          .where(Unit.id == unit_id)).one()
    session.rollback()
    return row


def assert_error(resp, status, code):
    assert resp.status_code == status, resp.get_data(as_text=True)
    error = resp.get_json()["error"]
    assert error["code"] == code, error
    assert error["message"] and isinstance(error["fields"], dict)


def assert_unauthenticated(resp, code):
    assert_error(resp, 401, code)
    assert resp.headers.get("WWW-Authenticate", "").startswith("Bearer"), dict(resp.headers)


# --- The role matrix -------------------------------------------------------------------------

class Scene:
    """The world plus what the endpoints act on:

    * ``incident``: unit_a (CREW's unit) is dispatched to it, ``assignment`` is that job;
    * ``closable``: unit_b is on scene, so it can be closed releasing the unit;
    * ``cancelled``: cancelled a moment ago, so it can be reopened.
    """

    def __init__(self, world):
        self.world = world
        self.ids = {"unit_a": world.unit_a.id, "unit_b": world.unit_b.id, "unit_c": world.unit_c.id,
                    "hospital": world.hospital.id, "username": "crew_b"}
        self.ids["incident"] = take_call(world)
        self.ids["assignment"] = assign(world, self.ids["incident"], world.unit_a.id)
        self.ids["closable"] = take_call(world)
        assign(world, self.ids["closable"], world.unit_b.id)
        for status in ("en_route", "on_scene"):
            ok(report(world, "crew_b", world.unit_b.id, status))
        self.ids["cancelled"] = take_call(world)
        ok(world.post("op", f"/api/incidents/{self.ids['cancelled']}/cancel", {"reason": "salah sambung"}))
        self.ids["prank"] = ok(world.post("op", "/api/calls", {"caller_phone": "0899-573-001", "disposition": "prank"}),
                               201)["call"]["id"]
        self.ids["repeat"] = ok(world.post("op", "/api/calls", {"caller_phone": "0899-573-002",
                                                                "link_to_incident_id": self.ids["incident"]}),
                                201)["call"]["id"]
        self.ids["mergeable"] = take_call(world)
        self.ids["dropped"] = ok(world.post("op", "/api/calls", {"caller_phone": "0899-573-003", "disposition": "dropped"}),
                                 201)["call"]["id"]
        self.ids["phone"] = "0811-573-119"
        self.ids["blocked"] = "0812-4444-5555"
        ok(world.post("sup", "/api/callers/0812-4444-5555/block",
                      {"reason": "iseng berulang", "until": (utcnow() + timedelta(hours=24)).isoformat()}), 201)
        with shifted(timedelta(minutes=10)):     # the dropped call waits past its timer: an alert
            world.app.extensions["psc_scheduler"].run_once("alerts")
        self.ids["alert"] = next(a["id"] for a in ok(world.get("op", "/api/alerts"))["items"]
                                 if a["kind"] == "callback_overdue")


def new_call(_ids):
    return {"caller_phone": "0812-5600-119", "caller_name": "Pak Rahman", "location_text": "Jl. Tanjungpura 12",
            "lat": -0.0263, "lon": 109.3425, "category": "breathing", "priority": "P2"}


def new_unit(_ids):
    return {"call_sign": "PSC-09", "capability": "BLS", "station_name": "Pos Siantan", "lat": 0.0013, "lon": 109.3616}


def position_fix(_ids):
    return {"lat": -0.0301, "lon": 109.3402, "recorded_at": utcnow().isoformat(), "accuracy_m": 8.0}


class Endpoint(NamedTuple):
    method: str
    path: str  # {names} are filled from Scene.ids
    allowed: frozenset
    success: int
    body: Optional[Union[dict, Callable]] = None


O, C, S, A = OP, CREW, SUP, ADM


def E(method, path, allowed, success, body=None):
    return Endpoint(method, path, frozenset(allowed), success, body)


def merge_into(ids):
    return {"into": ids["incident"], "reason": "laporan yang sama"}


def link_to_incident(ids):
    return {"incident_id": ids["incident"]}


def send_unit_c(ids):
    return {"unit_id": ids["unit_c"]}


ENDPOINTS = [
    # method   path                                                       allowed       success  valid body
    E("GET",   "/api/calls",                                              {O, S},       200),
    E("POST",  "/api/calls",                                              {O, S},       201, new_call),
    E("POST",  "/api/calls/{prank}/link",                                 {O, S},       200, link_to_incident),
    E("GET",   "/api/callbacks",                                          {O, S},       200),
    E("POST",  "/api/calls/{dropped}/callbacks",                          {O, S},       201, {"outcome": "no_answer"}),
    E("POST",  "/api/calls/{repeat}/unlink",                              {O, S},       200, {}),
    E("GET",   "/api/incidents",                                          {O, S, A},    200),
    E("GET",   "/api/incidents/possible-duplicates?lat=-0.0263&lon=109.3425&phone=0811573119", {O, S}, 200),
    E("GET",   "/api/incidents/{incident}",                               {O, S, A, C}, 200),
    E("PATCH", "/api/incidents/{incident}",                               {O, S},       200, {"notes": "blue gate"}),
    E("POST",  "/api/incidents/{incident}/assign",                        {O, S},       200, send_unit_c),
    E("POST",  "/api/incidents/{incident}/assignments/{assignment}/cancel", {O, S},     200, {"reason": "recalled"}),
    E("POST",  "/api/incidents/{incident}/cancel",                        {O, S},       200, {"reason": "prank"}),
    E("POST",  "/api/incidents/{closable}/close",                         {O, S},       200,
      {"outcome": "treated", "release_units": True}),
    E("POST",  "/api/incidents/{cancelled}/reopen",                       {O, S},       200, {"reason": "called again"}),
    E("POST",  "/api/incidents/{mergeable}/merge",                        {S},          200, merge_into),
    E("GET",   "/api/incidents/{incident}/recommendations",               {O, S},       200),
    E("GET",   "/api/incidents/{incident}/hospitals",                     {O, S, C},    200),
    E("GET",   "/api/geocode?q=depan+RS+Antonius",                        {O, S, A},    200),
    E("GET",   "/api/reverse?lat=-0.0202&lon=109.3268",                   {O, S, A, C}, 200),
    E("GET",   "/api/map/layers",                                         {O, S, A, C}, 200),
    E("GET",   "/api/map/roads",                                          {O, S, A, C}, 200),
    E("GET",   "/api/route?from_lat=-0.0366&from_lon=109.3135&to_lat=0.008&to_lon=109.3366", {O, S}, 200),
    E("GET",   "/api/callers/{phone}",                                   {O, S},       200),
    E("POST",  "/api/callers/{phone}/block",                             {S},          201,
      {"reason": "iseng berulang", "until": (utcnow() + timedelta(days=1)).isoformat()}),
    E("DELETE", "/api/callers/{blocked}/block",                          {S},          200),
    E("GET",   "/api/stats/today",                                        {O, S},       200),
    E("GET",   "/api/units",                                              {O, S, A},    200),
    E("POST",  "/api/units",                                              {A},          201, new_unit),
    E("GET",   "/api/units/{unit_a}",                                     {O, S, A, C}, 200),
    E("POST",  "/api/units/{unit_a}/status",                              {O, S, C},    200, {"status": "en_route"}),
    E("POST",  "/api/units/{unit_a}/location",                            {C},          200, position_fix),
    E("GET",   "/api/units/{unit_a}/route",                               {O, S, C},    200),
    E("GET",   "/api/hospitals",                                          {O, S, A, C}, 200),
    E("PATCH", "/api/hospitals/{hospital}",                               {S, A},       200, {"beds_available": 3}),
    E("GET",   "/api/events",                                             {O, S},       200),
    E("GET",   "/api/events/schema",                                      {O, S, A},    200),
    E("GET",   "/api/queue",                                              {O, S},       200),
    E("GET",   "/api/alerts",                                             {O, S, A},    200),
    E("POST",  "/api/alerts/{alert}/ack",                                 {O, S},       200, {"note": "ditangani"}),
    E("GET",   "/api/settings/timers",                                    {O, S, A},    200),
    E("PUT",   "/api/settings/timers",                                    {S},          200, {"acceptance_s": 90}),
    E("GET",   "/api/settings/dispatch",                                  {O, S, A},    200),
    E("PUT",   "/api/settings/dispatch",                                  {S},          200, {"auto_dispatch": {"P1": True}}),
    E("GET",   "/api/vocabulary",                                         {O, S, A, C}, 200),
    E("POST",  "/api/auth/logout",                                        ANYONE,       204),
    E("GET",   "/api/auth/me",                                            ANYONE,       200),
    E("DELETE", "/api/auth/throttle/{username}",                          {S, A},       204),
]

# Reachable without a token.
PUBLIC = [("POST", "/api/auth/login"), ("GET", "/api/health"), ("GET", "/api/openapi.json")]


def route_shape(path):
    """'/api/incidents/<int:incident_id>/assign' and '/api/incidents/{incident}/assign'
    both become '/api/incidents/{}/assign'."""
    return re.sub(r"<[^>]+>|\{\w+\}", "{}", path.split("?")[0])


def test_matrix_lists_every_api_endpoint(app):
    """A new endpoint cannot slip in without a row in the role matrix."""
    served = {(method, route_shape(rule.rule)) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    in_table = {(e.method, route_shape(e.path)) for e in ENDPOINTS}
    assert len(in_table) == len(ENDPOINTS), "an endpoint is listed twice"
    assert served - set(PUBLIC) == in_table


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[f"{e.method} {e.path}" for e in ENDPOINTS])
def test_role_matrix(world, session, endpoint, who):
    scene = Scene(world)
    url = endpoint.path.format(**scene.ids)
    body = endpoint.body(scene.ids) if callable(endpoint.body) else endpoint.body
    before = state(session)

    resp = send(world, who, endpoint.method, url, body)

    if who == NO_TOKEN:
        assert_unauthenticated(resp, "unauthorized")
    elif who == BAD_TOKEN:
        assert_unauthenticated(resp, "invalid_token")
    elif who in endpoint.allowed:
        assert resp.status_code == endpoint.success, resp.get_data(as_text=True)
        return
    else:
        assert_error(resp, 403, "forbidden")
    assert state(session) == before, "a refused request changed something"


def test_auth_is_checked_before_the_body(world, session):
    """Without a token the body is never looked at: 401, not a validation error that
    would describe the schema to a stranger."""
    resp = send(world, NO_TOKEN, "POST", "/api/calls", data="{not json", content_type="application/json")
    assert_unauthenticated(resp, "unauthorized")
    resp = send(world, "crew_a", "POST", "/api/units", {"call_sign": 7})
    assert_error(resp, 403, "forbidden")


@pytest.mark.parametrize("method, path", PUBLIC)
def test_public_endpoints_need_no_token(world, method, path):
    body = {"username": "op", "password": "correct-horse-119"} if path == "/api/auth/login" else None
    resp = send(world, NO_TOKEN, method, path, body)
    assert resp.status_code == 200, resp.get_data(as_text=True)


@pytest.mark.parametrize("header, code", [
    ("Basic b3A6Y29ycmVjdC1ob3JzZS0xMTk=", "unauthorized"),
    ("Bearer", "unauthorized"),
    ("Bearer    ", "unauthorized"),
    ("Token abc", "unauthorized"),
    ("Bearer " + "x" * 300, "invalid_token"),
    ("Bearer ' OR '1'='1", "invalid_token"),
], ids=["basic", "bearer-without-token", "bearer-blank", "other-scheme", "300-char-token", "sql-token"])
def test_malformed_authorization_headers(world, header, code):
    resp = send(world, NO_TOKEN, "GET", "/api/auth/me", headers={"Authorization": header})
    assert_unauthenticated(resp, code)


def test_bearer_scheme_is_case_insensitive(world):
    resp = send(world, NO_TOKEN, "GET", "/api/auth/me", headers={"Authorization": f"bearer {world.tokens['op']}"})
    assert ok(resp)["username"] == "op"


# --- Tokens ----------------------------------------------------------------------------------

def test_token_revoked_by_logout_is_refused(world, session):
    assert ok(send(world, OP, "GET", "/api/auth/me"))["username"] == "op"
    assert send(world, OP, "POST", "/api/auth/logout").status_code == 204

    for method, url in (("GET", "/api/auth/me"), ("GET", "/api/calls"), ("POST", "/api/auth/logout")):
        assert_unauthenticated(send(world, OP, method, url), "invalid_token")
    session.expire_all()
    op_id = world.users["op"].id
    assert session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == op_id)) is not None
    session.rollback()
    # Other users' tokens still work, and the operator can log in again.
    assert ok(send(world, SUP, "GET", "/api/auth/me"))["username"] == "sup"
    login = ok(send(world, NO_TOKEN, "POST", "/api/auth/login", {"username": "op", "password": "correct-horse-119"}))
    resp = send(world, NO_TOKEN, "GET", "/api/auth/me", headers={"Authorization": f"Bearer {login['token']}"})
    assert ok(resp)["username"] == "op"


def test_logout_revokes_only_the_token_it_carries(world):
    second = ok(send(world, NO_TOKEN, "POST", "/api/auth/login", {"username": "op", "password": "correct-horse-119"}))
    assert send(world, OP, "POST", "/api/auth/logout").status_code == 204
    resp = send(world, NO_TOKEN, "GET", "/api/auth/me", headers={"Authorization": f"Bearer {second['token']}"})
    assert ok(resp)["username"] == "op"


def set_token_expiry(session, user, expires_at):
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id).values(expires_at=expires_at))
    session.commit()


def test_expired_token_is_refused(world, session):
    set_token_expiry(session, world.users["op"], utcnow() + timedelta(minutes=1))
    assert ok(send(world, OP, "GET", "/api/auth/me"))["username"] == "op"

    set_token_expiry(session, world.users["op"], utcnow() - timedelta(seconds=1))
    assert_unauthenticated(send(world, OP, "GET", "/api/auth/me"), "invalid_token")
    before = state(session)
    assert_unauthenticated(send(world, OP, "POST", "/api/calls", new_call(None)), "invalid_token")
    assert state(session) == before
    assert ok(send(world, SUP, "GET", "/api/auth/me"))["username"] == "sup"


def test_token_of_a_deactivated_user_is_refused(world, session):
    session.execute(update(User).where(User.username == "op").values(active=False))
    session.commit()
    assert_unauthenticated(send(world, OP, "GET", "/api/auth/me"), "invalid_token")
    resp = send(world, NO_TOKEN, "POST", "/api/auth/login", {"username": "op", "password": "correct-horse-119"})
    assert_error(resp, 401, "invalid_credentials")


# --- Crew scope: its own unit ----------------------------------------------------------------

def test_crew_reads_its_own_unit(world):
    assert ok(send(world, "crew_a", "GET", f"/api/units/{world.unit_a.id}"))["call_sign"] == "PSC-01"
    assert ok(send(world, "crew_b", "GET", f"/api/units/{world.unit_b.id}"))["call_sign"] == "PSC-02"


@pytest.mark.parametrize("other", ["unit_b", "unit_c", "unknown"])
def test_crew_may_not_read_another_unit(world, other):
    unit_id = getattr(world, other).id if other != "unknown" else 999_999
    assert_error(send(world, "crew_a", "GET", f"/api/units/{unit_id}"), 403, "forbidden")


def test_crew_may_not_report_status_of_another_unit(world, session):
    incident_id = take_call(world)
    assign(world, incident_id, world.unit_b.id)
    before = state(session)
    for status in ("en_route", "out_of_service"):
        assert_error(report(world, "crew_a", world.unit_b.id, status), 403, "forbidden")
    assert state(session) == before
    assert ok(report(world, "crew_b", world.unit_b.id, "en_route"))["unit"]["status"] == "en_route"


def test_crew_may_not_report_position_of_another_unit(world, session):
    before = state(session)
    resp = send(world, "crew_a", "POST", f"/api/units/{world.unit_b.id}/location", position_fix(None))
    assert_error(resp, 403, "forbidden")
    assert state(session) == before
    resp = send(world, "crew_b", "POST", f"/api/units/{world.unit_b.id}/location", position_fix(None))
    assert ok(resp)["applied"] is True


# --- Crew scope: an incident only while its unit is on it ------------------------------------

def crew_reads(world, who, incident_id):
    return send(world, who, "GET", f"/api/incidents/{incident_id}")


def test_crew_may_not_read_an_incident_nobody_is_assigned_to(world):
    incident_id = take_call(world)
    assert_error(crew_reads(world, "crew_a", incident_id), 403, "forbidden")
    assert ok(crew_reads(world, OP, incident_id))["id"] == incident_id


def test_crew_reads_the_incident_its_unit_is_assigned_to(world):
    incident_id = take_call(world)
    assign(world, incident_id, world.unit_b.id)
    assert_error(crew_reads(world, "crew_a", incident_id), 403, "forbidden")
    assert ok(crew_reads(world, "crew_b", incident_id))["id"] == incident_id

    assign(world, incident_id, world.unit_a.id)
    detail = ok(crew_reads(world, "crew_a", incident_id))
    assert detail["id"] == incident_id
    assert {a["unit_id"] for a in detail["assignments"]} == {world.unit_a.id, world.unit_b.id}


def test_crew_loses_the_incident_when_its_assignment_is_cancelled(world):
    incident_id = take_call(world)
    assignment_id = assign(world, incident_id, world.unit_a.id)
    assert ok(crew_reads(world, "crew_a", incident_id))["id"] == incident_id
    ok(send(world, OP, "POST", f"/api/incidents/{incident_id}/assignments/{assignment_id}/cancel",
            {"reason": "sent elsewhere"}))
    assert_error(crew_reads(world, "crew_a", incident_id), 403, "forbidden")


def test_crew_loses_the_incident_once_its_unit_has_cleared(world):
    incident_id = take_call(world)
    assign(world, incident_id, world.unit_a.id)
    for status in ("en_route", "on_scene"):
        ok(report(world, "crew_a", world.unit_a.id, status))
        assert ok(crew_reads(world, "crew_a", incident_id))["id"] == incident_id
    ok(report(world, "crew_a", world.unit_a.id, "available"))
    assert_error(crew_reads(world, "crew_a", incident_id), 403, "forbidden")


# --- Out of service: a supervisor or the unit's own crew --------------------------------------

@pytest.mark.parametrize("who, unit, allowed", [
    (OP, "unit_c", False),
    ("crew_b", "unit_a", False),
    (SUP, "unit_c", True),
    ("crew_a", "unit_a", True),
])
def test_who_may_take_an_available_unit_out_of_service(world, session, who, unit, allowed):
    unit_id = getattr(world, unit).id
    before = unit_row(session, unit_id)
    resp = report(world, who, unit_id, "out_of_service")
    if allowed:
        assert ok(resp)["unit"]["status"] == "out_of_service"
        assert unit_row(session, unit_id).version == before.version + 1
    else:
        assert_error(resp, 403, "forbidden")
        assert unit_row(session, unit_id) == before


@pytest.mark.parametrize("who, unit, allowed", [
    (OP, "unit_c", False),
    ("crew_b", "unit_a", False),
    (SUP, "unit_c", True),
    ("crew_a", "unit_a", True),
])
def test_who_may_return_a_unit_from_out_of_service(world, session, who, unit, allowed):
    unit_id = getattr(world, unit).id
    ok(report(world, SUP, unit_id, "out_of_service"))
    before = unit_row(session, unit_id)
    resp = report(world, who, unit_id, "available")
    if allowed:
        assert ok(resp)["unit"]["status"] == "available"
    else:
        assert_error(resp, 403, "forbidden")
        assert unit_row(session, unit_id) == before
        assert before.status == "out_of_service"


def test_operator_may_not_take_a_busy_unit_out_of_service(world, session):
    incident_id = take_call(world)
    assign(world, incident_id, world.unit_a.id)
    before = state(session)
    assert_error(report(world, OP, world.unit_a.id, "out_of_service"), 403, "forbidden")
    assert state(session) == before
    incident = ok(send(world, OP, "GET", f"/api/incidents/{incident_id}"))
    assert incident["status"] == "dispatched" and incident["assignments"][0]["active"] is True


def test_operator_may_report_ordinary_moves_for_a_crew(world):
    """The service rule is the only one an operator is held to: en route, on scene etc.
    may be relayed by radio."""
    incident_id = take_call(world)
    assign(world, incident_id, world.unit_c.id)
    assert ok(report(world, OP, world.unit_c.id, "en_route"))["unit"]["status"] == "en_route"


def test_admin_may_not_report_unit_status(world, session):
    before = state(session)
    assert_error(report(world, ADM, world.unit_c.id, "out_of_service"), 403, "forbidden")
    assert state(session) == before
