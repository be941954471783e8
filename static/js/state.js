// What the live pages know: units, open incidents and live alerts, kept from the snapshot, the
// events and the positions (docs/REALTIME.md). Each event carries the whole unit, incident or alert
// it concerns.
const OPEN = new Set(["pending", "dispatched", "on_scene", "transporting"]);
const LIVE_ALERTS = new Set(["open", "acknowledged"]);

export class LiveState {
  constructor() {
    this.units = new Map();
    this.incidents = new Map();
    this.alerts = new Map();
    this.listeners = new Set();
  }

  onChange(fn) {
    this.listeners.add(fn);
  }

  emit(change) {
    this.listeners.forEach((fn) => fn(change));
  }

  snapshot(snapshot) {
    this.units = new Map(snapshot.units.map((u) => [u.id, u]));
    this.incidents = new Map(snapshot.incidents.map((i) => [i.id, i]));
    this.alerts = new Map((snapshot.alerts || []).map((a) => [a.id, a]));
    this.emit({ kind: "snapshot" });
  }

  event(event) {
    const data = event.data || {};
    if (data.unit) this.putUnit(data.unit);
    if (data.alert) this.putAlert(data.alert);
    if (data.into) this.putIncident(data.into);   // incident.merged: the survivor, with what it took
    if (data.incident) {
      this.putIncident(data.incident);
    } else if (data.assignment) {
      this.putAssignment(data.assignment);
    }
    this.emit({ kind: "event", event });
  }

  // A unit from an event or the API: a newer version replaces the older one, but the position is
  // the newest of the two (an event's unit carries the position of its time; the stream moves on).
  putUnit(unit) {
    const known = this.units.get(unit.id);
    if (known && (known.version ?? 0) > (unit.version ?? 0)) return;
    const newer = (a, b) => (a?.at && (!b?.at || new Date(a.at) > new Date(b.at)) ? a : b);
    this.units.set(unit.id, { ...unit, position: newer(known?.position, unit.position) });
  }

  // An incident from an event or from an API answer (which may come before or after the event of
  // the same change): an older one never replaces a newer; one no longer open leaves.
  putIncident(incident) {
    const known = this.incidents.get(incident.id);
    if (known?.updated_at && incident.updated_at && new Date(known.updated_at) > new Date(incident.updated_at)) return;
    if (OPEN.has(incident.status)) this.incidents.set(incident.id, incident);
    else this.incidents.delete(incident.id);
  }

  // An alert raised, acknowledged or resolved: a resolved one leaves; a later state never goes back.
  putAlert(alert) {
    const rank = { open: 0, acknowledged: 1, resolved: 2 };
    const known = this.alerts.get(alert.id);
    if (known && rank[known.state] > rank[alert.state]) return;
    if (LIVE_ALERTS.has(alert.state)) this.alerts.set(alert.id, alert);
    else this.alerts.delete(alert.id);
  }

  // Whether a unit offered to an incident (core/offers.py) is still on offer: the incident has no
  // active unit, the unit is available, and the offer was made since the unit last changed status.
  offerStands(incident) {
    const offer = incident?.offer;
    if (!offer) return false;
    if ((incident.assignments || []).some((a) => a.active)) return false;
    const unit = this.units.get(offer.unit_id);
    return Boolean(unit) && unit.status === "available"
      && new Date(offer.offered_at) >= new Date(unit.status_changed_at);
  }

  // An event about one assignment (accepted, not accepted in time, its unit's status report) carries
  // the assignment, not its incident: it replaces the one of the same id in its incident, in its
  // place (the server's order, by id), so the incident says what the server says.
  putAssignment(assignment) {
    const incident = this.incidents.get(assignment.incident_id);
    if (!incident) return;
    const list = incident.assignments || [];
    const at = list.findIndex((a) => a.id === assignment.id);
    const assignments = at < 0 ? [...list, assignment].sort((a, b) => a.id - b.id)
      : list.map((a, i) => (i === at ? { ...a, ...assignment } : a));
    this.incidents.set(incident.id, { ...incident, assignments });
  }

  // After a resume (no snapshot), where every unit is now: positions are not replayed.
  refreshUnits(units) {
    units.forEach((unit) => this.putUnit(unit));
    this.emit({ kind: "units" });
  }

  positions(items) {
    for (const p of items) {
      const unit = this.units.get(p.unit_id);
      if (!unit) continue;
      if (unit.position?.at && p.at && new Date(p.at) < new Date(unit.position.at)) continue;   // never older
      unit.position = { ...(unit.position || {}), lat: p.lat, lon: p.lon, at: p.at, accuracy_m: p.accuracy_m,
        speed_mps: p.speed_mps, heading: p.heading, source: "gps" };
    }
    this.emit({ kind: "positions", items });
  }

  // Where a unit is drawn: its GPS fix, else its station.
  static whereIs(unit) {
    if (unit.position && unit.position.lat !== null && unit.position.lat !== undefined) {
      return [unit.position.lat, unit.position.lon];
    }
    return [unit.station.lat, unit.station.lon];
  }
}
