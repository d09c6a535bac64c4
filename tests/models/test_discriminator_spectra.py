"""scripts/discriminator_spectra.py: the spectrum summary behind the spectral-collapse figures in docs/results.md."""

import numpy as np

from tests.scripts import load_script


def test_effective_rank_counts_the_directions_a_matrix_uses():
    summary = load_script("discriminator_spectra").spectrum_summary
    rng = np.random.default_rng(0)
    rank_one = np.outer(rng.normal(size=40), rng.normal(size=8))
    second, above, effective_rank = summary(rank_one)
    assert second < 1e-6 and above == 1 and abs(effective_rank - 1) < 1e-3

    second, above, effective_rank = summary(np.eye(8) * 3.0)
    assert abs(second - 1) < 1e-9 and above == 8 and abs(effective_rank - 8) < 1e-6

    # Singular values 1, 0.5, 0.05: two above a tenth of the first; entropy of (1, .5, .05)/1.55.
    matrix = np.diag([1.0, 0.5, 0.05])
    share = np.array([1.0, 0.5, 0.05]) / 1.55
    second, above, effective_rank = summary(matrix)
    assert abs(second - 0.5) < 1e-9 and above == 2
    assert abs(effective_rank - np.exp(-(share * np.log(share)).sum())) < 1e-9
