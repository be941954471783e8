"""The crew app (/crew) on a phone-sized headless Chromium, with the operator console and the
supervisor map in two other browsers: the whole life of a call, and a press made offline; out of
service and back, text that stays text, another crew on the same phone, map layers that fail
once, a press that waited too long, logging out with presses waiting, and a refusal that comes
before the replayed new job."""
import json
import re
import time

from playwright.sync_api import expect
from sqlalchemy import func, select

from conftest import LIVE_S, fresh, log_in, screenshot
from dispatch.models import Assignment, ClientRequest, Event, Unit


def status_events(session, unit_id, to):
    return fresh(session).scalar(select(func.count(Event.id)).where(
        Event.type == "unit.status_changed", Event.unit_id == unit_id)
        .where(Event.data["to"].as_string() == to))


def go_offline(crew, app, unit_id):
    """The mobile network drops: the browser is offline and the server sees the socket go."""
    crew.context.set_offline(True)
    hub = app.extensions["psc_hub"]
    for conn in hub.connections.all():
        if conn.unit_id == unit_id:
            app.extensions["socketio"].server.disconnect(conn.sid)
    expect(crew.locator("#live-indicator")).not_to_have_attribute("data-state", "live")


def accept_on_phone(crew):
    """One step at a time: a job is accepted before BERANGKAT shows."""
    crew.click("#accept")
    expect(crew.locator("#accepted")).to_be_visible()
    expect(crew.locator("#next-status")).to_have_attribute("data-next", "en_route")


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
    # The road to the scene is drawn on the crew's map (from the server's route, by the road graph).
    expect(crew.locator("path.route-line.route-to-incident")).to_have_count(1)
    screenshot(crew, "crew-phone")
    steps = [("en_route", "Menuju lokasi"), ("on_scene", "Di lokasi")]
    for status, shown in steps:
        crew.click("#next-status")
        expect(crew.locator("#unit-status")).to_have_attribute("data-status", status)
        expect(crew.locator("path.route-line")).to_have_count(1 if status == "en_route" else 0)
        expect(supervisor.locator(f"path.unit-{unit}.status-{status}")).to_have_count(1)
        expect(operator.locator(f".queue-item[data-incident='{incident}']")).to_contain_text(
            {"en_route": "Unit ditugaskan", "on_scene": "Unit di lokasi"}[status])
    crew.click("#next-status")                          # transporting: which hospital?
    crew.locator("#hospital-choices button").first.click()
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "transporting")
    expect(crew.locator("path.route-line.route-to-hospital")).to_have_count(1)    # then the road to the hospital
    expect(operator.locator(f".queue-item[data-incident='{incident}']")).to_contain_text("Membawa pasien")
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "at_hospital")
    expect(crew.locator("path.route-line")).to_have_count(0)
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
    accept_on_phone(crew)
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
    accept_on_phone(crew)
    crew.locator("#next-status").dblclick()
    expect(crew.locator("#next-status")).to_have_attribute("data-next", "on_scene")
    expect(crew.locator("#next-status")).to_be_enabled()
    # The press answered: the server's status is on the phone and nothing waits to be sent.
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "en_route", timeout=LIVE_S)
    expect(crew.locator("#queued-count")).to_have_count(0)
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
    accept_on_phone(crew)
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
    accept_on_phone(crew)
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
    accept_on_phone(crew)
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "en_route", timeout=15000)
    expect(crew.locator("#queued-count")).to_have_count(0)
    assert len(dropped) == 1
    assert len(sent) == 2 and sent[0][1] == sent[1][1]          # the same press, the same client_ref
    assert sent[0][1]["client_ref"]
    assert status_events(session, world.unit_a.id, "en_route") == 1
    assert fresh(session).scalar(select(func.count(ClientRequest.id))) == 1


LIVE_S = 10_000          # a live push, on a busy two-core machine


def unit_status(session, unit_id):
    return fresh(session).get(Unit, unit_id).status


