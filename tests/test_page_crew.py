"""The crew app (/crew) on a phone-sized headless Chromium, with the operator console and the
supervisor map in two other browsers: the whole life of a call, and a press made offline."""
import json
import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from conftest import fresh, screenshot
from dispatch.models import Assignment, ClientRequest, Event, Unit


def status_events(session, unit_id, to):
    return fresh(session).scalar(select(func.count(Event.id)).where(
        Event.type == "unit.status_changed", Event.unit_id == unit_id)
        .where(Event.data["to"].as_string() == to))


def go_offline(crew, app, unit_id):
    """The mobile network drops: the browser is offline and the server sees the socket go."""
    crew.context.set_offline(True)
    hub = app.extensions["psc_hub"]
    for sid, conn in list(hub._connections.items()):
        if conn.unit_id == unit_id:
            app.extensions["socketio"].server.disconnect(sid)
    expect(crew.locator("#live-indicator")).not_to_have_attribute("data-state", "live")


def test_a_call_from_the_console_to_the_crew_and_back_with_the_map_following(pages, world, session):
    crew = pages("/crew", phone=True, who="crew_a")
    supervisor = pages("/map", who="sup")
    operator = pages("/console", who="op")
    for page in (crew, supervisor, operator):
        expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(crew.locator("#no-job")).to_be_visible()
    unit = world.unit_a.id

    # The operator logs the call by keyboard: coordinates next to PSC-01's post.
    operator.keyboard.type("081355500119")
    operator.keyboard.press("Tab")
    operator.keyboard.press("Tab")
    operator.keyboard.type("-0.0205, 109.3401")
    operator.focus("#complaint")
    operator.keyboard.type("jatuh dari motor")
    operator.keyboard.press("Enter")
    expect(operator.locator("#intake-result")).to_contain_text("PSC-")
    incident = int(operator.locator(".queue-item").first.get_attribute("data-incident"))
    expect(supervisor.locator(f"path.incident-{incident}")).to_have_count(1, timeout=1000)

    # The recommended unit first; one key sends it.
    expect(operator.locator("#recommendation-list > li").first).to_have_attribute("data-unit", str(unit))
    operator.keyboard.press("Alt+1")

    # The crew's phone gets the job, accepts it and steps through the statuses.
    expect(crew.locator("#job")).to_have_attribute("data-incident", str(incident))
    expect(crew.locator("#job-address")).to_contain_text("-0.0205")
    crew.click("#accept")
    expect(crew.locator("#accepted")).to_be_visible()
    screenshot(crew, "crew-phone")
    steps = [("en_route", "Menuju lokasi"), ("on_scene", "Di lokasi")]
    for status, shown in steps:
        crew.click("#next-status")
        expect(crew.locator("#unit-status")).to_have_attribute("data-status", status)
        expect(supervisor.locator(f"path.unit-{unit}.status-{status}")).to_have_count(1)
        expect(operator.locator(f".queue-item[data-incident='{incident}']")).to_contain_text(
            {"en_route": "Unit ditugaskan", "on_scene": "Unit di lokasi"}[status])
    crew.click("#next-status")                          # transporting: which hospital?
    crew.locator("#hospital-choices button").first.click()
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "transporting")
    expect(operator.locator(f".queue-item[data-incident='{incident}']")).to_contain_text("Membawa pasien")
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "at_hospital")
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "available")
    expect(crew.locator("#no-job")).to_be_visible()
    expect(supervisor.locator(f"path.unit-{unit}.status-available")).to_have_count(1)
    assert [status_events(session, unit, s) for s in ("en_route", "on_scene", "transporting", "at_hospital",
                                                     "available")] == [1, 1, 1, 1, 1]
    for page in (crew, supervisor, operator):
        assert page.console_errors == []


def test_a_press_made_offline_is_sent_when_the_phone_is_back_and_applied_once(pages, world, session, app):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_a.id)
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#job")).to_be_visible()
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live")
    go_offline(crew, app, world.unit_a.id)
    crew.click("#next-status")                                   # BERANGKAT, with no connection
    expect(crew.locator("#queued-count")).to_be_visible()
    assert status_events(session, world.unit_a.id, "en_route") == 0
    crew.context.set_offline(False)
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live", timeout=10000)
    expect(crew.locator("#queued-count")).to_have_count(0)
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "en_route")
    assert status_events(session, world.unit_a.id, "en_route") == 1


def test_the_phone_shares_its_position_while_on_duty(pages, world, session):
    supervisor = pages("/map", who="sup")
    crew = pages("/crew", phone=True, who="crew_a", geolocation={"latitude": -0.0312, "longitude": 109.3321})
    expect(crew.locator("#gps")).to_have_text("Posisi dibagikan")
    unit = world.unit_a.id
    expect(supervisor.locator(f"#unit-list li[data-unit='{unit}']")).not_to_have_class("status-available faded")

    def stored():
        return fresh(session).get(Unit, unit)

    for _ in range(100):
        if stored().lat == -0.0312:
            break
        crew.wait_for_timeout(100)
    assert (stored().lat, stored().lon) == (-0.0312, 109.3321)


