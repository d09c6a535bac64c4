"""`run_layer_test`: the checks every Keras layer of the package gets, in the manner of
keras-hub's `TestCase.run_layer_test` (keras_hub/src/tests/test_case.py).

For a layer class and its constructor arguments it checks: the config round trip
(`get_config` holds every argument, `from_config` rebuilds the same config); an eager call
(output shape, `compute_output_shape`, weight counts); a symbolic call on `keras.Input`s;
saving in a `.keras` file and loading it back with `safe_mode` on, giving the same output;
a training-mode call whose gradients reach every trainable weight; and mixed precision
(float32 variables, output in the expected dtype, close to the float32 layer's).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops


def _as_list(data):
    return list(data) if isinstance(data, (list, tuple)) else [data]


def _numpy(tensor):
    return ops.convert_to_numpy(ops.cast(tensor, "float32"))


def _inputs_like(data):
    inputs = [keras.Input(np.shape(x)[1:], dtype=str(np.asarray(x).dtype)) for x in _as_list(data)]
    return inputs if isinstance(data, (list, tuple)) else inputs[0]


def run_layer_test(
    layer_cls,
    init_kwargs,
    input_data,
    expected_output_shape,
    tmp_path,
    expected_num_trainable_weights=None,
    expected_num_non_trainable_weights=None,
    expected_mixed_output_dtype="float16",
    run_training_check=True,
    run_mixed_precision_check=True,
    mixed_precision_atol=5e-2,
):
    """Run the shared checks on `layer_cls(**init_kwargs)` called on `input_data`.

    Args:
        layer_cls: the layer class.
        init_kwargs: dict of constructor arguments.
        input_data: an array, or a list of arrays for layers taking several inputs.
        expected_output_shape: tuple, with the batch size of `input_data`.
        tmp_path: a folder for the `.keras` file.
        expected_num_trainable_weights, expected_num_non_trainable_weights: ints or None.
        expected_mixed_output_dtype: the output dtype under `mixed_float16`.
        run_training_check: check that gradients reach every trainable weight.
        run_mixed_precision_check: build and call the layer with `dtype="mixed_float16"`.
        mixed_precision_atol: how far the mixed-precision output may lie from the float32
            one, relative to the output's largest magnitude.
    """
    # Config round trip: every constructor argument is stored and rebuilds the same layer.
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    for key, value in init_kwargs.items():
        assert key in config, f"get_config() lacks {key!r}"
        if isinstance(value, (bool, int, float, str, type(None))):
            assert config[key] == value, f"get_config()[{key!r}] is {config[key]!r}, not {value!r}"
    revived = layer_cls.from_config(config)
    assert revived.get_config() == config

    # Eager call.
    output = layer(input_data)
    assert tuple(output.shape) == tuple(expected_output_shape)
    input_shapes = [tuple(np.shape(x)) for x in _as_list(input_data)]
    computed = layer.compute_output_shape(input_shapes if isinstance(input_data, (list, tuple)) else input_shapes[0])
    assert tuple(computed) == tuple(expected_output_shape)
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights

    # Symbolic call, and a .keras round trip with safe_mode on.
    inputs = _inputs_like(input_data)
    symbolic = layer_cls(**init_kwargs, name="layer_under_test")(inputs)
    assert tuple(symbolic.shape) == (None,) + tuple(expected_output_shape[1:])
    model = keras.Model(inputs, symbolic)
    path = tmp_path / f"{layer_cls.__name__}.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert type(loaded.get_layer("layer_under_test")) is layer_cls
    np.testing.assert_allclose(
        _numpy(loaded(input_data, training=False)), _numpy(model(input_data, training=False)), atol=1e-5
    )

    # Training mode: gradients reach every trainable weight.
    if run_training_check and layer.trainable_weights:
        with tf.GradientTape() as tape:
            loss = ops.sum(ops.square(ops.cast(layer(input_data, training=True), "float32")))
        gradients = tape.gradient(loss, layer.trainable_weights)
        missing = [w.path for w, g in zip(layer.trainable_weights, gradients) if g is None]
        assert not missing, f"no gradient reaches {missing}"

    # Mixed precision: variables stay float32, outputs come in the compute dtype and match.
    if run_mixed_precision_check:
        reference = layer_cls(**init_kwargs)
        mixed = layer_cls(**init_kwargs, dtype="mixed_float16")
        expected = _numpy(reference(input_data, training=False))
        mixed(input_data, training=False)
        mixed.set_weights(reference.get_weights())
        result = mixed(input_data, training=False)
        assert result.dtype == expected_mixed_output_dtype, f"mixed-precision output is {result.dtype}"
        floats = [w for w in mixed.weights if "float" in str(w.dtype)]
        assert all(w.dtype == "float32" for w in floats), [(w.path, w.dtype) for w in floats if w.dtype != "float32"]
        result = _numpy(result)
        assert np.isfinite(result).all()
        scale = max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(result, expected, atol=mixed_precision_atol * scale)
    return output
