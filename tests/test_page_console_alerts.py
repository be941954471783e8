"""The alert panel on the console (/console) in a real headless Chromium: open alerts on top, the
urgent one first and red, acknowledged with a note (and dimmer, with who), the same on a second
desk and after a reload, a desk that was too late told who was first, and an alert that resolves
itself leaving every screen. The centre's settings: operators read them, a supervisor changes them,
and the queue's waiting colours follow."""
from playwright.sync_api import expect
from sqlalchemy import select

from conftest import LIVE_S, call_received, fresh, screenshot
from dispatch.models import Alert


def sweep(world):
    world.app.extensions["psc_scheduler"].run_once("alerts")


def test_alerts_are_shown_acknowledged_and_resolved_on_every_desk(pages, world, monkeypatch, session):
    page = pages("/console", who="op", viewport=(1366, 768))
    panel = page.locator("#alerts")
    expect(panel.locator("#alerts-empty")).to_have_text("Tidak ada peringatan")
    other = pages("/console", who="sup")
    # Two calls logged late: both have waited past their priority's limit. The scheduler (started
    # with the first console) raises two alerts at its next pass, pushed live; one is run now.
    p3 = call_received(world, monkeypatch, 700, priority="P3", caller_phone="0811573120")
    p1 = call_received(world, monkeypatch, 90, priority="P1", caller_phone="0811573121")
    sweep(world)
    items = panel.locator("li.alert-item")
    expect(items).to_have_count(2, timeout=LIVE_S)
    first, second = items.nth(0), items.nth(1)
    # The urgent one (a P1 waiting) on top, red, though raised in the same pass as the P3's.
    expect(first).to_have_class("alert-item open urgent")
    expect(first).to_contain_text("Menunggu ambulans")
    expect(first).to_contain_text(p1["reference"])
    expect(first).to_contain_text("(batas 1:00)")
    expect(second).to_contain_text(p3["reference"])
    expect(second).to_have_class("alert-item open")
    expect(panel.locator("#alerts-count")).to_have_text("(2 terbuka dari 2)")
    screenshot(page, "console-alerts")
    # Acknowledged with a note: Tanggapi, type, Enter.
    first.locator("button.ack").click()
    expect(first.locator("input.ack-note")).to_be_focused()
    page.keyboard.type("PSC-03 dipanggil balik dari RS")
    page.keyboard.press("Enter")
    p1_row = panel.locator(f"li[data-alert]:has-text('{p1['reference']}')")
    expect(p1_row).to_have_class("alert-item acknowledged urgent")
    expect(p1_row).to_contain_text("Ditanggapi op pukul")
    expect(p1_row).to_contain_text("“PSC-03 dipanggil balik dari RS”")
    expect(panel.locator("li.alert-item").first).to_contain_text(p3["reference"])   # the open one first now
    expect(panel.locator("#alerts-count")).to_have_text("(1 terbuka dari 2)")
    stored = fresh(session).scalars(select(Alert).where(Alert.incident_id == p1["id"])).one()
    assert stored.state == "acknowledged" and stored.note == "PSC-03 dipanggil balik dari RS"
    assert stored.acknowledged_by.username == "op"
    # The other desk sees it acknowledged, live; a reload shows exactly the same.
    other_row = other.locator(f"#alerts li[data-alert='{stored.id}']")
    expect(other_row).to_have_class("alert-item acknowledged urgent", timeout=LIVE_S)
    expect(other_row).to_contain_text("Ditanggapi op")
    page.reload()
    expect(page.locator(f"#alerts li[data-alert='{stored.id}']")).to_contain_text("“PSC-03 dipanggil balik dari RS”")
    # Both desks go for the P3's alert: the slower one is told who was first.
    p3_alert = fresh(session).scalars(select(Alert).where(Alert.incident_id == p3["id"])).one()
    other.locator(f"#alerts li[data-alert='{p3_alert.id}'] button.ack").click()
    assert world.post("op", f"/api/alerts/{p3_alert.id}/ack", {}).status_code == 200
    other.locator(f"#alerts li[data-alert='{p3_alert.id}'] button.save-ack").click()
    expect(other.locator(f"#alerts li[data-alert='{p3_alert.id}']")).to_contain_text("Sudah ditanggapi oleh op")
    # A unit sent: the cause has ended, the alert resolves itself and leaves every screen.
    assert world.assign(p1["id"], world.unit_a.id).status_code == 200
    sweep(world)
    for desk in (page, other):
        expect(desk.locator(f"#alerts li[data-alert='{stored.id}']")).to_have_count(0, timeout=LIVE_S)
    assert fresh(session).get(Alert, stored.id).state == "resolved"
    # The browser logs the one refused acknowledgement (409) and nothing else.
    assert page.console_errors == []
    assert [m for m in other.console_errors if "409" not in m] == []
    assert len([m for m in other.console_errors if "409" in m]) == 1


