"""The console fits the screens a call centre has (/console in a real headless Chromium): at
1366x768 and 1440x900 the intake with its save and prank/silent/info buttons, the queue, the unit
board and the selected incident's recommendations and actions are all on screen without scrolling
the page; the suggestions lie above the small map's zoom buttons; on a phone nothing breaks."""
import pytest
from playwright.sync_api import expect

from conftest import LIVE_S, call_received, open_detail, screenshot, suggested

SIZES = [(1366, 768), (1440, 900)]
MUST_BE_SEEN = ["#caller_phone", "#caller_name", "#location_text", "#intake-map", "#complaint", "#category",
                "#priority", "#notes", "#submit-call", "#disposition-prank", "#disposition-silent",
                "#disposition-info", "#intake-result", "#queue-list", "#unit-board", "#recommendation-list", "#change-priority",
                "#cancel-incident", "#close-incident"]


def within_viewport(page, selector):
    """The element's box lies wholly inside the window (nothing below the fold or cut off at a side)."""
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{selector} is not shown"
    assert box["width"] > 0 and box["height"] > 0, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"] + 0.5, (selector, box, size)
    assert box["y"] + box["height"] <= size["height"] + 0.5, (selector, box, size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_intake_queue_board_and_recommendations_fit_without_scrolling(pages, world, monkeypatch, size):
    # A busy desk: calls of every priority, some waiting past their target, one unit out on a call.
    for seconds, priority, where in ((400, "P2", "Gg. Mawar, Sungai Jawi Luar"), (200, "P3", "depan Masjid Raya Mujahidin"),
                                     (30, "P2", "Jl. Tanjungpura"), (75, "P1", "Jl. Gajah Mada")):
        call_received(world, monkeypatch, seconds, priority=priority, location_text=where)
    out = call_received(world, monkeypatch, 300, priority="P1", category="traffic_accident",
                        location_text="Jembatan Kapuas I")
    world.assign(out["id"], world.unit_c.id)
    assert world.status(world.unit_c.id, "en_route", who="op").status_code == 200
    incident = call_received(world, monkeypatch, 50, priority="P1", category="cardiac",
                             complaint="nyeri dada, sesak napas sejak pagi", location_text="Jl. Ahmad Yani")
    page = pages("/console", who="op", viewport=size)
    open_detail(page, incident["id"])
    expect(page.locator("#recommendation-list > li")).to_have_count(2, timeout=LIVE_S)
    expect(page.locator("#unit-board-body tr")).to_have_count(3)
    for selector in MUST_BE_SEEN:
        within_viewport(page, selector)
    for n in range(2):
        within_viewport(page, f"#recommendation-list > li:nth-child({n + 1}) button.assign")
    # The page itself does not scroll: every column fits in the window.
    assert page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight + 1")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, f"console-{size[0]}x{size[1]}")
    assert page.console_errors == []


def test_the_suggestions_are_drawn_above_the_small_maps_zoom_buttons(pages, world):
    page = pages("/console", who="op", viewport=(1366, 768))
    page.locator("#location_text").click()
    page.keyboard.type("RS Antonius")
    suggested(page, "RS Antonius", "RSU Santo Antonius")
    zoom = page.locator("#intake-map .leaflet-control-zoom-in").bounding_box()
    listed = page.locator("#suggestions").bounding_box()
    x, y = zoom["x"] + zoom["width"] / 2, zoom["y"] + zoom["height"] / 2
    assert listed["y"] <= y <= listed["y"] + listed["height"], (zoom, listed)   # the list covers the button
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('#suggestions') !== null", [x, y])
    assert on_top, "the zoom button is drawn over the suggestions"
    page.mouse.click(x, y)                                  # a click there takes the suggestion under it
    expect(page.locator("#suggestions")).to_be_hidden()
    expect(page.locator("#intake-map img.leaflet-marker-icon")).to_have_count(1)


def test_the_console_does_not_break_on_a_phone(pages, world):
    incident = world.new_incident()
    page = pages("/console", phone=True, who="op")
    open_detail(page, incident["id"])
    expect(page.locator("#unit-board-body tr")).to_have_count(3)
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    for selector in ("#caller_phone", "#submit-call", "#queue-list", "#unit-board", "#cancel-incident"):
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 0.5, (selector, box)
    screenshot(page, "console-phone-board")
    assert page.console_errors == []
