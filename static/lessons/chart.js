/** A small line chart on a canvas: one or more series against their index, y from 0. */

export function drawLines(canvas, series, { colors = ["#0877bd"], logY = false } = {}) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  const pad = { left: 56, right: 10, top: 10, bottom: 24 };
  ctx.clearRect(0, 0, width, height);
  const all = series.flat().filter(Number.isFinite);
  if (all.length === 0) return;
  const tf = logY ? (v) => Math.log10(Math.max(v, 1e-300)) : (v) => v;
  let lo = logY ? Math.min(...all.map(tf)) : 0;
  let hi = Math.max(...all.map(tf));
  if (hi === lo) { hi += 1; lo -= logY ? 1 : 0; }
  const n = Math.max(...series.map((s) => s.length));
  const x = (i) => pad.left + (i / Math.max(n - 1, 1)) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - ((tf(v) - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  ctx.strokeStyle = "#888";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(pad.left, pad.top);
  ctx.lineTo(pad.left, height - pad.bottom);
  ctx.lineTo(width - pad.right, height - pad.bottom);
  ctx.stroke();
  ctx.fillStyle = getComputedStyle(canvas).color || "#333";
  ctx.font = "12px sans-serif";
  const label = (v) => (logY ? `1e${v.toFixed(0)}` : v.toPrecision(3));
  ctx.fillText(label(hi), 4, pad.top + 10);
  ctx.fillText(label(lo), 4, height - pad.bottom);
  ctx.fillText(String(n - 1), width - pad.right - 30, height - 6);
  series.forEach((s, k) => {
    ctx.strokeStyle = colors[k % colors.length];
    ctx.lineWidth = 2;
    ctx.beginPath();
    s.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      if (i === 0) ctx.moveTo(x(i), y(v));
      else ctx.lineTo(x(i), y(v));
    });
    ctx.stroke();
  });
}