def test_an_operator_reads_the_settings_and_a_supervisor_changes_them(pages, world, monkeypatch):
    waiting = call_received(world, monkeypatch, 45, priority="P1")
    operator = pages("/console", who="op", viewport=(1366, 768))
    age = operator.locator(f".queue-item[data-incident='{waiting['id']}'] .age")
    expect(age).not_to_have_class("age late")                   # 45 s of the P1's 60
    operator.click("#settings-open")
    dialog = operator.locator("#settings-dialog")
    expect(dialog.locator("#settings-readonly")).to_contain_text("Hanya supervisor")
    expect(dialog.locator("#timer-waiting_s\\.P1")).to_be_disabled()
    expect(dialog.locator("#timer-waiting_s\\.P1")).to_have_value("60")
    expect(dialog.locator("#save-timers")).to_have_count(0)
    operator.click("#settings-close")
    supervisor = pages("/console", who="sup", viewport=(1366, 768))
    supervisor.click("#settings-open")
    dialog = supervisor.locator("#settings-dialog")
    dialog.locator("#timer-waiting_s\\.P1").fill("30")
    expect(dialog.locator("#timer-waiting_s\\.P1 ~ .hint")).to_have_text("= 0:30")
    dialog.locator("#auto-P1").check()
    screenshot(supervisor, "console-settings")
    dialog.locator("#save-timers").click()
    expect(dialog.locator("#settings-notice")).to_have_text("Batas waktu tersimpan")
    expect(dialog.locator("#auto-P1")).to_be_checked()          # not yet saved: still as ticked
    dialog.locator("#save-dispatch").click()
    expect(dialog.locator("#settings-notice")).to_have_text("Penugasan otomatis tersimpan")
    assert world.get("op", "/api/settings/timers").get_json()["timers"]["waiting_s"]["P1"] == 30
    assert world.get("op", "/api/settings/dispatch").get_json()["auto_dispatch"] == {"P1": True, "P2": False, "P3": False}
    # The operator's queue follows at once: the call has waited past the new limit.
    expect(age).to_have_class("age late", timeout=LIVE_S)
    # A supervisor at another desk changes them meanwhile: the first is told, and reads them again.
    dialog.locator("#timer-acceptance_s").fill("90")
    assert world.call("sup", "PUT", "/api/settings/timers", json={"turnout_s": 300}).status_code == 200
    dialog.locator("#save-timers").click()
    expect(dialog.locator("#settings-notice")).to_contain_text("baru saja diubah orang lain")
    expect(dialog.locator("#timer-turnout_s")).to_have_value("300")
    assert world.get("op", "/api/settings/timers").get_json()["timers"]["acceptance_s"] == 60
    assert operator.console_errors == []
    assert [m for m in supervisor.console_errors if "409" not in m] == []     # the refused save only
    assert len([m for m in supervisor.console_errors if "409" in m]) == 1
