// Times are stored in UTC and shown in Pontianak's time (WIB, UTC+7).
import { lang, t } from "./i18n.js";

const ZONE = "Asia/Pontianak";

function formatter(options) {
  return new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "id-ID", { timeZone: ZONE, ...options });
}

export function clock(iso) {
  if (!iso) return "";
  return formatter({ hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(new Date(iso)) + " WIB";
}

export function dateTime(iso) {
  if (!iso) return "";
  return formatter({ day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", hour12: false })
    .format(new Date(iso)) + " WIB";
}

// "4:05" for 4 minutes 5 seconds, "1:02:03" past an hour.
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

export function secondsSince(iso, now = Date.now()) {
  return iso ? (now - new Date(iso).getTime()) / 1000 : null;
}

// A road time as a crew reads it at a glance: "12 mnt" (never "11:57", which reads as a clock).
export function minutes(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const m = Math.round(seconds / 60);
  return m < 1 ? t("time.under_a_minute") : t("time.minutes", { n: m });
}
