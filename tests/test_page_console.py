"""The operator console (/console) in a real headless Chromium: a call logged by keyboard alone,
the queue, one-key assignment of the recommended unit, a unit taken meanwhile, field errors,
an expired session that keeps what was typed, text that stays text, the queue's order (live too)
and its ticking waiting times, the console in English, withdrawing a unit, moving an incident's pin
and the tone for a red call."""
import re
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from conftest import fresh, log_in, screenshot
from dispatch.core import calls as calls_core
from dispatch.core.clock import utcnow
from dispatch.models import Assignment, Call, Event, Incident, Unit


def suggested(page, typed, first):
    """Wait for the suggestions listed for all of ``typed`` (not a list for its first letters, still on
    screen while the answer for the rest comes), ``first`` first."""
    expect(page.locator("#suggestions")).to_have_attribute("data-for", typed)
    expect(page.locator("#suggestions li").first).to_contain_text(first)


def test_an_operator_logs_a_call_by_keyboard_and_assigns_the_recommended_unit_with_one_key(pages, world, session):
    page = pages("/console", who="op")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("#caller_phone")).to_be_focused()
    page.keyboard.type("081234567890")
    page.keyboard.press("Tab")                       # caller's name
    page.keyboard.type("Bu Sari")
    page.keyboard.press("Tab")                       # location, with suggestions
    page.keyboard.type("RS Antonius")
    suggested(page, "RS Antonius", "RSU Santo Antonius")   # the list for all of it, not for the first letters
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
    # (the server's work and a live push each: a busy two-core machine is given the time)
    expect(page.locator("#recommendation-list > li")).to_have_count(3, timeout=LIVE_S)
    first = page.locator("#recommendation-list > li").first.get_attribute("data-unit")
    page.keyboard.press("Alt+1")                     # from the phone field, ready for the next call
    expect(page.locator("#assign-notice")).to_contain_text("ditugaskan", timeout=LIVE_S)
    expect(item).to_contain_text("Unit ditugaskan", timeout=LIVE_S)
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


def test_field_errors_are_shown_next_to_the_field_in_indonesian(pages, world, session):
    page = pages("/console", who="op")
    error = page.locator("[data-field=caller_phone] .field-error")
    result = page.locator("#intake-result")
    page.fill("#complaint", "jatuh dari motor")
    page.click("#submit-call")                                      # no phone number
    expect(error).to_have_text("Wajib diisi")
    expect(result).to_have_text("Panggilan BELUM tersimpan: Periksa isian yang ditandai. Coba lagi.")
    page.fill("#caller_phone", "nol delapan satu dua")               # letters
    page.click("#submit-call")
    expect(error).to_have_text("Hanya angka, spasi, '+', '-' dan kurung (mis. 0811-573-119)")
    page.fill("#caller_phone", "x")                                 # two rules broken at once
    page.click("#submit-call")
    expect(error).to_have_text("Panjang 2–32 karakter; Hanya angka, spasi, '+', '-' dan kurung (mis. 0811-573-119)")
    expect(page.locator("#intake")).not_to_contain_text(re.compile(r"digits|Length|Missing|may not|blank"))
    expect(page.locator("#complaint")).to_have_value("jatuh dari motor")      # nothing typed is lost
    assert fresh(session).scalars(select(Call)).all() == []


