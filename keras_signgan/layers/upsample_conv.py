"""`UpsampleConv2D`: 2x nearest up-sampling and a 3x3 "same" convolution, computed on the
low-resolution image by sub-pixel (phase) decomposition."""

import keras
import numpy as np
from keras import ops

# Row taps of the 3x3 kernel that each output phase reads, folded onto two low-resolution
# rows of the input padded by one: `_ROW_FOLD[s, u, r]` is 1 when tap `r` of the phase in
# slot `s` lands on window row `u`. Slot 0 holds the odd output rows (phase 1: rows i, i+1
# with weights W[0] + W[1], W[2]), slot 1 the even ones (phase 0: rows i-1, i with weights
# W[0], W[1] + W[2]); this order makes the interleaved result a crop by one pixel.
_ROW_FOLD = np.array([[[1, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 1, 1]]], "float32")
# The same fold for rows and columns at once: (window row, window col, row slot, col slot) x (tap row, tap col).
_FOLD = np.einsum("aur,bvs->uvabrs", _ROW_FOLD, _ROW_FOLD).reshape(16, 9)


@keras.saving.register_keras_serializable(package="keras_signgan")
class UpsampleConv2D(keras.layers.Conv2D):
    """`NearestUpSampling2D(2)` followed by `Conv2D(filters, 3, padding="same")`, with the same
    variables (`kernel` (3, 3, C_in, filters) and `bias`, as Keras' Conv2D makes them) and the
    same result up to float rounding, computed without the up-sampled image.

    On the 2x nearest-up-sampled image an output pixel of phase `(a, b)` (row and column
    parity) reads only 2x2 distinct input pixels, so the 3x3 kernel folds into one 2x2
    kernel per phase: for rows, phase 0 reads input rows `(i - 1, i)` with weights
    `(W[0], W[1] + W[2])`, phase 1 rows `(i, i + 1)` with `(W[0] + W[1], W[2])`; columns
    alike. The four folded kernels are stacked as one 2x2 kernel with `4 * filters`
    outputs, run VALID over the input padded by one pixel, and the phases interleaved into
    the `2H x 2W` output (a depth-to-space and a one-pixel crop). That is 16 instead of 36
    multiply-adds per input-output channel pair and input pixel, and the gradient never
    forms the up-sampled image either. The fold happens in every call, from the kernel
    variable: spectral normalisation (which rewrites `kernel`) and checkpoints of the
    up-sampling-then-convolution pair apply unchanged.

    Args:
        filters: int. Output channels.
        kernel_size, strides, padding, dilation_rate, groups: accepted (and stored) for
            `Conv2D`'s config only; they must be 3, 1, "same", 1 and 1.
        data_format: must resolve to "channels_last".
        **kwargs: the other `keras.layers.Conv2D` arguments (`use_bias`, `activation`,
            initializers, regularizers, constraints, `name`, `dtype`).

    Call arguments:
        inputs: (B, H, W, C_in). Returns (B, 2H, 2W, filters).
    """

    def __init__(
        self, filters, kernel_size=3, strides=1, padding="same", data_format=None, dilation_rate=1, groups=1, **kwargs
    ):
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            **kwargs,
        )
        fixed = dict(
            kernel_size=(self.kernel_size, (3, 3)),
            strides=(self.strides, (1, 1)),
            padding=(self.padding, "same"),
            data_format=(self.data_format, "channels_last"),
            dilation_rate=(self.dilation_rate, (1, 1)),
            groups=(self.groups, 1),
        )
        for argument, (value, supported) in fixed.items():
            if value != supported:
                raise ValueError(
                    f"UpsampleConv2D supports only {argument}={supported!r}. Received: {argument}={value!r}"
                )

    def _phase_kernel(self, kernel):
        """The 3x3 kernel folded into the (2, 2, C_in, 4 * filters) kernel of the four phases."""
        _, _, channels, filters = kernel.shape
        folded = ops.matmul(ops.convert_to_tensor(_FOLD, dtype=kernel.dtype), ops.reshape(kernel, (9, -1)))
        folded = ops.transpose(ops.reshape(folded, (2, 2, 2, 2, channels, filters)), (0, 1, 4, 2, 3, 5))
        return ops.reshape(folded, (2, 2, channels, 4 * filters))

    def call(self, inputs):
        batch, height, width = (
            inputs.shape[axis] if inputs.shape[axis] is not None else ops.shape(inputs)[axis] for axis in range(3)
        )
        padded = ops.pad(inputs, ((0, 0), (1, 1), (1, 1), (0, 0)))
        phases = ops.conv(padded, self._phase_kernel(self.kernel), padding="valid", data_format="channels_last")
        # (B, H+1, W+1, row slot, col slot, filters) -> (B, 2H+2, 2W+2, filters), slot-minor.
        phases = ops.reshape(phases, (-1, height + 1, width + 1, 2, 2, self.filters))
        outputs = ops.reshape(
            ops.transpose(phases, (0, 1, 3, 2, 4, 5)), (-1, 2 * height + 2, 2 * width + 2, self.filters)
        )
        outputs = ops.slice(outputs, (0, 1, 1, 0), (batch, 2 * height, 2 * width, self.filters))
        if self.use_bias:
            outputs = ops.add(outputs, ops.reshape(self.bias, (1, 1, 1, self.filters)))
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        batch, height, width = input_shape[:3]
        return (
            batch,
            None if height is None else 2 * height,
            None if width is None else 2 * width,
            self.filters,
        )
