"""The console's caller history (static/js/console/caller.js): shown as the number is typed, the
prank flag and the block impossible to miss, the blocked call confirmed with one key."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from conftest import fresh
from dispatch.core.clock import utcnow
from dispatch.models import Call, Incident

NUMBER = "0812-3456-7890"


def refused_as_expected(page, status):
    """The console's errors but the browser's own note of the one refusal the test asked for."""
    return [e for e in page.console_errors if not (e.startswith("Failed to load resource") and status in e)]


def take(world, disposition, **extra):
    body = {"caller_phone": NUMBER, "disposition": disposition, **extra}
    assert world.post("op", "/api/calls", body).status_code == 201


def test_the_history_shows_as_the_number_is_typed_in_any_form(pages, world):
    for disposition in ("prank", "prank", "silent"):
        take(world, disposition)
    incident = world.new_incident(caller_phone="+62 812 3456 7890")
    page = pages("/console", who="op", viewport=(1366, 768))
    page.locator("#caller_phone").press_sequentially("6281234567890")
    panel = page.locator("#caller-history")
    expect(panel.locator(".flag-prank")).to_have_text(
        "Sering iseng: 3 panggilan iseng/tanpa suara dalam 24 jam terakhir")
    expect(panel.locator(".caller-open")).to_have_text(
        f"Menelepon barusan tentang {incident['reference']} (masih terbuka)")
    expect(panel.locator(".caller-today")).to_contain_text("2 panggilan iseng hari ini")
    expect(panel.locator(".caller-summary")).to_contain_text("0812-3456-7890: 4 panggilan tercatat")
    page.fill("#caller_phone", "0813-1111-2222")
    page.locator("#caller_phone").press("End")
    page.locator("#caller_phone").press_sequentially(" ")
    expect(panel.locator(".caller-summary")).to_have_text("0813-1111-2222: belum pernah menelepon")
    expect(panel.locator(".flag")).to_have_count(0)
    page.screenshot(path="tests/artifacts/screenshots/console-caller-history.png")
    assert page.console_errors == []


def test_a_blocked_number_is_shown_and_its_call_is_confirmed_then_stored(pages, world, session):
    until = (utcnow() + timedelta(hours=6)).isoformat()
    assert world.post("sup", f"/api/callers/{NUMBER}/block", {"reason": "12 kali iseng", "until": until}).status_code == 201
    page = pages("/console", who="op", viewport=(1366, 768))
    page.locator("#caller_phone").press_sequentially("081234567890")
    expect(page.locator("#caller-history .flag-blocked")).to_contain_text("Diblokir sementara sampai")
    expect(page.locator("#caller-history .flag-blocked")).to_contain_text("Alasan: 12 kali iseng")
    page.fill("#location_text", "Jl. Gajah Mada")
    page.keyboard.press("Enter")
    result = page.locator("#intake-result")
    expect(result).to_contain_text("Nomor ini diblokir sementara sampai")
    expect(result).to_contain_text("(12 kali iseng). Panggilan tetap bisa dicatat.")
    assert fresh(session).scalars(select(Call)).all() == []             # nothing stored yet
    expect(page.locator("#confirm-blocked")).to_be_focused()
    page.keyboard.press("Enter")                                        # one key: taken
    expect(result).to_contain_text("Tersimpan: PSC-")
    call = fresh(session).scalars(select(Call)).one()
    assert (call.caller_phone, call.caller_phone_as_given, call.caller_flags) == (
        "+6281234567890", "081234567890", ["blocked"])
    assert fresh(session).scalars(select(Incident)).one().location_text == "Jl. Gajah Mada"
    expect(page.locator("#caller-history")).to_be_empty()               # the form is clear for the next call
    assert refused_as_expected(page, "409 (CONFLICT)") == []


def test_a_dropped_call_has_its_button_and_a_short_number_is_explained(pages, world, session):
    page = pages("/console", who="op", viewport=(1366, 768))
    page.fill("#caller_phone", "0811")
    page.click("#disposition-dropped")
    expect(page.locator("[data-field=caller_phone] .field-error")).to_have_text(
        "Terlalu pendek untuk nomor telepon, dan bukan nomor layanan seperti 112 atau 119")
    page.fill("#caller_phone", "0811-573-119")
    expect(page.locator("#disposition-dropped")).to_have_text("Terputus")
    page.click("#disposition-dropped")
    expect(page.locator("#intake-result")).to_have_text("Panggilan dicatat tanpa kejadian")
    call = fresh(session).scalars(select(Call)).one()
    assert (call.disposition, call.caller_phone, call.incident_id) == ("dropped", "+62811573119", None)
    assert refused_as_expected(page, "422 (UNPROCESSABLE ENTITY)") == []
