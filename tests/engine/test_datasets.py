"""The six data sets: sizes, labels, balance, geometry, determinism; shuffle and split."""

import math

import numpy as np
import pytest

from engine.datasets import (
    CLASSIFICATION,
    DATASETS,
    NUM_SAMPLES_CLASSIFY,
    NUM_SAMPLES_REGRESS,
    REGRESSION,
    generate,
    shuffle,
)
from engine.random import SeedRandom


def draw(name, noise=0.0, seed="0.2468"):
    n = NUM_SAMPLES_REGRESS if name in REGRESSION else NUM_SAMPLES_CLASSIFY
    return DATASETS[name](SeedRandom(seed), n, noise)


@pytest.mark.parametrize("name", list(DATASETS))
@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_size_labels_and_determinism(name, noise):
    points = draw(name, noise)
    expected = NUM_SAMPLES_REGRESS if name in REGRESSION else NUM_SAMPLES_CLASSIFY
    assert points.shape == (expected, 3)
    assert np.isfinite(points).all()
    labels = points[:, 2]
    if name in CLASSIFICATION:
        assert set(np.unique(labels)) <= {-1.0, 1.0}
    else:
        bound = 1.0 if name == "reg-gauss" else 1.2 * (1 + noise)  # (x + y) / 10, |x|, |y| <= 6
        assert np.abs(labels).max() <= bound and np.ptp(labels) > 0.5
    assert (draw(name, noise) == points).all()  # same seed, same data
    if not (name == "spiral" and noise == 0):  # a noiseless spiral draws nothing
        assert not (draw(name, noise, seed="0.1357") == points).all()


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral"])
def test_balanced_halves_without_noise(name):
    labels = draw(name)[:, 2]
    assert (labels[:250] == 1).all() and (labels[250:] == -1).all()


def test_xor_is_roughly_balanced_and_padded():
    points = draw("xor")
    assert 200 < (points[:, 2] == 1).sum() < 300
    assert (np.abs(points[:, :2]) >= 0.3).all()
    assert (np.sign(points[:, 0] * points[:, 1]) == points[:, 2]).all()


def test_circle_geometry_and_noise_flips_labels_not_points():
    clean = draw("circle")
    r = np.hypot(clean[:, 0], clean[:, 1])
    assert (r[:250] <= 2.5).all() and (r[250:] >= 3.5).all() and (r[250:] <= 5).all()
    noisy = draw("circle", noise=0.5)
    r_noisy = np.hypot(noisy[:, 0], noisy[:, 1])
    assert (r_noisy[:250] <= 2.5).all()  # the stored points are noiseless
    inside = np.where(r_noisy < 2.5, 1.0, -1.0)
    assert 0 < (inside != noisy[:, 2]).sum() < 250


def test_spiral_arms_are_exact_without_noise():
    points = draw("spiral")
    i = 100
    r, t = i / 250 * 5, 1.75 * i / 250 * 2 * math.pi
    assert points[i, :2].tolist() == [r * math.sin(t), r * math.cos(t)]
    assert points[250 + i, :2] == pytest.approx([-r * math.sin(t), -r * math.cos(t)])


def test_gauss_centres():
    points = draw("gauss")
    assert points[:250, :2].mean(axis=0) == pytest.approx([2, 2], abs=0.2)
    assert points[250:, :2].mean(axis=0) == pytest.approx([-2, -2], abs=0.2)
    assert points[:250, 0].var() == pytest.approx(0.5, rel=0.25)


def test_reg_plane_label_without_noise():
    points = draw("reg-plane")
    np.testing.assert_allclose(points[:, 2], (points[:, 0] + points[:, 1]) / 10, atol=1e-15)
    assert (np.abs(points[:, :2]) <= 6).all()


def test_reg_gauss_label_is_the_strongest_bump():
    points = draw("reg-gauss")
    x, y, label = points[100]
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    values = [s * max(0.0, 1 - math.hypot(x - cx, y - cy) / 2) for cx, cy, s in centres]
    assert label == pytest.approx(max(values, key=abs, default=0.0), abs=1e-15)
    assert (points[:, 2] == 0).sum() > 100  # far from every centre


def test_shuffle_is_a_seeded_permutation():
    points = np.arange(30, dtype=float).reshape(10, 3)
    a = shuffle(SeedRandom("s"), points)
    assert sorted(a[:, 0].tolist()) == points[:, 0].tolist()
    assert (a == shuffle(SeedRandom("s"), points)).all()
    assert not (a == points).all()


def test_shuffle_draws_one_number_per_point_like_fisher_yates():
    rng, twin = SeedRandom("t"), SeedRandom("t")
    shuffle(rng, np.zeros((7, 3)))
    for _ in range(7):
        twin.rand()
    assert rng.rand() == twin.rand()


@pytest.mark.parametrize(("perc", "n_train"), [(50, 250), (10, 50), (90, 450), (33, 165)])
def test_split_takes_the_floor(perc, n_train):
    train, test = generate(SeedRandom("0.3"), "circle", 0.0, perc)
    assert len(train) == n_train and len(test) == 500 - n_train
    train_r, _ = generate(SeedRandom("0.3"), "reg-gauss", 0.0, perc)
    assert len(train_r) == math.floor(1200 * perc / 100)
