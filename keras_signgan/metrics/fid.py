"""The Frechet distance between Gaussians, and streaming mean/covariance statistics."""

import numpy as np
import scipy.linalg

from keras_signgan.errors import SignGANError
from keras_signgan.io_utils import atomic_path


class MetricError(SignGANError):
    """A metric cannot be computed from what it was given (too few samples, bad shapes)."""


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """Frechet distance between N(mu1, sigma1) and N(mu2, sigma2), in float64.

    `|mu1 - mu2|^2 + Tr(sigma1 + sigma2 - 2 sqrtm(sigma1 @ sigma2))`, with
    `scipy.linalg.sqrtm`. When the product's square root is not finite (a singular
    product, as with fewer samples than dimensions), `eps` is added to both diagonals and it
    is taken again. An imaginary part left by round-off is dropped when negligible; a
    substantial one is an error.

    Args:
        mu1, mu2: (d,) means.
        sigma1, sigma2: (d, d) covariances.
        eps: float. Diagonal offset used only when needed.

    Returns:
        float.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (len(mu1), len(mu1)):
        raise MetricError(
            f"Statistics do not match: mu {mu1.shape} vs {mu2.shape}, sigma {sigma1.shape} vs {sigma2.shape}."
        )
    diff = mu1 - mu2
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        offset = np.eye(len(mu1)) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        residue = np.max(np.abs(np.diagonal(covmean).imag))
        if residue > 1e-3:
            raise MetricError(f"Frechet distance: the matrix square root has an imaginary part {residue:.3g}.")
        covmean = covmean.real
    distance = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean)
    return float(distance)


class RunningStatistics:
    """Mean and covariance of feature vectors, accumulated batch by batch in float64.

    Memory is O(d^2) whatever the number of vectors: batches are merged with the parallel
    update of Chan et al. (1979), which stays accurate where sum-of-squares would not.

    Example:
        >>> stats = RunningStatistics()
        >>> for batch in batches: stats.update(batch)
        >>> mu, sigma = stats.mean, stats.covariance
    """

    def __init__(self):
        self.count = 0
        self._mean = None
        self._m2 = None

    def update(self, features):
        features = np.asarray(features, np.float64)
        features = features.reshape(len(features), -1)
        if not len(features):
            return self
        batch_mean = features.mean(axis=0)
        centred = features - batch_mean
        batch_m2 = centred.T @ centred
        if self.count == 0:
            self._mean, self._m2, self.count = batch_mean, batch_m2, len(features)
            return self
        if features.shape[1] != len(self._mean):
            raise MetricError(f"Feature size changed from {len(self._mean)} to {features.shape[1]}.")
        total = self.count + len(features)
        delta = batch_mean - self._mean
        self._mean = self._mean + delta * (len(features) / total)
        self._m2 = self._m2 + batch_m2 + np.outer(delta, delta) * (self.count * len(features) / total)
        self.count = total
        return self

    def state(self):
        """`{"count", "mean", "m2"}`: arrays to store and `from_state` to continue from."""
        return {"count": self.count, "mean": self._mean, "m2": self._m2}

    @classmethod
    def from_state(cls, count, mean, m2):
        stats = cls()
        stats.count, stats._mean, stats._m2 = int(count), np.asarray(mean, np.float64), np.asarray(m2, np.float64)
        return stats

    @property
    def mean(self):
        self._check()
        return self._mean

    @property
    def covariance(self):
        """The unbiased (n - 1) covariance, as `np.cov(features, rowvar=False)`."""
        self._check()
        return self._m2 / (self.count - 1)

    def _check(self):
        if self.count < 2:
            raise MetricError(f"Need at least 2 samples for a covariance; got {self.count}.")


def save_statistics(path, mu, sigma):
    """Write `mu`, `sigma` to an `.npz` in pytorch-fid's layout (atomically)."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as file:
            np.savez(file, mu=np.asarray(mu, np.float64), sigma=np.asarray(sigma, np.float64))
    return path


def load_statistics(path):
    """Read `mu`, `sigma` from an `.npz` (pytorch-fid's layout); never unpickles."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if "mu" not in data.files or "sigma" not in data.files:
                raise MetricError(f"{path} lacks mu or sigma: it is not an FID statistics file.")
            mu, sigma = data["mu"], data["sigma"]
    except (OSError, ValueError, EOFError) as error:
        raise MetricError(f"Cannot read FID statistics from {path}: {error}.") from None
    if mu.ndim != 1 or sigma.shape != (len(mu), len(mu)):
        raise MetricError(f"{path}: mu {mu.shape} and sigma {sigma.shape} do not fit together.")
    return mu.astype(np.float64), sigma.astype(np.float64)
