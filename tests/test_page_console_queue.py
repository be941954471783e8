"""The console's queue (/console in a real headless Chromium): an assignment not accepted in time
flagged, the order by priority then waiting time (live too), the ticking ages, and the queue, the
recommendations and the detail in English."""
import re
import time

from playwright.sync_api import expect

from conftest import LIVE_S, call_received, seconds_of


def test_an_assignment_the_crew_has_not_accepted_in_time_is_flagged_in_the_queue(pages, world, session):
    from dispatch.core import assignment as assignments

    incident = world.new_incident()
    aid = world.assign(incident["id"], world.unit_b.id).get_json()["assignments"][0]["id"]
    page = pages("/console", who="op")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    assignments.flag_unacknowledged(session, assignment_ids=[aid], timeout_s=60)
    item = page.locator(f".queue-item[data-incident='{incident['id']}']")
    expect(item.locator(".badge.alarm")).to_have_text(" BELUM DITERIMA KRU")
    item.click()
    expect(page.locator("#timeline li[data-type='assignment.unacknowledged']")).to_contain_text("Kru belum menerima tugas")


def queue_references(page):
    """The queue's rows, top to bottom, by the reference they show."""
    return page.locator("#queue-list .queue-item .line1 > b")


def test_the_queue_is_by_priority_then_waiting_time_and_reorders_live(pages, world, monkeypatch):
    # Taken in an order that is neither the queue's nor the calls' own (ids prove nothing).
    yellow_new = call_received(world, monkeypatch, 60, priority="P2")
    green_oldest = call_received(world, monkeypatch, 20 * 60, priority="P3")
    red_new = call_received(world, monkeypatch, 3 * 60, priority="P1")
    yellow_old = call_received(world, monkeypatch, 10 * 60, priority="P2")
    red_old = call_received(world, monkeypatch, 8 * 60, priority="P1")
    page = pages("/console", who="op")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    refs = lambda *incidents: [i["reference"] for i in incidents]   # noqa: E731
    expect(queue_references(page)).to_have_text(refs(red_old, red_new, yellow_old, yellow_new, green_oldest))
    expect(page.locator("#queue-list .queue-item .badge")).to_have_text(["Merah", "Merah", "Kuning", "Kuning", "Hijau"])
    page.evaluate("window.sameDocument = true")      # gone if the page were reloaded

    # A red call comes in while the page is open: after the red ones waiting longer, before the rest.
    red_live = world.new_incident(priority="P1")
    expect(queue_references(page)).to_have_text(
        refs(red_old, red_new, red_live, yellow_old, yellow_new, green_oldest), timeout=LIVE_S)
    expect(page.locator(f".queue-item[data-incident='{red_live['id']}']")).to_have_class(
        re.compile(r"\bpriority-P1\b"))

    # Another operator raises the green call, waiting longest of all, to red: it goes to the top.
    assert world.patch("sup", f"/api/incidents/{green_oldest['id']}", {"priority": "P1"}).status_code == 200
    expect(queue_references(page)).to_have_text(
        refs(green_oldest, red_old, red_new, red_live, yellow_old, yellow_new), timeout=LIVE_S)
    # ... and lowers a red one to green: it goes to the bottom.
    assert world.patch("sup", f"/api/incidents/{red_old['id']}", {"priority": "P3"}).status_code == 200
    expect(queue_references(page)).to_have_text(
        refs(green_oldest, red_new, red_live, yellow_old, yellow_new, red_old), timeout=LIVE_S)
    expect(page.locator("#queue-list .queue-item .badge")).to_have_text(
        ["Merah", "Merah", "Merah", "Kuning", "Kuning", "Hijau"])
    assert page.evaluate("window.sameDocument") is True
    assert page.console_errors == []


