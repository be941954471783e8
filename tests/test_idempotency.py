"""One store for every client_ref (core/idempotency.py): a call's ref is its user's, a status
report's its unit's; the same ref twice stores once and answers the same, with other values it
is refused (client_ref_reused), over REST and the live connection alike."""
import hashlib
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conftest import fresh
from dispatch.core import idempotency
from dispatch.core.clock import utcnow
from dispatch.core.errors import Conflict
from dispatch.models import Call, ClientRequest, Unit
from test_realtime_commands import call as command, crew  # noqa: F401  (crew: the fixture)

CALL = {"caller_phone": "0811573119", "location_text": "Jl. Gajah Mada", "lat": -0.035, "lon": 109.335,
        "category": "cardiac", "priority": "P1"}


def stored(session):
    return [(r.kind, r.user_id, r.unit_id, r.client_ref, r.result_id)
            for r in fresh(session).scalars(select(ClientRequest).order_by(ClientRequest.id))]


def test_the_hashes_are_those_stored_before_the_one_store():
    # Rows written by the two old code paths must still match a retry after the upgrade.
    status = ["transporting", 4]
    assert idempotency.fingerprint(status) == hashlib.sha256(json.dumps(status).encode()).hexdigest()
    body = {"priority": "P1", "caller_phone": "0811-573-001", "lat": -0.03}
    old = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    assert idempotency.fingerprint(dict(reversed(body.items()))) == old


def test_a_call_and_a_status_report_are_kept_in_the_one_store(world, session):
    first = world.post("op", "/api/calls", {**CALL, "client_ref": "r-1"})
    again = world.post("op", "/api/calls", {**CALL, "client_ref": "r-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["call"] == first.get_json()["call"] and again.get_json()["applied"] is False
    world.assign(first.get_json()["incident"]["id"], world.unit_a.id)
    # the same ref string for a status report is the unit's, not the operator's call
    for _ in range(2):
        assert world.status(world.unit_a.id, "en_route", who="op", client_ref="r-1").status_code == 200
    call_id = first.get_json()["call"]["id"]
    assert stored(session) == [("call", world.users["op"].id, None, "r-1", call_id),
                               ("unit_status", None, world.unit_a.id, "r-1", None)]
    assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_a_units_ref_is_the_units_whoever_reports_for_it(world, session):
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    assert world.status(world.unit_a.id, "en_route", client_ref="s-1").get_json()["applied"] is True
    # an operator repeating the crew's press by radio with the same ref changes nothing
    assert world.status(world.unit_a.id, "en_route", who="op", client_ref="s-1").get_json()["applied"] is False
    r = world.status(world.unit_a.id, "on_scene", who="op", client_ref="s-1")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "client_ref_reused"
    assert "different request" in r.get_json()["error"]["message"]
    assert len(stored(session)) == 1 and fresh(session).get(Unit, world.unit_a.id).status == "en_route"


def test_a_press_sent_over_rest_and_again_over_the_socket_is_applied_once(crew, world, session):  # noqa: F811
    inc = world.new_incident()
    world.assign(inc["id"], world.unit_a.id)
    assert world.status(world.unit_a.id, "en_route", client_ref="hp-1").get_json()["applied"] is True
    phone = crew()
    again = command(phone, "status", {"status": "en_route", "client_ref": "hp-1"})
    assert again["ok"] is True and again["applied"] is False and again["unit"]["status"] == "en_route"
    other = command(phone, "status", {"status": "on_scene", "client_ref": "hp-1"})
    assert other["ok"] is False and other["error"]["code"] == "client_ref_reused"
    assert other["error"]["fields"] == {"client_ref": "reused with other values"}
    unit = fresh(session).get(Unit, world.unit_a.id)
    assert unit.status == "en_route" and unit.version == 3   # assigned, then en_route once
    assert len(stored(session)) == 1


def test_the_core_looks_up_remembers_and_refuses(world, session):
    op = world.users["op"]
    assert idempotency.ref("call", owner_id=op.id, client_ref=None, body={}) is None
    assert idempotency.prior(session, None) is None
    ref = idempotency.ref("call", owner_id=op.id, client_ref="c-1", body={"a": 1})
    assert idempotency.prior(session, ref) is None
    idempotency.remember(session, ref, now=utcnow(), result_id=42)
    session.commit()
    assert idempotency.prior(session, ref).result_id == 42
    other = idempotency.ref("call", owner_id=op.id, client_ref="c-1", body={"a": 2})
    with pytest.raises(Conflict, match="different call") as refused:
        idempotency.prior(session, other)
    assert refused.value.code == "client_ref_reused"
    # another user's ref, and another kind's, are other refs
    assert idempotency.prior(session, idempotency.ref("call", owner_id=world.users["sup"].id, client_ref="c-1",
                                                      body={"a": 2})) is None
    assert idempotency.prior(session, idempotency.ref("unit_status", owner_id=op.id, client_ref="c-1",
                                                      body={"a": 2})) is None
    # the same ref stored twice is refused by the database: a concurrent retry fails at its write
    with pytest.raises(IntegrityError):
        idempotency.remember(session, ref, now=utcnow())
    session.rollback()
    with pytest.raises(ValueError):
        idempotency.ref("hospital_beds", owner_id=1, client_ref="x", body={})


def test_a_stored_ref_has_exactly_one_owner(world, session):
    session.add(ClientRequest(kind="call", client_ref="x", request_hash="h", created_at=utcnow()))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.add(ClientRequest(kind="call", user_id=world.users["op"].id, unit_id=world.unit_a.id, client_ref="x",
                              request_hash="h", created_at=utcnow()))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
