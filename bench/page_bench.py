"""Browser page benchmark: the real pages in a real headless Chromium, against one real server.

It prepares a database like ``bench/realtime_bench.py`` (and reuses its helpers): SQLite in a
temporary file, or with ``--db postgres`` the database ``psc119_bench``, created and dropped;
the migrations; ``--units`` units (``RT-001``...) with one crew user each, a supervisor and an
operator; then it starts one server process (``python wsgi.py``) on a free port and logs
``--incidents`` calls through ``POST /api/calls`` so that the queue and the map have something
to show. Chromium is Debian's (``/usr/bin/chromium``; ``CHROMIUM_PATH`` changes it), headless,
driven by Playwright for Python; every page has a browser context of its own (its own cache,
local storage and connection), all in one browser. No login is typed: each context starts
with the user's token in local storage (``psc119.token``, ``psc119.user``, as
``static/js/api.js`` keeps them).

1. Page load. For ``/console`` (operator, 1440x900), ``/map`` (supervisor, 1440x900) and
   ``/crew`` (a crew, phone 390x844): ``--loads`` cold loads (each in a new context: empty
   cache) and as many warm ones (reloads of one context). A script added to every document
   (a MutationObserver from the first byte on) notes ``performance.now()``, i.e. the time since
   the navigation started, when the live indicator first says live
   (``#live-indicator[data-state=live]``) and when the first data is drawn (a queue row, a
   unit's marker, the crew's job or ``#no-job``). Once no request has been open for 200 ms,
   the page's resource timing gives the requests and bytes, and when its largest responses
   and its API calls started and ended. Baselines in the same run: a navigation to ``/api/health`` (the
   browser's own cost of showing a document from this server, in a new context or reloaded)
   and a python-socketio client with the same token connecting until its ``snapshot`` came
   (the server's part of "live with data", without a browser).

2. Live delivery. With K supervisor maps open (``--pages``, default 1,5,10; each in its own
   context), a supervisor toggles units ``available`` <-> ``out_of_service``
   (``POST /api/units/<id>/status``) and an operator logs calls (``POST /api/calls``), one change
   at a time with a pause (``--pause``), then ``--burst`` status changes back to back. In each
   page a MutationObserver on the map notes ``performance.timeOrigin + performance.now()`` (the
   machine's clock, as ``time.time()`` here: checked and printed) when the unit's marker gets
   the class ``status-<new>`` or the incident's marker ``path.incident-<id>`` appears, and the
   next animation frame after it; a listener added to every WebSocket before the page's scripts
   run notes when the event's message reached the page, which splits the time into delivery
   and the page's own handling. Latency: from the moment the HTTP answer of the change
   returned here to that moment; ``e2e`` from the start of the request. Baseline, in the same
   run and for the same changes: ``--sockets`` python-socketio clients (supervisor token,
   positions ``batch`` as the map asks) handling the matching ``event`` message. A change not
   seen within ``--timeout`` s is lost, and counted.

It prints the machine, the settings and the tables (``--json PATH`` writes them too) and exits
1 when a request failed, a page had a script error or never came live, or a change was lost;
never on speed. It exits 2, saying why, when Chromium or Playwright is missing.

    .venv/bin/python bench/page_bench.py                         # SQLite, about 3 minutes on 2 free cores
    .venv/bin/python bench/page_bench.py --db postgres --json bench/results/pages.json
    .venv/bin/python bench/page_bench.py --loads 3 --pages 1,3 --changes 10 --calls 5
"""
import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import namedtuple
from contextlib import contextmanager
from importlib.metadata import version

import requests

from api_latency import (MANY_CLIENTS_ONE_ADDRESS, ROOT, CallWorkload, log, login, migrate, new_session, percentile,
                         running_server)
