// A crew's button presses that could not reach the server wait here, on the phone, and are sent
// when the connection returns, each with its own client_ref so the server applies it once.
const KEY = "psc119.outbox";
// Errors that sending again will not fix: the press is dropped and the crew told.
const FINAL = new Set(["invalid_transition", "validation_error", "forbidden", "not_found", "conflict"]);

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "[]");
  } catch {
    return [];
  }
}

function save(items) {
  localStorage.setItem(KEY, JSON.stringify(items));
}

export function newRef() {
  return `${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(2)).join("")}`.slice(0, 60);
}

export class Outbox {
  constructor(live, { onChange, onResult }) {
    this.live = live;
    this.onChange = onChange;
    this.onResult = onResult;
    this.sending = false;
  }

  get pending() {
    return load();
  }

  add(name, payload) {
    const items = load();
    items.push({ name, payload: { ...payload, client_ref: payload.client_ref || newRef() } });
    save(items);
    this.onChange?.(items);
    return this.flush();
  }

  async flush() {
    if (this.sending) return;
    this.sending = true;
    try {
      for (let items = load(); items.length && this.live.socket.connected; items = load()) {
        const [first] = items;
        let answer;
        try {
          answer = await this.live.call(first.name, first.payload);
        } catch {
          break;   // no answer: it stays, to be sent again with the same client_ref
        }
        if (answer.ok || FINAL.has(answer.error?.code)) {
          save(load().slice(1));
          this.onChange?.(load());
          this.onResult?.(first, answer);
        } else {
          break;   // rate limited or the server busy: later
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
