"""A unit that comes free offered on the console (/console) in a real headless Chromium: the offer
on the waiting incident's queue line and in the banner above the queue, on every desk and after a
reload; Alt+O sends it from anywhere, even while a call is being typed; a desk that was too late
is told the unit went elsewhere; an offer that no longer stands leaves every screen."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from conftest import LIVE_S, NEAR_A, busy, free_again, fresh, queue_row, screenshot
from dispatch.core.clock import shifted
from dispatch.models import Assignment

def comes_free(world, unit_id):
    """The unit comes free, and the scheduler's offers job runs (it would at once anyway)."""
    free_again(world, unit_id)
    world.app.extensions["psc_scheduler"].run_once("offers")


def waiting_p3_and_p1(world):
    """Every unit busy; a P3 waiting ten minutes and a P1 waiting two."""
    busy(world, world.unit_a.id, world.unit_b.id, world.unit_c.id)
    with shifted(timedelta(minutes=-10)):
        p3 = world.new_incident(priority="P3", **NEAR_A)
    with shifted(timedelta(minutes=-2)):
        p1 = world.new_incident(priority="P1", **NEAR_A)
    return p3, p1


def test_the_offer_is_shown_everywhere_and_alt_o_sends_it_while_typing(pages, world, session):
    p3, p1 = waiting_p3_and_p1(world)
    page = pages("/console", who="op", viewport=(1366, 768))
    other = pages("/console", who="sup")
    banner = page.locator("#offer-banner")
    expect(queue_row(page, p1["id"])).to_be_visible()
    expect(banner).to_be_hidden()                                  # nothing has come free yet
    # PSC-01 comes free: it is offered the P1, not the older P3.
    comes_free(world, world.unit_a.id)
    for desk in (page, other):
        expect(desk.locator("#offer-banner")).to_be_visible(timeout=LIVE_S)
        expect(desk.locator("#offer-banner")).to_contain_text("PSC-01 siaga kembali:")
        expect(desk.locator("#offer-banner")).to_contain_text(f"tawaran untuk {p1['reference']} (Merah)")
        expect(queue_row(desk, p1["id"]).locator(".offer")).to_contain_text("Tawaran: PSC-01 · ETA")
        expect(queue_row(desk, p3["id"]).locator(".offer")).to_have_count(0)
    expect(page.locator("#take-offer")).to_have_text("Tugaskan [Alt+O]")
    screenshot(page, "console-offer")
    # It is the server's: a reload shows the same offer.
    page.reload()
    expect(page.locator("#offer-banner")).to_contain_text(p1["reference"], timeout=LIVE_S)
    expect(queue_row(page, p1["id"]).locator(".offer")).to_contain_text("PSC-01")
    # The operator is typing the next call: Alt+O sends the offered unit without leaving the field.
    page.locator("#caller_phone").click()
    page.keyboard.type("0812")
    page.keyboard.press("Alt+o")
    expect(page.locator("#offer-notice")).to_have_text(f"PSC-01 ditugaskan ke {p1['reference']}")
    expect(page.locator("#caller_phone")).to_have_value("0812")
    expect(page.locator("#caller_phone")).to_be_focused()
    [stored] = fresh(session).scalars(select(Assignment).where(Assignment.incident_id == p1["id"])).all()
    assert stored.unit_id == world.unit_a.id and stored.recommended_unit_id == world.unit_a.id
    assert stored.auto_rule is None and stored.assigned_by_id == world.users["op"].id
    # The offer has left every screen; the line says the unit is on its way.
    expect(queue_row(other, p1["id"]).locator(".offer")).to_have_count(0, timeout=LIVE_S)
    expect(other.locator("#offer-banner")).to_be_hidden()
    expect(queue_row(other, p1["id"])).to_contain_text("PSC-01")
    other.reload()
    expect(queue_row(other, p1["id"])).to_contain_text("PSC-01")
    expect(other.locator("#offer-banner")).to_be_hidden()
    assert page.console_errors == [] and other.console_errors == []


def test_the_queue_lines_button_sends_it_and_a_late_desk_is_told_where_the_unit_went(pages, world, session):
    p3, p1 = waiting_p3_and_p1(world)
    page = pages("/console", who="op", viewport=(1366, 768))
    comes_free(world, world.unit_a.id)
    line = queue_row(page, p1["id"]).locator(".offer button.take-offer")
    expect(line).to_have_text("Tugaskan", timeout=LIVE_S)
    # Another desk sends PSC-01 to the P3 while this desk's request is on its way: the server refuses
    # this one (the unit is taken), and the desk says so.
    def taken_meanwhile(route):
        assert world.assign(p3["id"], world.unit_a.id, who="sup").status_code == 200
        route.continue_()
    page.route("**/api/incidents/*/assign", taken_meanwhile)
    line.click()
    expect(page.locator("#offer-notice")).to_have_text("Unit PSC-01 baru saja ditugaskan ke tempat lain; daftar diperbarui")
    assert fresh(session).scalars(select(Assignment).where(Assignment.incident_id == p1["id"])).all() == []
    # The offer no longer stands (PSC-01 is on the P3): gone from the line and the banner.
    expect(queue_row(page, p1["id"]).locator(".offer")).to_have_count(0, timeout=LIVE_S)
    expect(page.locator("#offer-banner .offer-main, #take-offer")).to_have_count(0)
    expect(queue_row(page, p3["id"])).to_contain_text("PSC-01")
    assert [m for m in page.console_errors if "409" not in m] == []      # the refused assignment only


def test_on_a_phone_the_offer_and_the_alerts_fit_the_width(pages, world):
    p3, p1 = waiting_p3_and_p1(world)
    page = pages("/console", phone=True, who="op")
    comes_free(world, world.unit_a.id)
    world.app.extensions["psc_scheduler"].run_once("alerts")      # the P1 has waited past its minute
    expect(page.locator("#take-offer")).to_be_visible(timeout=LIVE_S)
    expect(page.locator("#alerts li.alert-item").first).to_contain_text(p1["reference"], timeout=LIVE_S)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    width = page.viewport_size["width"] + 0.5
    for selector in ("#offer-banner", "#take-offer", "#alerts li.alert-item button.ack", "#alerts"):
        box = page.locator(selector).first.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    page.locator("#offer-banner").scroll_into_view_if_needed()
    screenshot(page, "console-phone-offer")
    page.locator("#take-offer").tap()
    expect(page.locator("#offer-notice")).to_have_text(f"PSC-01 ditugaskan ke {p1['reference']}")
    assert page.console_errors == []
