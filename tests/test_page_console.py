"""The operator console (/console) in a real headless Chromium: a call logged by keyboard alone,
the queue, one-key assignment of the recommended unit, a unit taken meanwhile, field errors,
an expired session that keeps what was typed, text that stays text, the queue's order (live too)
and its ticking waiting times, the console in English, withdrawing a unit, moving an incident's pin
and the tone for a red call."""
import re
import time
from datetime import timedelta

from playwright.sync_api import expect

from conftest import fresh, log_in, screenshot
from dispatch.core import calls as calls_core
from dispatch.core.clock import utcnow
from dispatch.models import Assignment, Incident, Unit


def test_an_operator_logs_a_call_by_keyboard_and_assigns_the_recommended_unit_with_one_key(pages, world, session):
    page = pages("/console", who="op")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("#caller_phone")).to_be_focused()
    page.keyboard.type("081234567890")
    page.keyboard.press("Tab")                       # caller's name
    page.keyboard.type("Bu Sari")
    page.keyboard.press("Tab")                       # location, with suggestions
    page.keyboard.type("RS Antonius")
    expect(page.locator("#suggestions li").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")                     # takes the suggestion
    expect(page.locator("#suggestions")).to_be_hidden()
    page.keyboard.press("Tab")                       # the small map is not in the way
    expect(page.locator("#complaint")).to_be_focused()
    page.keyboard.type("nyeri dada, sesak")
    page.select_option("#category", "cardiac")
    page.check("input[name=priority][value=P1]")
    page.focus("#complaint")
    page.keyboard.press("Enter")                     # submits the form
    expect(page.locator("#intake-result")).to_contain_text("PSC-")
    expect(page.locator("#caller_phone")).to_have_value("")
    expect(page.locator("#caller_phone")).to_be_focused()   # ready for the next call
    item = page.locator(".queue-item").first
    expect(item).to_contain_text("Jantung")
    expect(item).to_have_class("queue-item priority-P1 selected")
    expect(page.locator("#recommendation-list > li")).to_have_count(3)
    first = page.locator("#recommendation-list > li").first.get_attribute("data-unit")
    page.keyboard.press("Alt+1")                     # from the phone field, ready for the next call
    expect(page.locator("#assign-notice")).to_contain_text("ditugaskan")
    expect(item).to_contain_text("Unit ditugaskan")
    incident_id = int(item.get_attribute("data-incident"))
    detail = world.get("op", f"/api/incidents/{incident_id}").get_json()
    assert [a["unit_id"] for a in detail["assignments"]] == [int(first)]
    assert detail["address_text"] == "RSU Santo Antonius" and detail["location_source"] == "given"   # the pin sent
    assert page.console_errors == []
    screenshot(page, "console-desktop")


def test_a_unit_taken_meanwhile_is_said_plainly_and_the_list_refreshes(pages, world):
    incident = world.new_incident()
    other = world.new_incident()
    page = pages("/console", who="op")
    # The race: the list on screen was computed just before another operator took its first unit.
    held = {"body": None, "stale": True}

    def recommendations(route):
        if held["stale"] and held["body"] is not None:
            route.fulfill(status=200, content_type="application/json", body=held["body"])
            return
        response = route.fetch()
        held["body"] = held["body"] or response.text()
        route.fulfill(response=response)

    page.route("**/recommendations*", recommendations)
    page.locator(f".queue-item[data-incident='{incident['id']}']").click()
    expect(page.locator("#recommendation-list > li")).to_have_count(3)
    first = page.locator("#recommendation-list > li").first
    call_sign = first.locator("b").inner_text()
    with page.expect_request_finished(lambda r: "/recommendations" in r.url):
        world.assign(other["id"], int(first.get_attribute("data-unit")))   # another operator is quicker
    expect(page.locator("#recommendation-list > li b").first).to_have_text(call_sign)   # still shown
    held["stale"] = False
    first.locator("button.assign").click()
    expect(page.locator("#assign-notice")).to_contain_text(f"Unit {call_sign} baru saja ditugaskan")
    expect(page.locator("#recommendation-list > li")).to_have_count(2)
    expect(page.locator("#recommendation-list > li b").first).not_to_have_text(call_sign)


def test_field_errors_are_shown_next_to_the_field(pages, world):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "x")
    page.click("#submit-call")
    expect(page.locator("[data-field=caller_phone] .field-error")).not_to_be_empty()


