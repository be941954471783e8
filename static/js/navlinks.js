// Links that hand a place or a number to the phone's own apps (docs/UI.md, "Navigation"):
// - directions: a Google Maps URL (https://www.google.com/maps/dir/?api=1...), the one link that
//   opens the navigation app on Android and on iOS when it is installed, and the browser otherwise;
// - another app: a geo: URI (RFC 5870, with Android's q=...(label)) on Android, which offers every
//   map app on the phone (Organic Maps, OsmAnd, Waze, offline ones too); Safari on iOS does not
//   open geo:, so there it is an Apple Maps link (maps.apple.com, opened by Apple Maps);
// - the caller: a tel: link (RFC 3966) with the number's digits.
const fixed = (n) => Number(n).toFixed(6);

export function directionsUrl(lat, lon) {
  return `https://www.google.com/maps/dir/?api=1&destination=${fixed(lat)},${fixed(lon)}`
    + "&travelmode=driving&dir_action=navigate";
}

export function isIOS() {
  return /iPad|iPhone|iPod/.test(navigator.userAgent)
    || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

export function otherAppUrl(lat, lon, name) {
  if (isIOS()) return `https://maps.apple.com/?daddr=${fixed(lat)},${fixed(lon)}&dirflg=d`;
  const where = `${fixed(lat)},${fixed(lon)}`;
  const tag = String(name || "").replace(/[()]/g, " ").trim();
  return `geo:${where}?q=${where}${tag ? `(${encodeURIComponent(tag)})` : ""}`;
}

export function telHref(phone) {
  const digits = String(phone || "").replace(/[^\d+]/g, "");
  return digits.replace(/\D/g, "").length >= 3 ? `tel:${digits}` : null;
}
