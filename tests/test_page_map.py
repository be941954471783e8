"""The supervisor's live map (/map) in a real headless Chromium: live units and incidents,
faded units, counts and response times, the language switch, text that stays text, and a unit
moving live."""
import re

from playwright.sync_api import expect

from conftest import screenshot
from dispatch.core.clock import utcnow
from dispatch.core import presence


def test_the_map_shows_units_and_a_new_incident_within_a_second(pages, world):
    page = pages("/map", who="sup")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("path.unit-marker")).to_have_count(3)
    expect(page.locator("#unit-list li")).to_have_count(3)
    incident = world.new_incident(priority="P1")
    expect(page.locator(f"path.incident-{incident['id']}.priority-P1")).to_have_count(1, timeout=1000)
    expect(page.locator(f"#incident-list li[data-incident='{incident['id']}']")).to_contain_text(incident["reference"])
    expect(page.locator("#incident-counts li[data-priority='P1'] b")).to_have_text("1")
    assert not page.console_errors
    screenshot(page, "map-desktop")


def test_an_assigned_unit_gets_a_line_to_its_incident_and_the_times_of_today(pages, world):
    page = pages("/map", who="sup")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    incident = world.new_incident()
    world.assign(incident["id"], world.unit_b.id)
    expect(page.locator(f"path.line-unit-{world.unit_b.id}")).to_have_count(1, timeout=2000)
    expect(page.locator(f"path.unit-{world.unit_b.id}.status-dispatched")).to_have_count(1)
    expect(page.locator("#to-dispatch")).to_contain_text("n=1", timeout=3000)


def test_a_unit_without_its_phone_is_drawn_faded_and_comes_back(pages, world, session):
    page = pages("/map", who="sup")
    unit = page.locator(f"#unit-list li[data-unit='{world.unit_a.id}']")
    expect(unit).to_have_class("status-available faded")
    page.locator(f"path.unit-{world.unit_a.id}").hover()          # why, on hover (issue 11: no notes over the map)
    label = page.locator(f".unit-label-text[data-unit='{world.unit_a.id}']")
    expect(label).to_contain_text("PSC-01")
    expect(label).to_contain_text("belum ada posisi GPS")
    expect(label).to_contain_text("perangkat kru terputus")
    presence.device_connected(session, actor=world.users["crew_a"], sid="phone", server="test")
    expect(unit).to_have_class("status-available", timeout=2000)
    expect(page.locator(f"path.unit-{world.unit_a.id}.faded")).to_have_count(0)
    expect(page.locator(f".unit-callsign span[data-unit='{world.unit_a.id}']")).to_have_text("PSC-01")
    page.mouse.move(0, 0)
    page.locator(f"path.unit-{world.unit_a.id}").hover()
    expect(label).to_have_text("PSC-01 Siaga")


def test_what_a_caller_said_is_shown_as_text_never_run(pages, world):
    page = pages("/map", who="sup")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    incident = world.new_incident(location_text="<img src=x onerror=alert(1)>", caller_name="<script>alert(2)</script>")
    row = page.locator(f"#incident-list li[data-incident='{incident['id']}']")
    expect(row).to_be_visible(timeout=1000)
    page.locator(f"path.incident-{incident['id']}").hover()
    expect(page.locator(".leaflet-tooltip:not(.unit-label)")).to_contain_text("<img src=x onerror=alert(1)>")
    assert page.locator("#side img, .leaflet-tooltip img").count() == 0
    assert page.dialogs == []


def test_english_by_a_switch_that_is_remembered(pages, world):
    page = pages("/map", who="sup")
    expect(page.locator(".topbar h1")).to_have_text("Peta langsung")
    expect(page.locator("#live-indicator")).to_contain_text("Langsung")
    page.click("#lang-switch")
    expect(page.locator(".topbar h1")).to_have_text("Live map")
    page.reload()
    expect(page.locator(".topbar h1")).to_have_text("Live map")
    expect(page.locator("#live-indicator")).to_contain_text("Live")


def test_a_crew_cannot_open_the_map(pages, world):
    page = pages("/map")
    page.fill("#login-username", "crew_a")
    page.fill("#login-password", "correct-horse-119")
    page.press("#login-password", "Enter")
    expect(page.locator("#login-error")).to_have_text("Akun ini tidak dapat membuka halaman ini")


def test_the_map_on_a_phone(pages, world):
    page = pages("/map", phone=True, who="op")
    expect(page.locator("path.unit-marker")).to_have_count(3)
    screenshot(page, "map-phone")


def test_both_languages_have_every_text(pages, world):
    page = pages("/map")
    keys = page.evaluate("""async () => {
        const id = (await import('/static/js/i18n/id.js')).default;
        const en = (await import('/static/js/i18n/en.js')).default;
        return [Object.keys(id).sort(), Object.keys(en).sort(), Object.values(en).filter((v) => !v).length];
    }""")
    assert keys[0] == keys[1] and keys[2] == 0


def test_after_a_lost_connection_the_map_catches_up_with_what_happened_meanwhile(pages, world, app):
    page = pages("/map", who="sup")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    page.context.set_offline(True)
    for conn in app.extensions["psc_hub"].connections.all():   # the network drops
        if conn.role == "supervisor":
            app.extensions["socketio"].server.disconnect(conn.sid)
    expect(page.locator("#live-indicator")).not_to_have_attribute("data-state", "live")
    expect(page.locator("#live-indicator .age")).to_contain_text("data")       # how old the screen is
    missed = world.new_incident(priority="P3")                                 # while it was away
    world.assign(missed["id"], world.unit_c.id)
    page.context.set_offline(False)
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live", timeout=10000)
    expect(page.locator(f"#incident-list li[data-incident='{missed['id']}']")).to_contain_text("Unit ditugaskan")
    expect(page.locator(f"path.unit-{world.unit_c.id}.status-dispatched")).to_have_count(1)


