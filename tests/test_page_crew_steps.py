"""The crew app's steps on a phone (390x844), issue 11: one next step at a time (accept first;
departing implies accepting), the hospital choices at the button with beds, capabilities and
status, what matters for the current step, the phone's own navigation app and the caller's
number, and the location as said with the place it was resolved to."""
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

from conftest import screenshot
from dispatch.core.clock import utcnow
from dispatch.models import Hospital

LIVE_S = 10_000


def in_viewport(page, selector):
    """On the phone's screen as it is (not scrolled to): the whole element within the window,
    once the page has settled after the press that drew it (a render replaces the nodes)."""
    try:
        page.wait_for_function("""(selector) => {
            const node = document.querySelector(selector);
            const box = node?.getBoundingClientRect();
            return Boolean(box) && box.height > 0 && box.top >= 0 && box.bottom <= innerHeight;
        }""", arg=selector, timeout=5000)
        return True
    except PlaywrightTimeout:
        print("not on screen:", selector, page.locator(selector).first.bounding_box())
        return False


def assigned(world, **fields):
    incident = world.new_incident(**fields)
    assignment = world.assign(incident["id"], world.unit_a.id).get_json()["assignments"][0]["id"]
    return incident, assignment


def test_a_new_job_shows_only_accept_then_only_depart(pages, world):
    incident, _ = assigned(world)
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#job")).to_have_attribute("data-incident", str(incident["id"]))
    accept = crew.locator("#accept")
    expect(accept).to_have_text("TERIMA TUGAS")
    assert in_viewport(crew, "#accept")
    expect(crew.locator("#next-status")).to_have_count(0)        # not BERANGKAT beside it
    accept.click()
    expect(crew.locator("#accept")).to_have_count(0)
    expect(crew.locator("#accepted")).to_have_text("Tugas diterima")
    depart = crew.locator("#next-status")
    expect(depart).to_have_text("BERANGKAT")
    assert in_viewport(crew, "#next-status")
    expect(crew.locator("#buttons button:visible")).to_have_count(1)
    assert crew.console_errors == []


def test_a_crew_that_departed_without_accepting_has_no_accept_button(pages, world):
    """Departing implies accepting: a unit reported en route (another phone, the radio) is past
    the accept step."""
    incident, _ = assigned(world)
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#accept")).to_be_visible()
    assert world.status(world.unit_a.id, "en_route").status_code == 200     # not accepted first
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "en_route", timeout=LIVE_S)
    expect(crew.locator("#accept")).to_have_count(0)
    expect(crew.locator("#next-status")).to_have_text("TIBA DI LOKASI")
    crew.reload()                                                 # and from the server's state
    expect(crew.locator("#next-status")).to_have_text("TIBA DI LOKASI")
    expect(crew.locator("#accept")).to_have_count(0)


def add_hospital(session, name, lat, lon, *, status="open", beds=None, icu=True, maternity=False, trauma=False):
    hospital = Hospital(name=name, short_name=name, address="Pontianak", lat=lat, lon=lon, has_emergency=True,
                        has_icu=icu, has_maternity=maternity, has_trauma=trauma, status=status,
                        beds_available=beds, beds_reported_at=utcnow() if beds is not None else None,
                        updated_at=utcnow())
    session.add(hospital)
    session.commit()
    return hospital


def on_scene(world):
    incident, _ = assigned(world, category="cardiac")
    for status in ("en_route", "on_scene"):
        assert world.status(world.unit_a.id, status).status_code == 200
    return incident


