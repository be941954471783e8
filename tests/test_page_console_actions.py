"""The console's queue and actions (/console in a real headless Chromium at 1366x768): an
assignment the crew has not accepted in time is shown from the server's state (after a reload
too), a save selects the most urgent waiting call, waiting ages change colour past their
priority's target, and closing, cancelling and reopening each ask their own reason."""
import pytest
from playwright.sync_api import expect

from conftest import LIVE_S, call_received, make_config, open_detail, queue_row, screenshot
from dispatch import create_app
from dispatch.extensions import db

DESK = (1366, 768)


@pytest.fixture
def app(database_url):
    """The app with a crew given one second to accept an assignment."""
    app = create_app(make_config(database_url, ASSIGNMENT_ACK_TIMEOUT_S=1))
    yield app
    app.extensions["psc_hub"].stop()
    app.extensions["psc_fixes"].stop()
    db.session.remove()
    db.engine.dispose()


def test_an_assignment_not_accepted_in_time_is_still_flagged_after_a_reload(pages, world, consoles):
    incident = world.new_incident(priority="P1")
    page = pages("/console", who="op", viewport=DESK)
    world.assign(incident["id"], world.unit_b.id)
    row = queue_row(page, incident["id"])
    mark = row.locator(".badge.alarm")
    expect(mark).to_have_text(" BELUM DITERIMA KRU", timeout=LIVE_S)      # the timeout passed, live
    page.reload()                                                        # another operator takes the desk
    expect(mark).to_have_text(" BELUM DITERIMA KRU")
    expect(page.locator(f"#unit-board-body tr[data-unit='{world.unit_b.id}'] .badge.alarm")).to_have_count(1)
    detail = open_detail(page, incident["id"])
    expect(detail.locator("#assignment-list .badge.alarm")).to_have_text(" BELUM DITERIMA KRU")
    # The crew accepts at last: the marks go, live.
    assignment = world.get("op", f"/api/incidents/{incident['id']}").get_json()["assignments"][0]
    answer = consoles("crew_b").client.call("accept", {"assignment_id": assignment["id"]}, timeout=10)
    assert answer["ok"] is True, answer
    expect(mark).to_have_count(0, timeout=LIVE_S)
    expect(detail.locator("#assignment-list .badge.ok")).to_have_text("diterima kru", timeout=LIVE_S)
    assert page.console_errors == []


def test_after_a_save_the_most_urgent_waiting_call_is_selected(pages, world, monkeypatch):
    red_old = call_received(world, monkeypatch, 5 * 60, priority="P1")
    red_new = call_received(world, monkeypatch, 60, priority="P1")
    page = pages("/console", who="op", viewport=DESK)
    expect(queue_row(page, red_new["id"])).to_have_count(1)
    page.fill("#caller_phone", "0812000333")
    page.check("input[name=priority][value=P3]")                  # a green call saved while two red ones wait
    page.press("#caller_phone", "Enter")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    expect(queue_row(page, red_old["id"])).to_have_class("queue-item priority-P1 selected")
    expect(page.locator("#detail h2")).to_contain_text(red_old["reference"])
    expect(page.locator("#recommendation-list")).to_have_attribute("data-incident", str(red_old["id"]))
    page.keyboard.press("Alt+1")                                  # from the phone field: a unit for the red call
    expect(page.locator("#assign-notice")).to_contain_text("ditugaskan", timeout=LIVE_S)
    assert len(world.get("op", f"/api/incidents/{red_old['id']}").get_json()["assignments"]) == 1
    # The oldest red call has a unit: the next save turns to the other red one.
    page.fill("#caller_phone", "0812000444")
    page.press("#caller_phone", "Enter")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    expect(page.locator("#detail h2")).to_contain_text(red_new["reference"])
    assert page.console_errors == []


def test_waiting_ages_change_colour_past_their_prioritys_target(pages, world, monkeypatch):
    targets = {p["code"]: p["dispatch_target_s"] for p in world.get("op", "/api/vocabulary").get_json()["priorities"]}
    red_late = call_received(world, monkeypatch, targets["P1"] + 10, priority="P1")
    red_overdue = call_received(world, monkeypatch, 2 * targets["P1"] + 10, priority="P1")
    green_same_wait = call_received(world, monkeypatch, targets["P1"] + 10, priority="P3")   # within its own target
    green_fresh = call_received(world, monkeypatch, targets["P3"] - 12, priority="P3")       # about to pass it
    sent = call_received(world, monkeypatch, 2 * targets["P1"] + 10, priority="P1")
    world.assign(sent["id"], world.unit_a.id)                                          # a unit is on it: no alarm
    page = pages("/console", who="op", viewport=DESK)
    age = lambda incident: queue_row(page, incident["id"]).locator(".age")   # noqa: E731
    expect(age(green_fresh)).to_have_class("age")                     # first, while it is within its target
    expect(age(red_late)).to_have_class("age late")
    expect(age(red_overdue)).to_have_class("age overdue")
    expect(age(green_same_wait)).to_have_class("age")
    expect(age(sent)).to_have_class("age")
    expect(age(green_fresh)).to_have_class("age late", timeout=25_000)      # it passes the target as it ticks
    colour = lambda incident: age(incident).evaluate("n => getComputedStyle(n).backgroundColor")   # noqa: E731
    assert colour(red_overdue) != colour(red_late) != colour(green_same_wait)
    screenshot(page, "console-ages")
    assert page.console_errors == []


def test_the_late_acceptance_badge_stays_on_one_line_in_the_queue(pages, world):
    # "Jantung · Unit ditugaskan · Unit: PSC-02" leaves the badge the end of a line in the queue.
    incident = world.new_incident(priority="P1", category="cardiac")
    page = pages("/console", who="op", viewport=DESK)
    world.assign(incident["id"], world.unit_b.id)
    mark = queue_row(page, incident["id"]).locator(".badge.alarm")
    expect(mark).to_have_text(" BELUM DITERIMA KRU", timeout=LIVE_S)
    # One box: an inline badge broken over two lines has two.
    assert mark.evaluate("n => n.getClientRects().length") == 1
    line_height = mark.evaluate("n => parseFloat(getComputedStyle(n).lineHeight) || 1.5 * parseFloat(getComputedStyle(n).fontSize)")
    assert mark.bounding_box()["height"] < 1.5 * line_height
    screenshot(page, "console-late-badge")
    assert page.console_errors == []
