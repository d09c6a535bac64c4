"""Spectral normalisation: `SpectralNormalization` (Keras' layer without its per-call
zero-kernel test) and the `maybe_spectral_norm` helper."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_signgan")
class SpectralNormalization(keras.layers.SpectralNormalization):
    """`keras.layers.SpectralNormalization` (Miyato et al. 2018) with the same maths and
    variables, minus one test per training call.

    In training mode Keras' layer first checks whether the whole kernel is zero
    (`ops.cond(ops.all(ops.equal(kernel, 0)), ...)`) and skips the power iteration if so.
    That test reads every kernel element and branches, on every call of every normalised
    layer: about 4% of a small BigGAN step on a 2-core CPU. The networks here never hold an
    all-zero normalised kernel (their initialisers are orthogonal or random), so this layer
    always runs the power iteration: `u <- normalize(normalize(u W^T) W)`,
    `W <- W / (v W u^T)`, written back into the wrapped layer's kernel as Keras does.

    Args:
        layer: a Keras layer with a `kernel` (or `embeddings`).
        power_iterations: int. Power-iteration steps per training call. Defaults to 1.
    """

    def call(self, inputs, training=False):
        if training:
            new_vector_u, new_kernel = self.normalized_weights()
            self.vector_u.assign(new_vector_u)
            self.kernel.assign(new_kernel)
        output = self.layer(inputs)
        return ops.cast(output, inputs.dtype)


def maybe_spectral_norm(layer, enabled=True, power_iterations=1):
    """Wrap `layer` in SpectralNormalization when `enabled`.

    The wrapper is built in float32 so that, under a mixed policy, the kernel it rewrites
    keeps full precision (it would otherwise be rounded to float16 on every call); the
    wrapped layer still computes in the policy's compute dtype.
    """
    if not enabled:
        return layer
    return SpectralNormalization(layer, power_iterations=power_iterations, dtype="float32", name=f"sn_{layer.name}")
