"""Possible duplicates on the console (/console) in a real headless Chromium: shown while the call is
typed and when it is saved, linked with one key (Alt+L), and a call linked by mistake unlinked from
the incident's detail."""
from playwright.sync_api import expect
from sqlalchemy import select

from conftest import LIVE_S, fresh, open_detail, queue_row, screenshot, suggested
from dispatch.models import Call, Incident

CRASH = (-0.03557, 109.34205)   # where the geocoder puts Jl. Gajah Mada


def crash(world, **fields):
    return world.new_call(caller_phone="0812-5730-0001", caller_name="Pak Amir", category="traffic_accident",
                          priority="P1", lat=CRASH[0], lon=CRASH[1], location_accuracy_m=20,
                          location_text="tabrakan di Jl. Gajah Mada", **fields)


def test_while_typing_the_incident_already_reported_is_shown_and_alt_l_logs_a_repeat_call(pages, world, session):
    first = crash(world)["incident"]
    page = pages("/console", who="op")
    page.fill("#caller_phone", "0813-5730-0002")
    page.fill("#location_text", "motor tabrakan gajah mada")
    panel = page.locator("#duplicates")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-state", "typing")
    expect(panel.locator("li").first).to_contain_text(first["reference"])
    expect(panel.locator("li").first.locator(".why")).to_contain_text("tempat yang sama disebut")
    expect(panel.locator("li").first).to_contain_text("0812-5730-0001 Pak Amir")   # who called already
    expect(panel.locator("button.link-duplicate").first).to_contain_text(f"panggilan ulang {first['reference']} (Alt+L)")
    screenshot(page, "console-duplicates-typing")
    page.keyboard.press("Alt+KeyL")
    expect(page.locator("#intake-result")).to_contain_text(f"Dicatat sebagai panggilan ulang untuk {first['reference']}")
    expect(panel).to_be_hidden()
    expect(page.locator("#caller_phone")).to_have_value("")
    calls = fresh(session).scalars(select(Call).order_by(Call.id)).all()
    assert [(c.disposition, c.incident_id) for c in calls] == [("emergency", first["id"]), ("duplicate", first["id"])]
    assert calls[1].location_text == "motor tabrakan gajah mada"   # the words as said, kept
    assert len(session.scalars(select(Incident)).all()) == 1
    expect(page.locator(".queue-item")).to_have_count(1)
    assert page.console_errors == []


def test_a_saved_call_that_may_be_the_same_is_merged_with_alt_l(pages, world, session):
    first = crash(world)["incident"]
    page = pages("/console", who="op", viewport=(1366, 768))
    page.fill("#caller_phone", "0813-5730-0003")
    page.click("#location_text")
    page.keyboard.type("Jl. Gajah Mada")
    suggested(page, "Jl. Gajah Mada", "Jl. Gajah Mada")
    page.keyboard.press("Enter")       # the first suggestion
    page.keyboard.press("Enter")       # and save
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    expect(page.locator("#intake-result")).to_contain_text("mungkin kejadian yang sama")
    panel = page.locator("#duplicates")
    expect(panel).to_have_attribute("data-state", "saved")
    expect(panel.locator("button.link-duplicate").first).to_contain_text(f"Gabungkan ke {first['reference']}")
    expect(page.locator(".queue-item")).to_have_count(2, timeout=LIVE_S)
    expect(panel.locator("button.link-duplicate").first).to_be_in_viewport()   # seen at 1366x768 without scrolling
    screenshot(page, "console-duplicates-saved")
    page.keyboard.press("Alt+KeyL")
    expect(page.locator("#intake-result")).to_contain_text(f"Panggilan ditautkan ke {first['reference']}")
    expect(page.locator(".queue-item")).to_have_count(1, timeout=LIVE_S)   # the new one merged away, live
    expect(queue_row(page, first["id"])).to_be_visible()
    merged = fresh(session).scalars(select(Incident).where(Incident.status == "merged")).one()
    assert merged.merged_into_id == first["id"]
    assert page.console_errors == []


def test_a_call_linked_by_mistake_is_unlinked_from_the_detail(pages, world, session):
    first = crash(world)["incident"]
    saved = world.new_call(caller_phone="0813-5730-0004", caller_name="Bu Rina", category="unconscious",
                           lat=CRASH[0] + 0.0005, lon=CRASH[1])
    world.post("op", f"/api/calls/{saved['call']['id']}/link", {"incident_id": first["id"]})
    page = pages("/console", who="op")
    expect(page.locator(".queue-item")).to_have_count(1)
    queue_row(page, first["id"]).click()
    callers = page.locator("#callers li")
    expect(callers).to_have_count(2)
    expect(callers.nth(1)).to_contain_text("Bu Rina")
    expect(callers.nth(1)).to_contain_text("Panggilan ulang")
    expect(page.locator("#related")).to_contain_text(f"Digabung dari {saved['incident']['reference']}")
    expect(callers.nth(0).locator("button.unlink-call")).to_have_count(0)   # the call that opened it stays
    callers.nth(1).locator("button.unlink-call").click()
    # its own incident is back, selected, and in the queue again
    expect(page.locator("#detail h2")).to_contain_text(saved["incident"]["reference"])
    expect(page.locator(".queue-item")).to_have_count(2, timeout=LIVE_S)
    back = fresh(session).get(Incident, saved["incident"]["id"])
    assert back.status == "pending" and back.merged_into_id is None
    assert session.get(Call, saved["call"]["id"]).disposition == "emergency"
    assert page.console_errors == []


def test_a_supervisor_merges_two_incidents_from_the_detail_by_the_number_of_the_one_that_carries_on(
        pages, world, session):
    first = crash(world)["incident"]
    second = world.new_call(caller_phone="0813-5730-0005", caller_name="Pak Dedi", category="traffic_accident",
                            priority="P2", lat=CRASH[0] + 0.004, lon=CRASH[1], notes="motor kedua")["incident"]
    assert world.assign(second["id"], world.unit_b.id).status_code == 200
    page = pages("/console", who="sup", viewport=(1366, 768))
    detail = open_detail(page, second["id"])
    detail.locator("#merge-incident").click()
    expect(page.locator("#action-input")).to_be_focused()
    page.keyboard.type("9999")
    page.keyboard.press("Enter")
    expect(page.locator("#action-error")).to_contain_text("Tidak ada kejadian terbuka bernomor “9999”")
    number = first["reference"].rsplit("-", 1)[1]
    page.fill("#action-input", str(int(number)))          # "1" for PSC-...-0001
    page.keyboard.press("Enter")
    # the one that carries on is shown, with the calls, the note and the unit of the merged one
    expect(page.locator("#detail h2")).to_contain_text(first["reference"])
    expect(page.locator("#related")).to_contain_text(f"Digabung dari {second['reference']}")
    expect(page.locator("#callers li")).to_have_count(2)
    expect(page.locator("#assignment-list")).to_contain_text("PSC-02")
    expect(page.locator(".queue-item")).to_have_count(1, timeout=LIVE_S)
    screenshot(page, "console-merge")
    fresh(session)
    merged = session.get(Incident, second["id"])
    assert merged.status == "merged" and merged.merged_into_id == first["id"]
    assert "motor kedua" in session.get(Incident, first["id"]).notes
    assert page.console_errors == []


def test_an_operator_has_no_merge_button(pages, world):
    first = crash(world)["incident"]
    page = pages("/console", who="op")
    detail = open_detail(page, first["id"])
    expect(detail.locator("#cancel-incident")).to_be_visible()
    expect(detail.locator("#merge-incident")).to_have_count(0)
