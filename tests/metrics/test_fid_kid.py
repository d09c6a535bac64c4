"""Frechet distance, streaming statistics and KID against independent computations."""

import numpy as np
import pytest
import scipy.linalg

from keras_signgan.metrics import (
    MetricError,
    RunningStatistics,
    frechet_distance,
    kernel_inception_distance,
    load_statistics,
    save_statistics,
)


def random_covariance(rng, d):
    a = rng.normal(size=(d, 2 * d))
    return a @ a.T / (2 * d)


def test_diagonal_covariances_match_the_closed_form():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    v1, v2 = rng.uniform(0.1, 3, 5), rng.uniform(0.1, 3, 5)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(v1) - np.sqrt(v2)) ** 2)
    assert frechet_distance(mu1, np.diag(v1), mu2, np.diag(v2)) == pytest.approx(expected, rel=1e-9)


def test_full_covariances_match_an_eigenvalue_computation():
    rng = np.random.default_rng(1)
    d = 32
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    s1, s2 = random_covariance(rng, d), random_covariance(rng, d)
    # Independent route: Tr sqrt(S1^1/2 S2 S1^1/2), symmetric, through eigh.
    w, v = scipy.linalg.eigh(s1)
    root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    inner = np.clip(scipy.linalg.eigvalsh(root @ s2 @ root), 0, None)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.sum(np.sqrt(inner))
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-6)


def test_a_set_against_itself_is_zero_and_order_does_not_matter():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 16))
    y = rng.normal(0.5, 1.2, size=(300, 16))
    sx = RunningStatistics().update(x)
    assert frechet_distance(sx.mean, sx.covariance, sx.mean, sx.covariance) == pytest.approx(0, abs=1e-6)
    sy = RunningStatistics().update(y)
    sy_shuffled = RunningStatistics().update(rng.permutation(y))
    a = frechet_distance(sx.mean, sx.covariance, sy.mean, sy.covariance)
    b = frechet_distance(sx.mean, sx.covariance, sy_shuffled.mean, sy_shuffled.covariance)
    assert a > 1 and a == pytest.approx(b, rel=1e-9)


def test_singular_covariances_use_the_offset():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(5, 20)), rng.normal(size=(5, 20))  # fewer samples than dimensions
    sx, sy = RunningStatistics().update(x), RunningStatistics().update(y)
    value = frechet_distance(sx.mean, sx.covariance, sy.mean, sy.covariance)
    assert np.isfinite(value) and value > 0


def test_mismatched_statistics_are_refused():
    with pytest.raises(MetricError, match="do not match"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


def test_streaming_statistics_equal_the_batch_ones():
    rng = np.random.default_rng(4)
    x = rng.normal(100.0, 0.01, size=(1000, 8)).astype("float32")  # large mean, small spread
    stats = RunningStatistics()
    for start in range(0, 1000, 37):
        stats.update(x[start : start + 37])
    assert stats.count == 1000
    np.testing.assert_allclose(stats.mean, x.astype(np.float64).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats.covariance, np.cov(x.astype(np.float64), rowvar=False), rtol=1e-6, atol=1e-12)


def test_fewer_than_two_samples_have_no_covariance():
    stats = RunningStatistics().update(np.ones((1, 4)))
    with pytest.raises(MetricError, match="at least 2"):
        stats.covariance


def test_kid_is_near_zero_for_one_distribution_and_positive_for_shifted_ones():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(400, 16)), rng.normal(size=(400, 16))
    same_mean, same_std = kernel_inception_distance(a, b, num_subsets=20, subset_size=200)
    shifted_mean, _ = kernel_inception_distance(a, b + 1.0, num_subsets=20, subset_size=200)
    assert abs(same_mean) < 3 * same_std + 1e-3
    assert shifted_mean > 10 * abs(same_mean) and shifted_mean > 0.05
    with pytest.raises(MetricError, match="at least 2"):
        kernel_inception_distance(a[:1], b)


def test_statistics_files_round_trip_in_pytorch_fid_layout(tmp_path):
    mu, sigma = np.arange(3.0), np.eye(3) * 2
    save_statistics(tmp_path / "s.npz", mu, sigma)
    with np.load(tmp_path / "s.npz") as data:
        assert sorted(data.files) == ["mu", "sigma"]
    loaded_mu, loaded_sigma = load_statistics(tmp_path / "s.npz")
    np.testing.assert_array_equal(loaded_mu, mu)
    np.testing.assert_array_equal(loaded_sigma, sigma)
    np.savez(tmp_path / "bad.npz", mean=mu)
    with pytest.raises(MetricError, match="lacks mu or sigma"):
        load_statistics(tmp_path / "bad.npz")
