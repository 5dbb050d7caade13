// The leaderboard's cells as people read them, and the join link the projector's QR code carries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { COLUMNS, formatSeconds, rowCells } from "../../static/classroom/leaderboard.js";
import { joinLink } from "../../static/classroom/join-card.js";

test("seconds since the challenge began, as a clock reads", () => {
  assert.equal(formatSeconds(0), "0 s");
  assert.equal(formatSeconds(42.4), "42 s");
  assert.equal(formatSeconds(60), "1:00");
  assert.equal(formatSeconds(185), "3:05");
  assert.equal(formatSeconds(3729), "1:02:09");
});

test("a row: rank, name, reached and when, test loss, accuracy, weights", () => {
  assert.deepEqual(COLUMNS, ["#", "Name", "Goal reached", "Test loss", "Accuracy", "Weights"]);
  const entry = { rank: 1, name: "Ana (2)", reached: true, testLoss: 0.04321, accuracy: 0.975, weights: 26, seconds: 83 };
  const goal = { kind: "testLoss", target: 0.05 };
  assert.deepEqual(rowCells(entry, goal), ["1", "Ana (2)", "yes, after 1:23", "0.043", "97.5 %", "26"]);
  assert.equal(rowCells({ ...entry, reached: false }, goal)[2], "not yet");
  assert.equal(rowCells(entry, null)[2], "no goal set", "the lowest test loss ranks: nothing to reach");
  assert.equal(rowCells({ ...entry, accuracy: null }, goal)[4], "—", "regression has no accuracy");
});

test("the join link carries the code, so a scan lands on a filled-in form", () => {
  assert.equal(joinLink("http://10.0.0.5:8000", "ABC123"), "http://10.0.0.5:8000/classroom/join?code=ABC123");
});
