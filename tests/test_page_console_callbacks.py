"""The call-back queue on the console (/console) in a real headless Chromium: dropped and silent calls
shown from the server, attempts recorded with one button, a new dropped call arriving live, and a
call-back that reaches an emergency opening an incident linked to the dropped call."""
from playwright.sync_api import expect
from sqlalchemy import select

from conftest import LIVE_S, fresh, screenshot
from dispatch.models import CallbackAttempt, Call


def dropped(world, phone, disposition="dropped"):
    answer = world.post("op", "/api/calls", {"caller_phone": phone, "disposition": disposition})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["call"]


def test_a_dropped_call_is_called_back_until_it_reaches_an_emergency(pages, world, session):
    first = dropped(world, "0813-5730-0200")
    page = pages("/console", who="op", viewport=(1366, 768))
    panel = page.locator("#callbacks")
    expect(panel.locator("summary")).to_contain_text("Panggilan balik: 1")
    panel.locator("summary").click()
    item = panel.locator(f"li[data-call='{first['id']}']")
    expect(item).to_contain_text("0813-5730-0200")
    expect(item).to_contain_text("Terputus")
    item.locator("button[data-outcome=no_answer]").click()
    expect(item).to_contain_text("Sudah dicoba 1x, terakhir: Tidak diangkat")
    # another desk logs a silent call: it comes in live, oldest first stays first
    other = dropped(world, "0813-5730-0201", disposition="silent")
    expect(panel.locator("summary")).to_contain_text("Panggilan balik: 2", timeout=LIVE_S)
    expect(panel.locator("li").nth(1)).to_have_attribute("data-call", str(other["id"]))
    screenshot(page, "console-callbacks")
    # the second try reaches an emergency: the intake takes the number and says whose call-back it is
    item.locator("button[data-outcome=reached_emergency]").click()
    expect(page.locator("#caller_phone")).to_have_value("0813-5730-0200")
    expect(page.locator("#caller-awaiting-callback")).to_contain_text("1 panggilan terputus/tanpa suara")
    expect(page.locator("#callback-banner")).to_contain_text("Panggilan balik ke 0813-5730-0200")
    expect(page.locator("#location_text")).to_be_focused()
    page.fill("#location_text", "-0.0302, 109.3412")
    page.fill("#complaint", "ayah sesak napas")
    page.click("#submit-call")
    expect(page.locator("#intake-result")).to_contain_text("Tersimpan: PSC-")
    expect(page.locator("#callback-banner")).to_be_hidden()
    expect(panel.locator("summary")).to_contain_text("Panggilan balik: 1", timeout=LIVE_S)
    expect(panel.locator(f"li[data-call='{first['id']}']")).to_have_count(0)
    fresh(session)
    attempts = session.scalars(select(CallbackAttempt).where(CallbackAttempt.call_id == first["id"])
                               .order_by(CallbackAttempt.id)).all()
    assert [a.outcome for a in attempts] == ["no_answer", "reached_emergency"]
    new_call = session.scalars(select(Call).where(Call.disposition == "emergency")).one()
    assert attempts[-1].incident_id == new_call.incident_id and new_call.caller_phone == "+6281357300200"
    assert page.console_errors == []


def test_a_call_back_another_operator_recorded_first_is_said_and_the_list_refreshed(pages, world):
    call = dropped(world, "0813-5730-0202")
    page = pages("/console", who="op")
    panel = page.locator("#callbacks")
    panel.locator("summary").click()
    expect(panel.locator("li")).to_have_count(1)
    # another operator reached the caller a moment before, and the refresh it brings is held back:
    # this screen still shows the call with no attempt when the operator presses
    held = []
    page.route("**/api/callbacks", lambda route: route.continue_() if held else held.append(route))
    with page.expect_request(lambda r: r.url.endswith("/api/callbacks")):
        world.post("sup", f"/api/calls/{call['id']}/callbacks", {"outcome": "reached_no_emergency"})
    panel.locator("button[data-outcome=wrong_number]").click()
    expect(panel.locator(".notice")).to_contain_text("sudah ditelepon balik")
    expect(panel.locator("li")).to_have_count(0)
    # the refused press is the only request that failed
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 409 (CONFLICT)"]
    held[0].continue_()


def test_a_reload_and_the_next_operator_at_the_desk_see_the_same_call_back_queue(pages, world):
    """What the panel shows comes from the server: a reload, or another operator's console, shows the
    same calls waiting with the same attempts (on a phone too)."""
    first = dropped(world, "0813-5730-0210")
    dropped(world, "0813-5730-0211", disposition="silent")
    assert world.post("op", f"/api/calls/{first['id']}/callbacks", {"outcome": "no_answer"}).status_code == 201

    def shown(page):
        panel = page.locator("#callbacks")
        expect(panel.locator("summary")).to_contain_text("Panggilan balik: 2")
        panel.locator("summary").click()
        expect(panel.locator("li")).to_have_count(2)
        expect(panel.locator("li").first).to_have_attribute("data-call", str(first["id"]))
        expect(panel.locator("li").first).to_contain_text("Sudah dicoba 1x, terakhir: Tidak diangkat")
        return [item.inner_text() for item in panel.locator("li").all()]

    page = pages("/console", who="op", viewport=(1366, 768))
    before = shown(page)
    page.reload()
    after = shown(page)
    other = shown(pages("/console", who="sup"))
    phone = pages("/console", who="op", phone=True)
    on_phone = shown(phone)
    screenshot(phone, "console-callbacks-phone")
    # the same calls, attempts and words (the waits tick on: compared without them)
    strip = lambda texts: [t.split("\n")[0].rsplit(" · ", 1)[0] for t in texts]  # noqa: E731
    assert strip(before) == strip(after) == strip(other) == strip(on_phone)
    assert page.console_errors == [] and phone.console_errors == []
