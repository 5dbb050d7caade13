"""The original's six data sets, drawn from a SeedRandom in its order, plus its shuffle and split;
and data sets of K >= 3 classes (K gaussian blobs, a K-arm spiral, K rings), drawn the same way.

Every generator returns an array of shape (n, 3): raw x, raw y, label. Two classes are labelled
-1 and +1, as the original; K >= 3 classes 0 .. K - 1.
"""

from __future__ import annotations

import math

import numpy as np

from engine.errors import ConfigError
from engine.random import SeedRandom

NUM_SAMPLES_CLASSIFY = 500
NUM_SAMPLES_REGRESS = 1200


def _linear(value: float, d0: float, d1: float, r0: float, r1: float) -> float:
    """d3 v3's linear scale (the original's), so labels match it to the last bit."""
    t = (value - d0) / (d1 - d0)
    return r0 * (1 - t) + r1 * t


def circle(rng: SeedRandom, n: int, noise: float) -> np.ndarray:
    radius = 5.0
    points = []
    for r_lo, r_hi in ((0.0, radius * 0.5), (radius * 0.7, radius)):
        for _ in range(n // 2):
            r = rng.uniform(r_lo, r_hi)
            angle = rng.uniform(0.0, 2 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            nx = rng.uniform(-radius, radius) * noise
            ny = rng.uniform(-radius, radius) * noise
            inside = math.sqrt((x + nx) ** 2 + (y + ny) ** 2) < radius * 0.5
            points.append((x, y, 1.0 if inside else -1.0))  # noise flips labels, not points
    return np.array(points, dtype=np.float64)


def xor(rng: SeedRandom, n: int, noise: float) -> np.ndarray:
    padding = 0.3
    points = []
    for _ in range(n):
        x = rng.uniform(-5.0, 5.0)
        x += padding if x > 0 else -padding
        y = rng.uniform(-5.0, 5.0)
        y += padding if y > 0 else -padding
        nx = rng.uniform(-5.0, 5.0) * noise
        ny = rng.uniform(-5.0, 5.0) * noise
        points.append((x, y, 1.0 if (x + nx) * (y + ny) >= 0 else -1.0))
    return np.array(points, dtype=np.float64)


def _normal(rng: SeedRandom, mean: float, variance: float) -> float:
    """Marsaglia's polar method, as the original draws it (v2 is drawn and unused)."""
    while True:
        v1 = 2 * rng.rand() - 1
        v2 = 2 * rng.rand() - 1
        s = v1 * v1 + v2 * v2
        if s <= 1:
            break
    return mean + math.sqrt(variance) * (math.sqrt(-2 * math.log(s) / s) * v1)


def gauss(rng: SeedRandom, n: int, noise: float) -> np.ndarray:
    variance = _linear(noise, 0.0, 0.5, 0.5, 4.0)
    points = []
    for cx, cy, label in ((2.0, 2.0, 1.0), (-2.0, -2.0, -1.0)):
        for _ in range(n // 2):
            x = _normal(rng, cx, variance)
            y = _normal(rng, cy, variance)
            points.append((x, y, label))
    return np.array(points, dtype=np.float64)


def spiral(rng: SeedRandom, n: int, noise: float) -> np.ndarray:
    per_arm = n / 2
    points = []
    for delta, label in ((0.0, 1.0), (math.pi, -1.0)):
        for i in range(int(per_arm)):
            r = i / per_arm * 5  # the original's evaluation order, for identical bits
            t = 1.75 * i / per_arm * 2 * math.pi + delta
            x = r * math.sin(t) + rng.uniform(-1.0, 1.0) * noise
            y = r * math.cos(t) + rng.uniform(-1.0, 1.0) * noise
            points.append((x, y, label))
    return np.array(points, dtype=np.float64)


def _regression_points(rng: SeedRandom, n: int, noise: float, label_of) -> np.ndarray:
    radius = 6.0
    points = []
    for _ in range(n):
        x = rng.uniform(-radius, radius)
        y = rng.uniform(-radius, radius)
        nx = rng.uniform(-radius, radius) * noise
        ny = rng.uniform(-radius, radius) * noise
        points.append((x, y, label_of(x + nx, y + ny)))
    return np.array(points, dtype=np.float64)


def reg_plane(rng: SeedRandom, n: int, noise: float) -> np.ndarray:
    return _regression_points(rng, n, noise, lambda x, y: _linear(x + y, -10.0, 10.0, -1.0, 1.0))


_GAUSSIANS = (
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
)


def _reg_gauss_label(x: float, y: float) -> float:
    label = 0.0
    for cx, cy, sign in _GAUSSIANS:
        d = math.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        t = min(max(d / 2, 0.0), 1.0)  # clamped scale: 1 at the centre, 0 from distance 2
        value = sign * (1 * (1 - t) + 0 * t)
        if abs(value) > abs(label):  # the largest |v| wins, the first on ties
            label = value
    return label


def reg_gauss(rng: SeedRandom, n: int, noise: float) -> np.ndarray:
    return _regression_points(rng, n, noise, _reg_gauss_label)


def _class_sizes(n: int, K: int) -> list[int]:
    """n points shared by K classes, the first ones taking one more when it does not divide."""
    return [n // K + (k < n % K) for k in range(K)]


def gauss_classes(rng: SeedRandom, n: int, noise: float, K: int) -> np.ndarray:
    """K blobs, class k centred at radius 3.5 and angle 2 pi k / K, the original's variance."""
    variance = _linear(noise, 0.0, 0.5, 0.5, 4.0)
    points = []
    for k, size in enumerate(_class_sizes(n, K)):
        angle = 2 * math.pi * k / K
        cx, cy = 3.5 * math.sin(angle), 3.5 * math.cos(angle)
        for _ in range(size):
            x = _normal(rng, cx, variance)
            y = _normal(rng, cy, variance)
            points.append((x, y, float(k)))
    return np.array(points, dtype=np.float64)


def spiral_classes(rng: SeedRandom, n: int, noise: float, K: int) -> np.ndarray:
    """K arms, arm k turned by 2 pi k / K; otherwise the original's spiral (its two arms are
    this with K = 2)."""
    points = []
    for k, size in enumerate(_class_sizes(n, K)):
        delta = 2 * math.pi * k / K
        for i in range(size):
            r = i / size * 5
            t = 1.75 * i / size * 2 * math.pi + delta
            x = r * math.sin(t) + rng.uniform(-1.0, 1.0) * noise
            y = r * math.cos(t) + rng.uniform(-1.0, 1.0) * noise
            points.append((x, y, float(k)))
    return np.array(points, dtype=np.float64)


def circle_classes(rng: SeedRandom, n: int, noise: float, K: int) -> np.ndarray:
    """K rings of width 5 / K around the origin, class k the k-th from the centre; like the
    original's circle, noise moves the point a label is read from, not the point."""
    radius = 5.0
    width = radius / K
    points = []
    for k, size in enumerate(_class_sizes(n, K)):
        for _ in range(size):
            r = rng.uniform(k * width, (k + 0.8) * width)  # a gap between rings, as the original
            angle = rng.uniform(0.0, 2 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            nx = rng.uniform(-radius, radius) * noise
            ny = rng.uniform(-radius, radius) * noise
            ring = math.sqrt((x + nx) ** 2 + (y + ny) ** 2) / width
            points.append((x, y, float(min(K - 1, math.floor(ring)))))
    return np.array(points, dtype=np.float64)


CLASSIFICATION = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral}
# The data sets of K >= 3 classes, under the names of the two-class ones they grow from.
MULTICLASS = {"circle": circle_classes, "gauss": gauss_classes, "spiral": spiral_classes}
MAX_CLASSES = 8
REGRESSION = {"reg-plane": reg_plane, "reg-gauss": reg_gauss}
DATASETS = {**CLASSIFICATION, **REGRESSION}


def shuffle(rng: SeedRandom, points: np.ndarray) -> np.ndarray:
    """Fisher-Yates exactly as the original writes it; returns a shuffled copy."""
    order = list(range(len(points)))
    counter = len(order)
    while counter > 0:
        index = math.floor(rng.rand() * counter)
        counter -= 1
        order[counter], order[index] = order[index], order[counter]
    return points[order]


def split(points: np.ndarray, perc_train: float) -> tuple[np.ndarray, np.ndarray]:
    """The original's split of shuffled points: the first floor(N * ratio / 100) train."""
    at = math.floor(len(points) * perc_train / 100)
    return points[:at], points[at:]


def generate(rng: SeedRandom, dataset: str, noise: float, perc_train: float, classes: int = 2):
    """Draw a data set, shuffle it and split it: (train, test), each of shape (n, 3). With
    classes >= 3 (and a classification set), its K-class form (MULTICLASS)."""
    n = NUM_SAMPLES_REGRESS if dataset in REGRESSION else NUM_SAMPLES_CLASSIFY
    if classes > 2 and dataset in CLASSIFICATION:
        if dataset not in MULTICLASS:
            allowed = f"one of {', '.join(MULTICLASS)} with {classes} classes"
            raise ConfigError("dataset", dataset, allowed)
        drawn = MULTICLASS[dataset](rng, n, noise, classes)
    else:
        drawn = DATASETS[dataset](rng, n, noise)
    return split(shuffle(rng, drawn), perc_train)
