// What a room keeps: the instructor's secret out of the address bar, results and networks as files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileSafe, networkFile, resultsFile } from "../../static/classroom/downloads.js";
import { SECRET_KEY, forgetSecret, privateLink, secretFromFragment, takeSecret } from "../../static/classroom/instructor-link.js";

function fakeWindow(href) {
  const url = new URL(href);
  const win = {
    location: { get hash() { return url.hash; }, get pathname() { return url.pathname; }, get search() { return url.search; } },
    history: { replaceState: (_, __, to) => { const next = new URL(to, url); url.hash = next.hash; url.pathname = next.pathname; url.search = next.search; } },
    get href() { return url.href; },
  };
  return win;
}

function memoryStorage() {
  const items = new Map();
  return { getItem: (k) => (items.has(k) ? items.get(k) : null), setItem: (k, v) => items.set(k, String(v)), removeItem: (k) => items.delete(k) };
}

test("the private link's secret leaves the address bar and stays for a reload", () => {
  const storage = memoryStorage();
  const win = fakeWindow("http://host:8125/classroom/new#code=ABC123&token=s3cr-t_");
  assert.deepEqual(takeSecret(win, storage), { code: "ABC123", token: "s3cr-t_" });
  assert.equal(win.href, "http://host:8125/classroom/new", "nothing of it in the address bar");
  assert.ok(!win.href.includes("token"));
  // A reload: the address bar has no fragment, the tab's storage has the room.
  assert.deepEqual(takeSecret(fakeWindow(win.href), storage), { code: "ABC123", token: "s3cr-t_" });
  forgetSecret(storage);
  assert.equal(storage.getItem(SECRET_KEY), null);
  assert.equal(takeSecret(fakeWindow(win.href), storage), null);
});

test("a fragment without both parts is no secret; a broken record is none either", () => {
  assert.equal(secretFromFragment("#code=ABC123"), null);
  assert.equal(secretFromFragment(""), null);
  const storage = memoryStorage();
  storage.setItem(SECRET_KEY, "{not json");
  assert.equal(takeSecret(fakeWindow("http://h/classroom/new"), storage), null);
  assert.equal(privateLink("http://h", { code: "ABC123", token: "a&b" }), "http://h/classroom/new#code=ABC123&token=a%26b");
});

test("results and networks get names that say what they are", () => {
  assert.deepEqual(resultsFile("ABC123", "csv"), { name: "room-ABC123-results.csv", path: "/classroom/api/rooms/ABC123/results.csv" });
  assert.equal(fileSafe("Ana (2)"), "Ana-2");
  assert.equal(fileSafe("Zoë/../x"), "Zoe-..-x");
  assert.equal(fileSafe("<>"), "student");
  const snapshot = { type: "snapshot", config: { networkShape: [2] }, epoch: 12, weights: [[[1, 2]], [[3, 4]]], biases: [[0], [1]], dead: [[[0, 0]], [[0, 0]]] };
  const file = networkFile(snapshot, { name: "Ana (2)", code: "ABC123", savedAt: new Date(0) });
  assert.equal(file.name, "network-Ana-2-room-ABC123-epoch-12.json");
  const record = JSON.parse(file.text);
  assert.deepEqual(
    { config: record.config, epoch: record.epoch, weights: record.weights, biases: record.biases, dead: record.dead },
    { config: snapshot.config, epoch: 12, weights: snapshot.weights, biases: snapshot.biases, dead: snapshot.dead },
    "the restore fields, exactly",
  );
  assert.equal(record.student, "Ana (2)");
  assert.equal(record.savedAt, "1970-01-01T00:00:00.000Z");
  assert.ok(!("type" in record));
});