def all_status_events(session, unit_id):
    return fresh(session).scalar(select(func.count(Event.id)).where(
        Event.type == "unit.status_changed", Event.unit_id == unit_id))


def test_a_free_crew_goes_out_of_service_and_back_from_the_phone_and_the_map_follows(pages, world, session):
    unit = world.unit_a.id
    supervisor = pages("/map", who="sup")
    crew = pages("/crew", phone=True, who="crew_a")
    for page in (crew, supervisor):
        expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(crew.locator("#no-job")).to_be_visible()
    expect(crew.locator("#back-in-service")).to_have_count(0)
    marker = supervisor.locator(f"path.unit-{unit}")
    expect(marker).to_have_class(re.compile(r"\bstatus-available\b"))

    crew.click("#out-of-service")
    badge = crew.locator("#unit-status")
    expect(badge).to_have_attribute("data-status", "out_of_service")
    expect(badge).to_have_text("Tidak beroperasi")
    expect(crew.locator("#out-of-service")).to_have_count(0)
    expect(crew.locator("#back-in-service")).to_have_text("Kembali beroperasi")
    expect(crew.locator("#queued-count")).to_have_count(0)
    assert unit_status(session, unit) == "out_of_service"
    assert status_events(session, unit, "out_of_service") == 1
    expect(marker).to_have_class(re.compile(r"\bstatus-out_of_service\b"), timeout=LIVE_S)
    expect(supervisor.locator(f"#unit-list li[data-unit='{unit}']")).to_contain_text("Tidak beroperasi")

    crew.click("#back-in-service")
    expect(badge).to_have_attribute("data-status", "available")
    expect(badge).to_have_text("Siaga")
    expect(crew.locator("#back-in-service")).to_have_count(0)
    expect(crew.locator("#out-of-service")).to_be_visible()
    assert unit_status(session, unit) == "available"
    assert status_events(session, unit, "available") == 1
    expect(marker).to_have_class(re.compile(r"\bstatus-available\b"), timeout=LIVE_S)
    expect(supervisor.locator(f"#unit-list li[data-unit='{unit}']")).to_contain_text("Siaga")
    assert all_status_events(session, unit) == 2
    for page in (crew, supervisor):
        assert page.console_errors == []


def test_the_button_that_comes_under_the_thumb_waits_a_moment_then_takes_the_tap(pages, world, session):
    """Out of service and back, like the next status: a double tap moves one status, and the button
    that appears shows it is not ready yet (disabled) instead of swallowing a tap."""
    unit = world.unit_a.id
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live")
    crew.locator("#out-of-service").dblclick()
    crew.click("#back-in-service")               # as soon as it can be tapped
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "available", timeout=LIVE_S)
    expect(crew.locator("#queued-count")).to_have_count(0)
    expect(crew.locator("#out-of-service")).to_be_enabled()
    assert [status_events(session, unit, s) for s in ("out_of_service", "available")] == [1, 1]
    assert all_status_events(session, unit) == 2


INJECTED = {
    "location_text": "Gg. Mawar <img src=x onerror=alert(1)>",
    "complaint": "sesak <script>alert(2)</script>",
    "notes": "pintu belakang <img src=x onerror=alert(3)> <script>alert(4)</script>",
}


def test_what_a_caller_said_is_shown_on_the_phone_as_text_never_run(pages, world):
    incident = world.new_incident(**INJECTED)
    world.assign(incident["id"], world.unit_a.id)
    crew = pages("/crew", phone=True, who="crew_a")
    job = crew.locator("#job")
    expect(job).to_have_attribute("data-incident", str(incident["id"]))
    expect(crew.locator("#job-address")).to_have_text(INJECTED["location_text"])
    expect(job).to_contain_text(f"Keluhan: {INJECTED['complaint']}")
    expect(crew.locator("#job .notes")).to_have_text(f"Catatan: {INJECTED['notes']}")
    expect(crew.locator("#accept")).to_be_visible()
    text = job.text_content()
    for said in INJECTED.values():
        assert said in text
    assert crew.locator("img[src=x]").count() == 0
    assert crew.locator("#main script, #job img").count() == 0
    assert crew.dialogs == []
    assert crew.console_errors == []


