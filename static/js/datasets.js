/** Small local samples of each dataset's shape, only for the dataset picker's thumbnails. */

/** A tiny seeded PRNG (mulberry32): thumbnails look the same on every load. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GAUSS_CENTRES = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];

const SHAPES = {
  circle(n, u) {
    return Array.from({ length: n }, (_, i) => {
      const r = i < n / 2 ? u() * 2.5 : 3.5 + u() * 1.5;
      const a = u() * 2 * Math.PI;
      return [r * Math.sin(a), r * Math.cos(a), r < 2.5 ? 1 : -1];
    });
  },
  xor(n, u) {
    return Array.from({ length: n }, () => {
      const push = (v) => v + (v > 0 ? 0.3 : -0.3);
      const x = push(u() * 10 - 5);
      const y = push(u() * 10 - 5);
      return [x, y, x * y >= 0 ? 1 : -1];
    });
  },
  gauss(n, u) {
    return Array.from({ length: n }, (_, i) => {
      const c = i < n / 2 ? 2 : -2;
      const spread = () => (u() + u() + u() - 1.5) * 1.4;
      return [c + spread(), c + spread(), c > 0 ? 1 : -1];
    });
  },
  spiral(n, u) {
    const half = Math.floor(n / 2);
    const points = [];
    for (const [delta, label] of [[0, 1], [Math.PI, -1]]) {
      for (let i = 0; i < half; i++) {
        const r = (5 * i) / half;
        const t = 1.75 * (i / half) * 2 * Math.PI + delta;
        points.push([r * Math.sin(t) + (u() - 0.5) * 0.2, r * Math.cos(t) + (u() - 0.5) * 0.2, label]);
      }
    }
    return points;
  },
  "reg-plane"(n, u) {
    return Array.from({ length: n }, () => {
      const x = u() * 12 - 6;
      const y = u() * 12 - 6;
      return [x, y, (x + y) / 10];
    });
  },
  "reg-gauss"(n, u) {
    return Array.from({ length: n }, () => {
      const x = u() * 12 - 6;
      const y = u() * 12 - 6;
      let best = 0;
      for (const [cx, cy, sign] of GAUSS_CENTRES) {
        const v = sign * Math.max(0, 1 - Math.hypot(x - cx, y - cy) / 2);
        if (Math.abs(v) > Math.abs(best)) best = v;
      }
      return [x, y, best];
    });
  },
};

export const DATASET_NAMES = Object.keys(SHAPES);

/** `n` points [x, y, label] shaped like dataset `name`. */
export function samplePoints(name, n = 120, seed = 7) {
  const make = SHAPES[name];
  if (!make) throw new Error(`dataset: ${JSON.stringify(name)} is not one of ${DATASET_NAMES.join(", ")}`);
  return make(n, prng(seed));
}

/** K-class shapes (engine/datasets.py): blobs around a circle, a K-arm spiral, K rings. */
const CLASS_SHAPES = {
  gauss(K, n, u) {
    return Array.from({ length: n }, (_, i) => {
      const k = i % K;
      const a = (2 * Math.PI * k) / K;
      const spread = () => (u() + u() + u() - 1.5) * 1.2;
      return [3.5 * Math.cos(a) + spread(), 3.5 * Math.sin(a) + spread(), k];
    });
  },
  spiral(K, n, u) {
    const each = Math.floor(n / K);
    const points = [];
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < each; i++) {
        const r = (5 * i) / each;
        const t = 1.75 * (i / each) * 2 * Math.PI + (2 * Math.PI * k) / K;
        points.push([r * Math.sin(t) + (u() - 0.5) * 0.2, r * Math.cos(t) + (u() - 0.5) * 0.2, k]);
      }
    }
    return points;
  },
  circle(K, n, u) {
    return Array.from({ length: n }, (_, i) => {
      const k = i % K;
      const r = (5 * (k + 0.15 + 0.7 * u())) / K;
      const a = u() * 2 * Math.PI;
      return [r * Math.sin(a), r * Math.cos(a), k];
    });
  },
};

/** `n` points [x, y, class 0 .. K-1] of a K-class data set; null for a set without K classes. */
export function classSamplePoints(name, K, n = 120, seed = 7) {
  const make = CLASS_SHAPES[name];
  return make ? make(K, n, prng(seed)) : null;
}

/**
 * Domain [-6, 6]^2 -> pixel (px, py) on a size x size canvas, y = +6 at the top (row 0), so
 * every picture of the plane is the right way up.
 */
export function toPixel(x, y, size) {
  return [((x + 6) / 12) * size, ((6 - y) / 12) * size];
}