def test_a_prank_call_is_logged_without_an_incident(pages, world):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0811223344")
    page.click("#disposition-prank")
    expect(page.locator("#intake-result")).to_have_text("Panggilan dicatat tanpa kejadian")
    calls = world.get("op", "/api/calls").get_json()["items"]
    assert calls[0]["disposition"] == "prank" and calls[0]["incident_id"] is None


def test_an_expired_session_asks_to_log_in_again_and_keeps_the_typed_call(pages, world, http, live_server):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812999888")
    page.fill("#complaint", "pingsan di pasar")
    token = page.evaluate("localStorage.getItem('psc119.token')")
    http.post(f"{live_server}/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    # Either the save (a 401) or the server closing the revoked connection brings the login screen,
    # whichever comes first: the click is dispatched even if the screen is already there.
    page.locator("#submit-call").dispatch_event("click")
    expect(page.locator("#login")).to_be_visible()
    log_in(page, "op")
    expect(page.locator("#caller_phone")).to_have_value("0812999888")
    expect(page.locator("#complaint")).to_have_value("pingsan di pasar")
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("PSC-")


def test_a_callers_words_are_shown_as_text(pages, world):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812000111")
    page.fill("#caller_name", "<img src=x onerror=alert(1)>")
    page.fill("#location_text", "<img src=x onerror=alert(2)>")
    page.fill("#notes", "<script>alert(3)</script>")
    page.click("#submit-call")
    expect(page.locator(".queue-item").first).to_contain_text("<img src=x onerror=alert(2)>")
    expect(page.locator("#change-notes")).to_have_value("<script>alert(3)</script>")
    expect(page.locator("#change-address")).to_have_value("<img src=x onerror=alert(2)>")
    assert page.locator("#main img, #main script").count() == 0 and page.dialogs == []


def test_the_incident_detail_corrects_location_notes_priority_and_destination(pages, world):
    incident = world.new_incident(priority="P2")
    page = pages("/console", who="op")
    page.locator(f".queue-item[data-incident='{incident['id']}']").click()
    page.fill("#change-address", "Masjid Raya Mujahidin")
    page.click("#save-address")
    expect(page.locator("#detail-location")).to_contain_text("Akcaya", timeout=5000)
    page.fill("#change-notes", "pasien di lantai 2")
    page.click("#save-notes")
    expect(page.locator("#change-notes")).to_have_value("pasien di lantai 2")
    page.select_option("#change-priority", "P1")
    expect(page.locator(f".queue-item[data-incident='{incident['id']}']")).to_have_class(
        "queue-item priority-P1 selected")
    page.locator("#hospital-list .set-destination").first.click()
    expect(page.locator("#hospital-list li.chosen")).to_have_count(1)
    stored = world.get("op", f"/api/incidents/{incident['id']}").get_json()
    assert stored["notes"] == "pasien di lantai 2" and stored["priority"] == "P1"
    assert stored["destination_hospital_id"] == int(page.locator("#hospital-list li.chosen").get_attribute("data-hospital"))
    assert stored["address_text"] == "Masjid Raya Mujahidin" and stored["kelurahan"] == "Akcaya"


def test_the_console_on_a_phone(pages, world):
    world.new_incident()
    page = pages("/console", phone=True, who="op")
    expect(page.locator(".queue-item")).to_have_count(1)
    screenshot(page, "console-phone")


def test_switching_to_english_keeps_the_call_being_typed(pages, world):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812777666")
    page.fill("#complaint", "sesak napas")
    page.check("input[name=priority][value=P1]")
    page.click("#lang-switch")
    expect(page.locator("label[for=caller_phone]")).to_have_text("Phone number")
    expect(page.locator("#caller_phone")).to_have_value("0812777666")
    expect(page.locator("#complaint")).to_have_value("sesak napas")
    expect(page.locator("input[name=priority][value=P1]")).to_be_checked()


def test_a_late_answer_for_another_incident_never_sends_its_unit_to_the_selected_one(pages, world):
    first, second = world.new_incident(), world.new_incident()
    page = pages("/console", who="op")
    held = []
    page.route(f"**/api/incidents/{first['id']}/recommendations*", lambda route: held.append(route))
    page.locator(f".queue-item[data-incident='{first['id']}']").click()
    page.locator(f".queue-item[data-incident='{second['id']}']").click()
    expect(page.locator("#recommendation-list")).to_have_attribute("data-incident", str(second["id"]))
    for route in held:                      # the answer for the first incident comes late
        route.continue_()
    page.unroute(f"**/api/incidents/{first['id']}/recommendations*")
    expect(page.locator("#recommendation-list")).to_have_attribute("data-incident", str(second["id"]))
    page.locator("body").press("1")
    expect(page.locator("#assign-notice")).to_contain_text("ditugaskan")
    assert world.get("op", f"/api/incidents/{first['id']}").get_json()["assignments"] == []
    assert len(world.get("op", f"/api/incidents/{second['id']}").get_json()["assignments"]) == 1


def test_a_token_expired_overnight_brings_the_login_screen(pages, world, http, live_server):
    page = pages("/console", who="op")
    token = page.evaluate("localStorage.getItem('psc119.token')")
    http.post(f"{live_server}/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    page.reload()
    expect(page.locator("#login-form")).to_be_visible()
    log_in(page, "op")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")


def test_enter_pressed_twice_saves_one_call(pages, world):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812111222")
    page.focus("#complaint")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.locator("#intake-result")).to_contain_text("PSC-")
    expect(page.locator(".queue-item")).to_have_count(1)
    assert len(world.get("op", "/api/calls").get_json()["items"]) == 1


def test_an_assignment_the_crew_has_not_accepted_in_time_is_flagged_in_the_queue(pages, world, session):
    from dispatch.core import assignment as assignments

    incident = world.new_incident()
    aid = world.assign(incident["id"], world.unit_b.id).get_json()["assignments"][0]["id"]
    page = pages("/console", who="op")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    assignments.flag_unacknowledged(session, assignment_ids=[aid], timeout_s=60)
    item = page.locator(f".queue-item[data-incident='{incident['id']}']")
    expect(item.locator(".badge.alarm")).to_have_text(" BELUM DITERIMA KRU")
    item.click()
    expect(page.locator("#timeline li[data-type='assignment.unacknowledged']")).to_contain_text("Kru belum menerima tugas")


# --- the queue's order, its ticking ages, and the console in English -----------------------------

LIVE_S = 10_000   # ms to wait for a change pushed over the live connection (a busy 2-core machine)


def call_received(world, monkeypatch, seconds_ago, **fields):
    """A call taken through the API as if it had come in ``seconds_ago``: its incident has waited
    that long (the call's and the incident's times are the ones the server stores)."""
    at = utcnow() - timedelta(seconds=seconds_ago)
    with monkeypatch.context() as m:
        m.setattr(calls_core, "utcnow", lambda: at)
        return world.new_incident(**fields)


def queue_references(page):
    """The queue's rows, top to bottom, by the reference they show."""
    return page.locator("#queue-list .queue-item .line1 > b")


def seconds_of(age):
    """'2:05' -> 125, '1:02:03' -> 3723 (time.js's duration())."""
    assert re.fullmatch(r"\d+(:\d\d){1,2}", age), age
    total = 0
    for part in age.split(":"):
        total = total * 60 + int(part)
    return total


def test_the_queue_is_by_priority_then_waiting_time_and_reorders_live(pages, world, monkeypatch):
    # Taken in an order that is neither the queue's nor the calls' own (ids prove nothing).
    yellow_new = call_received(world, monkeypatch, 60, priority="P2")
    green_oldest = call_received(world, monkeypatch, 20 * 60, priority="P3")
    red_new = call_received(world, monkeypatch, 3 * 60, priority="P1")
    yellow_old = call_received(world, monkeypatch, 10 * 60, priority="P2")
    red_old = call_received(world, monkeypatch, 8 * 60, priority="P1")
    page = pages("/console", who="op")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    refs = lambda *incidents: [i["reference"] for i in incidents]   # noqa: E731
    expect(queue_references(page)).to_have_text(refs(red_old, red_new, yellow_old, yellow_new, green_oldest))
    expect(page.locator("#queue-list .queue-item .badge")).to_have_text(["Merah", "Merah", "Kuning", "Kuning", "Hijau"])
    page.evaluate("window.sameDocument = true")      # gone if the page were reloaded

    # A red call comes in while the page is open: after the red ones waiting longer, before the rest.
    red_live = world.new_incident(priority="P1")
    expect(queue_references(page)).to_have_text(
        refs(red_old, red_new, red_live, yellow_old, yellow_new, green_oldest), timeout=LIVE_S)
    expect(page.locator(f".queue-item[data-incident='{red_live['id']}']")).to_have_class(
        re.compile(r"\bpriority-P1\b"))

    # Another operator raises the green call, waiting longest of all, to red: it goes to the top.
    assert world.patch("sup", f"/api/incidents/{green_oldest['id']}", {"priority": "P1"}).status_code == 200
    expect(queue_references(page)).to_have_text(
        refs(green_oldest, red_old, red_new, red_live, yellow_old, yellow_new), timeout=LIVE_S)
    # ... and lowers a red one to green: it goes to the bottom.
    assert world.patch("sup", f"/api/incidents/{red_old['id']}", {"priority": "P3"}).status_code == 200
    expect(queue_references(page)).to_have_text(
        refs(green_oldest, red_new, red_live, yellow_old, yellow_new, red_old), timeout=LIVE_S)
    expect(page.locator("#queue-list .queue-item .badge")).to_have_text(
        ["Merah", "Merah", "Merah", "Kuning", "Kuning", "Hijau"])
    assert page.evaluate("window.sameDocument") is True
    assert page.console_errors == []


def test_the_waiting_time_of_a_queued_call_ticks_from_when_the_call_came_in(pages, world, monkeypatch):
    taken = time.monotonic() - 125                    # when the call came in, on the test's clock
    incident = call_received(world, monkeypatch, 125)
    page = pages("/console", who="op")
    selector = f".queue-item[data-incident='{incident['id']}'] .age"
    age = page.locator(selector)
    expect(age).to_have_text(re.compile(r"^2:[0-5]\d$"))   # "2 minutes and some seconds"

    def shown_and_waited():
        shown = seconds_of(age.inner_text())
        waited = time.monotonic() - taken
        # The real wait: the page ticks once a second and rounds to the second (a busy machine may lag).
        assert waited - 5 <= shown <= waited + 1, (shown, waited)
        return shown

    first = shown_and_waited()
    page.wait_for_function("""([selector, before]) => {
        const node = document.querySelector(selector);
        return node !== null && node.textContent !== before;
    }""", arg=[selector, age.inner_text()], timeout=5000)
    later = shown_and_waited()
    assert later > first, (first, later)              # it counts up while the page is open
    # A queue rebuilt by a live change keeps counting from the call, not from the rebuild.
    page.eval_on_selector(selector, "node => { node.closest('li').stale = true; }")
    assert world.patch("op", f"/api/incidents/{incident['id']}", {"notes": "pasien lansia"}).status_code == 200
    page.wait_for_function("""(selector) => {
        const node = document.querySelector(selector);
        return node !== null && node.closest("li").stale !== true;
    }""", arg=selector, timeout=LIVE_S)
    assert shown_and_waited() >= later


def test_in_english_the_queue_recommendations_and_detail_are_english_and_it_is_remembered(pages, world):
    incident = world.new_incident(priority="P1", category="cardiac", complaint="nyeri dada")
    # A unit sent and taken off again: the timeline has an assignment, its cancelling and status changes.
    aid = world.assign(incident["id"], world.unit_b.id).get_json()["assignments"][0]["id"]
    cancelled = world.post("op", f"/api/incidents/{incident['id']}/assignments/{aid}/cancel", {"reason": "salah unit"})
    assert cancelled.status_code == 200, cancelled.get_json()
    page = pages("/console", who="op")
    row = page.locator(f".queue-item[data-incident='{incident['id']}']")
    recommendations, detail, timeline = page.locator("#recommendations"), page.locator("#detail"), page.locator("#timeline")
    row.click()
    expect(page.locator("#recommendation-list > li")).to_have_count(3)
    # In Indonesian first, so that what follows sees a change.
    expect(row).to_contain_text("Jantung · Menunggu unit")
    expect(recommendations.locator("button.assign").first).to_have_text("Tugaskan [1]")
    expect(timeline.locator("li[data-type='call.received']")).to_contain_text("Panggilan diterima")

    page.click("#lang-switch")
    english(page, row, recommendations, detail, timeline)
    page.reload()
    expect(page.locator(".topbar h1")).to_have_text("Operator console")
    expect(page.locator("#lang-switch")).to_have_text("Bahasa Indonesia")
    row.click()
    english(page, row, recommendations, detail, timeline)
    assert page.console_errors == []


INDONESIAN = ("Antrean kejadian", "Merah", "Jantung", "Menunggu unit", "Rekomendasi unit", "Tugaskan", "posisi pos",
              "Dihitung dari pos jaga", "Perkiraan waktu tempuh", "Rincian kejadian", "Batalkan kejadian",
              "Tutup kejadian", "Simpan", "Ubah prioritas", "Riwayat", "Rumah sakit tujuan", "Jadikan tujuan",
              "Panggilan diterima", "Kejadian dibuat", "Penugasan dibatalkan", "Status kejadian", "Status unit")


def english(page, row, recommendations, detail, timeline):
    """The queue, the recommendations and the detail of the selected incident, all in English."""
    expect(page.locator(".queue-col h2")).to_have_text("Incident queue")
    expect(row.locator(".badge").first).to_have_text("Red")
    expect(row).to_contain_text("Cardiac · Waiting for a unit")
    expect(page.locator(".detail-col > h2")).to_have_text("Recommended units")
    expect(recommendations.locator("#recommendation-list > li")).to_have_count(3)
    first = recommendations.locator("button.assign").first
    expect(first).to_have_text("Assign [1]")
    expect(first).to_have_attribute("title", "Assign (key 1)")
    expect(recommendations).to_contain_text("station position")
    expect(recommendations).to_contain_text("Fastest estimated road time")
    expect(recommendations).to_contain_text("Estimated from its station: no GPS position")
    expect(detail.locator("h2")).to_contain_text("Incident detail PSC-")
    expect(detail.locator("#cancel-incident")).to_have_text("Cancel incident")
    expect(detail.locator("#close-incident")).to_have_text("Close incident")
    expect(detail.locator("#save-notes")).to_have_text("Save")
    expect(detail.locator("label[for=change-priority]")).to_have_text("Change priority")
    expect(detail.locator("#change-priority option")).to_have_text(["Red", "Yellow", "Green"])
    expect(detail.locator("#action-reason")).to_have_attribute("placeholder", "Reason")
    expect(detail.locator("h3", has_text="Destination hospitals")).to_have_count(1)
    expect(detail.locator("h3", has_text="Timeline")).to_have_count(1)
    expect(detail.locator("#hospital-list .set-destination").first).to_have_text("Set as destination")
    expect(timeline.locator("li[data-type='call.received']")).to_contain_text("Call received")
    expect(timeline.locator("li[data-type='incident.created']")).to_contain_text("Incident created")
    expect(timeline.locator("li[data-type='incident.assigned']")).to_contain_text("Unit assigned")
    expect(timeline.locator("li[data-type='assignment.cancelled']")).to_contain_text("Assignment cancelled")
    expect(timeline.locator("li[data-type='incident.status_changed']")).to_contain_text(
        ["Incident status changed: Unit dispatched", "Incident status changed: Waiting for a unit"])
    expect(timeline.locator("li[data-type='unit.status_changed']")).to_contain_text(
        ["Unit status: Dispatched", "Unit status: Available"])
    expect(timeline.locator("li time").first).to_have_text(re.compile(r"^\d\d:\d\d:\d\d WIB$"))
    main = page.locator("#main")
    for text in INDONESIAN:
        expect(main).not_to_contain_text(text)
    expect(main).not_to_contain_text(re.compile(r"\b(status|incident|event|console|priority)\.[a-z_]+"))  # no raw keys


def open_detail(page, incident_id):
    page.locator(f".queue-item[data-incident='{incident_id}']").click()
    expect(page.locator("#detail h2")).to_contain_text("PSC-")
    return page.locator("#detail")


def test_a_unit_is_withdrawn_from_the_incident_in_the_detail_with_a_reason(pages, world, session):
    incident = world.new_incident()
    a_id = world.assign(incident["id"], world.unit_a.id).get_json()["id"]
    page = pages("/console", who="op")
    detail = open_detail(page, incident["id"])
    expect(page).to_have_title("PSC 119 — Konsol operator")        # no call waits for a unit
    row = detail.locator(f"#assignment-list li[data-assignment='{a_id}']")
    expect(row).to_contain_text("PSC-01")
    expect(row).to_contain_text("Ditugaskan")
    expect(row).to_contain_text("BELUM DITERIMA KRU")
    unit_on_map = detail.locator(f"#detail-map path.unit-{world.unit_a.id}.status-dispatched")
    expect(unit_on_map).to_have_count(1)                          # where the unit is, beside the pin
    row.locator("button.withdraw").click()                       # no reason yet: said, nothing sent
    expect(detail.locator(".notice")).to_contain_text("Tulis alasan penarikan unit dulu")
    assert fresh(session).get(Assignment, a_id).active is True
    detail.locator("#action-reason").fill("unit lain lebih dekat")
    detail.locator(f"#assignment-list li[data-assignment='{a_id}'] button.withdraw").click()
    expect(detail.locator("#assignment-list")).to_contain_text("Belum ada unit")
    expect(detail.locator(f"#detail-map path.unit-{world.unit_a.id}")).to_have_count(0)
    expect(page.locator(f".queue-item[data-incident='{incident['id']}']")).to_contain_text("Menunggu unit")
    expect(page).to_have_title("(1) PSC 119 — Konsol operator")   # a call waits for a unit again
    stored = fresh(session).get(Assignment, a_id)
    assert (stored.active, stored.status, stored.cancel_reason) == (False, "cancelled", "unit lain lebih dekat")
    assert fresh(session).get(Unit, world.unit_a.id).status == "available"
    # the unit is offered again for this incident
    expect(page.locator(f"#recommendation-list > li[data-unit='{world.unit_a.id}']")).to_have_count(1)


def test_dragging_the_pin_in_the_detail_corrects_the_incidents_location(pages, world, session):
    incident = world.new_incident()
    page = pages("/console", who="op")
    detail = open_detail(page, incident["id"])
    expect(detail.locator("#detail-location")).to_contain_text("-0.03500, 109.33500")
    marker = detail.locator("#detail-map .leaflet-marker-icon")
    expect(marker).to_be_visible()
    box = marker.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y, steps=5)
    page.mouse.move(x + 80, y, steps=5)
    page.mouse.up()
    expect(detail.locator("#detail-location")).not_to_contain_text("109.33500", timeout=5000)
    stored = fresh(session).get(Incident, incident["id"])
    assert stored.location_source == "operator"
    assert stored.lon > 109.335 and abs(stored.lat - (-0.035)) < 0.0005     # moved east, not north or south
    assert f"{stored.lon:.5f}" in detail.locator("#detail-location").text_content()