def test_the_crew_app_on_a_desktop(pages, world):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_b.id)
    page = pages("/crew", who="crew_b")
    expect(page.locator("#job")).to_be_visible()
    expect(page.locator("#accept")).to_be_visible()
    screenshot(page, "crew-desktop")


def test_a_double_tap_moves_one_status_only(pages, world, session):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_a.id)
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#next-status")).to_have_attribute("data-next", "en_route")
    crew.locator("#next-status").dblclick()
    expect(crew.locator("#next-status")).to_have_attribute("data-next", "on_scene")
    expect(crew.locator("#next-status")).to_be_enabled()
    assert status_events(session, world.unit_a.id, "en_route") == 1
    assert status_events(session, world.unit_a.id, "on_scene") == 0


def test_without_hospital_suggestions_the_crew_can_still_transport(pages, world, session):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_a.id)
    for status in ("en_route", "on_scene"):
        world.status(world.unit_a.id, status)
    crew = pages("/crew", phone=True, who="crew_a")
    crew.route("**/hospitals*", lambda route: route.fulfill(status=503, body="{}"))
    crew.click("#next-status")
    crew.click("#transport-no-choice")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "transporting")


def test_a_job_cancelled_by_the_operator_is_said_on_the_phone(pages, world):
    incident = world.new_incident()
    assignment = world.assign(incident["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#job")).to_be_visible()
    world.post("op", f"/api/incidents/{incident['id']}/assignments/{assignment}/cancel", {"reason": "salah unit"})
    expect(crew.locator("#refused")).to_contain_text("salah unit")
    expect(crew.locator("#no-job")).to_be_visible()


def test_a_press_queued_for_a_job_replaced_meanwhile_is_not_applied_to_the_new_job(pages, world, session, app):
    first = world.new_incident()
    a_id = world.assign(first["id"], world.unit_a.id).get_json()["id"]
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#job")).to_have_attribute("data-incident", str(first["id"]))
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live")
    go_offline(crew, app, world.unit_a.id)
    crew.click("#next-status")                                   # BERANGKAT for the first job
    expect(crew.locator("#queued-count")).to_be_visible()
    # Meanwhile the operator sends the unit to another call.
    world.post("op", f"/api/incidents/{first['id']}/assignments/{a_id}/cancel", {"reason": "closer call"})
    second = world.new_incident()
    world.assign(second["id"], world.unit_a.id)
    crew.context.set_offline(False)
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live", timeout=10000)
    expect(crew.locator("#refused")).to_contain_text("tugas sudah berganti")
    expect(crew.locator("#queued-count")).to_have_count(0)
    expect(crew.locator("#job")).to_have_attribute("data-incident", str(second["id"]))
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "dispatched")
    assert status_events(session, world.unit_a.id, "en_route") == 0
    # the press made for the job on screen goes through
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "en_route")
    assert status_events(session, world.unit_a.id, "en_route") == 1


def test_accepting_without_signal_is_sent_when_the_phone_is_back(pages, world, session, app):
    incident = world.new_incident()
    a_id = world.assign(incident["id"], world.unit_a.id).get_json()["id"]
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#accept")).to_be_visible()
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live")
    go_offline(crew, app, world.unit_a.id)
    crew.click("#accept")
    expect(crew.locator("#accept-waiting")).to_be_visible()        # said, not silently lost
    assert fresh(session).get(Assignment, a_id).accepted_at is None
    crew.context.set_offline(False)
    expect(crew.locator("#accepted")).to_be_visible(timeout=10000)
    assert fresh(session).get(Assignment, a_id).accepted_at is not None


def test_a_press_whose_answer_was_lost_is_sent_again_with_the_same_ref_and_applied_once(pages, world, session):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_a.id)
    sent = []          # the status commands the phone sent, as they went over the wire
    dropped = []

    def lose_the_first_status_answer(ws):
        server = ws.connect_to_server()

        def from_page(message):
            found = re.match(r'^42(\d+)\["status",(.*)\]$', message) if isinstance(message, str) else None
            if found:
                sent.append((found.group(1), json.loads(found.group(2))))
            server.send(message)

        def from_server(message):
            if not dropped and sent and isinstance(message, str) and message.startswith(f"43{sent[0][0]}["):
                dropped.append(message)   # the server applied it; its answer never reaches the phone
                ws.close()                # and the connection drops
                return
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    crew = pages("/crew", phone=True, who="crew_a",
                 before=lambda page: page.route_web_socket(re.compile(r".*/socket\.io/.*"), lose_the_first_status_answer))
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live")
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "en_route", timeout=15000)
    expect(crew.locator("#queued-count")).to_have_count(0)
    assert len(dropped) == 1
    assert len(sent) == 2 and sent[0][1] == sent[1][1]          # the same press, the same client_ref
    assert sent[0][1]["client_ref"]
    assert status_events(session, world.unit_a.id, "en_route") == 1
    assert fresh(session).scalar(select(func.count(ClientRequest.id))) == 1
