// A short tone when something needs the operator's eyes (a new P1 call logged by someone else, a
// crew that has not accepted its job). Made with Web Audio: no sound file, nothing to download.
// The browser allows sound only after the operator has touched the page (logging in does).
import { el } from "./dom.js";
import { t } from "./i18n.js";

const KEY = "psc119.sound";
let context = null;

export function soundOn() {
  return localStorage.getItem(KEY) !== "off";
}

// `urgent`: three rising tones; otherwise one.
export function alarm(urgent = false) {
  if (!soundOn()) return;
  const Audio = window.AudioContext || window.webkitAudioContext;
  if (!Audio) return;
  context ??= new Audio();
  if (context.state === "suspended") context.resume().catch(() => {});
  const notes = urgent ? [880, 988, 1175] : [880];
  notes.forEach((hz, n) => {
    const at = context.currentTime + n * 0.22;
    const tone = context.createOscillator();
    const gain = context.createGain();
    tone.frequency.value = hz;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
    tone.connect(gain).connect(context.destination);
    tone.start(at);
    tone.stop(at + 0.2);
  });
}

// The switch in the top bar, remembered on this computer.
export function soundSwitch() {
  const button = el("button", { type: "button", class: "sound", id: "sound-switch" });
  const show = () => {
    button.textContent = t(soundOn() ? "sound.on" : "sound.off");
    button.setAttribute("aria-pressed", soundOn() ? "true" : "false");
  };
  button.addEventListener("click", () => {
    localStorage.setItem(KEY, soundOn() ? "off" : "on");
    show();
  });
  show();
  return Object.assign(button, { relabel: show });
}
