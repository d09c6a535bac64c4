"""`ConditionalBatchNormalization`: batch norm whose scale and shift come from a condition."""

import keras
from keras import ops

from keras_signgan.layers.batch_norm import BatchNormalization
from keras_signgan.layers.spectral_norm import maybe_spectral_norm


@keras.saving.register_keras_serializable(package="keras_signgan")
class ConditionalBatchNormalization(keras.layers.Layer):
    """Conditional batch normalisation (de Vries et al. 2017; BigGAN, Brock et al. 2019).

    `y = BN(x) * (1 + gain(c)) + bias(c)`, where BN normalises with batch statistics in
    training and moving statistics otherwise and has no scale or centre of its own, and
    `gain`, `bias` are linear maps of the conditioning vector `c` (zero-initialised, so the
    layer starts as plain BN, unless spectral-normalised: a zero kernel has no spectral
    norm, so then they start orthogonal, as in BigGAN): in BigGAN, the shared class embedding joined with a chunk
    of the latent.

    Args:
        momentum: float. Moving-average momentum (PyTorch's 0.1 is Keras' 0.9).
            Defaults to 0.9.
        epsilon: float. Added to the variance. Defaults to 1e-5.
        synchronized: bool. Synchronise batch statistics across replicas. Defaults to False.
        use_spectral_norm: bool. Spectral-normalise `gain` and `bias`. Defaults to True.

    Call arguments:
        inputs: `[x, condition]`: x (B, ..., C), condition (B, D).
        training: bool. Use batch statistics and update the moving ones.

    Example:
        >>> cbn = ConditionalBatchNormalization()
        >>> y = cbn([keras.ops.ones((2, 4, 4, 8)), keras.ops.ones((2, 16))], training=True)
    """

    def __init__(self, momentum=0.9, epsilon=1e-5, synchronized=False, use_spectral_norm=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.epsilon = epsilon
        self.synchronized = synchronized
        self.use_spectral_norm = use_spectral_norm
        self.batch_norm = BatchNormalization(
            momentum=momentum,
            epsilon=epsilon,
            center=False,
            scale=False,
            synchronized=synchronized,
            name="batch_norm",
            dtype=self.dtype_policy,
        )

    def build(self, input_shape):
        x_shape, condition_shape = input_shape
        channels = x_shape[-1]
        self.batch_norm.build(x_shape)
        initializer = "orthogonal" if self.use_spectral_norm else "zeros"
        self.gain = maybe_spectral_norm(
            keras.layers.Dense(
                channels, use_bias=False, kernel_initializer=initializer, name="gain", dtype=self.dtype_policy
            ),
            self.use_spectral_norm,
        )
        self.bias = maybe_spectral_norm(
            keras.layers.Dense(
                channels, use_bias=False, kernel_initializer=initializer, name="bias", dtype=self.dtype_policy
            ),
            self.use_spectral_norm,
        )
        self.gain.build(condition_shape)
        self.bias.build(condition_shape)

    @property
    def batch_norm_layers(self):
        """`[the BatchNormalization inside]`: what a model walk needs to reach its moving
        statistics (see `ConditionalGAN.refresh_ema_statistics`)."""
        return [self.batch_norm]

    def call(self, inputs, training=None):
        x, condition = inputs
        normalized = self.batch_norm(x, training=training)
        gain = ops.cast(self.gain(condition, training=training), normalized.dtype)
        bias = ops.cast(self.bias(condition, training=training), normalized.dtype)
        shape = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        return normalized * (1.0 + ops.reshape(gain, shape)) + ops.reshape(bias, shape)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(
            momentum=self.momentum,
            epsilon=self.epsilon,
            synchronized=self.synchronized,
            use_spectral_norm=self.use_spectral_norm,
        )
        return config
