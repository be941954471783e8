"""The console's intake (/console) in a real headless Chromium: the labels it shows come from the
API; field errors next to their fields (and gone once the field changes); prank, silent and info
calls; the suggestions and the small map's pin, by keyboard alone; Enter in the notes; a call that
cannot reach the server kept and saved once; text that stays text."""
import json
import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from conftest import LIVE_S, fresh, queue_row, suggested
from dispatch.models import Call, Incident


def test_the_category_and_status_labels_come_from_the_api(pages, world):
    incident = world.new_incident(category="cardiac", priority="P1")

    def relabelled(route):
        body = route.fetch().json()
        for item in body["categories"]:
            if item["code"] == "cardiac":
                item["id"] = "Jantung (dari server)"
        for item in body["incident_statuses"]:
            if item["code"] == "pending":
                item["id"] = "Menunggu (dari server)"
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page = pages("/console", who="op", before=lambda p: p.route("**/api/vocabulary", relabelled))
    expect(page.locator("#category option[value=cardiac]")).to_have_text("Jantung (dari server)")
    expect(page.locator("#category option")).to_have_count(10)
    expect(queue_row(page, incident["id"])).to_contain_text("Jantung (dari server) · Menunggu (dari server)")
    # The pages keep no copy of them.
    tables = page.evaluate("""async () => {
        const id = (await import('/static/js/i18n/id.js')).default;
        const en = (await import('/static/js/i18n/en.js')).default;
        return [...Object.keys(id), ...Object.keys(en)].filter((k) => k.startsWith('category.'));
    }""")
    assert tables == []
    assert page.console_errors == []


def test_a_fields_error_goes_when_the_field_is_changed_or_emptied(pages, world):
    page = pages("/console", who="op", viewport=(1366, 768))
    error = page.locator("[data-field=caller_phone] .field-error")
    page.fill("#caller_phone", "nol delapan")
    page.click("#submit-call")
    expect(error).to_have_text("Hanya angka, spasi, '+', '-' dan kurung (mis. 0811-573-119)")
    page.fill("#caller_phone", "")                                  # cleared: the error spoke of what was there
    expect(error).to_have_text("")
    page.click("#submit-call")
    expect(error).to_have_text("Wajib diisi")
    page.locator("#caller_phone").press_sequentially("08")          # typing again
    expect(error).to_have_text("")


def test_enter_in_the_notes_saves_as_the_button_says_and_shift_enter_starts_a_line(pages, world, session):
    page = pages("/console", who="op", viewport=(1366, 768))
    expect(page.locator("#submit-call")).to_have_text("Simpan panggilan (Enter)")
    expect(page.locator("[data-field=notes] .hint")).to_have_text("Enter menyimpan; Shift+Enter untuk baris baru")
    page.fill("#caller_phone", "0812000555")
    page.locator("#notes").click()
    page.keyboard.type("rumah cat hijau")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("lantai 2")
    expect(page.locator("#notes")).to_have_value("rumah cat hijau\nlantai 2")
    page.keyboard.press("Enter")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    assert fresh(session).scalars(select(Incident)).one().notes == "rumah cat hijau\nlantai 2"


def test_the_prank_silent_and_info_buttons_say_what_the_call_was(pages, world):
    page = pages("/console", who="op", viewport=(1366, 768))
    expect(page.locator(".actions .disposition")).to_have_text(["Iseng", "Tanpa suara", "Terputus", "Minta info"])
    page.click("#lang-switch")
    expect(page.locator(".actions .disposition")).to_have_text(["Prank", "Silent (no voice)", "Dropped (line cut)",
                                                                   "Information only"])


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
    expect(error).to_have_text("Panjang 2–40 karakter; Hanya angka, spasi, '+', '-' dan kurung (mis. 0811-573-119)")
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
    assert [(c.caller_phone, c.caller_phone_as_given, c.disposition, c.incident_id) for c in stored] == [
        ("+62811223344", "0811223344", disposition, None)]
    assert fresh(session).scalars(select(Incident)).all() == []
    assert page.console_errors == []


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


def test_enter_pressed_twice_saves_one_call(pages, world):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812111222")
    page.focus("#complaint")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.locator("#intake-result")).to_contain_text("PSC-")
    expect(page.locator(".queue-item")).to_have_count(1)
    assert len(world.get("op", "/api/calls").get_json()["items"]) == 1


def click_on_intake_map(page, dx, dy):
    """Click the small intake map dx, dy pixels from its centre; the coordinates the page shows."""
    box = page.locator("#intake-map").bounding_box()
    page.locator("#intake-map").click(position={"x": box["width"] / 2 + dx, "y": box["height"] / 2 + dy})
    expect(page.locator("#intake-map img.leaflet-marker-icon")).to_have_count(1)
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
    expect(page.locator("#intake-map img.leaflet-marker-icon")).to_have_count(0)      # a new call starts without
    incident = fresh(session).scalars(select(Incident)).one()
    assert incident.location_source == "given"
    assert abs(incident.lat - lat) <= 1e-5 and abs(incident.lon - lon) <= 1e-5   # the hint is rounded to 5 places
    assert page.console_errors == []