MAP_INDONESIAN = ("Kejadian terbuka", "Hari ini", "Merah", "Kuning", "Hijau", "Siaga", "Ditugaskan", "Menunggu unit",
                  "Unit ditugaskan", "Jantung", "perangkat kru terputus", "belum ada posisi GPS", "Kejadian hari ini",
                  "Panggilan", "tempat tidur")


def side_panel_in_english(page, world, incident, incident_status, unit_b_status):
    side = page.locator("#side")
    expect(side.locator("h2")).to_have_text(["Today", "Open incidents", "Units"])
    expect(side.locator("#incident-counts li span")).to_have_text(["Red", "Yellow", "Green"])
    row = side.locator(f"#incident-list li[data-incident='{incident['id']}']")
    expect(row.locator(".ref")).to_have_text(incident["reference"])
    expect(row).to_contain_text(f"Cardiac · {incident_status}")
    expect(row.locator(".age")).to_contain_text(re.compile(r"^(waiting \d+:\d\d|\d+:\d\d since the call)$"))
    expect(side.locator(f"#unit-list li[data-unit='{world.unit_a.id}']")).to_have_text(
        "PSC-01 Available (crew device disconnected)")
    expect(side.locator(f"#unit-list li[data-unit='{world.unit_b.id}']")).to_contain_text(f"PSC-02 {unit_b_status}")
    expect(side.locator("#unit-counts li[data-status='available'] span")).to_have_text("Available")
    expect(side.locator("#today")).to_contain_text("Incidents today")
    expect(side.locator("#today")).to_contain_text("Call → dispatch")
    expect(side.locator("#today")).to_contain_text("Call → arrival")
    page.locator(f"path.unit-{world.unit_a.id}").hover()
    label = page.locator(f".unit-label-text[data-unit='{world.unit_a.id}']")
    expect(label).to_contain_text("no GPS position yet")
    expect(label).to_contain_text("crew device disconnected")
    page.locator(f"path.incident-{incident['id']}").hover()
    expect(page.locator(".leaflet-tooltip", has_text=incident["reference"])).to_contain_text("Cardiac")
    page.locator("path.hospital-marker").first.hover()
    expect(page.locator(".leaflet-tooltip", has_text="RSUD dr. Soedarso")).to_contain_text("beds: ?")
    for shown in (page.locator("#side"), page.locator(".leaflet-tooltip-pane")):
        for text in MAP_INDONESIAN:
            expect(shown).not_to_contain_text(text)


def test_the_side_panel_and_the_labels_on_the_map_in_english_live_and_after_a_reload(pages, world):
    incident = world.new_incident(priority="P1", category="cardiac")
    page = pages("/map", who="sup")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    row = page.locator(f"#incident-list li[data-incident='{incident['id']}']")
    expect(row).to_contain_text("Jantung · Menunggu unit")       # in Indonesian first
    expect(page.locator("#side-incidents h2")).to_have_text("Kejadian terbuka")
    expect(page).to_have_title("PSC 119 — Peta langsung")
    page.click("#lang-switch")
    side_panel_in_english(page, world, incident, "Waiting for a unit", "Available")
    expect(page).to_have_title("PSC 119 — Live map")                  # the browser tab, and for screen readers
    expect(page.locator("#map")).to_have_attribute("aria-label", "Map of Pontianak")
    # What changes live afterwards comes in English too.
    world.assign(incident["id"], world.unit_b.id)
    expect(row).to_contain_text("Cardiac · Unit dispatched", timeout=10_000)
    side_panel_in_english(page, world, incident, "Unit dispatched", "Dispatched")
    page.reload()
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    side_panel_in_english(page, world, incident, "Unit dispatched", "Dispatched")
    assert page.console_errors == []


def marker_centre(page, selector):
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return [box.x + box.width / 2, box.y + box.height / 2];
    }""", selector)


def test_a_unit_moves_on_the_map_live_without_a_reload(pages, world):
    unit = world.unit_a.id
    page = pages("/map", who="sup")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    marker = f"path.unit-{unit}"
    expect(page.locator(marker)).to_have_count(1)
    page.evaluate("window.notReloaded = true")
    before = marker_centre(page, marker)
    # PSC-01 drives from its post (-0.0196, 109.3395) west and south, towards Pontianak Barat.
    lat, lon = -0.0300, 109.3200
    moved = world.post("crew_a", f"/api/units/{unit}/location",
                       {"lat": lat, "lon": lon, "recorded_at": utcnow().isoformat(), "accuracy_m": 8})
    assert moved.status_code == 200 and moved.get_json()["applied"], moved.get_json()
    page.wait_for_function("""([selector, x, y]) => {
        const box = document.querySelector(selector)?.getBoundingClientRect();
        return box && Math.hypot(box.x + box.width / 2 - x, box.y + box.height / 2 - y) > 20;
    }""", arg=[marker, *before], timeout=10_000)
    after = marker_centre(page, marker)
    # Zoom 13: 256 * 2^13 / 360 pixels a degree (near the equator, the same north-south).
    per_degree = 256 * 2 ** 13 / 360
    assert abs((after[0] - before[0]) - (lon - 109.3395) * per_degree) < 3
    assert abs((after[1] - before[1]) - (-0.0196 - lat) * per_degree) < 3
    # The label goes with it, and the page was not reloaded to get there.
    label = page.locator(f".unit-callsign span[data-unit='{unit}']")
    expect(label).to_have_text("PSC-01")
    assert abs(marker_centre(page, f".unit-callsign span[data-unit='{unit}']")[0] - after[0]) < 3
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("path.unit-marker")).to_have_count(3)
    assert page.console_errors == []
