/** The classroom pages' WebSocket: the playground's Connection, speaking the room protocol. */

import { Connection } from "../js/connection.js";

export function roomSocketUrl() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/classroom/ws`;
}

/** A Connection that says `hello` on every (re)connect and stops retrying once the room is gone. */
export class RoomConnection extends Connection {
  constructor(hello, handlers) {
    super(roomSocketUrl(), {
      ...handlers,
      onOpen: (isReconnect) => {
        this.send(hello);
        if (handlers.onOpen) handlers.onOpen(isReconnect);
      },
      onJson: (message) => {
        if (message.type === "closed") this.finished = true;
        handlers.onJson(message);
      },
    });
    this.finished = false;
  }

  closed(ws, event) {
    if (this.finished || event.code === 4404) {
      this.finished = true;
      this.ws = null;
      this.handlers.onStatus("closed", event.reason || "the room is closed");
      return;
    }
    super.closed(ws, event);
  }
}
