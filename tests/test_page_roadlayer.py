"""The streets drawn with no tile server (static/js/roadlayer.js) on the supervisor's map, the
console's maps and the crew's phone, in a real headless Chromium; screenshots for docs/."""
import pytest
from playwright.sync_api import expect

from conftest import screenshot


def classes(page, selector):
    return set((page.locator(selector).get_attribute("data-road-classes") or "").split())


def zoom_in(page, selector, to):
    while int(page.locator(selector).get_attribute("data-zoom")) < to:
        before = page.locator(selector).get_attribute("data-zoom")
        page.locator(f"{selector} .leaflet-control-zoom-in").click()
        expect(page.locator(selector)).not_to_have_attribute("data-zoom", before)


def test_the_supervisor_map_draws_the_streets_lanes_only_close_up(pages, world):
    page = pages("/map", who="sup", viewport=(1366, 768))
    expect(page.locator("#map")).to_have_attribute("data-roads", "drawn")
    far = classes(page, "#map")
    assert {"arteri", "kolektor", "lokal", "bridge"} <= far and "lain" not in far
    expect(page.locator("#map path.road-arteri")).to_have_count(1)
    expect(page.locator("#map .bridge-label")).to_have_count(2)
    expect(page.locator("#map .bridge-label").first).to_contain_text("Jembatan")
    # The page draws its hospitals itself (with beds): the layer does not draw them again.
    expect(page.locator("#map .place-label-hospital")).to_have_count(0)
    expect(page.locator("#map .street-label")).to_have_count(0)
    expect(page.locator("#legend .road-key li")).to_have_count(5)          # the key names the road classes
    expect(page.locator("#legend .road-key")).to_contain_text("arteri")
    screenshot(page, "roads-map")
    zoom_in(page, "#map", 16)
    assert "lain" in classes(page, "#map")
    expect(page.locator("#map path.road-lain")).to_have_count(1)
    assert page.locator("#map .street-label").count() > 0
    assert int(page.locator("#map").get_attribute("data-roads-ms")) >= 0
    assert page.console_errors == []


def zoom_out(page, selector, to):
    while int(page.locator(selector).get_attribute("data-zoom")) > to:
        before = page.locator(selector).get_attribute("data-zoom")
        page.locator(f"{selector} .leaflet-control-zoom-out").click()
        expect(page.locator(selector)).not_to_have_attribute("data-zoom", before)


def test_the_crew_phone_draws_the_streets_and_the_city_names(pages, world):
    page = pages("/crew", phone=True, who="crew_a")
    expect(page.locator("#crew-map")).to_have_attribute("data-roads", "drawn")
    # The map is framed on the unit (at its station, zoom 15) once the live state is in, whether
    # that comes before or after the streets: zoomed out from there, the city's names.
    expect(page.locator("#crew-map .unit-marker")).to_have_count(1)
    expect(page.locator("#crew-map")).to_have_attribute("data-zoom", "15")
    zoom_out(page, "#crew-map", 12)
    expect(page.locator("#crew-map .zone-label-kecamatan")).to_have_count(6)
    expect(page.locator("#crew-map .zone-label-kecamatan", has_text="Pontianak Utara")).to_have_count(1)
    assert "arteri" in classes(page, "#crew-map")
    zoom_in(page, "#crew-map", 14)
    expect(page.locator("#crew-map .zone-label-kecamatan")).to_have_count(0)
    expect(page.locator("#crew-map .zone-label-kelurahan").first).to_be_attached()
    expect(page.locator("#crew-map .place-label-hospital", has_text="RSUD dr. Soedarso")).to_have_count(1)
    # A job: the road to it is drawn over the streets.
    incident = world.new_incident(lat=-0.0263, lon=109.3425, location_text="Jl. Gajah Mada")
    assert world.assign(incident["id"], world.unit_a.id).status_code == 200
    expect(page.locator("#crew-map path.route-line.route-to-incident")).to_have_count(1)
    expect(page.locator("#crew-map path.road-lokal")).to_have_count(1)
    page.locator("#crew-map").scroll_into_view_if_needed()
    screenshot(page, "roads-crew")
    assert page.console_errors == []


def test_the_console_maps_draw_the_streets(pages, world):
    incident = world.new_incident(lat=-0.0263, lon=109.3425, location_text="Jl. Gajah Mada")
    page = pages("/console", who="op", viewport=(1366, 768))
    expect(page.locator("#intake-map")).to_have_attribute("data-roads", "drawn")
    assert {"arteri", "kolektor"} <= classes(page, "#intake-map")
    page.locator(f".queue-item[data-incident='{incident['id']}']").click()
    expect(page.locator("#detail-map")).to_have_attribute("data-roads", "drawn")
    assert {"arteri", "lokal", "lain"} <= classes(page, "#detail-map")     # zoom 15: the lanes too
    assert page.locator("#detail-map .street-label").count() > 0
    page.locator("#detail-map").scroll_into_view_if_needed()
    screenshot(page, "roads-console")
    assert page.console_errors == []


@pytest.mark.parametrize("path, selector, who", [("/map", "#map", "sup"), ("/crew", "#crew-map", "crew_a")])
def test_with_a_tile_server_the_tiles_are_drawn_not_the_streets(pages, world, app, path, selector, who):
    app.config["MAP_TILE_URL"] = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    try:
        page = pages(path, who=who, phone=who == "crew_a")
        expect(page.locator(f"{selector} .leaflet-tile-container")).to_have_count(1)
        expect(page.locator(f"{selector} path.road")).to_have_count(0)
        assert page.locator(selector).get_attribute("data-roads") is None
    finally:
        app.config["MAP_TILE_URL"] = None
