"""The console's unit board (/console in a real headless Chromium at 1366x768): every unit with
its call sign, status, time in that status, current incident, position age and whether the
crew's phone is connected; sortable; kept current live; and the same after a reload."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from conftest import LIVE_S, screenshot, seconds_of
from dispatch.core.clock import utcnow

DESK = (1366, 768)


def board_row(page, unit):
    return page.locator(f"#unit-board-body tr[data-unit='{unit.id}']")


def call_signs(page):
    return page.locator("#unit-board-body tr th.call-sign")


def test_the_board_shows_every_unit_and_follows_them_live(pages, world, consoles):
    incident = world.new_incident(priority="P1")
    page = pages("/console", who="op", viewport=DESK)
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(call_signs(page)).to_have_text(["PSC-01", "PSC-02", "PSC-03"])
    a, b = board_row(page, world.unit_a), board_row(page, world.unit_b)
    expect(b.locator(".status")).to_have_text("Siaga")
    expect(b.locator(".incident")).to_have_text("–")
    expect(b.locator(".fix")).to_have_text("di pos")                      # no fix yet: at its station
    expect(b.locator(".device")).to_have_text("terputus")
    expect(b.locator(".since")).to_have_text(re.compile(r"^\d+:\d\d$"))

    # Sent to the incident: its status, the time in it from now, and the incident, live.
    world.assign(incident["id"], world.unit_b.id)
    expect(b.locator(".status")).to_have_text("Ditugaskan", timeout=LIVE_S)
    suffix = incident["reference"].rsplit("-", 1)[1]
    expect(b.locator(".incident button")).to_have_text(suffix)
    expect(b.locator(".incident button")).to_have_attribute("title", incident["reference"])
    assert seconds_of(b.locator(".since").inner_text()) < 30

    # The crew's phone connects and sends a fix: connected, and the position's age.
    consoles("crew_a")
    expect(a.locator(".device")).to_have_text("terhubung", timeout=LIVE_S)
    at = utcnow() - timedelta(seconds=40)
    assert world.post("crew_a", f"/api/units/{world.unit_a.id}/location",
                      {"lat": -0.03, "lon": 109.33, "recorded_at": at.isoformat()}).status_code == 200
    expect(a.locator(".fix")).to_have_text(re.compile(r"^0:[4-5]\d$"), timeout=LIVE_S)

    # Its incident is one click away.
    b.locator(".incident button").click()
    expect(page.locator("#detail h2")).to_contain_text(incident["reference"])
    screenshot(page, "console-board")

    # Reloaded, the board says the same: it comes from the server's state, not from page memory.
    page.reload()
    expect(b.locator(".status")).to_have_text("Ditugaskan")
    expect(b.locator(".incident button")).to_have_text(suffix)
    expect(a.locator(".fix")).to_have_text(re.compile(r"^0:[4-5]\d$"))
    assert page.console_errors == []


def test_the_board_sorts_by_any_column(pages, world):
    incident = world.new_incident(priority="P1")
    world.assign(incident["id"], world.unit_c.id)
    assert world.status(world.unit_c.id, "en_route", who="op").status_code == 200
    assert world.status(world.unit_a.id, "out_of_service", who="sup").status_code == 200
    page = pages("/console", who="op", viewport=DESK)
    # By status first (as a job goes: available, then busy, out of service last).
    expect(page.locator("#unit-board th[data-column=status]")).to_have_attribute("aria-sort", "ascending")
    expect(call_signs(page)).to_have_text(["PSC-02", "PSC-03", "PSC-01"])
    expect(page.locator("#unit-board-body .status")).to_have_text(["Siaga", "Menuju lokasi", "Tidak beroperasi"])
    page.click("#unit-board th[data-column=call_sign] button")
    expect(call_signs(page)).to_have_text(["PSC-01", "PSC-02", "PSC-03"])
    page.click("#unit-board th[data-column=call_sign] button")          # again: the other way
    expect(page.locator("#unit-board th[data-column=call_sign]")).to_have_attribute("aria-sort", "descending")
    expect(call_signs(page)).to_have_text(["PSC-03", "PSC-02", "PSC-01"])
    page.click("#unit-board th[data-column=incident] button")           # units on an incident first
    expect(call_signs(page).first).to_have_text("PSC-03")
    page.click("#unit-board th[data-column=since] button")              # longest in its status first
    expect(call_signs(page)).to_have_text(["PSC-02", "PSC-03", "PSC-01"])
    # A live change keeps the order chosen.
    assert world.status(world.unit_a.id, "available", who="sup").status_code == 200
    expect(call_signs(page)).to_have_text(["PSC-02", "PSC-03", "PSC-01"], timeout=LIVE_S)
    expect(board_row(page, world.unit_a).locator(".status")).to_have_text("Siaga")
    assert page.console_errors == []


def test_the_board_fits_its_column_at_1366x768_with_long_statuses_and_a_connected_phone(pages, world, consoles):
    """The longest status ("Membawa pasien", "Tidak beroperasi") and "terhubung" fit: nothing is cut
    off and the board never scrolls sideways."""
    incident = world.new_incident(priority="P1")
    world.assign(incident["id"], world.unit_a.id)
    for status in ("en_route", "on_scene", "transporting"):
        assert world.status(world.unit_a.id, status).status_code == 200
    assert world.status(world.unit_c.id, "out_of_service", who="sup").status_code == 200
    consoles("crew_a")                                       # PSC-01's phone is connected
    page = pages("/console", who="op", viewport=DESK)
    a = board_row(page, world.unit_a)
    expect(a.locator(".status")).to_have_text("Membawa pasien")
    expect(a.locator(".device")).to_have_text("terhubung", timeout=LIVE_S)
    expect(board_row(page, world.unit_c).locator(".status")).to_have_text("Tidak beroperasi")
    overflow = page.evaluate("""() => { const s = document.querySelector('.board-scroll');
        return s.scrollWidth - s.clientWidth; }""")
    assert overflow <= 0, f"the unit board scrolls sideways by {overflow} px"
    screenshot(page, "console-board-1366-transporting")
