"""Sample-quality metrics: FID, KID, per-class FID, and the classification score.

from keras_signgan.metrics import frechet_distance   # (mu1, sigma1, mu2, sigma2) -> float
"""

from keras_signgan.metrics.fid import (  # noqa: F401
    MetricError,
    RunningStatistics,
    frechet_distance,
    load_statistics,
    save_statistics,
)
from keras_signgan.metrics.kid import kernel_inception_distance  # noqa: F401