def test_another_crew_logging_in_on_the_same_phone_after_an_expired_session_gets_its_own_unit(
        pages, world, session, http, live_server):
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(crew.locator("#call-sign")).to_have_text("PSC-01")
    token = crew.evaluate("localStorage.getItem('psc119.token')")
    assert http.post(f"{live_server}/api/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    # The server closes the revoked connection and the phone asks to log in again.
    expect(crew.locator("#login")).to_be_visible(timeout=LIVE_S)
    log_in(crew, "crew_b")
    expect(crew.locator("#call-sign")).to_have_text("PSC-02", timeout=LIVE_S)
    expect(crew.locator("#who")).to_have_text("crew_b")
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live", timeout=LIVE_S)
    crew.click("#out-of-service")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "out_of_service")
    expect(crew.locator("#call-sign")).to_have_text("PSC-02")
    assert unit_status(session, world.unit_b.id) == "out_of_service"
    assert unit_status(session, world.unit_a.id) == "available"
    assert all_status_events(session, world.unit_a.id) == 0
    assert crew.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('psc119.outbox.'))"
                         ".every((k) => JSON.parse(localStorage.getItem(k)).length === 0)")


def test_the_crew_page_goes_live_when_the_map_layers_fail_and_draws_the_rivers_later(pages, world):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_a.id)
    asked = []

    def fail_once(route):
        asked.append(time.monotonic())
        if len(asked) == 1:
            route.abort()            # a phone on a poor network: the first request is lost
        else:
            route.continue_()

    crew = pages("/crew", phone=True, who="crew_a",
                 before=lambda page: page.route("**/api/map/layers", fail_once))
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live", timeout=LIVE_S)
    expect(crew.locator("#job")).to_have_attribute("data-incident", str(incident["id"]))
    expect(crew.locator("#accept")).to_be_visible()
    assert len(asked) >= 1
    expect(crew.locator("#crew-map path.river").first).to_be_attached(timeout=LIVE_S)
    assert len(asked) == 2 and asked[1] - asked[0] >= 1.5          # tried again, after a pause
    assert crew.locator("#crew-map path.zone-kelurahan").count() == 0
    accept_on_phone(crew)                                            # and the buttons work
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "en_route")
    assert [e for e in crew.console_errors if "map/layers" not in e and "ERR_FAILED" not in e] == []


def seed_outbox(unit_id, items):
    """Put presses into the phone's outbox before the page's scripts run (once: not again on a reload)."""
    items = json.dumps(items)
    return lambda page: page.add_init_script(f"""
        if (!sessionStorage.getItem("seeded")) {{
            sessionStorage.setItem("seeded", "1");
            localStorage.setItem("psc119.outbox.{unit_id}", JSON.stringify({items}));
        }}""")


def test_a_press_that_waited_more_than_30_minutes_is_not_sent_and_the_crew_is_told(pages, world, session):
    unit = world.unit_a.id
    at = int((time.time() - 31 * 60) * 1000)
    press = {"name": "status", "at": at,
             "payload": {"status": "out_of_service", "assignment_id": None, "client_ref": "stale-press-1"}}
    crew = pages("/crew", phone=True, who="crew_a", before=seed_outbox(unit, [press]))
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live", timeout=LIVE_S)
    expect(crew.locator("#refused")).to_have_text(
        "Tindakan tidak dikirim: lebih dari 30 menit tanpa sinyal. Tekan lagi bila masih berlaku.")
    expect(crew.locator("#queued-count")).to_have_count(0)
    assert crew.evaluate(f"JSON.parse(localStorage.getItem('psc119.outbox.{unit}'))") == []
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "available")
    expect(crew.locator("#out-of-service")).to_be_visible()
    assert unit_status(session, unit) == "available"
    assert all_status_events(session, unit) == 0
    assert fresh(session).scalar(select(func.count(ClientRequest.id))) == 0