from realtime_bench import (
    PG_DATABASE,
    Console,
    Deliveries,
    Errors,
    LoopThread,
    StatusChanger,
    code_version,
    connect_all,
    crew_name,
    database,
    disconnect_all,
    fmt_ms,
    populate,
    ratio,
    table,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PAGE_TIMEOUT_S = 30
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LIVE = "#live-indicator[data-state=live]"
# page, who, what counts as its first data, viewport
PAGES = (
    ("/console", "operator", "#queue-list .queue-item", DESKTOP),
    ("/map", "supervisor", "path.unit-marker", DESKTOP),
    ("/crew", "crew", "#no-job, #job", PHONE),
)

LOGGED_IN_JS = """
((origin, items) => {
  if (location.origin !== origin) return;
  for (const [key, value] of Object.entries(items)) {
    if (localStorage.getItem(key) === null) localStorage.setItem(key, value);
  }
})(...%s);
"""

# Added to every document of a page-load context: notes when each selector first matches, in ms
# since the navigation started.
LOAD_MARKS_JS = """
((want) => {
  const marks = {};
  const bench = window.__pageBench = { marks, done: false };
  const check = () => {
    for (const [name, selector] of Object.entries(want)) {
      if (!(name in marks) && document.querySelector(selector)) marks[name] = performance.now();
    }
    if (Object.keys(marks).length === Object.keys(want).length) { bench.done = true; observer.disconnect(); }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
})(%s);
"""

COLLECT_LOAD_JS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const entries = [nav, ...performance.getEntriesByType("resource")];
  return {
    marks: window.__pageBench.marks, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    resources: entries.map((e) => ({ name: new URL(e.name).pathname, type: e.initiatorType, transfer: e.transferSize,
      encoded: e.encodedBodySize, decoded: e.decodedBodySize, start: e.startTime, end: e.responseEnd })),
  };
}
"""

# Installed in a live map: every change of a unit marker's status-* class and every incident marker
# added, with the clock time it was in the DOM and the time of the next animation frame.
MAP_WATCH_JS = """
() => {
  const now = () => performance.timeOrigin + performance.now();
  const units = new Map(), incidents = new Map(), status = new Map(), consumed = new Map(), waiters = new Set();
  const unitOf = (n) => Number(/(?:^|\\s)unit-(\\d+)(?:\\s|$)/.exec(n.getAttribute("class") || "")?.[1]);
  const statusOf = (n) => /(?:^|\\s)status-(\\S+)/.exec(n.getAttribute("class") || "")?.[1];
  const map = document.querySelector("#map");
  map.querySelectorAll("path.unit-marker").forEach((n) => status.set(unitOf(n), statusOf(n)));
  map.querySelectorAll("path.incident-marker").forEach((n) => {
    const id = Number(/incident-(\\d+)/.exec(n.getAttribute("class"))[1]);
    incidents.set(id, { dom: 0, frame: 0, framed: Promise.resolve() });
  });
  const entry = (t) => { const e = { dom: t, frame: null }; e.framed = new Promise((r) => { e.done = r; }); return e; };
  new MutationObserver((records) => {
    const t = now();
    const fresh = [];
    for (const r of records) {
      if (r.type === "attributes") {
        const n = r.target;
        if (!n.classList?.contains("unit-marker")) continue;
        const id = unitOf(n), s = statusOf(n);
        if (status.get(id) === s) continue;
        status.set(id, s);
        const e = Object.assign(entry(t), { status: s });
        if (!units.has(id)) units.set(id, []);
        units.get(id).push(e);
        fresh.push(e);
      } else {
        for (const added of r.addedNodes) {
          if (added.nodeType !== 1) continue;
          const selector = "path.incident-marker";
          const nodes = added.matches(selector) ? [added] : added.querySelectorAll(selector);
          for (const n of nodes) {
            const id = Number(/incident-(\\d+)/.exec(n.getAttribute("class"))[1]);
            if (incidents.has(id)) continue;
            const e = entry(t);
            incidents.set(id, e);
            fresh.push(e);
          }
        }
      }
    }
    if (!fresh.length) return;
    requestAnimationFrame(() => { const f = now(); fresh.forEach((e) => { e.frame = f; e.done(); }); });
    waiters.forEach((w) => w());
  }).observe(map, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });

  // The first change of unit `id` to `s` not yet claimed (an earlier one of the other status is passed over),
  // or incident `id`'s marker; null when it has not come within timeoutMs.
  const look = (kind, id, s) => {
    if (kind === "incident") return incidents.get(id) || null;
    const list = units.get(id) || [];
    for (let i = consumed.get(id) || 0; i < list.length; i++) {
      if (list[i].status === s) { consumed.set(id, i + 1); return list[i]; }
    }
    return null;
  };
  window.__liveBench = {
    wait: (kind, id, s, timeoutMs) => new Promise((resolve) => {
      // the last message about it that came before it was in the DOM
      const key = kind === "incident" ? `incident:${id}` : `unit:${id}:${s}`;
      const message = (e) => (window.__wsArrivals?.get(key) || []).filter((t) => t <= e.dom).pop() ?? null;
      const settle = (e) => Promise.race([e.framed, new Promise((r) => setTimeout(r, 1000))])
        .then(() => resolve({ dom: e.dom, frame: e.frame, message: message(e) }));
      const found = look(kind, id, s);
      if (found) { settle(found); return; }
      const timer = setTimeout(() => { waiters.delete(waiter); resolve(null); }, timeoutMs);
      const waiter = () => {
        const e = look(kind, id, s);
        if (e) { clearTimeout(timer); waiters.delete(waiter); settle(e); }
      };
      waiters.add(waiter);
    }),
  };
  return true;
}
"""

# Added to every document of a live-delivery context, before the page's scripts: when each event message
# reached the page (before socket.io's own handler runs), by what it changes.
WS_ARRIVALS_JS = """
(() => {
  const Native = window.WebSocket;
  const seen = window.__wsArrivals = new Map();
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (ev) => {
        if (typeof ev.data !== "string" || !ev.data.startsWith('42["event"')) return;
        const t = performance.timeOrigin + performance.now();
        const e = JSON.parse(ev.data.slice(2))[1];
        const key = e.type === "incident.created" ? `incident:${e.incident_id}`
          : e.type === "unit.status_changed" ? `unit:${e.unit_id}:${e.data.unit.status}` : null;
        if (key) (seen.get(key) || seen.set(key, []).get(key)).push(t);
      });
    }
  };
})();
"""

CLOCK_JS = "() => [performance.timeOrigin + performance.now(), Date.now()]"


# --- browser -------------------------------------------------------------------------------

class PageFailed(Exception):
    """A page never came live with its data: the run stops, saying so (exit 1)."""


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])


class Pages:
    """Contexts of one browser, each a person's: the token in local storage, script errors kept."""

    def __init__(self, browser, base):
        self.browser, self.base = browser, base
        self.errors = []

    def context(self, session, viewport, marks=None, scripts=()):
        token, user = session
        context = self.browser.new_context(base_url=self.base, locale="id-ID", timezone_id="Asia/Pontianak", **viewport)
        # The token is in local storage before the page's first script runs (Playwright's storage_state does the
        # same by loading the origin in a page of its own first: seconds per context on this machine).
        context.add_init_script(LOGGED_IN_JS % json.dumps([self.base, {"psc119.token": token,
                                                                       "psc119.user": json.dumps(user)}]))
        if marks:
            context.add_init_script(LOAD_MARKS_JS % json.dumps(marks))
        for script in scripts:
            context.add_init_script(script)
        return context

    def page(self, context):
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"{page.url}: console: {m.text}"))
        in_flight = set()   # HTTP requests not answered yet (the websocket is none)
        page.on("request", lambda request: in_flight.add(request))
        page.on("requestfinished", lambda request: in_flight.discard(request))
        page.on("requestfailed", lambda request: in_flight.discard(request))
        page.in_flight = in_flight
        return page


