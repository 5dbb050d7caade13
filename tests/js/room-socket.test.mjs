// How a classroom page's socket ends: a room that is gone stops the retries, a busy one does not.
import { test } from "node:test";
import assert from "node:assert/strict";

globalThis.location = { protocol: "http:", host: "127.0.0.1:8000" };
const { RoomConnection } = await import("../../static/classroom/room-socket.js");

function connection() {
  const statuses = [];
  const conn = new RoomConnection({ type: "hello" }, {
    onJson() {},
    onFrame() {},
    onStatus: (status, detail) => statuses.push([status, detail]),
  });
  const ws = {};
  conn.ws = ws;
  return { conn, ws, statuses };
}

function stop(conn) {
  clearTimeout(conn.retryTimer);
  clearInterval(conn.countdown);
}

test("a hello refused as busy (1013) is tried again later, with a countdown", () => {
  const { conn, ws, statuses } = connection();
  conn.closed(ws, { code: 1013, reason: "the room's server is busy, try again" });
  stop(conn);
  assert.equal(conn.finished, false);
  assert.ok(conn.retryTimer, "a retry is scheduled");
  assert.deepEqual(statuses.map(([status]) => status), ["full"]);
  assert.match(statuses[0][1], /retrying in \d+ s/);
});

test("a room that is gone or refuses (4404) ends the retries", () => {
  const { conn, ws, statuses } = connection();
  conn.closed(ws, { code: 4404, reason: "no such room, or not allowed in it" });
  stop(conn);
  assert.equal(conn.finished, true);
  assert.equal(conn.retryTimer, null);
  assert.deepEqual(statuses, [["closed", "no such room, or not allowed in it"]]);
});