@pytest.mark.parametrize("disposition", ["prank", "silent", "info"])
def test_a_prank_silent_or_info_call_is_logged_without_an_incident(pages, world, session, disposition):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0811223344")
    page.fill("#complaint", "hanya bertanya")
    page.click(f"#disposition-{disposition}")
    expect(page.locator("#intake-result")).to_have_text("Panggilan dicatat tanpa kejadian")
    expect(page.locator("#caller_phone")).to_have_value("")            # ready for the next call
    expect(page.locator("#caller_phone")).to_be_focused()
    expect(page.locator("#queue-list .queue-item")).to_have_count(0)
    stored = fresh(session).scalars(select(Call)).all()
    assert [(c.caller_phone, c.disposition, c.incident_id) for c in stored] == [("0811223344", disposition, None)]
    assert fresh(session).scalars(select(Incident)).all() == []
    assert page.console_errors == []


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
    expect(page.locator(".queue-panel h2")).to_have_text("Incident queue")
    expect(page.locator("#board-title")).to_have_text("Unit board")
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
    detail.locator("#cancel-incident").click()                    # each action asks its own reason
    expect(detail.locator("label[for=action-input]")).to_have_text("Reason for cancelling the incident")
    expect(detail.locator("#action-confirm")).to_have_text("Cancel it")
    detail.locator("#action-back").click()
    expect(detail.locator("#action-prompt")).to_have_count(0)
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
    expect(row).to_contain_text("menunggu kru menerima")         # not yet late: no alarm
    expect(row.locator(".badge.alarm")).to_have_count(0)
    unit_on_map = detail.locator(f"#detail-map path.unit-{world.unit_a.id}.status-dispatched")
    expect(unit_on_map).to_have_count(1)                          # where the unit is, beside the pin
    row.locator("button.withdraw").click()                       # its own reason, asked now
    expect(detail.locator("label[for=action-input]")).to_have_text("Alasan menarik PSC-01")
    expect(detail.locator("#action-input")).to_be_focused()
    detail.locator("#action-confirm").click()                    # no reason yet: said, nothing sent
    expect(detail.locator("#action-error")).to_have_text("Tulis alasan penarikan unit dulu")
    assert fresh(session).get(Assignment, a_id).active is True
    page.keyboard.type("unit lain lebih dekat")
    page.keyboard.press("Enter")
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
    page.wait_for_function("() => window.__tones >= 3", timeout=LIVE_S)   # a function: a bare expression is eval()ed, which the CSP refuses
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


# --- the detail's cancel and close, the callers, the intake's pin, keyboard and failures ---------

def queue_row(page, incident_id):
    return page.locator(f".queue-item[data-incident='{incident_id}']")


def test_an_incident_is_cancelled_in_the_detail_only_with_a_reason(pages, world, session):
    incident = world.new_incident()
    page = pages("/console", who="op")
    sent = []
    page.on("request", lambda r: r.method == "POST" and "/cancel" in r.url and sent.append(r.url))
    detail = open_detail(page, incident["id"])
    row = queue_row(page, incident["id"])
    expect(detail.locator("#action-input")).to_have_count(0)      # no reason field until it is asked for
    detail.locator("#cancel-incident").click()
    expect(detail.locator("label[for=action-input]")).to_have_text("Alasan pembatalan kejadian")
    expect(detail.locator("#action-input")).to_be_focused()
    detail.locator("#action-confirm").click()                    # no reason: said, nothing sent
    expect(detail.locator("#action-error")).to_have_text("Tulis alasan pembatalan dulu")
    stored = fresh(session).get(Incident, incident["id"])
    assert (stored.status, stored.cancel_reason, sent) == ("pending", None, [])
    expect(row).to_have_count(1)
    reason = "keluarga sudah membawa pasien sendiri"
    detail.locator("#action-input").fill(reason)
    detail.locator("#action-confirm").click()
    expect(row).to_have_count(0, timeout=LIVE_S)                  # gone from the queue
    expect(page.locator("#queue-list")).to_have_text("Tidak ada kejadian terbuka")
    expect(detail.locator("h2 + p")).to_contain_text("Dibatalkan")
    expect(page.locator("#no-recommendation")).to_have_text("Kejadian sudah selesai atau dibatalkan")
    expect(detail.locator("#timeline li[data-type='incident.cancelled']")).to_contain_text("Kejadian dibatalkan")
    stored = fresh(session).get(Incident, incident["id"])
    assert (stored.status, stored.cancel_reason) == ("cancelled", reason) and stored.cancelled_at is not None
    assert len(sent) == 1
    assert page.console_errors == []


