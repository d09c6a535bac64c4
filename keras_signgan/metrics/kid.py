"""Kernel Inception Distance (Binkowski et al. 2018)."""

import numpy as np

from keras_signgan.metrics.fid import MetricError


def polynomial_kernel(x, y):
    """`(x . y / d + 1) ** 3`, the kernel KID uses."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def kernel_inception_distance(real_features, fake_features, num_subsets=100, subset_size=1000, seed=0):
    """Unbiased MMD^2 with a cubic polynomial kernel, averaged over random subsets.

    Args:
        real_features, fake_features: (n, d) and (m, d) arrays.
        num_subsets: int. Subsets drawn (each from both sets).
        subset_size: int. When the smaller set has no more images than this, subsets of
            half of it are used instead (whole-set subsets would all be equal: no spread).
        seed: int. Which subsets.

    Returns:
        `(mean, std)` over the subsets, floats.
    """
    real = np.asarray(real_features, np.float64)
    fake = np.asarray(fake_features, np.float64)
    smaller = min(len(real), len(fake))
    size = subset_size if smaller > subset_size else max(2, smaller // 2)
    if smaller < 2:
        raise MetricError(f"KID needs at least 2 samples per set; got {len(real)} real and {len(fake)} generated.")
    if real.shape[1] != fake.shape[1]:
        raise MetricError(f"Feature sizes differ: {real.shape[1]} vs {fake.shape[1]}.")
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(num_subsets):
        x = real[rng.choice(len(real), size, replace=False)]
        y = fake[rng.choice(len(fake), size, replace=False)]
        k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
        within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (size * (size - 1))
        values.append(within - 2.0 * k_xy.mean())
    return float(np.mean(values)), float(np.std(values))
