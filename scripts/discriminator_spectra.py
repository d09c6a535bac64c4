"""Singular-value spectra of a run's spectrally normalised discriminator layers.

Usage:
    python scripts/discriminator_spectra.py runs/wcgan-lsa16-small [more run directories]

For every top-level `SpectralNormalization` layer of the discriminator at the newest
checkpoint (the basic and WCGAN critics; BigGAN's sit inside its residual blocks), the
kernel is reshaped to (inputs, outputs), as spectral normalisation sees it, and the script
prints the second singular value over the first, how many exceed a tenth of the first, and
the effective rank (exp of the entropy of the normalised singular values; Roy & Vetterli
2007). A critic whose layers fall to an effective rank of a few has "spectrally collapsed",
which Liu et al. 2019 ("Spectral Regularization for Combating Mode Collapse in GANs")
associate with mode collapse; on its own it does not prove one (see the README's WCGAN
section).
"""

import argparse

import numpy as np

import keras_signgan  # noqa: F401  (sets the Keras backend)


def spectrum_summary(matrix):
    """`(s2 / s1, count of s > s1 / 10, effective rank)` of a 2-D array."""
    singular = np.linalg.svd(np.asarray(matrix, dtype="float64"), compute_uv=False)
    singular = singular / singular[0]
    share = singular / singular.sum()
    effective_rank = float(np.exp(-np.sum(share * np.log(np.where(share > 0, share, 1.0)))))
    second = float(singular[1]) if len(singular) > 1 else float("nan")
    return second, int(np.sum(singular > 0.1)), effective_rank


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="run directories")
    args = parser.parse_args()

    import keras

    from keras_signgan.runs import load_run

    for run in args.runs:
        _, gan, step = load_run(run)
        print(f"{run} at step {step:,}")
        found = False
        for layer in gan.discriminator.layers:
            if isinstance(layer, keras.layers.SpectralNormalization):
                kernel = np.asarray(layer.layer.kernel)
                matrix = kernel.reshape(-1, kernel.shape[-1])
                if min(matrix.shape) < 2:
                    continue
                found = True
                second, above, effective_rank = spectrum_summary(matrix)
                print(
                    f"  {layer.name:24s} {matrix.shape[0]:>5} x {matrix.shape[1]:<4} s2/s1 {second:.3f}  "
                    f"s > s1/10: {above:>3}  effective rank {effective_rank:6.1f}"
                )
        if not found:
            print("  no top-level spectrally normalised layer with a 2-D kernel")


if __name__ == "__main__":
    main()