def test_an_incident_is_closed_in_the_detail_with_its_own_outcome_field(pages, world, session):
    incident = world.new_incident()
    aid = world.assign(incident["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    for status in ("en_route", "on_scene"):
        assert world.status(world.unit_a.id, status).status_code == 200
    page = pages("/console", who="op")
    detail = open_detail(page, incident["id"])
    row = queue_row(page, incident["id"])
    expect(row).to_contain_text("Unit di lokasi")
    detail.locator("#close-incident").click()                     # a unit is still there: closing offers to release it
    expect(detail.locator("label[for=action-input]")).to_have_text("Hasil penanganan (boleh kosong)")
    expect(detail.locator("#release-note")).to_have_text("Masih ada unit pada kejadian ini: PSC-01 (Di lokasi).")
    expect(detail.locator("#action-confirm")).to_have_text("Tutup dan lepaskan unit")
    detail.locator("#action-back").click()
    expect(detail.locator("#action-prompt")).to_have_count(0)
    assert fresh(session).get(Incident, incident["id"]).status == "on_scene"
    # Another desk takes the unit off: the detail follows live, and closing asks only the outcome.
    assert world.post("sup", f"/api/incidents/{incident['id']}/assignments/{aid}/cancel",
                      {"reason": "dialihkan"}).status_code == 200
    expect(detail.locator("#assignment-list")).to_have_text("Belum ada unit", timeout=LIVE_S)
    detail.locator("#close-incident").click()
    expect(detail.locator("#release-note")).to_have_count(0)
    expect(detail.locator("#action-confirm")).to_have_text("Tutup")
    page.keyboard.type("ditangani di tempat")
    page.keyboard.press("Enter")
    expect(row).to_have_count(0, timeout=LIVE_S)                  # gone from the queue
    expect(detail.locator("h2 + p")).to_contain_text("Ditutup")
    expect(detail.locator("#timeline li[data-type='incident.closed']")).to_contain_text("Kejadian ditutup")
    stored = fresh(session).get(Incident, incident["id"])
    assert (stored.status, stored.outcome) == ("closed", "ditangani di tempat") and stored.closed_at is not None
    assert page.console_errors == []


def test_the_detail_names_the_callers_and_a_callers_name_stays_text(pages, world):
    incident = world.new_incident(caller_phone="0812-3456-789", caller_name="<img src=x onerror=alert(1)>")
    again = world.post("op", "/api/calls", {"caller_phone": "0813 1111 2222", "caller_name": "Pak Budi",
                                           "disposition": "duplicate", "incident_id": incident["id"]})
    assert again.status_code == 201, again.get_json()
    page = pages("/console", who="op")
    detail = open_detail(page, incident["id"])
    callers = detail.locator("#callers > li")
    expect(callers).to_have_count(2)
    expect(callers.nth(0).locator(".phone")).to_have_text("0812-3456-789")
    expect(callers.nth(0)).to_contain_text("Penelepon: 0812-3456-789 · <img src=x onerror=alert(1)> · ")
    expect(callers.nth(1).locator(".phone")).to_have_text("0813 1111 2222")
    expect(callers.nth(1)).to_contain_text("Pak Budi")
    expect(callers.nth(0)).to_contain_text(re.compile(r"\d\d[.:]\d\d[.:]\d\d WIB$"))
    assert page.locator("#callers img, #main img:not(.leaflet-marker-icon, .leaflet-marker-shadow)").count() == 0
    assert page.dialogs == [] and page.console_errors == []


def click_on_intake_map(page, dx, dy):
    """Click the small intake map dx, dy pixels from its centre; the coordinates the page shows."""
    box = page.locator("#intake-map").bounding_box()
    page.locator("#intake-map").click(position={"x": box["width"] / 2 + dx, "y": box["height"] / 2 + dy})
    expect(page.locator("#intake-map .leaflet-marker-icon")).to_have_count(1)
    hint = page.locator("#location-state")
    expect(hint).to_have_text(re.compile(r"^-?\d+\.\d{5}, -?\d+\.\d{5}$"))
    lat, lon = (float(v) for v in hint.inner_text().split(", "))
    return lat, lon


PER_DEGREE_AT_12 = 256 * 2 ** 12 / 360     # pixels per degree at the intake map's zoom (near the equator)


def test_a_pin_placed_on_the_intake_map_locates_the_call(pages, world, session):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812555444")
    lat, lon = click_on_intake_map(page, 40, 25)
    # The small map shows Pontianak (-0.035, 109.335) at zoom 12: 40 px east and 25 px south of it.
    assert abs(lon - (109.335 + 40 / PER_DEGREE_AT_12)) < 3 / PER_DEGREE_AT_12
    assert abs(lat - (-0.035 - 25 / PER_DEGREE_AT_12)) < 3 / PER_DEGREE_AT_12
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    expect(page.locator("#intake-map .leaflet-marker-icon")).to_have_count(0)      # a new call starts without
    incident = fresh(session).scalars(select(Incident)).one()
    assert incident.location_source == "given"
    assert abs(incident.lat - lat) <= 1e-5 and abs(incident.lon - lon) <= 1e-5   # the hint is rounded to 5 places
    assert page.console_errors == []


def test_a_suggestions_pin_goes_when_the_location_text_changes(pages, world, session):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812555333")
    where, marker = page.locator("#location_text"), page.locator("#intake-map .leaflet-marker-icon")
    where.click()
    page.keyboard.type("RS Antonius")
    suggested(page, "RS Antonius", "RSU Santo Antonius")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(where).to_have_value("RSU Santo Antonius")
    expect(marker).to_have_count(1)
    page.keyboard.press("Control+A")                 # the caller corrects herself: another place
    page.keyboard.type("Masjid Raya Mujahidin")
    expect(marker).to_have_count(0)
    expect(page.locator("#location-state")).to_have_text("Ketik untuk mencari; seret pin untuk membetulkan")
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    incident = fresh(session).scalars(select(Incident)).one()
    assert (incident.location_name, incident.kelurahan) == ("Masjid Raya Mujahidin", "Akcaya")
    assert incident.location_source == "gazetteer"                   # placed from the text, not a pin
    assert abs(incident.lat - (-0.041644)) < 1e-4 and abs(incident.lon - 109.3361516) < 1e-4
    assert page.console_errors == []


def test_a_pin_placed_on_the_map_stays_when_the_location_text_is_edited(pages, world, session):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812555222")
    lat, lon = click_on_intake_map(page, -30, 20)
    page.locator("#location_text").click()
    page.keyboard.type("Gang Mawar, rumah cat hijau")
    page.keyboard.press("Backspace")                 # edited, not emptied
    page.keyboard.type("u")
    expect(page.locator("#intake-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#location-state")).to_have_text(f"{lat:.5f}, {lon:.5f}")
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    incident = fresh(session).scalars(select(Incident)).one()
    assert incident.location_source == "given"
    assert abs(incident.lat - lat) <= 1e-5 and abs(incident.lon - lon) <= 1e-5
    assert incident.address_text == "Gang Mawar, rumah cat hijau"


def test_enter_in_the_location_field_takes_the_first_suggestion_and_enter_again_saves(pages, world, session):
    page = pages("/console", who="op")
    sent = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/api/calls") and sent.append(r))
    expect(page.locator("#caller_phone")).to_be_focused()
    page.keyboard.type("0812444555")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#location_text")).to_be_focused()
    page.keyboard.type("RS Antonius")
    suggested(page, "RS Antonius", "RSU Santo Antonius")
    expect(page.locator("#suggestions li[aria-selected=true]")).to_have_count(0)    # none highlighted
    page.keyboard.press("Enter")                     # takes the first one, does not save
    expect(page.locator("#location_text")).to_have_value("RSU Santo Antonius")
    expect(page.locator("#suggestions")).to_be_hidden()
    expect(page.locator("#intake-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#intake-result")).to_have_text("")
    assert sent == [] and fresh(session).scalars(select(Call)).all() == []
    page.keyboard.press("Enter")                     # suggestions closed: Enter saves
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    assert len(sent) == 1
    incident = fresh(session).scalars(select(Incident)).one()
    assert incident.location_source == "given" and incident.address_text == "RSU Santo Antonius"
    assert abs(incident.lat - (-0.020211)) < 1e-5 and abs(incident.lon - 109.326778) < 1e-5


def test_a_call_is_taken_with_the_keyboard_alone(pages, world, session):
    page = pages("/console", who="op")
    keys = page.keyboard
    expect(page.locator("#caller_phone")).to_be_focused()
    keys.type("0813 2222 3333")
    keys.press("Tab")
    keys.type("Pak Anton")
    keys.press("Tab")
    keys.type("Masjid Raya Mujahidin")
    suggested(page, "Masjid Raya Mujahidin", "Masjid Raya Mujahidin")
    keys.press("ArrowDown")
    keys.press("Enter")
    expect(page.locator("#suggestions")).to_be_hidden()
    keys.press("Tab")
    expect(page.locator("#complaint")).to_be_focused()
    keys.type("sesak napas sejak pagi")
    keys.press("Tab")                                # the category: the arrows choose on the closed list
    expect(page.locator("#category")).to_be_focused()
    for _ in range(6):
        keys.press("ArrowUp")                        # Lainnya (last) -> Gangguan napas
    expect(page.locator("#category")).to_have_value("breathing")
    keys.press("Tab")                                # into the priorities, on the one chosen (Kuning)
    expect(page.locator("input[name=priority][value=P2]")).to_be_focused()
    keys.press("ArrowUp")                            # -> Merah
    expect(page.locator("input[name=priority][value=P1]")).to_be_checked()
    keys.press("Tab")
    expect(page.locator("#notes")).to_be_focused()
    keys.type("pasien lansia, lantai 2")
    keys.press("Tab")
    expect(page.locator("#submit-call")).to_be_focused()
    keys.press("Enter")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    expect(page.locator("#caller_phone")).to_be_focused()
    call = fresh(session).scalars(select(Call)).one()
    incident = session.get(Incident, call.incident_id)
    assert (call.caller_phone, call.caller_name, call.disposition) == ("0813 2222 3333", "Pak Anton", "emergency")
    assert (incident.category, incident.priority) == ("breathing", "P1")
    assert (incident.complaint, incident.notes) == ("sesak napas sejak pagi", "pasien lansia, lantai 2")
    assert incident.address_text == "Masjid Raya Mujahidin" and incident.location_source == "given"   # the pin sent
    assert abs(incident.lat - (-0.041644)) < 1e-5 and incident.kelurahan == "Akcaya"
    expect(queue_row(page, incident.id)).to_contain_text("Gangguan napas")
    expect(queue_row(page, incident.id).locator(".badge").first).to_have_text("Merah")
    assert page.console_errors == []


NOT_SAVED_OFFLINE = "Panggilan BELUM tersimpan: Tidak dapat menghubungi server. Coba lagi."


def test_a_call_that_cannot_reach_the_server_is_kept_and_a_lost_answer_saves_it_once(pages, world, session):
    page = pages("/console", who="op")
    bodies, plan = [], ["abort", "store_and_lose_answer"]   # then through

    def calls(route):
        if route.request.method != "POST":
            route.continue_()
            return
        bodies.append(route.request.post_data_json)
        step = plan.pop(0) if plan else "through"
        if step == "abort":
            route.abort()                             # no network: nothing reaches the server
        elif step == "store_and_lose_answer":
            route.fetch()                             # the server stores it...
            route.abort()                             # ...and its answer is lost on the wire
        else:
            route.continue_()

    page.route("**/api/calls", calls)
    page.fill("#caller_phone", "0812666777")
    page.fill("#caller_name", "Bu Rina")
    page.fill("#location_text", "Masjid Raya Mujahidin")
    page.fill("#complaint", "anak kejang")
    page.select_option("#category", "unconscious")
    page.check("input[name=priority][value=P1]")
    page.focus("#complaint")
    result = page.locator("#intake-result")

    page.keyboard.press("Enter")
    expect(result).to_have_text(NOT_SAVED_OFFLINE)
    expect(result).to_have_attribute("data-state", "not-saved")
    for name, value in (("caller_phone", "0812666777"), ("caller_name", "Bu Rina"),
                        ("location_text", "Masjid Raya Mujahidin"), ("complaint", "anak kejang"), ("category", "unconscious")):
        expect(page.locator(f"#{name}")).to_have_value(value)
    expect(page.locator("input[name=priority][value=P1]")).to_be_checked()
    assert fresh(session).scalars(select(Call)).all() == []

    with page.expect_event("requestfailed", predicate=lambda r: r.url.endswith("/api/calls"), timeout=LIVE_S):
        page.keyboard.press("Enter")                 # pressed again: stored, but the page never hears it
    expect(result).to_have_attribute("data-state", "not-saved")
    expect(result).to_have_text(NOT_SAVED_OFFLINE)
    assert fresh(session).scalar(select(func.count()).select_from(Call)) == 1
    page.keyboard.press("Enter")                     # once more, unchanged: the server finds it
    expect(result).to_have_attribute("data-state", "saved")
    incident = fresh(session).scalars(select(Incident)).one()
    expect(result).to_have_text(f"Tersimpan: {incident.reference}")
    assert len(fresh(session).scalars(select(Call)).all()) == 1
    assert len(bodies) == 3 and bodies[0]["client_ref"] and len({b["client_ref"] for b in bodies}) == 1
    expect(queue_row(page, incident.id)).to_have_count(1)
    assert incident.priority == "P1" and incident.category == "unconscious"


def test_an_assign_button_keeps_the_focus_when_the_list_is_rebuilt_live(pages, world):
    incident = world.new_incident()
    page = pages("/console", who="op")
    open_detail(page, incident["id"])
    buttons = page.locator("#recommendation-list button.assign")
    expect(buttons).to_have_count(3)
    unit = world.unit_c.id
    selector = f"#recommendation-list button.assign[data-unit='{unit}']"
    button = page.locator(selector)

    def rebuilt_keeping_the_focus(change):
        page.eval_on_selector(selector, "node => { node.stale = true; }")
        with page.expect_response(lambda r: "/recommendations" in r.url, timeout=LIVE_S):
            change()
        page.wait_for_function("""(selector) => {
            const node = document.querySelector(selector);
            return node !== null && node.stale !== true;
        }""", arg=selector, timeout=LIVE_S)
        expect(button).to_be_focused()

    button.focus()
    expect(button).to_be_focused()
    # Another desk writes a note on the incident: the list and the detail are rebuilt.
    rebuilt_keeping_the_focus(lambda: world.patch("sup", f"/api/incidents/{incident['id']}", {"notes": "pagar biru"}))
    expect(page.locator("#change-notes")).to_have_value("pagar biru")
    # Another unit goes out of service: the list is rebuilt without it.
    rebuilt_keeping_the_focus(lambda: world.status(world.unit_b.id, "out_of_service"))
    expect(buttons).to_have_count(2)
    expect(button).to_be_focused()
    assert page.console_errors == []


def test_logging_in_again_before_the_server_drops_the_old_connection_keeps_the_new_session(
        pages, world, http, live_server):
    """The server closes a connection whose token was revoked within a few seconds, telling the page
    (invalid_token). An operator who logs in again before that must not be logged out by it: the
    page opens its connection again with the new token, or the old one's end arrives late."""
    held = []            # the old connection's last frames: the server's invalid_token and its close
    closed_by_page = []
    connections = []

    def hold_the_revocation(ws):
        server = ws.connect_to_server()
        connections.append(ws)
        mine = []

        def from_server(message):
            if mine or (isinstance(message, str) and '"invalid_token"' in message):
                mine.append(message)
                held.append((ws, message))            # delivered late, after the new login
                return
            ws.send(message)

        def server_closed(code, reason):
            if mine:
                held.append((ws, None))               # the close, held with the rest
            else:
                ws.close(code=code, reason=reason)

        def page_closed(code, reason):
            closed_by_page.append(ws)
            server.close()

        server.on_message(from_server)
        server.on_close(server_closed)
        ws.on_close(page_closed)

    page = pages("/console", who="op",
                 before=lambda p: p.route_web_socket(re.compile(r".*/socket\.io/.*"), hold_the_revocation))
    indicator = page.locator("#live-indicator")
    expect(indicator).to_have_attribute("data-state", "live")
    old_token = page.evaluate("localStorage.getItem('psc119.token')")
    http.post(f"{live_server}/api/auth/logout", headers={"Authorization": f"Bearer {old_token}"})
    page.fill("#caller_phone", "0812999777")
    page.click("#submit-call")                           # refused (401): the login screen
    expect(page.locator("#login")).to_be_visible()
    log_in(page, "op")
    new_token = page.evaluate("localStorage.getItem('psc119.token')")
    assert new_token and new_token != old_token
    first = connections[0]
    # Either the page closes the old connection itself, or the server (checking tokens every few
    # seconds) tells it that its token is revoked.
    deadline = time.monotonic() + 15
    while first not in closed_by_page and not any(message for _, message in held):
        assert time.monotonic() < deadline, "the old connection neither closed by the page nor dropped"
        page.wait_for_timeout(100)
    for ws, message in held:                             # the old connection's end reaches the page now
        try:
            ws.send(message) if message is not None else ws.close()
        except Exception:   # noqa: BLE001 - the page closed that connection already
            pass
    while len(connections) < 2:                          # the page connects again...
        assert time.monotonic() < deadline + 10, "the page never connected again"
        page.wait_for_timeout(100)
    expect(indicator).to_have_attribute("data-state", "live", timeout=LIVE_S)   # ...with the new token
    expect(page.locator("#login")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('psc119.token')") == new_token
    expect(page.locator("#caller_phone")).to_have_value("0812999777")
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")


def test_enter_never_takes_a_suggestion_listed_for_what_was_typed_before(pages, world, session):
    """Typing on faster than the suggestions come: the list on screen is still the one for the
    first letters. Enter waits for the list of the whole text; it never pins the other place."""
    held, holding = [], []

    def hold_later_answers(route):
        if holding:
            held.append(route)                        # the answers for more letters are late
        else:
            route.continue_()

    page = pages("/console", who="op", before=lambda p: p.route("**/api/geocode?*", hold_later_answers))
    sent = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/api/calls") and sent.append(r))
    page.keyboard.type("0812444666")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("RS A")
    first = page.locator("#suggestions li").first
    expect(first).to_be_visible()
    earlier = first.inner_text()
    assert "Antonius" not in earlier, earlier                      # another place for those letters
    holding.append(True)
    page.keyboard.type("ntonius")
    deadline = time.monotonic() + 10
    while not any("q=RS%20Antonius&" in route.request.url for route in held):
        assert time.monotonic() < deadline, "the suggestions for the whole name were never asked for"
        page.wait_for_timeout(50)
    expect(first).to_have_text(earlier)                            # still the list for "RS A"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")                                   # neither pins that place nor saves
    expect(page.locator("#location_text")).to_have_value("RS Antonius")
    expect(page.locator("#intake-map .leaflet-marker-icon")).to_have_count(0)
    expect(page.locator("#intake-result")).to_have_text("")
    holding.clear()
    for route in held:                                             # the list for the whole name comes
        route.continue_()
    suggested(page, "RS Antonius", "RSU Santo Antonius")
    page.keyboard.press("Enter")
    expect(page.locator("#location_text")).to_have_value("RSU Santo Antonius")
    expect(page.locator("#intake-map .leaflet-marker-icon")).to_have_count(1)
    assert sent == []
    page.keyboard.press("Enter")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    incident = fresh(session).scalars(select(Incident)).one()
    assert incident.address_text == "RSU Santo Antonius" and incident.location_source == "given"
    assert abs(incident.lat - (-0.020211)) < 1e-5 and abs(incident.lon - 109.326778) < 1e-5


WIB = ZoneInfo("Asia/Pontianak")


def test_times_are_shown_in_wib_in_a_browser_set_to_utc(pages, world, session):
    incident = world.new_incident(priority="P1")
    created = fresh(session).scalar(select(Event.at).where(Event.type == "incident.created",
                                                           Event.incident_id == incident["id"]))
    created = created if created.tzinfo else created.replace(tzinfo=ZoneInfo("UTC"))
    page = pages("/console", who="op", timezone="UTC")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") in ("UTC", "Etc/UTC")
    page.locator(f".queue-item[data-incident='{incident['id']}']").click()
    shown = page.locator("#timeline li[data-type='incident.created'] time")
    # Indonesian writes times with dots: 14.05.09 WIB, seven hours ahead of UTC.
    expect(shown).to_have_text(created.astimezone(WIB).strftime("%H.%M.%S WIB"))
    assert shown.text_content() != created.astimezone(ZoneInfo("UTC")).strftime("%H.%M.%S WIB")
    page.click("#lang-switch")
    expect(shown).to_have_text(created.astimezone(WIB).strftime("%H:%M:%S WIB"))
    assert page.console_errors == []
