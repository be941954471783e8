// A crew's button presses that could not reach the server wait here, on the phone, and are sent
// when the connection returns, each with its own client_ref so the server applies it once.
import { sessionExpired } from "./api.js";
const PREFIX = "psc119.outbox.";   // one outbox per unit: another crew on this phone never sends them
// Errors that sending again will not fix: the press is dropped and the crew told.
const FINAL = new Set(["invalid_transition", "validation_error", "forbidden", "not_found", "conflict",
  "client_ref_reused", "assignment_changed", "unit_unavailable"]);
const RETRY_MS = 3000;
// A press that has waited this long is not sent: the situation it was made for has passed (a
// press for a job is checked by the server against the job anyway). The crew is told.
export const EXPIRE_MS = 30 * 60 * 1000;


export function newRef() {
  return `${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(2)).join("")}`.slice(0, 60);
}

export class Outbox {
  constructor(live, unitId, { onChange, onResult }) {
    this.live = live;
    this.key = PREFIX + unitId;
    this.onChange = onChange;
    this.onResult = onResult;
    this.sending = false;
  }

  get pending() {
    return this.load();
  }

  load() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || "[]");
    } catch {
      return [];
    }
  }

  save(items) {
    localStorage.setItem(this.key, JSON.stringify(items));
  }

  add(name, payload) {
    const items = this.load();
    // A status carries a client_ref; accepting is idempotent by itself (the same assignment).
    items.push({ name, at: Date.now(),
      payload: name === "status" ? { ...payload, client_ref: payload.client_ref || newRef() } : payload });
    this.save(items);
    this.onChange?.(items);
    return this.flush();
  }

  // Taken out by what it is, not by its place: another tab of this page may have sent it already.
  remove(item) {
    const same = (other) => other.name === item.name && JSON.stringify(other.payload) === JSON.stringify(item.payload);
    this.save(this.load().filter((other) => !same(other)));
    this.onChange?.(this.load());
  }

  async flush() {
    if (this.sending) return;
    this.sending = true;
    try {
      for (let items = this.load(); items.length && this.live.socket.connected; items = this.load()) {
        const [first] = items;
        if (Date.now() - (first.at ?? Date.now()) > EXPIRE_MS) {
          this.remove(first);
          this.onResult?.(first, { ok: false, error: { code: "expired", message: "" } });
          continue;
        }
        let answer;
        try {
          answer = await this.live.call(first.name, first.payload);
        } catch {
          this.retry();
          break;   // no answer: it stays, to be sent again with the same client_ref
        }
        if (answer.ok || FINAL.has(answer.error?.code)) {
          this.remove(first);
          this.onResult?.(first, answer);
        } else {
          if (answer.error?.code === "invalid_token") sessionExpired(this.live.token);
          this.retry();
          break;   // rate limited, the server busy or logged out: later
        }
      }
    } finally {
      this.sending = false;
    }
  }

  retry() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), RETRY_MS);
  }
}
