"""The console's detail of the selected incident (/console in a real headless Chromium): correcting
the location, notes, priority and destination; withdrawing a unit; dragging or placing the pin;
cancelling and closing, each with its own field; the callers; focus kept on a rebuilt list."""
import re

from playwright.sync_api import expect

from conftest import LIVE_S, fresh, open_detail, queue_row
from dispatch.models import Assignment, Incident, Unit


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
    assert stored["location_text"] == "Masjid Raya Mujahidin" and stored["kelurahan"] == "Akcaya"
    assert (stored["location_name"], stored["location_source"]) == ("Masjid Raya Mujahidin", "chosen")


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
    marker = detail.locator("#detail-map img.leaflet-marker-icon")
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
    expect(detail.locator("#detail-map img.leaflet-marker-icon")).to_have_count(0)
    detail.locator("#detail-map").click(position={"x": 60, "y": 60})
    expect(detail.locator("#detail-map img.leaflet-marker-icon")).to_have_count(1)
    stored = fresh(session).get(Incident, incident["id"])
    assert stored.lat is not None and stored.location_source == "operator"
    expect(detail.locator("#detail-location")).to_contain_text(f"{stored.lat:.5f}, {stored.lon:.5f}")
    # now that it has a place, units are recommended
    expect(page.locator("#recommendation-list > li")).not_to_have_count(0)


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
    expect(callers.nth(1).locator(".phone")).to_have_text("0813-1111-2222")
    expect(callers.nth(1)).to_contain_text("Pak Budi")
    expect(callers.nth(0)).to_contain_text(re.compile(r"\d\d[.:]\d\d[.:]\d\d WIB$"))
    assert page.locator("#callers img, #main img:not(.leaflet-marker-icon, .leaflet-marker-shadow)").count() == 0
    assert page.dialogs == [] and page.console_errors == []


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


DESK = (1366, 768)


def test_an_incident_no_unit_has_reached_is_not_offered_a_close_that_cannot_work(pages, world, session):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_b.id)                 # dispatched: the crew is not there yet
    page = pages("/console", who="op", viewport=DESK)
    detail = open_detail(page, incident["id"])
    expect(detail.locator("h2 + p")).to_contain_text("Unit ditugaskan")
    close = detail.locator("#close-incident")
    expect(close).to_be_disabled()
    reason = "Belum ada unit di lokasi: batalkan kejadian bila tidak lagi diperlukan"
    expect(detail.locator("#close-hint")).to_have_text(reason)
    expect(close).to_have_attribute("title", reason)
    expect(detail.locator("#cancel-incident")).to_be_enabled()   # what is to be done instead
    # The crew reaches the patient: closing is offered, live.
    for status in ("en_route", "on_scene"):
        assert world.status(world.unit_b.id, status).status_code == 200
    expect(close).to_be_enabled(timeout=LIVE_S)
    expect(detail.locator("#close-hint")).to_have_count(0)
    assert page.console_errors == []


def test_a_close_refused_because_no_unit_reached_the_scene_says_to_cancel(pages, world, session):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_b.id)
    url = f"/api/incidents/{incident['id']}"

    def seen_on_scene(route):                # a view a moment old: the page believes the crew is there
        response = route.fetch()
        body = response.json()
        body["status"] = "on_scene"
        route.fulfill(response=response, json=body)

    page = pages("/console", who="op", viewport=DESK,
                 before=lambda p: p.route(lambda u: u.endswith(url), seen_on_scene))
    detail = open_detail(page, incident["id"])
    detail.locator("#close-incident").click()
    expect(detail.locator("#action-confirm")).to_have_text("Tutup dan lepaskan unit")
    detail.locator("#action-confirm").click()                    # the server: dispatched -> closed is no move
    expect(detail.locator("#action-error")).to_have_text(
        "Kejadian ini tidak bisa ditutup karena belum ada unit yang tiba di lokasi. "
        "Batalkan kejadian bila tidak lagi diperlukan.")
    stored = fresh(session).get(Incident, incident["id"])
    assert stored.status == "dispatched"


