"""The operator console (/console) in a real headless Chromium: a call logged by keyboard and one key
assigning the recommended unit, a unit taken meanwhile, an expired session that keeps what was
typed, the page on a phone and in English, a late answer never sending a unit to another incident,
logging in again, the tone for a red call and times in WIB. The intake, the queue, the detail, the
unit board, the layout and the actions have modules of their own (test_page_console_*.py)."""
import re
import time
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from conftest import LIVE_S, PASSWORD, fresh, log_in, screenshot, suggested
from dispatch.models import Event


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
    # The words as typed, the place chosen for them beside them.
    assert (detail["location_text"], detail["location_name"], detail["location_source"]) == (
        "RS Antonius", "RSU Santo Antonius", "chosen")
    expect(item.locator(".said")).to_have_text("RS Antonius")
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


def test_a_late_refusal_of_the_old_session_does_not_log_the_new_one_out(pages, world, http, live_server):
    # A request sent with the token before the new login and answered after it (here the caller
    # look-up, held back) is about the old session: the login screen does not come back.
    page = pages("/console", who="op")
    held = []
    page.route("**/api/callers/**", lambda route: route.continue_() if held else held.append(route))
    with page.expect_request(lambda r: "/api/callers/" in r.url):
        page.fill("#caller_phone", "0812999888")
    token = page.evaluate("localStorage.getItem('psc119.token')")
    http.post(f"{live_server}/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    page.locator("#submit-call").dispatch_event("click")
    expect(page.locator("#login")).to_be_visible()
    log_in(page, "op")
    with page.expect_response(lambda r: "/api/callers/" in r.url and r.status == 401):
        held[0].continue_()
    page.fill("#complaint", "pingsan di pasar")
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("PSC-")
    expect(page.locator("#login")).to_be_hidden()

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


def test_too_many_wrong_passwords_say_so_and_how_long_to_wait_not_that_the_server_is_away(pages, world):
    """Past the throttle (5 failed logins for an account) the login screen says the account is
    held for a few minutes and a supervisor can clear it; the right password then gets the same
    answer (the throttle does not check it), never 'cannot reach the server'."""
    page = pages("/console")
    error = page.locator("#login-error")

    def attempt(password):
        page.fill("#login-username", "op")
        page.fill("#login-password", password)
        with page.expect_response("**/api/auth/login") as answer:
            page.press("#login-password", "Enter")
        return answer.value.status

    for _ in range(world.app.config["LOGIN_FAILURES_PER_ACCOUNT"]):
        assert attempt("salah-sandi") == 401
        expect(error).to_have_text("Nama pengguna atau kata sandi salah")
    held = re.compile(r"^Terlalu banyak percobaan masuk yang gagal untuk akun ini\. Coba lagi dalam \d+ menit, "
                      r"atau minta supervisor membukanya\.$")
    assert attempt("salah-sandi") == 429
    expect(error).to_have_text(held)
    assert attempt(PASSWORD) == 429
    expect(error).to_have_text(held)
    assert "Tidak dapat menghubungi server" not in error.inner_text()
    world.call("sup", "DELETE", "/api/auth/throttle/op")          # the supervisor clears it
    assert attempt(PASSWORD) == 200
    expect(page.locator("#login")).to_be_hidden()


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


def test_a_number_key_pressed_twice_sends_one_unit_and_a_second_is_added_only_deliberately(pages, world, session):
    incident = world.new_incident()
    page = pages("/console", who="op", viewport=(1366, 768))
    sent = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/assign") and sent.append(r.url))
    page.locator(f".queue-item[data-incident='{incident['id']}']").click()
    recommended = page.locator("#recommendation-list > li")
    expect(recommended).to_have_count(3, timeout=LIVE_S)
    first = recommended.first.locator("b").inner_text()
    page.locator("body").press("1")
    page.locator("body").press("1")                  # a double press, while the first is on its way
    notice = page.locator("#assign-notice")
    expect(notice).to_contain_text(f"{first} sudah ditugaskan ke kejadian ini", timeout=LIVE_S)
    buttons = page.locator("#recommendation-list button.assign")
    expect(buttons).to_have_count(2)
    expect(buttons.first).to_have_text("Tambah unit")                # the list refreshed: 1 is now another unit
    page.locator("body").press("1")                  # pressed again a moment later
    expect(notice).to_have_text(f"{first} sudah ditugaskan ke kejadian ini. Tombol angka tidak mengirim unit kedua; "
                                "bila perlu unit lain, klik “Tambah unit”.")
    stored = world.get("op", f"/api/incidents/{incident['id']}").get_json()["assignments"]
    assert [a["call_sign"] for a in stored if a["active"]] == [first] and len(sent) == 1
    # A second unit, deliberately: its button.
    second = recommended.first.locator("b").inner_text()
    buttons.first.click()
    expect(notice).to_have_text(f"Unit {second} ditugaskan", timeout=LIVE_S)
    stored = world.get("op", f"/api/incidents/{incident['id']}").get_json()["assignments"]
    assert sorted(a["call_sign"] for a in stored if a["active"]) == sorted([first, second]) and len(sent) == 2
    assert page.console_errors == []