def test_the_waiting_time_of_a_queued_call_ticks_from_when_the_call_came_in(pages, world, monkeypatch):
    taken = time.monotonic() - 125                    # when the call came in, on the test's clock
    incident = call_received(world, monkeypatch, 125)
    page = pages("/console", who="op")
    selector = f".queue-item[data-incident='{incident['id']}'] .age"
    age = page.locator(selector)
    expect(age).to_have_text(re.compile(r"^2:[0-5]\d$"))   # "2 minutes and some seconds"

    def shown_and_waited():
        shown = seconds_of(age.inner_text())
        waited = time.monotonic() - taken
        # The real wait: the page ticks once a second and rounds to the second (a busy machine may lag).
        assert waited - 5 <= shown <= waited + 1, (shown, waited)
        return shown

    first = shown_and_waited()
    page.wait_for_function("""([selector, before]) => {
        const node = document.querySelector(selector);
        return node !== null && node.textContent !== before;
    }""", arg=[selector, age.inner_text()], timeout=5000)
    later = shown_and_waited()
    assert later > first, (first, later)              # it counts up while the page is open
    # A queue rebuilt by a live change keeps counting from the call, not from the rebuild.
    page.eval_on_selector(selector, "node => { node.closest('li').stale = true; }")
    assert world.patch("op", f"/api/incidents/{incident['id']}", {"notes": "pasien lansia"}).status_code == 200
    page.wait_for_function("""(selector) => {
        const node = document.querySelector(selector);
        return node !== null && node.closest("li").stale !== true;
    }""", arg=selector, timeout=LIVE_S)
    assert shown_and_waited() >= later


def test_in_english_the_queue_recommendations_and_detail_are_english_and_it_is_remembered(pages, world):
    incident = world.new_incident(priority="P1", category="cardiac", complaint="nyeri dada")
    # A unit sent and taken off again: the timeline has an assignment, its cancelling and status changes.
    aid = world.assign(incident["id"], world.unit_b.id).get_json()["assignments"][0]["id"]
    cancelled = world.post("op", f"/api/incidents/{incident['id']}/assignments/{aid}/cancel", {"reason": "salah unit"})
    assert cancelled.status_code == 200, cancelled.get_json()
    page = pages("/console", who="op")
    row = page.locator(f".queue-item[data-incident='{incident['id']}']")
    recommendations, detail, timeline = page.locator("#recommendations"), page.locator("#detail"), page.locator("#timeline")
    row.click()
    expect(page.locator("#recommendation-list > li")).to_have_count(3)
    # In Indonesian first, so that what follows sees a change.
    expect(row).to_contain_text("Jantung · Menunggu unit")
    expect(recommendations.locator("button.assign").first).to_have_text("Tugaskan [1]")
    expect(timeline.locator("li[data-type='call.received']")).to_contain_text("Panggilan diterima")

    page.click("#lang-switch")
    english(page, row, recommendations, detail, timeline)
    page.reload()
    expect(page.locator(".topbar h1")).to_have_text("Operator console")
    expect(page.locator("#lang-switch")).to_have_text("Bahasa Indonesia")
    row.click()
    english(page, row, recommendations, detail, timeline)
    assert page.console_errors == []


INDONESIAN = ("Antrean kejadian", "Merah", "Jantung", "Menunggu unit", "Rekomendasi unit", "Tugaskan", "dari pos jaga",
              "Dihitung dari pos jaga", "Perkiraan waktu tempuh", "Rincian kejadian", "Batalkan kejadian",
              "Tutup kejadian", "Simpan", "Ubah prioritas", "Riwayat", "Rumah sakit tujuan", "Jadikan tujuan",
              "Panggilan diterima", "Kejadian dibuat", "Penugasan dibatalkan", "Status kejadian", "Status unit")