def test_the_hospital_choices_come_at_the_button_with_beds_capabilities_and_status(pages, world, session):
    assert world.patch("sup", f"/api/hospitals/{world.hospital.id}", {"beds_available": 4}).status_code == 200
    add_hospital(session, "RS Antonius", -0.0262, 109.3397, status="diverting", beds=2)
    add_hospital(session, "RS Kota", -0.0330, 109.3300, status="closed", beds=5)
    add_hospital(session, "RS Penuh", -0.0300, 109.3350, beds=0)
    on_scene(world)
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#next-status")).to_have_text("BAWA PASIEN")
    crew.click("#next-status")
    choices = crew.locator("#hospital-choices")
    first = choices.locator("button").first
    expect(first).to_have_attribute("data-hospital", str(world.hospital.id))
    assert in_viewport(crew, "#hospital-choices button")          # at the button, not below the map
    expect(first).to_contain_text("RSUD Soedarso")
    expect(first).to_contain_text("Tempat tidur kosong: 4")
    expect(first).to_contain_text("IGD · ICU · Kebidanan · Trauma")
    expect(first.locator(".hospital-eta")).to_have_text(re.compile(r"^ETA \d+ mnt · \d+\.\d km dari lokasi kejadian$"))
    diverting = choices.locator("button", has_text="RS Antonius")
    expect(diverting).to_contain_text("SEDANG MENGALIHKAN PASIEN")
    expect(diverting).to_contain_text("Tempat tidur kosong: 2")
    closed = choices.locator("button", has_text="RS Kota")
    expect(closed).to_contain_text("TUTUP")
    expect(closed).to_be_disabled()
    full = choices.locator("button", has_text="RS Penuh")
    expect(full.locator(".beds")).to_have_text("Tempat tidur kosong: 0")
    expect(full).to_have_class(re.compile(r"\bnot-advised\b"))      # under "Tidak disarankan"
    expect(choices.locator(".not-advised-head")).to_have_text("Tidak disarankan (penuh, mengalihkan pasien, atau tutup):")
    assert [b.get_attribute("data-hospital") for b in choices.locator("button").all()][0] == str(world.hospital.id)
    expect(crew.locator("#transport-no-choice")).to_be_visible()
    screenshot(crew, "crew-hospitals")
    first.click()
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "transporting")
    destination = crew.locator("#destination")
    expect(destination).to_contain_text("Menuju RSUD Soedarso")
    expect(crew.locator("#hospital-route")).to_contain_text("dari lokasi kejadian")
    assert crew.console_errors == []


def test_each_step_shows_what_matters_for_it(pages, world, session):
    incident, _ = assigned(world, complaint="nyeri dada", notes="rumah cat hijau")
    crew = pages("/crew", phone=True, who="crew_a")
    crew.click("#accept")
    route = crew.locator("#route")
    expect(route).to_contain_text("ETA")                         # on the way: the road to the scene
    expect(crew.locator("#navigate")).to_have_text("NAVIGASI KE LOKASI")
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "en_route")
    expect(route).to_be_visible()
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "on_scene")
    expect(crew.locator("#route")).to_have_count(0)               # there: no ETA to where they are
    expect(crew.locator("#navigate")).to_have_count(0)
    expect(crew.locator("#job")).to_contain_text("Keluhan: nyeri dada")
    expect(crew.locator("#job .notes")).to_have_text("Catatan: rumah cat hijau")
    expect(crew.locator("#call-caller")).to_be_visible()          # the caller, to find the door
    expect(crew.locator("#treated-on-scene")).to_be_visible()
    crew.click("#next-status")
    crew.locator("#hospital-choices button").first.click()
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "transporting")
    expect(crew.locator("#hospital-route")).to_contain_text("ETA")  # the hospital's, not the scene's
    expect(crew.locator("#route")).to_have_count(0)
    expect(crew.locator("#job-address")).to_have_count(0)
    expect(crew.locator("#navigate")).to_have_text("NAVIGASI KE RSUD Soedarso")
    expect(crew.locator("#call-caller")).to_have_count(0)
    screenshot(crew, "crew-transporting")
    crew.click("#next-status")
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "at_hospital")
    expect(crew.locator("#destination")).to_contain_text("Di RSUD Soedarso")
    expect(crew.locator("#hospital-route")).to_have_count(0)
    expect(crew.locator("#navigate")).to_have_count(0)
    expect(crew.locator("#next-status")).to_have_text("SELESAI — SIAGA")
    assert crew.console_errors == []


GOOGLE = "https://www.google.com/maps/dir/?api=1&destination={lat:.6f},{lon:.6f}&travelmode=driving&dir_action=navigate"


def test_the_phone_s_own_navigation_app_opens_at_the_incident_and_the_caller_can_be_rung(pages, world):
    incident, _ = assigned(world, caller_phone="0811-573 (119)", caller_name="Bu Rina", lat=-0.0412, lon=109.3288)
    crew = pages("/crew", phone=True, who="crew_a")
    crew.click("#accept")
    navigate = crew.locator("#navigate")
    expect(navigate).to_have_attribute("href", GOOGLE.format(lat=-0.0412, lon=109.3288))
    expect(navigate).to_have_attribute("target", "_blank")       # the crew page stays open behind it
    assert in_viewport(crew, "#navigate")
    other = crew.locator("#navigate-other")
    expect(other).to_have_text("Buka di aplikasi peta lain")
    expect(other).to_have_attribute("href", f"geo:-0.041200,109.328800?q=-0.041200,109.328800({incident['reference']})")
    call = crew.locator("#call-caller")
    expect(call).to_have_attribute("href", "tel:+62811573119")      # the number normalised, shown as written
    expect(call).to_contain_text("Telepon penelepon 0811-573-119")
    expect(call).to_contain_text("Bu Rina")
    assert in_viewport(crew, "#call-caller")
    screenshot(crew, "crew-navigation")