def test_an_incident_whose_place_is_unknown_is_placed_by_a_click_on_its_map(pages, world, session):
    answer = world.post("op", "/api/calls", {"caller_phone": "0811573119", "location_text": "zzqx tidak dikenal",
                                             "category": "trauma", "priority": "P2"}).get_json()
    incident = answer["incident"]
    assert incident["location_known"] is False
    page = pages("/console", who="op")
    detail = open_detail(page, incident["id"])
    expect(detail).to_contain_text("klik peta untuk menaruh pin")
    expect(detail.locator("#detail-map .leaflet-marker-icon")).to_have_count(0)
    detail.locator("#detail-map").click(position={"x": 60, "y": 60})
    expect(detail.locator("#detail-map .leaflet-marker-icon")).to_have_count(1)
    stored = fresh(session).get(Incident, incident["id"])
    assert stored.lat is not None and stored.location_source == "operator"
    expect(detail.locator("#detail-location")).to_contain_text(f"{stored.lat:.5f}, {stored.lon:.5f}")
    # now that it has a place, units are recommended
    expect(page.locator("#recommendation-list > li")).not_to_have_count(0)


TONES = """
window.__tones = 0;
const Real = window.AudioContext;
window.AudioContext = class extends Real {
  createOscillator() { window.__tones += 1; return super.createOscillator(); }
};
"""


def test_a_red_call_from_another_desk_sounds_and_the_switch_silences_it(pages, world):
    page = pages("/console", who="sup", before=lambda p: p.add_init_script(TONES))
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("#sound-switch")).to_have_text("Suara: nyala")
    first = world.new_incident(priority="P1")                     # by "op": another desk
    page.wait_for_function("window.__tones >= 3")
    world.new_incident(priority="P3")                             # green: no sound
    page.click("#sound-switch")
    expect(page.locator("#sound-switch")).to_have_text("Suara: mati")
    last = world.new_incident(priority="P1")                      # sound off: none
    expect(page.locator(f".queue-item[data-incident='{last['id']}']")).to_have_count(1)
    assert page.evaluate("window.__tones") == 3
    assert first["id"] != last["id"]
    page.reload()
    expect(page.locator("#sound-switch")).to_have_text("Suara: mati")        # remembered
    page.click("#lang-switch")
    expect(page.locator("#sound-switch")).to_have_text("Sound: off")