def settle(page, quiet_s=0.2):
    """Wait until no HTTP request of the page has been open for ``quiet_s`` (Playwright's "networkidle" waits
    500 ms; a quarter of the page-load part would go to it)."""
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(50)   # Playwright hands over the request events while it waits
        if page.in_flight:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return
    raise PageFailed(f"{page.url}: requests still open after {PAGE_TIMEOUT_S}s: {[r.url for r in page.in_flight]}")


def load(page, navigate, idle=True):
    """``navigate()`` (a goto or a reload), wait for every mark, then (``idle``) for the network to be quiet."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    navigate()
    try:
        page.wait_for_function("() => window.__pageBench && window.__pageBench.done", timeout=PAGE_TIMEOUT_S * 1000)
    except PlaywrightTimeout:
        marks = page.evaluate("() => window.__pageBench && window.__pageBench.marks")
        raise PageFailed(f"{page.url}: not live with its data after {PAGE_TIMEOUT_S}s (seen: {marks})") from None
    if idle:
        settle(page)
    return page.evaluate(COLLECT_LOAD_JS)


def resources_summary(loads):
    """Requests per load, bytes over the wire, decoded bytes (medians over the loads)."""
    def med(values):
        return percentile(sorted(values), 50)
    return {"requests": med([len(m["resources"]) for m in loads]),
            "network_requests": med([sum(1 for r in m["resources"] if r["transfer"] > 0) for m in loads]),
            "transfer_kb": med([sum(r["transfer"] for r in m["resources"]) / 1024 for m in loads]),
            "decoded_kb": med([sum(r["decoded"] for r in m["resources"]) / 1024 for m in loads])}


def where_time_goes(loads, n=3):
    """The ``n`` largest responses of the loads and every API call, in the order they started: decoded KB,
    median start and end (ms since the navigation started)."""
    by_name = {}
    for m in loads:
        for r in m["resources"]:
            by_name.setdefault(r["name"], []).append(r)
    rows = [{"resource": name, "kb": max(r["decoded"] for r in rs) / 1024, "type": rs[0]["type"],
             "start_ms": percentile(sorted(r["start"] for r in rs), 50),
             "end_ms": percentile(sorted(r["end"] for r in rs), 50)} for name, rs in by_name.items()]
    biggest = sorted(rows, key=lambda r: -r["kb"])[:n]
    return sorted((r for r in rows if r in biggest or r["resource"].startswith("/api/")), key=lambda r: r["start_ms"])


def stats(values):
    values = sorted(v for v in values if v is not None)
    return {"n": len(values), "p50_ms": percentile(values, 50), "p99_ms": percentile(values, 99)}


# --- part 1: page load ---------------------------------------------------------------------

def socket_snapshot_times(loop, base, token, n):
    """A python-socketio client with ``token``: ms from connecting to its snapshot, ``n`` times."""
    times = []
    for i in range(n + 1):
        client = Console(i)
        client.positions_mode = "batch"
        t0 = time.perf_counter()
        loop.run(client.connect(base, token))
        if i:   # the first is a warm-up
            times.append((time.perf_counter() - t0) * 1000)
        loop.run(client.sio.disconnect())
    return times


def loads(pages, session, viewport, path, marks, n, idle=True):
    """``n`` cold loads of ``path`` (each in a new context, after one that is not counted) and ``n`` reloads of
    the last context (warm)."""
    cold, warm = [], []
    for i in range(n + 1):
        context = pages.context(session, viewport, marks)
        try:
            page = pages.page(context)
            m = load(page, lambda: page.goto(path), idle)
            if i:
                cold.append(m)
            if i == n:
                warm = [load(page, page.reload, idle) for _ in range(n)]
        finally:
            context.close()
    return cold, warm


def part1(pages, loop, base, sessions, args):
    rows, big = [], {}
    for path, who, data, viewport in PAGES:
        log(f"[load] {path} as {who}: {args.loads} cold, {args.loads} warm")
        cold, warm = loads(pages, sessions[who], viewport, path, {"live": LIVE, "data": data}, args.loads)
        snapshot = socket_snapshot_times(loop, base, sessions[who][0], args.loads)
        for kind, measured in (("cold", cold), ("warm", warm)):
            data_ms = [m["marks"]["data"] for m in measured]
            rows.append({"page": path, "who": who, "load": kind, **stats(data_ms),
                         "live": stats([m["marks"]["live"] for m in measured]),
                         "dcl": stats([m["dcl"] for m in measured]), **resources_summary(measured),
                         "data_vs_snapshot": percentile(sorted(data_ms), 50) / percentile(sorted(snapshot), 50)})
        rows.append({"page": path, "who": who, "load": "socket snapshot [baseline]", **stats(snapshot)})
        big[path] = where_time_goes(cold)
    # The browser's own cost of a page from this server: a JSON document, nothing to run or fetch.
    cold, warm = loads(pages, sessions["supervisor"], DESKTOP, "/api/health", {"data": "body"}, args.loads, False)
    for kind, measured in (("cold", cold), ("warm", warm)):
        rows.append({"page": "/api/health", "who": "-", "load": f"{kind} [baseline]",
                     **stats([m["marks"]["data"] for m in measured])})
    return rows, big


# --- part 1c: the street layer -------------------------------------------------------------

ROAD_MAPS = (("/crew", "crew", "#crew-map", PHONE), ("/map", "supervisor", "#map", DESKTOP))


def part1c(pages, base, sessions, args):
    """The street layer drawn with no tile server: its size (raw and gzipped, as served), the time the
    page's script takes to build and draw it (data-roads-ms) and when it is on screen (ms since the
    navigation), cold (a new context: the layer is fetched) and warm (a reload: from the browser's cache).
    Baseline: the page's own "live" mark of the same loads."""
    import gzip

    import requests

    token = sessions["crew"][0]
    headers = {"Authorization": f"Bearer {token}"}
    plain = requests.get(f"{base}/api/map/roads", headers={**headers, "Accept-Encoding": "identity"}, timeout=30)
    packed = requests.get(f"{base}/api/map/roads", headers={**headers, "Accept-Encoding": "gzip"}, timeout=30,
                          stream=True)
    wire = len(packed.raw.read())
    size = {"raw_kb": len(plain.content) / 1024, "gzip_kb": wire / 1024,
            "gzip_check_kb": len(gzip.compress(plain.content)) / 1024}
    rows = []
    for path, who, selector, viewport in ROAD_MAPS:
        marks = {"live": LIVE, "roads": f"{selector}[data-roads=drawn]"}
        measured = {"cold": [], "warm": []}
        for i in range(args.loads + 1):
            context = pages.context(sessions[who], viewport, marks)
            try:
                page = pages.page(context)
                for kind, navigate in (("cold", lambda: page.goto(path)), ("warm", page.reload)):
                    m = load(page, navigate, idle=False)
                    if i:
                        measured[kind].append((m["marks"]["roads"], m["marks"]["live"], float(
                            page.locator(selector).get_attribute("data-roads-ms"))))
            finally:
                context.close()
        for kind, values in measured.items():
            rows.append({"page": path, "viewport": f"{viewport['viewport']['width']}x{viewport['viewport']['height']}",
                         "load": kind, "on_screen": stats([v[0] for v in values]), "live": stats([v[1] for v in values]),
                         "draw": stats([v[2] for v in values])})
    return {"size": size, "rows": rows}


# --- part 2: live delivery -----------------------------------------------------------------

class Watcher(Console):
    """The baseline: a python-socketio console that also times ``incident.created``."""

    def _on_event(self, event):
        if event.get("type") == "incident.created" and self.deliveries is not None:
            self.deliveries.arrived(("incident", event["incident_id"]), self.number, time.perf_counter())
        else:
            super()._on_event(event)


class CallMaker:
    """An operator logs a call (``api_latency.CallWorkload``); the change is its new incident."""

    def __init__(self, base, token, errors):
        self.workload = CallWorkload(base, {"operator": token}, [])
        self.http = new_session(token)
        self.errors = errors
        self.i = 0

    def change(self):
        self.i += 1
        t0 = time.perf_counter()
        try:
            r = self.workload.request(self.http, 0, self.i)
        except requests.RequestException as exc:
            self.errors.add(f"call: {type(exc).__name__}: {exc}")
            return None
        t = time.perf_counter()
        if not 200 <= r.status_code < 300:
            self.errors.add(f"call: {r.status_code} {r.text[:200]}")
            return None
        return ("incident", r.json()["incident"]["id"]), t0, t


def open_map(pages, session):
    context = pages.context(session, DESKTOP, {"live": LIVE, "data": "path.unit-marker"}, [WS_ARRIVALS_JS])
    page = pages.page(context)
    load(page, lambda: page.goto("/map"), idle=False)
    page.evaluate(MAP_WATCH_JS)
    return context, page, clock_offset(page)


def clock_offset(page, reads=5):
    """The page's clock minus this process's ``time.time()``, from the read with the shortest round trip."""
    best = None
    for _ in range(reads):
        before = time.time() * 1000
        hr, date = page.evaluate(CLOCK_JS)
        after = time.time() * 1000
        if best is None or after - before < best["rtt_ms"]:
            best = {"hr_offset_ms": hr - (before + after) / 2, "date_offset_ms": date - (before + after) / 2,
                    "hr_minus_date_ms": hr - date, "rtt_ms": after - before}
    return best


# A change made: its key in the Deliveries of the sockets, perf_counter at the start of its request and at
# the answer, the same two moments in ms of the machine's clock (the pages'), and the unit's new status.
Change = namedtuple("Change", "key t_start t_answer start_ms answer_ms status")


def measure(changer, status_of, maps, watchers, n, *, burst, pause, timeout):
    """``n`` changes (each waited for on every page and socket unless ``burst``: all made first),
    then their arrivals in the pages' DOM and at the python-socketio clients."""
    deliveries = Deliveries()
    for w in watchers:
        w.deliveries = deliveries
    sent = []

    def collect(change, deadline):
        kind, ident = change.key if change.key[0] == "incident" else ("unit", change.key[0])
        found = []
        for page in maps:
            left_ms = int(max(0.0, deadline - time.monotonic()) * 1000)
            found.append(page.evaluate("(a) => window.__liveBench.wait(...a)", [kind, ident, change.status, left_ms]))
        deliveries.wait(change.key, len(watchers), max(0.0, deadline - time.monotonic()))
        return found

    results = []
    started = time.perf_counter()
    for _ in range(n):
        done = changer.change()
        if done is None:
            continue
        offset_ms = time.time() * 1000 - time.perf_counter() * 1000
        key, t0, t = done
        change = Change(key, t0, t, t0 * 1000 + offset_ms, t * 1000 + offset_ms, status_of(key))
        sent.append(change)
        if not burst:
            results.append(collect(change, time.monotonic() + timeout))
            time.sleep(pause)
    if burst:
        deadline = time.monotonic() + timeout
        results = [collect(change, deadline) for change in sent]
    wall = time.perf_counter() - started
    for w in watchers:
        w.deliveries = None

    dom, frame, e2e, wire, handling, lost, last = [], [], [], [], [], 0, -math.inf
    for change, found in zip(sent, results):
        for f in found:
            if f is None:
                lost += 1
                continue
            dom.append(f["dom"] - change.answer_ms)
            e2e.append(f["dom"] - change.start_ms)
            if f["frame"] is not None:
                frame.append(f["frame"] - change.answer_ms)
            if f["message"] is not None:
                wire.append(f["message"] - change.answer_ms)
                handling.append(f["dom"] - f["message"])
            last = max(last, f["dom"])
    first_ms = sent[0].start_ms if sent else 0
    page_row = {"receiver": "map pages (DOM)", "changes": len(sent), "deliveries": len(dom), "lost": lost,
                **stats(dom), "e2e": stats(e2e), "frame": stats(frame), "message": stats(wire),
                "handling": stats(handling)}
    socket_answer, socket_start, socket_lost = deliveries.latencies([c[:3] for c in sent], [w.number for w in watchers])
    socket_last = max((t for c in sent for t in deliveries.arrivals.get(c.key, {}).values()), default=-math.inf)
    socket_row = {"receiver": "python-socketio [baseline]", "changes": len(sent), "deliveries": len(socket_answer),
                  "lost": socket_lost + deliveries.duplicates, **stats(socket_answer), "e2e": stats(socket_start),
                  "frame": stats([]), "message": stats([]), "handling": stats([])}
    if burst:   # the span from the first request to the last arrival
        page_row["per_s"] = len(dom) / max(1e-9, (last - first_ms) / 1000)
        socket_row["per_s"] = len(socket_answer) / max(1e-9, socket_last - sent[0].t_start) if sent else 0
    else:
        page_row["per_s"] = len(dom) / wall
        socket_row["per_s"] = len(socket_answer) / wall
    return [page_row, socket_row]


def part2(pages, loop, base, sessions, unit_ids, args, errors):
    watchers = [Watcher(i) for i in range(args.sockets)]
    for w in watchers:
        w.positions_mode = "batch"
    maps, rows, clocks = [], [], []
    loop.run(connect_all(watchers, base, [sessions["supervisor"][0]] * len(watchers)))
    try:
        for k in args.pages:
            t0, opened = time.perf_counter(), k - len(maps)
            while len(maps) < k:
                context, page, clock = open_map(pages, sessions["supervisor"])
                maps.append((context, page))
                clocks.append(clock)
            log(f"[live] {k} map pages ({time.perf_counter() - t0:.1f}s to open {opened}); "
                f"{args.changes} status changes, {args.calls} calls, a burst of {args.burst}")
            open_pages = [p for _, p in maps]
            changer = StatusChanger(base, sessions["supervisor"][0], unit_ids, errors)
            calls = CallMaker(base, sessions["operator"][0], errors)

            def unit_status(key):
                return changer.status[key[0]]

            for label, maker, n, burst, status_of in (
                    ("unit status", changer, args.changes, False, unit_status),
                    ("new call", calls, args.calls, False, lambda key: None),
                    ("unit status, burst", changer, args.burst, True, unit_status)):
                if n <= 0:
                    continue
                for r in measure(maker, status_of, open_pages, watchers, n, burst=burst, pause=args.pause,
                                 timeout=args.timeout):
                    rows.append({"pages": k, "change": label, **r})
    finally:
        loop.run(disconnect_all(watchers))
        for context, _ in maps:
            context.close()
    return rows, clocks


# --- output --------------------------------------------------------------------------------

def fmt_kb(x):
    return "-" if x is None else f"{x:,.0f}" if x >= 10 else f"{x:.1f}"


def print_results(results, args):
    print(f"# code: {results['code']}")
    print(f"# machine: {os.cpu_count()} CPUs, {platform.machine()}, Linux {platform.release()}, "
          f"python {platform.python_version()}, {results['browser']} (headless), playwright {version('playwright')}, "
          f"python-socketio {version('python-socketio')}")
    print(f"# load average (1 min) at the start and the end: {results['loadavg'][0]:.1f}, {results['loadavg'][1]:.1f} "
          f"(other processes on the machine count too)")
    print(f"# database: {args.db}; server: python wsgi.py (Werkzeug threaded, simple-websocket), one process; "
          f"{args.units} units, {args.incidents} open incidents at the start; browser, server and bench share the "
          f"machine")
    if results["load"]:
        print()
        print(f"## 1. Page load, ms from the start of the navigation ({args.loads} loads each; cold: a new browser "
              f"context, warm: a reload)")
        lines = []
        for r in results["load"]:
            baseline = "baseline" in r["load"]
            lines.append([r["page"], r["who"], r["load"], r["n"],
                          "-" if baseline else fmt_ms(r["live"]["p50_ms"]),
                          "-" if baseline else fmt_ms(r["live"]["p99_ms"]),
                          fmt_ms(r["p50_ms"]), fmt_ms(r["p99_ms"]),
                          "-" if baseline else fmt_ms(r["dcl"]["p50_ms"]),
                          "-" if baseline else f"{r['requests']:.0f}",
                          "-" if baseline else f"{r['network_requests']:.0f}",
                          "-" if baseline else fmt_kb(r["transfer_kb"]),
                          "-" if baseline else f"{r['data_vs_snapshot']:.1f}x"])
        table(["page", "who", "load", "n", "live p50", "live p99", "data p50", "data p99", "DCL p50", "requests",
               "over network", "KB transferred", "data vs snapshot"], lines, left=3)
        print("live: the indicator says live; data: the first data drawn (console: a queue row; map: a unit's "
              "marker; crew: the job or 'no job'); DCL: DOMContentLoaded (the module scripts have run); requests: "
              "resource timing entries until no request was open for 200 ms (the websocket not counted), 'over "
              "network' those not served from the cache; KB transferred: bytes on the wire, headers included (median "
              "load); data vs snapshot: data p50 / the socket snapshot p50 of the same user. Baselines: 'socket "
              "snapshot': a python-socketio client connecting until its snapshot came; /api/health: its body is in "
              "the DOM (a JSON document: nothing to run)")
        print()
        print("## 1b. Where a cold load's time goes: its 3 largest responses and its API calls (median ms since the "
              "navigation started)")
        lines = []
        for page, resources in results["cold_breakdown"].items():
            load = next(r for r in results["load"] if r["page"] == page and r["load"] == "cold")
            lines += [[page, r["resource"], r["type"], fmt_kb(r["kb"]), fmt_ms(r["start_ms"]), fmt_ms(r["end_ms"])]
                      for r in resources]
            lines.append([page, "(DOMContentLoaded; live; data)", "", "", "",
                          f"{fmt_ms(load['dcl']['p50_ms'])}; {fmt_ms(load['live']['p50_ms'])}; "
                          f"{fmt_ms(load['p50_ms'])}"])
        table(["page", "resource", "type", "KB", "start", "end"], lines, left=3)
    if results.get("roads"):
        size = results["roads"]["size"]
        print()
        print(f"## 1c. The street layer (GET /api/map/roads, no tile server): {size['raw_kb']:.0f} KB raw, "
              f"{size['gzip_kb']:.0f} KB gzipped on the wire (target under 500 KB compressed)")
        table(["page", "viewport", "load", "n", "draw p50", "draw p99", "on screen p50", "on screen p99", "live p50"],
              [[r["page"], r["viewport"], r["load"], r["draw"]["n"], fmt_ms(r["draw"]["p50_ms"]),
                fmt_ms(r["draw"]["p99_ms"]), fmt_ms(r["on_screen"]["p50_ms"]), fmt_ms(r["on_screen"]["p99_ms"]),
                fmt_ms(r["live"]["p50_ms"])] for r in results["roads"]["rows"]], left=3)
        print("draw: the page's script building and drawing the layer once it has the data (target under 1 s on the "
              "phone-sized page); on screen: ms from the start of the navigation until the layer is drawn (warm: "
              "the layer from the browser's cache); live p50: the same loads' live indicator, for comparison")
    if results["live"]:
        print()
        print(f"## 2. Live delivery to K supervisor maps vs {args.sockets} python-socketio client(s), same changes "
              f"(ms from the HTTP answer; e2e from the start of the request)")
        lines = [[r["pages"], r["change"], r["receiver"], r["changes"], r["deliveries"], r["lost"],
                  fmt_ms(r["p50_ms"]), fmt_ms(r["p99_ms"]), fmt_ms(r["e2e"]["p50_ms"]), fmt_ms(r["e2e"]["p99_ms"]),
                  fmt_ms(r["frame"]["p50_ms"]), fmt_ms(r["message"]["p50_ms"]), fmt_ms(r["handling"]["p50_ms"]),
                  fmt_ms(r["handling"]["p99_ms"]), f"{r['per_s']:.0f}"]
                 for r in results["live"]]
        table(["pages", "change", "receiver", "changes", "deliveries", "lost", "p50", "p99", "e2e p50", "e2e p99",
               "frame p50", "ws msg p50", "handling p50", "handling p99", "deliveries/s"], lines, left=3)
        print(f"pages: maps open (one context each); a change every {args.pause:g}s, waited for everywhere, except "
              "the burst (all requests first); deliveries: pages x changes (sockets x changes); frame: the next "
              "animation frame after the DOM change; ws msg: the event's websocket message reached the page (before "
              "socket.io handles it); handling: from that message to the DOM change; deliveries/s: over the whole "
              "sequence (paced: bounded by the pause), for the burst from its first request to its last arrival")
        print()
        by = {(r["pages"], r["change"], r["receiver"].startswith("map")): r for r in results["live"]}
        table(["pages", "change", "p50 pages/socket", "p99 pages/socket", "e2e p50 pages/socket",
               "e2e p99 pages/socket"],
              [[k, c, ratio(r["p50_ms"], by[(k, c, False)]["p50_ms"]), ratio(r["p99_ms"], by[(k, c, False)]["p99_ms"]),
                ratio(r["e2e"]["p50_ms"], by[(k, c, False)]["e2e"]["p50_ms"]),
                ratio(r["e2e"]["p99_ms"], by[(k, c, False)]["e2e"]["p99_ms"])]
               for (k, c, is_page), r in by.items() if is_page], left=2)
        clocks = results["clocks"]
        offsets = [c["hr_offset_ms"] for c in clocks]
        print(f"clock: the pages' performance.timeOrigin+now() minus their Date.now(): at most "
              f"{max(abs(c['hr_minus_date_ms']) for c in clocks):.1f} ms; minus time.time() here: {min(offsets):+.1f} "
              f".. {max(offsets):+.1f} ms, read with a round trip of at most {max(c['rtt_ms'] for c in clocks):.1f} ms "
              f"(the best of 5 reads per page)")


# --- main ----------------------------------------------------------------------------------

def static_changes():
    try:
        out = subprocess.run(["git", "status", "--porcelain", "static"], cwd=ROOT, capture_output=True, text=True,
                             check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return "+static changes" if out else ""


def seed_calls(base, token, n, errors):
    maker = CallMaker(base, token, errors)
    for _ in range(n):
        maker.change()


@contextmanager
def scratch(args):
    """A folder for the server's log: removed at the end unless ``--keep-logs`` or a log holds a traceback."""
    workdir = tempfile.mkdtemp(prefix="psc119_pagebench_")
    try:
        yield workdir
    finally:
        for name in os.listdir(workdir):
            with open(os.path.join(workdir, name)) as fh:
                if "Traceback (most recent call last)" in fh.read():
                    log(f"{name} holds a traceback")
                    args.keep_logs = True
        if args.keep_logs:
            log(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args):
    from playwright.sync_api import sync_playwright

    results = {"code": code_version() + static_changes(),
               "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "load": [], "cold_breakdown": {}, "live": [], "clocks": [], "loadavg": [os.getloadavg()[0]]}
    errors = Errors()
    loop = LoopThread()
    try:
        with scratch(args) as workdir, database(args) as url, sync_playwright() as playwright:
            log(f"[{args.db}] migrating {url}")
            migrate(url, workdir)
            unit_ids = populate(url, args.units)
            with running_server("python", url, workdir, **MANY_CLIENTS_ONE_ADDRESS) as (base, _):
                sessions = {who: (login(base, name), {"username": name, "role": who})
                            for who, name in (("operator", "rt_op"), ("supervisor", "rt_sup"),
                                              ("crew", crew_name(0)))}
                seed_calls(base, sessions["operator"][0], args.incidents, errors)
                browser = launch(playwright)
                results["browser"] = f"Chromium {browser.version}"
                pages = Pages(browser, base)
                try:
                    t0 = time.perf_counter()
                    if args.loads:
                        results["load"], results["cold_breakdown"] = part1(pages, loop, base, sessions, args)
                        results["roads"] = part1c(pages, base, sessions, args)
                    t1 = time.perf_counter()
                    if args.pages:
                        results["live"], results["clocks"] = part2(pages, loop, base, sessions, unit_ids, args,
                                                                   errors)
                    results["seconds"] = {"page_load": t1 - t0, "live_delivery": time.perf_counter() - t1}
                finally:
                    browser.close()
                results["page_errors"] = pages.errors
    finally:
        loop.close()
    results["loadavg"].append(os.getloadavg()[0])
    results["request_errors"] = errors.n
    results["request_error_samples"] = errors.samples
    return results


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--loads", type=int, default=10, help="cold loads and warm reloads per page (default 10; 0: skip)")
    p.add_argument("--pages", default="1,5,10", help="map pages open for part 2, ascending (default 1,5,10; "
                                                      "empty: skip part 2)")
    p.add_argument("--sockets", type=int, default=1, help="python-socketio baseline clients (default 1)")
    p.add_argument("--changes", type=int, default=12, help="unit status changes per page count (default 12)")
    p.add_argument("--calls", type=int, default=4, help="calls logged per page count (default 4)")
    p.add_argument("--burst", type=int, default=10, help="status changes made back to back per page count "
                                                         "(default 10; at most --units)")
    p.add_argument("--pause", type=float, default=0.6,
                   help="seconds between two paced changes (default 0.6: the map refreshes its statistics 0.5 s "
                        "after the last event)")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds after which a change not seen is lost (default 30; for a burst: after its last "
                        "request)")
    p.add_argument("--units", type=int, default=30, help="units (one crew each) on the map (default 30)")
    p.add_argument("--incidents", type=int, default=20, help="calls logged before the loads (default 20)")
    p.add_argument("--pg-admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL",
                                                            "postgresql://postgres@127.0.0.1:5432/postgres"),
                   help=f"PostgreSQL URL used to create and drop the database {PG_DATABASE}")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON (e.g. bench/results/pages.json)")
    p.add_argument("--keep-logs", action="store_true", help="keep the server log (kept anyway on tracebacks)")
    args = p.parse_args(argv)
    try:
        args.pages = [int(x) for x in args.pages.split(",") if x.strip()]
    except ValueError:
        p.error("--pages is a comma-separated list of whole numbers")
    if args.pages != sorted(set(args.pages)) or any(not 1 <= k <= 50 for k in args.pages):
        p.error("--pages must be ascending, distinct, 1..50")
    if not 1 <= args.units <= 1000 or not 0 <= args.burst <= args.units:
        p.error("--units must be 1..1000 and --burst 0..--units (each unit changes once in a burst)")
    if min(args.loads, args.changes, args.calls, args.incidents) < 0 or args.sockets < 1 or args.pause < 0:
        p.error("--loads, --changes, --calls, --incidents must be >= 0, --sockets >= 1, --pause >= 0")
    if args.loads and args.incidents < 1:
        p.error("the console's first data is a queue row: --incidents must be >= 1 when pages are loaded")
    if not args.pg_admin_url.startswith("postgresql://127.0.0.1") and "@127.0.0.1" not in args.pg_admin_url:
        p.error("--pg-admin-url must point at 127.0.0.1")
    return args


def check_browser():
    """Chromium and Playwright for Python must be there: say which is missing and how to get it."""
    if not os.path.exists(CHROMIUM):
        return f"chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (make setup-dev: requirements-dev.txt)"
    if not os.path.isdir(os.path.join(ROOT, "node_modules", "leaflet", "dist")):
        return "the browser libraries are not installed (make setup: npm ci)"
    return None


def main(argv=None):
    args = parse_args(argv)
    missing = check_browser()
    if missing:
        print(f"page_bench: {missing}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        results = run(args)
    except PageFailed as exc:
        print(f"page_bench: {exc}", file=sys.stderr)
        return 1
    print_results(results, args)
    lost = sum(r["lost"] for r in results["live"])
    for error in results["page_errors"][:10]:
        print(f"page error: {error}")
    print(f"\n# {time.perf_counter() - started:.0f}s (page loads {results['seconds']['page_load']:.0f}s, live delivery "
          f"{results['seconds']['live_delivery']:.0f}s); request errors {results['request_errors']}, page errors "
          f"{len(results['page_errors'])}, lost deliveries {lost}")
    if args.json:
        settings = {k: v for k, v in vars(args).items() if k != "pg_admin_url"}
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump({"args": settings, **results}, fh, indent=2, default=str)
    return 1 if results["request_errors"] or results["page_errors"] or lost else 0


if __name__ == "__main__":
    sys.exit(main())