def test_on_an_iphone_the_other_map_app_is_apple_maps(pages, world):
    assigned(world, lat=-0.0412, lon=109.3288)
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
    crew = pages("/crew", phone=True, who="crew_a", before=lambda page: page.add_init_script(
        f"Object.defineProperty(navigator, 'userAgent', {{ get: () => {iphone!r} }});"))
    crew.click("#accept")
    expect(crew.locator("#navigate")).to_have_attribute("href", GOOGLE.format(lat=-0.0412, lon=109.3288))
    other = crew.locator("#navigate-other")
    expect(other).to_have_text("Buka di Apple Maps")
    expect(other).to_have_attribute("href", "https://maps.apple.com/?daddr=-0.041200,109.328800&dirflg=d")


def test_transporting_the_navigation_goes_to_the_chosen_hospital(pages, world):
    on_scene(world)
    crew = pages("/crew", phone=True, who="crew_a")
    crew.click("#next-status")
    crew.locator(f"#hospital-choices button[data-hospital='{world.hospital.id}']").click()
    expect(crew.locator("#unit-status")).to_have_attribute("data-status", "transporting")
    expect(crew.locator("#navigate")).to_have_attribute("href", GOOGLE.format(lat=-0.0616, lon=109.3646))
    expect(crew.locator("#navigate-other")).to_have_attribute(
        "href", "geo:-0.061600,109.364600?q=-0.061600,109.364600(RSUD%20Soedarso)")
    crew.reload()                                                 # from the server's state too
    expect(crew.locator("#navigate")).to_have_attribute("href", GOOGLE.format(lat=-0.0616, lon=109.3646))
    expect(crew.locator("#destination")).to_contain_text("Menuju RSUD Soedarso")


def call(world, **fields):
    body = {"caller_phone": "0811573119", "category": "cardiac", "priority": "P1", **fields}
    resp = world.post("op", "/api/calls", body)
    assert resp.status_code == 201, resp.get_json()
    incident = resp.get_json()["incident"]
    assert world.assign(incident["id"], world.unit_a.id).status_code == 200
    return incident


def test_the_words_as_said_come_first_with_the_place_chosen_beside_them(pages, world):
    """Issue 11, item 1: "depan RS Antonius" is not shown as if the patient were the hospital."""
    call(world, location_text="depan RS Antonius", lat=-0.0262, lon=109.3397,
         location_name="RSU Santo Antonius", location_kind="hospital")
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#job-address")).to_have_text("depan RS Antonius")
    expect(crew.locator("#job-place")).to_have_text("depan RSU Santo Antonius")
    expect(crew.locator("#job-precision")).to_have_count(0)            # a named place: no "perkiraan"
    said, place = (crew.locator(s).bounding_box() for s in ("#job-address", "#job-place"))
    assert said["y"] < place["y"]                                       # the words as said first


def test_a_place_known_only_to_its_kelurahan_says_so(pages, world):
    call(world, location_text="Gg. Mawar Sei Jawi Luar")
    crew = pages("/crew", phone=True, who="crew_a")
    expect(crew.locator("#job-address")).to_have_text("Gg. Mawar Sei Jawi Luar")   # the alley kept
    precision = crew.locator("#job-precision")
    expect(precision).to_have_text("perkiraan: tengah kelurahan")
    assert in_viewport(crew, "#job-precision")
    expect(crew.locator("#job-zone")).to_have_text("Sungaijawi Luar, Pontianak Barat")
    expect(crew.locator("#job-place")).to_have_count(0)                # named once, by the zone line
    expect(crew.locator("#navigate")).to_have_text("NAVIGASI KE PERKIRAAN LOKASI")
    screenshot(crew, "crew-kelurahan")
    crew.click("#lang-switch")
    expect(precision).to_have_text("approximate: centre of the kelurahan")
