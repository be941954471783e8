"""Calls taken on paper, entered on the console (/console) by a supervisor in a real headless Chromium:
the card's time and its unit's times typed in WIB, a unit busy now chosen without touching it, the
incident stored with the card's times, the detail and timeline showing them; a card whose times are
out of order is refused at the field and keeps what was typed; operators do not see the card."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from conftest import LIVE_S, fresh, open_detail, screenshot
from dispatch.core.clock import to_local, utcnow
from dispatch.models import Call, Incident, Unit


def wib(moment):
    """As a datetime-local field takes it, in WIB."""
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def minute(moment):
    return moment.replace(second=0, microsecond=0)


def fill_call(page, phone):
    page.fill("#caller_phone", phone)
    page.fill("#location_text", "-0.0302, 109.3412")
    page.fill("#complaint", "kecelakaan motor, kaki luka")


def test_a_supervisor_enters_a_served_card_with_a_busy_unit_and_its_times_are_kept(pages, world, session):
    live = world.new_incident()
    assert world.assign(live["id"], world.unit_a.id).status_code == 200
    taken = minute(utcnow() - timedelta(hours=2))
    page = pages("/console", who="sup", viewport=(1366, 768))
    fill_call(page, "0812-5600-0301")
    card = page.locator("#paper-card")
    card.locator("summary").click()
    expect(card).to_contain_text("Waktu panggilan diterima")
    page.fill("#taken_at", wib(taken))
    expect(page.locator("#late_unit option", has_text="PSC-01")).to_have_count(1)
    page.select_option("#late_unit", label="PSC-01")
    expect(page.locator("#late-phases")).to_be_visible()
    # an empty phase starts from the time before it: only the minutes are changed
    page.focus("#late_dispatched_at")
    expect(page.locator("#late_dispatched_at")).to_have_value(wib(taken))
    page.fill("#late_dispatched_at", wib(taken + timedelta(minutes=2)))
    page.fill("#late_on_scene_at", wib(taken + timedelta(minutes=15)))
    page.fill("#late_transporting_at", wib(taken + timedelta(minutes=30)))
    page.select_option("#late_hospital", label="RSUD Soedarso")
    page.fill("#late_at_hospital_at", wib(taken + timedelta(minutes=45)))
    page.fill("#late_cleared_at", wib(taken + timedelta(minutes=70)))
    screenshot(page, "console-paper-card")
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("dicatat dari kartu kertas dengan jam aslinya, kejadian selesai")
    expect(card).not_to_have_attribute("open", "")
    fresh(session)
    call = session.scalars(select(Call).where(Call.caller_phone == "+6281256000301")).one()
    incident = call.incident
    assert call.received_at == taken and call.entered_late_at is not None
    assert incident.status == "closed" and incident.created_at == taken
    assert incident.on_scene_at == taken + timedelta(minutes=15)
    assert incident.closed_at == taken + timedelta(minutes=70)
    assert incident.destination_hospital_id == world.hospital.id and incident.outcome == "transported"
    [assignment] = incident.assignments
    assert assignment.unit_id == world.unit_a.id and not assignment.active
    unit = session.get(Unit, world.unit_a.id)
    assert unit.status == "dispatched" and unit.current_assignment.incident_id == live["id"]
    # the closed incident is not in the queue; the live one is, with its unit still on it
    expect(page.locator(f".queue-item[data-incident='{incident.id}']")).to_have_count(0)
    expect(page.locator(f".queue-item[data-incident='{live['id']}']")).to_have_count(1)
    assert page.console_errors == []


def test_a_card_not_served_yet_waits_in_the_queue_and_its_detail_shows_the_cards_time(pages, world, session):
    taken = minute(utcnow() - timedelta(minutes=50))
    page = pages("/console", who="sup", viewport=(1366, 768))
    fill_call(page, "0812-5600-0302")
    page.locator("#paper-card summary").click()
    page.fill("#taken_at", wib(taken))
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("dicatat dari kartu kertas dengan jam aslinya")
    fresh(session)
    incident = session.scalars(select(Incident).where(Incident.status == "pending")).one()
    assert incident.created_at == taken and incident.entered_late_at is not None
    expect(page.locator(f".queue-item[data-incident='{incident.id}']")).to_have_count(1, timeout=LIVE_S)
    detail = open_detail(page, incident.id)
    expect(detail.locator("#entered-late")).to_contain_text("Dicatat terlambat dari kartu kertas oleh sup")
    first = detail.locator("#timeline li").first
    expect(first.locator("time")).to_have_text(to_local(taken).strftime("%H.%M.%S WIB"))
    expect(first.locator(".recorded-at")).to_contain_text("dicatat")
    screenshot(page, "console-paper-card-detail")
    # a reload (or the next supervisor at the desk) sees the same
    page.reload()
    detail = open_detail(page, incident.id)
    expect(detail.locator("#entered-late")).to_be_visible()
    assert page.console_errors == []


def test_a_card_with_its_times_out_of_order_is_refused_at_the_field_and_keeps_what_was_typed(pages, world, session):
    taken = minute(utcnow() - timedelta(hours=1))
    page = pages("/console", who="sup")
    fill_call(page, "0812-5600-0303")
    page.locator("#paper-card summary").click()
    page.fill("#taken_at", wib(taken))
    page.select_option("#late_unit", label="PSC-02")
    page.fill("#late_dispatched_at", wib(taken + timedelta(minutes=10)))
    page.fill("#late_on_scene_at", wib(taken + timedelta(minutes=5)))
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("BELUM tersimpan")
    error = page.locator("[data-field='late_entry.on_scene_at'] .field-error")
    expect(error).to_contain_text("Lebih awal dari “Ditugaskan”")
    expect(page.locator("#late_on_scene_at")).to_have_value(wib(taken + timedelta(minutes=5)))
    expect(page.locator("#caller_phone")).to_have_value("0812-5600-0303")
    fresh(session)
    assert session.scalars(select(Call)).all() == []
    # put right, it is saved
    page.fill("#late_on_scene_at", wib(taken + timedelta(minutes=20)))
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("kejadian selesai")
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 422 "
                                   "(UNPROCESSABLE ENTITY)"]


def test_an_operator_has_no_paper_card(pages, world):
    page = pages("/console", who="op")
    expect(page.locator("#intake")).to_be_visible()
    expect(page.locator("#paper-card")).to_have_count(0)
    assert page.console_errors == []


def test_a_red_paper_card_entered_elsewhere_does_not_sound_the_new_call_alarm(pages, world):
    """The alarm says a red call waits for a unit; a card of this morning, served then, does not."""
    from test_page_console import TONES

    page = pages("/console", who="op", before=lambda p: p.add_init_script(TONES))
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    taken = minute(utcnow() - timedelta(hours=3))
    card = world.post("sup", "/api/calls", {
        "caller_phone": "0812-5600-0304", "lat": -0.03, "lon": 109.34, "priority": "P1", "category": "trauma",
        "taken_at": taken.isoformat(), "late_entry": {"unit_id": world.unit_b.id,
                                                      "dispatched_at": (taken + timedelta(minutes=3)).isoformat()}})
    assert card.status_code == 201, card.get_json()
    live = world.new_call(who="sup", priority="P1")["incident"]    # a red call now, another desk: it sounds
    expect(page.locator(f".queue-item[data-incident='{live['id']}']")).to_have_count(1, timeout=LIVE_S)
    page.wait_for_function("() => window.__tones >= 3", timeout=LIVE_S)
    assert page.evaluate("window.__tones") == 3                     # once: for the live call only
    expect(page.locator(f".queue-item[data-incident='{card.get_json()['incident']['id']}']")).to_have_count(0)
