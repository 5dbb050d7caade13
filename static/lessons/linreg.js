/** The linear-regression page: the server computes the path and J's grid, this page plays them. */

import { geometricLevels, isoLines } from "./contour.js";
import { bandBytes, tableLut } from "../js/grid.js";
import { watch } from "../js/store.js";
import { GridPainter } from "../js/views/grid-painter.js";
import { exact } from "./format.js";
import { lossGrid } from "./loss-grid.js";
import { mountPlainPage } from "../js/plain-page.js";

const $ = (id) => document.getElementById(id);
const START = [-1, 2];
const STEPS = 500; // the server's most steps per request
let custom = null; // clicked-in points, or null for generated ones
let run = null; // the server's answer
let t = 0;
let timer = null;
let pending = 0;

function request() {
  // J's grid is drawn from the points here: asking for it would make the answer 2.5 times larger.
  const base = { m0: START[0], b0: START[1], alpha: Number($("lr-alpha").value), steps: STEPS, grid: false };
  if (custom) return { ...base, points: custom };
  return { ...base, seed: Number($("lr-seed").value), n: Number($("lr-n").value),
    noise: Number($("lr-noise").value) };
}

async function load() {
  pause();
  if (custom && custom.length < 2) {
    run = null;
    t = 0;
    draw();
    $("lr-status").textContent = "Click the left plot to add at least two points.";
    $("lr-status").className = "lr-status";
    return;
  }
  const ticket = ++pending;
  const response = await fetch("/lessons/api/linear-regression", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request()),
  });
  const body = await response.json();
  if (ticket !== pending) return; // a newer request is on its way
  if (!response.ok) {
    run = null; // the last run was for other points: show none of its numbers
    t = 0;
    draw();
    $("lr-status").textContent = body.message;
    $("lr-status").className = "lr-status diverged";
    return;
  }
  run = body;
  run.grid.J = lossGrid(run.points, run.grid.m, run.grid.b, run.grid.n);
  t = 0;
  $("lr-data").dataset.points = JSON.stringify(run.points);
  draw();
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

// -- drawing ------------------------------------------------------------------------------

const bands = new GridPainter();
const offscreen = new OffscreenCanvas(1, 1);
const projector = () => page.get().setup.projector;

/** Band k of `count` (how many levels J exceeds): a light blue, darker toward the minimum. */
function bandColors(count) {
  return Array.from({ length: count + 1 }, (_, k) => {
    const low = 1 - k / count;
    return [Math.round(232 - 90 * low), Math.round(240 - 60 * low), 250];
  });
}

function dataView(points) {
  let [x0, x1, y0, y1] = [-0.25, 2.25, -3, 4];
  for (const [x, y] of points) {
    x0 = Math.min(x0, x - 0.2); x1 = Math.max(x1, x + 0.2);
    y0 = Math.min(y0, y - 0.5); y1 = Math.max(y1, y + 0.5);
  }
  return { x0, x1, y0, y1 };
}

function drawData() {
  const canvas = $("lr-data");
  const ctx = canvas.getContext("2d");
  const points = run ? run.points : custom || [];
  const v = dataView(points);
  const W = canvas.width, H = canvas.height;
  const px = (x) => ((x - v.x0) / (v.x1 - v.x0)) * W;
  const py = (y) => H - ((y - v.y0) / (v.y1 - v.y0)) * H;
  canvas.view = v;
  ctx.clearRect(0, 0, W, H);
  ctx.strokeStyle = "#bbb";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(px(0), 0); ctx.lineTo(px(0), H); ctx.moveTo(0, py(0)); ctx.lineTo(W, py(0));
  ctx.stroke();
  const big = projector();
  ctx.fillStyle = "#f59322";
  for (const [x, y] of points) {
    ctx.beginPath(); ctx.arc(px(x), py(y), big ? 7 : 4.5, 0, 2 * Math.PI); ctx.fill();
  }
  if (!run) return;
  const line = (m, b, dash, color) => {
    ctx.setLineDash(dash); ctx.strokeStyle = color; ctx.lineWidth = big ? 4 : 2.5;
    ctx.beginPath(); ctx.moveTo(0, py(m * v.x0 + b)); ctx.lineTo(W, py(m * v.x1 + b)); ctx.stroke();
    ctx.setLineDash([]);
  };
  line(run.least_squares.m, run.least_squares.b, [8, 6], "#888");
  const [m, b] = run.path[t];
  line(m, b, [], "#0877bd");
}

function drawContour() {
  const canvas = $("lr-contour");
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  if (!run) return;
  const { n, m, b, J } = run.grid;
  const levels = geometricLevels(J, run.least_squares.J, 14);
  // Filled bands at grid resolution, scaled up: darker means lower J.
  bands.setLut(tableLut(bandColors(levels.length)));
  bands.paint(offscreen, bandBytes(J, levels), n);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(offscreen, 0, 0, W, H);
  const sx = W / (n - 1), sy = H / (n - 1);
  ctx.strokeStyle = "#5b7a99";
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const level of levels) {
    for (const [x1, y1, x2, y2] of isoLines(J, n, n, level)) {
      ctx.moveTo(x1 * sx, y1 * sy); ctx.lineTo(x2 * sx, y2 * sy);
    }
  }
  ctx.stroke();
  const px = (mm) => ((mm - m[0]) / (m[1] - m[0])) * W;
  const py = (bb) => ((b[1] - bb) / (b[1] - b[0])) * H;
  const big = projector();
  ctx.strokeStyle = "#d0021b";
  ctx.lineWidth = big ? 4 : 2;
  ctx.beginPath();
  run.path.slice(0, t + 1).forEach(([mm, bb], k) => {
    if (k === 0) ctx.moveTo(px(mm), py(bb)); else ctx.lineTo(px(mm), py(bb));
  });
  ctx.stroke();
  const [mm, bb] = run.path[t];
  ctx.fillStyle = "#d0021b";
  ctx.beginPath(); ctx.arc(px(mm), py(bb), big ? 8 : 5, 0, 2 * Math.PI); ctx.fill();
  ctx.fillStyle = "#1d2329";
  ctx.font = `${big ? 30 : 20}px sans-serif`;
  ctx.fillText("★", px(run.least_squares.m) - 8, py(run.least_squares.b) + 7);
  ctx.font = `${big ? 18 : 12}px sans-serif`;
  ctx.fillText(`m ${m[0].toFixed(2)} … ${m[1].toFixed(2)}`, 6, H - 6);
  ctx.fillText(`b ${b[0].toFixed(2)} … ${b[1].toFixed(2)}`, 6, 16);
}

