"""The supervisor map decluttered (issue 11) at a control room's 1366x768: no permanent notes over
the incidents (details on hover, call signs near), a legend, incidents drawn above units, hospitals
and kecamatan/kelurahan named at suitable zooms, waiting times in the side list, and today's
figures with the side panel on one screen."""
import json
import re

from playwright.sync_api import expect

from conftest import screenshot
from dispatch.core import presence, units
from dispatch.core.clock import utcnow
from dispatch.core.demo import DATA_FILE
from dispatch.models import Hospital

SCREEN = {"width": 1366, "height": 768}
LIVE_S = 10_000


def wall_map(pages, who="sup"):
    page = pages("/map", who=who)
    page.set_viewport_size(SCREEN)
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    return page


def fully_visible(page, selector):
    """Within the window, not cut off."""
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.width > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
    }""", selector)


def test_units_carry_no_notes_over_the_map_and_tell_why_on_hover(pages, world):
    page = wall_map(pages)
    expect(page.locator("path.unit-marker")).to_have_count(3)
    labels = page.locator("#map .leaflet-map-pane")          # what is drawn on the map itself
    expect(page.locator(".unit-callsign span[data-unit]")).to_have_text(["PSC-01", "PSC-02", "PSC-03"])
    for note in ("belum ada posisi GPS", "perangkat kru terputus"):
        expect(labels).not_to_contain_text(note)               # nothing written over the map
    page.locator(f"path.unit-{world.unit_a.id}").hover()
    tip = page.locator(f".leaflet-tooltip .unit-label-text[data-unit='{world.unit_a.id}']")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("PSC-01 Siaga")
    expect(tip).to_contain_text("belum ada posisi GPS")
    expect(tip).to_contain_text("perangkat kru terputus")
    assert page.console_errors == []


def test_an_incident_at_a_unit_s_post_is_drawn_above_the_unit_and_its_label(pages, world):
    page = wall_map(pages)
    at_post = world.new_incident(lat=world.unit_a.station_lat, lon=world.unit_a.station_lon, priority="P1")
    incident = page.locator(f"path.incident-{at_post['id']}")
    expect(incident).to_have_count(1, timeout=LIVE_S)
    on_top = page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        const x = box.x + box.width / 2, y = box.y + box.height / 2;
        return [[x, y], [x, box.bottom - 3]].map(([px, py]) => document.elementFromPoint(px, py).getAttribute("class"));
    }""", f"path.incident-{at_post['id']}")
    assert all(f"incident-{at_post['id']}" in (c or "") for c in on_top), on_top
    incident.hover()
    expect(page.locator(".leaflet-tooltip", has_text=at_post["reference"])).to_be_visible()


def test_the_map_has_a_legend(pages, world):
    page = wall_map(pages)
    legend = page.locator("#legend")
    expect(legend).to_be_visible()
    assert fully_visible(page, "#legend")
    for said in ("Kejadian", "Merah", "Kuning", "Hijau", "Unit ambulans", "Siaga", "Menuju lokasi", "Di rumah sakit",
                 "pudar: perangkat kru terputus atau posisi lama", "Rumah sakit", "mengalihkan pasien atau tutup"):
        expect(legend).to_contain_text(said)
    expect(legend.locator("summary")).to_have_text("Keterangan peta")
    page.click("#lang-switch")
    expect(legend.locator("summary")).to_have_text("Map key")
    expect(legend).to_contain_text("Ambulances")
    expect(legend).to_contain_text("Red")
    expect(legend).not_to_contain_text("Siaga")


def test_the_maps_and_the_phones_labels_are_the_ones_the_api_serves(pages, world):
    """Statuses and priorities are labelled from GET /api/vocabulary, not from a copy in the
    JavaScript: a label changed there is the one the legend, the side list and the crew's phone show."""
    served = world.get("sup", "/api/vocabulary").get_json()
    for term in served["unit_statuses"]:
        if term["code"] == "available":
            term["id"] = "Siaga di pos"
    for term in served["priorities"]:
        if term["code"] == "P1":
            term["id"] = "Merah (gawat)"
    body = json.dumps(served)

    def vocabulary(page):
        page.route("**/api/vocabulary", lambda route: route.fulfill(status=200, content_type="application/json",
                                                                      body=body))

    world.new_incident(priority="P1")
    page = pages("/map", who="sup", before=vocabulary)
    expect(page.locator("#legend")).to_contain_text("Siaga di pos")
    expect(page.locator("#legend")).to_contain_text("Merah (gawat)")
    expect(page.locator("#side")).to_contain_text("Siaga di pos")
    crew = pages("/crew", phone=True, who="crew_a", before=vocabulary)
    expect(crew.locator("#unit-status")).to_have_text("Siaga di pos")