def test_a_suggestions_pin_goes_when_the_location_text_changes(pages, world, session):
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812555333")
    where, marker = page.locator("#location_text"), page.locator("#intake-map img.leaflet-marker-icon")
    where.click()
    page.keyboard.type("RS Antonius")
    suggested(page, "RS Antonius", "RSU Santo Antonius")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(where).to_have_value("RS Antonius")
    expect(page.locator("#location-state")).to_have_text("Tempat dipilih: RSU Santo Antonius")
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
    expect(page.locator("#intake-map img.leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#location-state")).to_have_text(f"{lat:.5f}, {lon:.5f}")
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    incident = fresh(session).scalars(select(Incident)).one()
    assert incident.location_source == "given"
    assert abs(incident.lat - lat) <= 1e-5 and abs(incident.lon - lon) <= 1e-5
    assert incident.location_text == "Gang Mawar, rumah cat hijau"


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
    expect(page.locator("#location_text")).to_have_value("RS Antonius")      # the words as typed stay
    expect(page.locator("#location-state")).to_have_text("Tempat dipilih: RSU Santo Antonius")
    expect(page.locator("#suggestions")).to_be_hidden()
    expect(page.locator("#intake-map img.leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#intake-result")).to_have_text("")
    assert sent == [] and fresh(session).scalars(select(Call)).all() == []
    page.keyboard.press("Enter")                     # suggestions closed: Enter saves
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    assert len(sent) == 1
    incident = fresh(session).scalars(select(Incident)).one()
    assert (incident.location_source, incident.location_text) == ("chosen", "RS Antonius")
    assert (incident.location_name, incident.location_kind) == ("RSU Santo Antonius", "hospital")
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
    assert (call.caller_phone, call.caller_phone_as_given, call.caller_name, call.disposition) == (
        "+6281322223333", "0813 2222 3333", "Pak Anton", "emergency")
    assert (incident.category, incident.priority) == ("breathing", "P1")
    assert (incident.complaint, incident.notes) == ("sesak napas sejak pagi", "pasien lansia, lantai 2")
    assert incident.location_text == "Masjid Raya Mujahidin" and incident.location_source == "chosen"
    assert incident.location_name == "Masjid Raya Mujahidin"
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
    expect(page.locator("#intake-map img.leaflet-marker-icon")).to_have_count(0)
    expect(page.locator("#intake-result")).to_have_text("")
    holding.clear()
    for route in held:                                             # the list for the whole name comes
        route.continue_()
    suggested(page, "RS Antonius", "RSU Santo Antonius")
    page.keyboard.press("Enter")
    expect(page.locator("#location_text")).to_have_value("RS Antonius")
    expect(page.locator("#location-state")).to_have_text("Tempat dipilih: RSU Santo Antonius")
    expect(page.locator("#intake-map img.leaflet-marker-icon")).to_have_count(1)
    assert sent == []
    page.keyboard.press("Enter")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    incident = fresh(session).scalars(select(Incident)).one()
    assert (incident.location_text, incident.location_name, incident.location_source) == (
        "RS Antonius", "RSU Santo Antonius", "chosen")
    assert abs(incident.lat - (-0.020211)) < 1e-5 and abs(incident.lon - 109.326778) < 1e-5


def test_a_gang_and_its_street_are_suggested_and_an_unknown_gang_is_said_so(pages, world, session):
    """"Gg. Suez, Jl. Gajah Mada": the gang first (it is in the street index); "Gg. Mawar, Jl. Gajah Mada":
    the street, saying that Gg. Mawar is not known and the pin goes on the street. Saved as typed."""
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0812444556")
    page.locator("#location_text").click()
    page.keyboard.type("Gg. Suez, Jl. Gajah Mada")
    suggested(page, "Gg. Suez, Jl. Gajah Mada", "Gg. Suez")
    expect(page.locator("#suggestions .suggestion-note")).to_have_count(0)
    page.fill("#location_text", "")
    page.keyboard.type("Gg. Mawar, Jl. Gajah Mada")
    suggested(page, "Gg. Mawar, Jl. Gajah Mada", "Jl. Gajah Mada")
    expect(page.locator("#suggestions li").first.locator(".suggestion-note")).to_have_text(
        "Gg. Mawar belum dikenal: titik di Jl. Gajah Mada")
    page.keyboard.press("Enter")
    expect(page.locator("#location-state")).to_have_text("Tempat dipilih: Jl. Gajah Mada")
    page.keyboard.press("Enter")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    incident = fresh(session).scalars(select(Incident)).one()
    assert (incident.location_text, incident.location_name, incident.location_kind) == (
        "Gg. Mawar, Jl. Gajah Mada", "Jl. Gajah Mada", "road")
    assert incident.location_precision == "road"
    assert page.console_errors == []