def test_an_open_cancel_or_close_panel_follows_live_changes_keeping_what_was_typed(pages, world):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_b.id)
    page = pages("/console", who="op", viewport=DESK)
    detail = open_detail(page, incident["id"])
    row = detail.locator(f"#assignment-list li[data-unit='{world.unit_b.id}']")
    detail.locator("#cancel-incident").click()
    expect(detail.locator("#action-input")).to_be_focused()
    page.keyboard.type("keluarga membawa sendiri")
    page.keyboard.press("ArrowLeft")                             # the caret one letter back
    # The crew reports en route, then on scene: the detail and its open panel follow.
    assert world.status(world.unit_b.id, "en_route").status_code == 200
    expect(row).to_contain_text("Menuju lokasi", timeout=LIVE_S)
    assert world.status(world.unit_b.id, "on_scene").status_code == 200
    expect(detail.locator("h2 + p")).to_contain_text("Unit di lokasi", timeout=LIVE_S)
    expect(row).to_contain_text("Di lokasi")
    field = detail.locator("#action-input")
    expect(field).to_have_value("keluarga membawa sendiri")
    expect(field).to_be_focused()
    page.keyboard.type("a")                                      # typed where the caret was
    expect(field).to_have_value("keluarga membawa sendirai")
    page.keyboard.press("Escape")
    expect(detail.locator("#action-prompt")).to_have_count(0)
    # The close panel names the unit's status as it changes.
    detail.locator("#close-incident").click()
    expect(detail.locator("#release-note")).to_have_text("Masih ada unit pada kejadian ini: PSC-02 (Di lokasi).")
    expect(detail.locator("#action-input")).to_be_focused()
    page.keyboard.type("dibawa ke RS")
    assert world.status(world.unit_b.id, "transporting", hospital_id=world.hospital.id).status_code == 200
    expect(detail.locator("#release-note")).to_have_text(
        "Masih ada unit pada kejadian ini: PSC-02 (Membawa pasien).", timeout=LIVE_S)
    expect(detail.locator("h2 + p")).to_contain_text("Membawa pasien")
    expect(detail.locator("#action-input")).to_have_value("dibawa ke RS")
    expect(detail.locator("#action-input")).to_be_focused()
    assert page.console_errors == []


def test_a_closed_incident_names_the_units_that_were_on_it_and_is_read_only(pages, world, session):
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_b.id)
    for status in ("en_route", "on_scene"):
        assert world.status(world.unit_b.id, status).status_code == 200
    page = pages("/console", who="op", viewport=DESK)
    detail = open_detail(page, incident["id"])
    expect(detail.locator("#save-notes")).to_have_count(1)
    assert world.status(world.unit_b.id, "available").status_code == 200   # treated on scene: it closes by itself
    expect(detail.locator("h2 + p")).to_contain_text("Ditutup", timeout=LIVE_S)
    cleared = fresh(session).query(Assignment).filter_by(incident_id=incident["id"]).one()
    assert cleared.status == "cleared"
    units = detail.locator("#assignment-list > li")
    expect(units).to_have_count(1)
    expect(units).to_have_text(re.compile(r"^PSC-02 — selesai \d\d[.:]\d\d[.:]\d\d WIB$"))
    expect(detail.locator("#assignment-list")).not_to_contain_text("Belum ada unit")
    # Its location and notes are read only until it is reopened.
    expect(detail.locator("#change-address")).not_to_be_editable()
    expect(detail.locator("#change-notes")).not_to_be_editable()
    expect(detail.locator("#save-address, #save-notes, .set-destination")).to_have_count(0)
    expect(detail.locator("#read-only-hint")).to_have_text(
        "Kejadian sudah selesai: buka kembali kejadian untuk mengubah lokasi atau catatan")
    detail.locator("#reopen-incident").click()
    expect(detail.locator("#action-input")).to_be_focused()
    page.keyboard.type("pasien kambuh")
    page.keyboard.press("Enter")
    expect(detail.locator("h2 + p")).to_contain_text("Menunggu unit", timeout=LIVE_S)
    expect(detail.locator("#change-notes")).to_be_editable()
    expect(detail.locator("#save-notes")).to_have_count(1)
    assert page.console_errors == []


def test_a_cancelled_incident_names_its_released_and_withdrawn_units(pages, world):
    incident = world.new_incident()
    aid = world.assign(incident["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    assert world.post("op", f"/api/incidents/{incident['id']}/assignments/{aid}/cancel",
                      {"reason": "salah unit"}).status_code == 200
    world.assign(incident["id"], world.unit_b.id)
    page = pages("/console", who="op", viewport=DESK)
    detail = open_detail(page, incident["id"])
    assert world.post("sup", f"/api/incidents/{incident['id']}/cancel", {"reason": "pasien dibawa keluarga"}).status_code == 200
    expect(detail.locator("h2 + p")).to_contain_text("Dibatalkan", timeout=LIVE_S)
    expect(detail.locator(f"#assignment-list li[data-unit='{world.unit_a.id}']")).to_contain_text("PSC-01 — ditarik ")
    expect(detail.locator(f"#assignment-list li[data-unit='{world.unit_b.id}']")).to_contain_text(
        "PSC-02 — dilepaskan saat kejadian dibatalkan, ")
    expect(detail.locator("#change-address")).not_to_be_editable()


def test_the_detail_map_shows_the_way_of_the_first_recommended_unit_then_of_the_unit_sent(pages, world, session):
    # Siantan, north bank: the first recommended unit crosses to it; its road follows the streets.
    incident = world.new_incident(lat=0.0013, lon=109.3616, location_text="Siantan")
    page = pages("/console", who="op")
    open_detail(page, incident["id"])
    first = page.locator("#recommendation-list > li").first
    expect(first).to_be_visible()
    expect(page.locator("#detail-map path.route-line.route-recommended")).to_have_count(1)
    first.locator("button.assign").click()
    expect(page.locator("#detail-map path.route-line.route-assigned")).to_have_count(1, timeout=LIVE_S)
    expect(page.locator("#detail-map path.route-line")).to_have_count(1)
    assert page.console_errors == []