def zoom_to(page, level):
    while int(page.locator("#map").get_attribute("data-zoom")) != level:
        now = int(page.locator("#map").get_attribute("data-zoom"))
        page.click(".leaflet-control-zoom-in" if now < level else ".leaflet-control-zoom-out")
        expect(page.locator("#map")).not_to_have_attribute("data-zoom", str(now))


def test_kecamatan_names_far_kelurahan_names_and_hospitals_near(pages, world):
    page = wall_map(pages)
    kecamatan = page.locator(".zone-label-kecamatan span", has_text=re.compile("^Pontianak Selatan$"))
    kelurahan = page.locator(".zone-label-kelurahan span", has_text=re.compile("^Benuamelayu Laut$"))
    hospital = page.locator(f".hospital-name span[data-hospital='{world.hospital.id}']")
    expect(page.locator("#map")).to_have_attribute("data-zoom", "13")
    expect(kecamatan).to_be_visible()
    expect(kelurahan).to_be_hidden()
    expect(page.locator(".hospital-h span")).to_have_text(["H"])     # a hospital, though unnamed this far out
    expect(page.locator(".hospital-h span")).to_be_visible()
    expect(hospital).to_be_hidden()
    zoom_to(page, 14)
    expect(kelurahan).to_be_visible()
    expect(kecamatan).to_be_hidden()
    expect(hospital).to_have_text("RSUD Soedarso")
    expect(hospital).to_be_visible()
    expect(page.locator(".unit-callsign span").first).to_be_visible()
    zoom_to(page, 12)
    expect(kecamatan).to_be_visible()
    expect(kelurahan).to_be_hidden()
    expect(hospital).to_be_hidden()
    expect(page.locator(".unit-callsign span").first).to_be_hidden()
    page.locator("path.hospital-marker").first.hover()              # still named on hover
    expect(page.locator(".leaflet-tooltip", has_text="RSUD dr. Soedarso")).to_contain_text("tempat tidur")


def test_waiting_times_in_the_side_list_tick(pages, world):
    page = wall_map(pages)
    waiting = world.new_incident(priority="P1")
    sent = world.new_incident(priority="P2")
    world.assign(sent["id"], world.unit_b.id)
    row = page.locator(f"#incident-list li[data-incident='{waiting['id']}'] .age")
    expect(row).to_have_text(re.compile(r"^menunggu 0:0\d$"), timeout=LIVE_S)
    first = row.text_content()
    expect(row).not_to_have_text(first, timeout=3000)                 # it ticks
    expect(page.locator(f"#incident-list li[data-incident='{sent['id']}'] .age")).to_have_text(
        re.compile(r"^0:\d\d sejak panggilan$"))


def test_on_a_phone_the_legend_is_folded_and_opens_on_a_tap(pages, world):
    page = pages("/map", phone=True, who="sup")
    legend = page.locator("#legend")
    expect(legend.locator("summary")).to_be_visible()
    expect(legend.get_by_text("Unit ambulans")).to_be_hidden()         # the map is not half covered
    legend.locator("summary").click()
    expect(legend.get_by_text("Unit ambulans")).to_be_visible()


def demo_fleet(session):
    """Pontianak's hospitals and the demo's other ambulances, beside the world's three."""
    with open(DATA_FILE, encoding="utf-8") as fh:
        data = json.load(fh)
    now = utcnow()
    for h in data["hospitals"]:
        if h["short_name"] == "RSUD Soedarso":
            continue
        session.add(Hospital(name=h["name"], short_name=h["short_name"], address=h["address"], lat=h["lat"],
                             lon=h["lon"], has_emergency=h["emergency"], has_icu=h["icu"],
                             has_maternity=h["maternity"], has_trauma=h["trauma"],
                             status="diverting" if h["short_name"] == "RS Kota" else "open", updated_at=now))
    session.commit()
    for u in data["units"][3:]:
        units.create_unit(session, actor=None, **u)


PLACES = [("Jl. Tanjungpura dekat pasar", -0.0305, 109.3430), ("Gg. Mawar, Sungai Jawi Luar", -0.0352, 109.3180),
          ("depan Masjid Raya Mujahidin", -0.0447, 109.3344), ("Jl. Gajah Mada", -0.0355, 109.3380),
          ("Siantan Hulu, belakang SD 12", -0.0030, 109.3470), ("Jl. Ahmad Yani depan Mega Mall", -0.0555, 109.3460),
          ("Kota Baru, Gg. Sepakat", -0.0560, 109.3190), ("Jl. Imam Bonjol", -0.0420, 109.3560),
          ("Tanjung Hulu, tepi sungai", -0.0210, 109.3700), ("Jl. Khatulistiwa", 0.0010, 109.3250),
          ("Parit Tokaya", -0.0660, 109.3420), ("Jl. Sungai Raya Dalam", -0.0720, 109.3650)]


