// What the API says when it refuses, in the page's language. The API answers in English with a
// code and, per field, marshmallow's message: known ones are translated here, the rest shown as
// they are (they name the field and the rule, which still helps).
import { t } from "./i18n.js";

const FIELD_RULES = [
  [/^Missing data for required field\.$/, () => t("field.required")],
  [/^Field may not be null\.$/, () => t("field.required")],
  [/^must not be blank$/, () => t("field.required")],
  [/^Length must be between (\d+) and (\d+)\.$/, (m) => t("field.length", { min: m[1], max: m[2] })],
  [/^Longer than maximum length (\d+)\.$/, (m) => t("field.too_long", { max: m[1] })],
  [/^Shorter than minimum length (\d+)\.$/, (m) => t("field.too_short", { min: m[1] })],
  [/^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$/,
    (m) => t("field.range", { min: m[1], max: m[2] })],
  [/^Must be one of: (.*)\.$/, (m) => t("field.one_of", { list: m[1] })],
  [/^Not a valid (.*)\.$/, () => t("field.invalid")],
  [/^Unknown field\.$/, () => t("field.unknown")],
  [/^digits, spaces, '\+', '-' and brackets only/, () => t("field.phone")],
  [/^too short for a phone number/, () => t("field.phone_short")],
  [/^a mobile number \(08\.\.\.\) has 10 to 13 digits/, () => t("field.phone_mobile")],
  [/^not a possible phone number/, () => t("field.phone_impossible")],
  [/^too many digits for a phone number/, () => t("field.phone_long")],
  // A paper card's times (core/late.py).
  [/^in the future$/, () => t("field.in_future")],
  [/^more than 7 days back$/, () => t("field.too_old")],
  [/^before (\w+)$/, (m) => t("field.before", { what: t(`card.${m[1]}`) })],
  [/^required with at_hospital_at$/, () => t("field.hospital_needed")],
  [/^supervisors only$/, () => t("field.supervisors_only")],
  [/^unknown unit$/, () => t("field.unknown_unit")],
  [/^unknown hospital$/, () => t("field.unknown_hospital")],
];

// One field's message (a string or a list of them).
export function fieldText(message) {
  const one = (text) => {
    for (const [rule, say] of FIELD_RULES) {
      const m = String(text).match(rule);
      if (m) return say(m);
    }
    return String(text);
  };
  // The API joins a field's messages with "; " (a phone too short and with letters, say).
  return (Array.isArray(message) ? message : String(message).split("; ")).map(one).join("; ");
}

// The sentence for a refused request or a network failure.
export function explain(err) {
  if (!err) return "";
  if (err.code === "timeout") return t("error.timeout");
  if (err.status === 0 || err.code === "offline") return t("error.offline");
  const key = `error.code.${err.code}`;
  const said = t(key);
  return said === key ? err.message || String(err) : said;
}
