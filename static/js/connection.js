/** The page's one WebSocket: JSON in and out, binary frames drawn then acknowledged, reconnect with backoff. */

import { decodeFrame, unpackFrame } from "./frame.js";

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 8000;
// A full server (close code 1013) is asked again less often: first after 2 s, at most every 30 s.
const FULL_FIRST_DELAY_MS = 2000;
const FULL_MAX_DELAY_MS = 30000;

export class Connection {
  /**
   * handlers: onOpen(isReconnect), onJson(message), onFrame(frame) (draws it; the ack follows),
   * onStatus(status, detail) with status "connecting" | "connected" | "reconnecting" | "full"
   * (the server is full; detail counts down to the next try) | "waiting" (many pages are
   * opening: this one's session starts in the seconds the detail says).
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.ws = null;
    this.delay = FIRST_DELAY_MS;
    this.everOpened = false;
    this.pending = null;
    this.drawScheduled = false;
    this.retryTimer = null;
    this.countdown = null;
    this.fullDelay = FULL_FIRST_DELAY_MS;
    this.queued = false;
    // Messages are handled in the server's order, each after the one before: a packed frame is
    // inflated asynchronously, and a message that came after it must not overtake it.
    this.inbox = Promise.resolve();
    this.draw = this.draw.bind(this);
  }

  connect() {
    clearTimeout(this.retryTimer);
    clearInterval(this.countdown);
    this.handlers.onStatus("connecting", this.everOpened ? "reconnecting" : "");
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      const isReconnect = this.everOpened;
      this.everOpened = true;
      this.handlers.onStatus("connected", "");
      this.handlers.onOpen(isReconnect);
    };
    ws.onmessage = (event) => this.later(() => this.receive(event.data, ws));
    ws.onclose = (event) => this.later(() => this.closed(ws, event));
    this.ws = ws;
  }

  /** Run `job` after every message and close event before it has been handled. */
  later(job) {
    this.inbox = this.inbox.then(job).catch((error) => console.error(error));
  }

  async receive(data, ws = this.ws) {
    if (typeof data === "string") {
      let message;
      try {
        message = JSON.parse(data);
      } catch {
        return;
      }
      if (message.type === "queued") {
        this.queued = true;
        const seconds = Math.max(1, Math.round(message.waitS));
        this.handlers.onStatus("waiting", `many students are starting at once: yours starts in about ${seconds} s`);
        return;
      }
      if (this.queued) {
        this.queued = false;
        this.handlers.onStatus("connected", "");
      }
      // A message from the server means the link works: the next outage starts from a short wait.
      this.delay = FIRST_DELAY_MS;
      this.fullDelay = FULL_FIRST_DELAY_MS;
      // Keep the server's order: a frame that came before this message is of the state before
      // it, so it is handled first rather than at the next animation frame, after the message.
      if (this.pending) this.draw();
      this.handlers.onJson(message);
      return;
    }
    let frame;
    try {
      frame = decodeFrame(await unpackFrame(data));
    } catch (error) {
      console.error(error);
      return;
    }
    if (ws !== this.ws) return; // a frame of a closed socket: its ack would go to the next one
    // The newest frame replaces one not yet drawn; the server sends the next only after our ack.
    this.pending = frame;
    if (!this.drawScheduled) {
      this.drawScheduled = true;
      requestAnimationFrame(this.draw);
    }
  }

  draw() {
    this.drawScheduled = false;
    const frame = this.pending;
    this.pending = null;
    if (!frame) return;
    try {
      this.handlers.onFrame(frame);
    } finally {
      this.send({ type: "ack", seq: frame.seq });
    }
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.pending = null; // a frame of the closed socket: its ack would go to the next one
    this.queued = false;
    if (event.code === 1013) {
      this.retryWhenFull();
      return;
    }
    const wait = Math.round(this.delay * (0.8 + 0.4 * Math.random()));
    this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
    const reason = event.code === 1008 && event.reason ? event.reason : "";
    this.handlers.onStatus("reconnecting", reason ? `${reason}; retrying` : `retrying in ${(wait / 1000).toFixed(1)} s`);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  /** The server is full: say so, count down, and try again later each time (with jitter). */
  retryWhenFull() {
    const wait = Math.round(this.fullDelay * (0.8 + 0.4 * Math.random()));
    this.fullDelay = Math.min(FULL_MAX_DELAY_MS, this.fullDelay * 2);
    const due = Date.now() + wait;
    const say = () => {
      const seconds = Math.max(1, Math.ceil((due - Date.now()) / 1000));
      this.handlers.onStatus("full", `the server is full: retrying in ${seconds} s`);
    };
    say();
    clearInterval(this.countdown);
    this.countdown = setInterval(say, 1000);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  /** Send one JSON message; false when not connected (the caller's state is re-sent on reconnect). */
  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }
}