def test_today_and_the_side_panel_fit_one_screen_with_a_full_board(pages, world, session):
    demo_fleet(session)
    made = [world.new_incident(location_text=text, lat=lat, lon=lon, priority=("P1", "P2", "P3")[i % 3])
            for i, (text, lat, lon) in enumerate(PLACES)]
    for incident, unit in zip(made[:3], (world.unit_a, world.unit_b, world.unit_c)):
        world.assign(incident["id"], unit.id)
    presence.device_connected(session, actor=world.users["crew_a"], sid="phone", server="test")
    page = wall_map(pages)
    expect(page.locator("#incident-list li")).to_have_count(len(PLACES))
    expect(page.locator("#unit-list li")).to_have_count(8)
    expect(page.locator("#to-dispatch")).to_contain_text("n=3", timeout=LIVE_S)
    for part in ("#today", "#incident-counts", "#unit-counts", "#legend"):
        assert fully_visible(page, part), part
    assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")   # the page does not scroll
    side = page.evaluate("(() => { const s = document.querySelector('#side'); return [s.scrollHeight, s.clientHeight]; })()")
    assert side[0] <= side[1], side                                                # nor does the panel
    # The list scrolls within its place; its first rows are in sight.
    assert fully_visible(page, "#incident-list li:first-child")
    assert fully_visible(page, "#unit-list li:first-child")
    screenshot(page, "map-1366")
    expect(page.locator("#incident-list li.pending").first).to_contain_text("menunggu")
    assert page.console_errors == []


def test_with_few_incidents_the_whole_fleet_is_in_sight_in_the_side_panel(pages, world, session):
    """The side panel gives its room to what is there: with one incident open, the eight units
    are all in sight (not cut off under an incident area that stands mostly empty)."""
    demo_fleet(session)
    world.new_incident(location_text="Jl. Gajah Mada", lat=-0.0355, lon=109.3380)
    page = wall_map(pages)
    expect(page.locator("#incident-list li")).to_have_count(1)
    expect(page.locator("#unit-list li")).to_have_count(8)
    units_list = page.evaluate("(() => { const l = document.querySelector('#unit-list'); "
                               "return [l.scrollHeight, l.clientHeight]; })()")
    assert units_list[0] <= units_list[1], f"the unit list is cut off: {units_list}"
    assert fully_visible(page, "#unit-list li:last-child")
    screenshot(page, "map-1366-few-incidents")


def test_an_incident_on_the_map_says_the_words_as_said_the_place_and_how_precise(pages, world):
    page = wall_map(pages)
    resp = world.post("op", "/api/calls", {"caller_phone": "0811573119", "category": "cardiac", "priority": "P1",
                                           "location_text": "Gg. Mawar Sei Jawi Luar"})
    assert resp.status_code == 201, resp.get_json()
    incident = resp.get_json()["incident"]
    row = page.locator(f"#incident-list li[data-incident='{incident['id']}'] .where")
    expect(row).to_have_text("Gg. Mawar Sei Jawi Luar", timeout=LIVE_S)
    page.locator(f"path.incident-{incident['id']}").hover()
    tip = page.locator(".leaflet-tooltip", has_text=incident["reference"])
    expect(tip.locator(".said")).to_have_text("Gg. Mawar Sei Jawi Luar")
    expect(tip.locator(".resolved")).to_have_text("→ Sungaijawi Luar")
    expect(tip.locator(".precision")).to_have_text("perkiraan: tengah kelurahan")


def test_puskesmas_are_small_green_dots_without_beds_and_come_when_loaded(pages, world, session):
    """The puskesmas are no hospitals: no "H", no beds; their estimated position is said on hover; a
    load while the map is open draws them at once (hospital.created)."""
    from dispatch.core import facilities

    page = wall_map(pages)
    expect(page.locator(".hospital-h span")).to_have_count(1)
    expect(page.locator("path.puskesmas-marker")).to_have_count(0)
    facilities.load_puskesmas(session)
    expect(page.locator("path.puskesmas-marker")).to_have_count(23)
    expect(page.locator(".hospital-h span")).to_have_count(1)              # still the one hospital
    expect(page.locator("#map .place-label-puskesmas")).to_have_count(0)   # not drawn twice by the streets
    zoom_to(page, 14)
    inside = page.evaluate("""() => {   // a dot well inside the map, under no control
        const map = document.querySelector("#map").getBoundingClientRect();
        return [...document.querySelectorAll("path.puskesmas-marker")].findIndex((d) => {
            const r = d.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
            return x > map.x + map.width * .3 && x < map.x + map.width * .7
                && y > map.y + map.height * .25 && y < map.y + map.height * .75; });
    }""")
    assert inside >= 0
    page.locator("path.puskesmas-marker").nth(inside).hover()
    tip = page.locator(".leaflet-tooltip", has_text="Puskesmas")
    expect(tip).to_contain_text("posisi perkiraan dari alamat")
    expect(tip).not_to_contain_text("tempat tidur")
    assert page.console_errors == []
