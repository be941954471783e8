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
