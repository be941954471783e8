// The crew phone's position (crew.js): the browser's geolocation, sent over the live connection
// (socket `location`) when it is new, at most every FIX_EVERY_MS, while on duty and connected.
const FIX_EVERY_MS = 5000;

// connection(): the live connection now; onDuty(): whether positions are to be shared;
// onState(key): "crew.sharing" or "crew.no_gps", the line under the map.
export function shareLocation({ connection, onDuty, onState }) {
  let latestFix = null;
  let sentFixAt = 0;
  let lastFixSent = 0;

  function sendFix() {
    const now = Date.now();
    const live = connection();
    if (!latestFix || latestFix.timestamp <= sentFixAt || !onDuty() || !live?.socket.connected
        || now - lastFixSent < FIX_EVERY_MS) return;
    lastFixSent = now;
    sentFixAt = latestFix.timestamp;
    const c = latestFix.coords;
    live.call("location", { lat: c.latitude, lon: c.longitude, recorded_at: new Date(latestFix.timestamp).toISOString(),
      accuracy_m: Number.isFinite(c.accuracy) ? Math.min(c.accuracy, 10000) : null,
      speed_mps: Number.isFinite(c.speed) ? Math.min(Math.max(c.speed, 0), 150) : null,
      heading: Number.isFinite(c.heading) ? c.heading % 360 : null })
      .catch(() => { sentFixAt = 0; });   // not stored: send it again
  }

  if (!navigator.geolocation) { onState("crew.no_gps"); return; }
  navigator.geolocation.watchPosition((p) => {
    latestFix = p;
    onState("crew.sharing");
    sendFix();
  }, () => onState("crew.no_gps"), { enableHighAccuracy: true, maximumAge: 5000 });
  setInterval(sendFix, 1000);
}
