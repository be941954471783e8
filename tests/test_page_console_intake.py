"""The console's intake (/console) in a real headless Chromium, beyond tests/test_page_console.py:
the labels it shows come from the API, the suggestions lie above the small map, after a save the
most urgent waiting call is selected, and the smaller fixes of issue 11."""
import json


from playwright.sync_api import expect

from test_page_console import LIVE_S, queue_row


def test_the_category_and_status_labels_come_from_the_api(pages, world):
    incident = world.new_incident(category="cardiac", priority="P1")

    def relabelled(route):
        body = route.fetch().json()
        for item in body["categories"]:
            if item["code"] == "cardiac":
                item["id"] = "Jantung (dari server)"
        for item in body["incident_statuses"]:
            if item["code"] == "pending":
                item["id"] = "Menunggu (dari server)"
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page = pages("/console", who="op", before=lambda p: p.route("**/api/vocabulary", relabelled))
    expect(page.locator("#category option[value=cardiac]")).to_have_text("Jantung (dari server)")
    expect(page.locator("#category option")).to_have_count(10)
    expect(queue_row(page, incident["id"])).to_contain_text("Jantung (dari server) · Menunggu (dari server)")
    # The pages keep no copy of them.
    tables = page.evaluate("""async () => {
        const id = (await import('/static/js/i18n/id.js')).default;
        const en = (await import('/static/js/i18n/en.js')).default;
        return [...Object.keys(id), ...Object.keys(en)].filter((k) => k.startsWith('category.'));
    }""")
    assert tables == []
    assert page.console_errors == []


def test_a_fields_error_goes_when_the_field_is_changed_or_emptied(pages, world):
    page = pages("/console", who="op", viewport=(1366, 768))
    error = page.locator("[data-field=caller_phone] .field-error")
    page.fill("#caller_phone", "nol delapan")
    page.click("#submit-call")
    expect(error).to_have_text("Hanya angka, spasi, '+', '-' dan kurung (mis. 0811-573-119)")
    page.fill("#caller_phone", "")                                  # cleared: the error spoke of what was there
    expect(error).to_have_text("")
    page.click("#submit-call")
    expect(error).to_have_text("Wajib diisi")
    page.locator("#caller_phone").press_sequentially("08")          # typing again
    expect(error).to_have_text("")


def test_enter_in_the_notes_saves_as_the_button_says_and_shift_enter_starts_a_line(pages, world, session):
    from sqlalchemy import select

    from conftest import fresh
    from dispatch.models import Incident

    page = pages("/console", who="op", viewport=(1366, 768))
    expect(page.locator("#submit-call")).to_have_text("Simpan panggilan (Enter)")
    expect(page.locator("[data-field=notes] .hint")).to_have_text("Enter menyimpan; Shift+Enter untuk baris baru")
    page.fill("#caller_phone", "0812000555")
    page.locator("#notes").click()
    page.keyboard.type("rumah cat hijau")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("lantai 2")
    expect(page.locator("#notes")).to_have_value("rumah cat hijau\nlantai 2")
    page.keyboard.press("Enter")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    assert fresh(session).scalars(select(Incident)).one().notes == "rumah cat hijau\nlantai 2"


def test_the_prank_silent_and_info_buttons_say_what_the_call_was(pages, world):
    page = pages("/console", who="op", viewport=(1366, 768))
    expect(page.locator(".actions .disposition")).to_have_text(["Iseng", "Tanpa suara", "Minta info"])
    page.click("#lang-switch")
    expect(page.locator(".actions .disposition")).to_have_text(["Prank", "Silent (no voice)", "Information only"])