// Every number the page shows about a run: none of them may outlive the points they were for.
const NUMBERS = ["lr-m", "lr-b", "lr-J", "lr-dm", "lr-db", "lr-update-m", "lr-update-b", "lr-mstar",
  "lr-bstar", "lr-hessian", "lr-eig", "lr-limit"];

function showNumbers() {
  if (!run) {
    $("lr-t").textContent = "0";
    for (const id of NUMBERS) $(id).textContent = "—";
    $("lr-data").dataset.points = JSON.stringify(custom || []);
    return;
  }
  const [m, b, J, dm, db] = run.path[t];
  const a = run.alpha;
  $("lr-t").textContent = String(t);
  $("lr-m").textContent = exact(m);
  $("lr-b").textContent = exact(b);
  $("lr-J").textContent = exact(J);
  $("lr-dm").textContent = exact(dm);
  $("lr-db").textContent = exact(db);
  $("lr-update-m").textContent = `${exact(m)} − ${a} × (${exact(dm)}) = ${exact(m - a * dm)}`;
  $("lr-update-b").textContent = `${exact(b)} − ${a} × (${exact(db)}) = ${exact(b - a * db)}`;
  $("lr-mstar").textContent = exact(run.least_squares.m);
  $("lr-bstar").textContent = exact(run.least_squares.b);
  $("lr-hessian").textContent = JSON.stringify(run.hessian.map((r) => r.map((v) => +v.toPrecision(5))));
  $("lr-eig").textContent = run.eigenvalues.map((v) => v.toPrecision(5)).join(", ");
  $("lr-limit").textContent = exact(run.limit);
  const ratio = (a / run.limit).toFixed(2);
  const last = t === run.path.length - 1;
  let status = `α = ${ratio} × limit`;
  let kind = "";
  if (run.diverged && last) { status += ": diverged (|m| or |b| passed 1e12)"; kind = "diverged"; }
  else if (a > run.limit) { status += ": above the limit, the zigzag grows every step until it diverges"; kind = "diverged"; }
  else if (Math.abs(m - run.least_squares.m) + Math.abs(b - run.least_squares.b) < 1e-6) {
    status += ": converged to the least-squares line"; kind = "converged";
  }
  $("lr-status").textContent = status;
  $("lr-status").className = `lr-status ${kind}`;
}

function draw() {
  drawData();
  drawContour();
  showNumbers();
}

// -- controls -----------------------------------------------------------------------------

function go(to) {
  if (!run) return;
  t = Math.max(0, Math.min(to, run.path.length - 1));
  if (t === run.path.length - 1) pause();
  draw();
}

function pause() {
  clearInterval(timer);
  timer = null;
  $("lr-play").textContent = "Play";
}

function togglePlay() {
  if (timer) return pause();
  if (!run) return;
  if (t === run.path.length - 1) t = 0;
  $("lr-play").textContent = "Pause";
  timer = setInterval(() => go(t + 1), 80);
}

const reload = () => load().catch((err) => { $("lr-status").textContent = err.message; });
$("lr-step").addEventListener("click", () => go(t + 1));
$("lr-play").addEventListener("click", togglePlay);
$("lr-reset").addEventListener("click", () => { pause(); go(0); });
$("lr-generate").addEventListener("click", () => { custom = null; reload(); });
$("lr-clear").addEventListener("click", () => { custom = []; reload(); });
for (const id of ["lr-seed", "lr-n", "lr-noise"]) {
  $(id).addEventListener("change", () => { custom = null; reload(); });
}
$("lr-alpha").addEventListener("change", reload);
for (const button of document.querySelectorAll("[data-factor]")) {
  button.addEventListener("click", () => {
    if (!run) return;
    $("lr-alpha").value = +(run.limit * Number(button.dataset.factor)).toPrecision(6);
    reload();
  });
}
$("lr-data").addEventListener("click", (event) => {
  const canvas = $("lr-data");
  const rect = canvas.getBoundingClientRect();
  const v = canvas.view;
  const x = v.x0 + ((event.clientX - rect.left) / rect.width) * (v.x1 - v.x0);
  const y = v.y1 - ((event.clientY - rect.top) / rect.height) * (v.y1 - v.y0);
  custom = [...(custom || (run ? run.points : [])), [+x.toFixed(3), +y.toFixed(3)]].slice(-200);
  reload();
});
const page = mountPlainPage("linreg", {
  playPause: togglePlay,
  step: () => go(t + 1),
  back: () => go(t - 1),
  reset: () => { pause(); go(0); },
  end: () => go(Infinity),
});
// Projector mode draws larger dots and thicker lines.
watch(page, (s) => s.setup.projector, () => run && draw());

reload();
