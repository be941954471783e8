"""The operator console (/console) in a real headless Chromium: a call logged by keyboard alone,
the queue, one-key assignment of the recommended unit, a unit taken meanwhile, field errors,
an expired session that keeps what was typed, and text that stays text."""
from playwright.sync_api import expect

from conftest import log_in, screenshot


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
