"""Spectral normalisation helpers around `keras.layers.SpectralNormalization`."""

import keras


def maybe_spectral_norm(layer, enabled=True, power_iterations=1):
    """Wrap `layer` in SpectralNormalization when `enabled`.

    The wrapper is built in float32 so that, under a mixed policy, the kernel it rewrites
    keeps full precision (it would otherwise be rounded to float16 on every call); the
    wrapped layer still computes in the policy's compute dtype.
    """
    if not enabled:
        return layer
    return keras.layers.SpectralNormalization(
        layer, power_iterations=power_iterations, dtype="float32", name=f"sn_{layer.name}"
    )