def test_logging_out_with_presses_waiting_asks_first_and_stays(pages, world, session, app):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_a.id)
    unit = world.unit_a.id
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#job")).to_be_visible()
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live")
    accept_on_phone(crew)
    go_offline(crew, app, unit)
    crew.click("#next-status")                                   # BERANGKAT, with no connection
    expect(crew.locator("#queued-count")).to_have_text("1 tindakan menunggu koneksi")
    with crew.expect_event("dialog"):                            # dismissed by the `pages` fixture
        crew.click("#logout")
    expect(crew.locator("#queued-count")).to_be_visible()
    assert crew.dialogs == ["1 tindakan belum terkirim (dikirim setelah kru unit ini masuk lagi dengan sinyal). "
                            "Tetap keluar?"]
    # Still logged in, on the same screen, and the press still waits.
    expect(crew.locator("#login")).to_be_hidden()
    expect(crew.locator("#job")).to_have_attribute("data-incident", str(incident["id"]))
    assert crew.evaluate("localStorage.getItem('psc119.token')") is not None
    outbox = crew.evaluate(f"JSON.parse(localStorage.getItem('psc119.outbox.{unit}'))")
    assert [(item["name"], item["payload"]["status"]) for item in outbox] == [("status", "en_route")]
    assert status_events(session, unit, "en_route") == 0


def test_a_refused_press_is_said_even_when_the_new_job_comes_after_the_answer(pages, world, session):
    """Back online, the phone sends its waiting press at once while the server replays what it
    missed: the refusal may come before the replayed new job. The crew is still told."""
    first = world.new_incident()
    a_id = world.assign(first["id"], world.unit_a.id).get_json()["id"]
    network = {"sockets": [], "delivered": []}     # what the reconnected phone got, in order

    def through(ws):
        server = ws.connect_to_server()
        network["sockets"].append((ws, server))
        if len(network["sockets"]) == 1:
            return                                   # the first connection: as it comes
        held, answered = [], []

        def deliver(message):
            found = re.match(r'^(43|42\["(event|assignment)")', message) if isinstance(message, str) else None
            if found:
                network["delivered"].append("answer" if found.group(1) == "43" else found.group(2))
            ws.send(message)

        def from_server(message):
            if not answered and isinstance(message, str):
                if message.startswith(('42["event"', '42["assignment"')):
                    held.append(message)             # the replay waits for the press's answer
                    return
                if message.startswith("43"):
                    answered.append(message)
                    deliver(message)
                    for kept in held:
                        deliver(kept)
                    return
            deliver(message)

        server.on_message(from_server)

    crew = pages("/crew", phone=True, who="crew_a",
                 before=lambda page: page.route_web_socket(re.compile(r".*/socket\.io/.*"), through))
    expect(crew.locator("#job")).to_have_attribute("data-incident", str(first["id"]))
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live")
    accept_on_phone(crew)
    crew.context.set_offline(True)                   # the mobile network drops
    ws, server = network["sockets"][-1]
    ws.close()
    server.close()
    expect(crew.locator("#live-indicator")).not_to_have_attribute("data-state", "live")
    crew.click("#next-status")                                   # BERANGKAT for the first job
    expect(crew.locator("#queued-count")).to_be_visible()
    world.post("op", f"/api/incidents/{first['id']}/assignments/{a_id}/cancel", {"reason": "closer call"})
    second = world.new_incident()
    world.assign(second["id"], world.unit_a.id)
    crew.context.set_offline(False)
    expect(crew.locator("#live-indicator")).to_have_attribute("data-state", "live", timeout=LIVE_S)
    expect(crew.locator("#job")).to_have_attribute("data-incident", str(second["id"]), timeout=LIVE_S)
    expect(crew.locator("#queued-count")).to_have_count(0)
    delivered = network["delivered"]
    assert "assignment" in delivered and delivered.index("answer") < delivered.index("assignment"), delivered
    expect(crew.locator("#refused")).to_contain_text("tugas sudah berganti")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "dispatched")
    assert status_events(session, world.unit_a.id, "en_route") == 0