def english(page, row, recommendations, detail, timeline):
    """The queue, the recommendations and the detail of the selected incident, all in English."""
    expect(page.locator(".queue-panel h2")).to_have_text("Incident queue")
    expect(page.locator("#board-title")).to_have_text("Unit board")
    expect(row.locator(".badge").first).to_have_text("Red")
    expect(row).to_contain_text("Cardiac · Waiting for a unit")
    expect(page.locator(".detail-col > h2")).to_have_text("Recommended units")
    expect(recommendations.locator("#recommendation-list > li")).to_have_count(3)
    first = recommendations.locator("button.assign").first
    expect(first).to_have_text("Assign [1]")
    expect(first).to_have_attribute("title", "Assign (key 1)")
    expect(recommendations).to_contain_text("from its station")
    expect(recommendations).to_contain_text("Fastest estimated road time")
    expect(recommendations).to_contain_text("Estimated from its station: no GPS position")
    expect(detail.locator("h2")).to_contain_text("Incident detail PSC-")
    expect(detail.locator("#cancel-incident")).to_have_text("Cancel incident")
    expect(detail.locator("#close-incident")).to_have_text("Close incident")
    expect(detail.locator("#save-notes")).to_have_text("Save")
    expect(detail.locator("label[for=change-priority]")).to_have_text("Change priority")
    expect(detail.locator("#change-priority option")).to_have_text(["Red", "Yellow", "Green"])
    detail.locator("#cancel-incident").click()                    # each action asks its own reason
    expect(detail.locator("label[for=action-input]")).to_have_text("Reason for cancelling the incident")
    expect(detail.locator("#action-confirm")).to_have_text("Cancel it")
    detail.locator("#action-back").click()
    expect(detail.locator("#action-prompt")).to_have_count(0)
    expect(detail.locator("h3", has_text="Destination hospitals")).to_have_count(1)
    expect(detail.locator("h3", has_text="Timeline")).to_have_count(1)
    expect(detail.locator("#hospital-list .set-destination").first).to_have_text("Set as destination")
    expect(timeline.locator("li[data-type='call.received']")).to_contain_text("Call received")
    expect(timeline.locator("li[data-type='incident.created']")).to_contain_text("Incident created")
    expect(timeline.locator("li[data-type='incident.assigned']")).to_contain_text("Unit assigned")
    expect(timeline.locator("li[data-type='assignment.cancelled']")).to_contain_text("Assignment cancelled")
    expect(timeline.locator("li[data-type='incident.status_changed']")).to_contain_text(
        ["Incident status changed: Unit dispatched", "Incident status changed: Waiting for a unit"])
    expect(timeline.locator("li[data-type='unit.status_changed']")).to_contain_text(
        ["Unit status: Dispatched", "Unit status: Available"])
    expect(timeline.locator("li time").first).to_have_text(re.compile(r"^\d\d:\d\d:\d\d WIB$"))
    main = page.locator("#main")
    for text in INDONESIAN:
        expect(main).not_to_contain_text(text)
    expect(main).not_to_contain_text(re.compile(r"\b(status|incident|event|console|priority)\.[a-z_]+"))  # no raw keys


def test_the_words_as_said_come_first_and_the_place_chosen_beside_them(pages, world):
    """Issue 11 item 1 on the console: the queue and the detail show what the caller said first,
    the place it was resolved to beside it, and say so when that place is only a kelurahan's centre."""
    hospital = world.new_incident(location_text="depan RS Antonius", location_name="RSU Santo Antonius",
                                  location_kind="hospital", lat=-0.020211, lon=109.326778)
    alley = world.new_incident(location_text="Gg. Mawar Sei Jawi Luar", location_name="Sungaijawi Luar",
                               location_kind="kelurahan", lat=-0.0375, lon=109.3093, priority="P2")
    page = pages("/console", who="op", viewport=(1366, 768))
    row = page.locator(f".queue-item[data-incident='{hospital['id']}']")
    expect(row.locator(".said")).to_have_text("depan RS Antonius")
    expect(row.locator(".resolved .place")).to_have_text("depan RSU Santo Antonius")
    expect(row.locator(".resolved .precision")).to_have_count(0)          # a named place: no "perkiraan"
    other = page.locator(f".queue-item[data-incident='{alley['id']}']")
    expect(other.locator(".said")).to_have_text("Gg. Mawar Sei Jawi Luar")
    expect(other.locator(".resolved .precision")).to_have_text("perkiraan: tengah kelurahan")
    other.click()
    expect(page.locator("#change-address")).to_have_value("Gg. Mawar Sei Jawi Luar")
    expect(page.locator("#detail-place .precision")).to_have_text("perkiraan: tengah kelurahan")
    row.click()
    expect(page.locator("#change-address")).to_have_value("depan RS Antonius")
    expect(page.locator("#detail-place .place")).to_have_text("depan RSU Santo Antonius")
    assert page.console_errors == []


def test_a_call_sign_in_the_queue_is_never_broken_at_its_hyphen(pages, world):
    """At 1366x768 a long second line ends in the unit's call sign: it moves whole to the next
    line rather than reading "Unit: PSC-" / "03"."""
    incident = world.new_incident(category="traffic_accident", priority="P1")
    world.assign(incident["id"], world.unit_c.id)
    page = pages("/console", who="op", viewport=(1366, 768))
    on = page.locator(f".queue-item[data-incident='{incident['id']}'] .unit-on")
    expect(on).to_have_text("Unit: PSC-03", timeout=LIVE_S)
    assert on.evaluate("(node) => node.getClientRects().length") == 1      # one box: not broken over lines
