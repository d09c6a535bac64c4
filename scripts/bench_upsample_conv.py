"""`UpsampleConv2D` against the layers it replaces (`NearestUpSampling2D(2)` then a 3x3 'same'
`Conv2D`), forward and backward, at the shapes a generator runs them.

Usage:
    python scripts/bench_upsample_conv.py                         # biggan small, its batch
    python scripts/bench_upsample_conv.py --models biggan,wcgan --rounds 9

The generator is built as `signgan fit` builds it and called once, recording the input
shape and kernel of every `UpsampleConv2D` it runs. For each shape both forms get the same
weights and compute, in one `tf.function`, the output and the gradients of
`sum(output * dy)` with respect to the input, the kernel and the bias; the outputs are
compared, then both are timed in alternation, `--rounds` rounds of `--calls` calls each,
and the fastest round of each kept (the least disturbed by other work on the machine).

Timings need an otherwise idle machine: another process on the same cores lowers them.
"""

import argparse
import time

import numpy as np

import keras_signgan  # noqa: F401  (sets the Keras backend)


def upsample_conv_shapes(model, size, batch_size=None, num_classes=16):
    """The batch size, and [(input shape, filters, use_bias)] of every UpsampleConv2D the
    model's generator runs (at `batch_size` images, default the preset's)."""
    import keras

    from keras_signgan.config import TrainConfig
    from keras_signgan.layers import UpsampleConv2D
    from keras_signgan.training.fit import build_compiled_gan

    config = TrainConfig.create(model, "benchmark", size=size)
    config.class_names = [str(i) for i in range(num_classes)]
    generator = build_compiled_gan(config).generator
    batch_size = batch_size or config.batch_size
    seen = []
    original = UpsampleConv2D.call

    def recording_call(layer, inputs, *args, **kwargs):
        seen.append(((batch_size,) + tuple(inputs.shape[1:]), layer.filters, layer.use_bias))
        return original(layer, inputs, *args, **kwargs)

    UpsampleConv2D.call = recording_call
    try:
        z = np.zeros((2, generator.inputs[0].shape[-1]), "float32")
        generator([keras.ops.convert_to_tensor(z), keras.ops.convert_to_tensor(np.zeros(2, "int32"))], training=False)
    finally:
        UpsampleConv2D.call = original
    return batch_size, seen


def train_steps(shape, filters, use_bias):
    """Two tf.functions (the fused layer, the pair) returning output and gradients, and the output gap."""
    import keras
    import tensorflow as tf

    from keras_signgan.layers import NearestUpSampling2D, UpsampleConv2D

    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=shape).astype("float32"))
    dy = tf.constant(rng.normal(size=(shape[0], 2 * shape[1], 2 * shape[2], filters)).astype("float32"))
    fused = UpsampleConv2D(filters, use_bias=use_bias)
    conv = keras.layers.Conv2D(filters, 3, padding="same", use_bias=use_bias)
    upsample = NearestUpSampling2D(2)
    fused.build(shape)
    conv.build(dy.shape[:3] + shape[3:])
    fused.set_weights([rng.normal(0, 0.1, w.shape).astype("float32") for w in fused.weights])
    conv.set_weights(fused.get_weights())

    def step(forward, variables):
        @tf.function(jit_compile=False)
        def run():
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = forward(x)
                loss = tf.reduce_sum(y * dy)
            return [y] + tape.gradient(loss, [x] + variables)

        return run

    steps = {
        "upsample+conv": step(lambda t: conv(upsample(t)), conv.trainable_weights),
        "UpsampleConv2D": step(fused, fused.trainable_weights),
    }
    outputs = {name: run() for name, run in steps.items()}
    gap = max(
        float(np.abs(a.numpy() - b.numpy()).max() / max(1e-12, np.abs(b.numpy()).max()))
        for a, b in zip(outputs["UpsampleConv2D"], outputs["upsample+conv"])
    )
    return steps, gap


def fastest(steps, rounds, calls):
    """{name: seconds per call, the fastest of `rounds` rounds}, the forms timed in alternation."""
    best = {name: float("inf") for name in steps}
    for _ in range(rounds):
        for name, run in steps.items():
            start = time.perf_counter()
            for _ in range(calls):
                result = run()
            result[0].numpy()
            best[name] = min(best[name], (time.perf_counter() - start) / calls)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="biggan", help="comma-separated: biggan, wcgan")
    parser.add_argument("--size", default="small")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the preset's")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    import tensorflow as tf

    print(f"TensorFlow {tf.__version__}; fastest of {args.rounds} rounds of {args.calls} forward+backward calls")
    for model in args.models.split(","):
        batch_size, shapes = upsample_conv_shapes(model, args.size, args.batch_size)
        if not shapes:
            raise SystemExit(f"Error: the {model} {args.size} generator runs no UpsampleConv2D.")
        print(f"\n{model} {args.size}, batch {batch_size}")
        print(
            f"{'input -> output':>28} {'upsample+conv':>14} {'UpsampleConv2D':>15} {'speed-up':>9} {'max rel gap':>12}"
        )
        totals = {"upsample+conv": 0.0, "UpsampleConv2D": 0.0}
        for shape, filters, use_bias in shapes:
            steps, gap = train_steps(shape, filters, use_bias)
            best = fastest(steps, args.rounds, args.calls)
            for name in totals:
                totals[name] += best[name]
            label = f"{shape[1]}x{shape[2]}x{shape[3]} -> {2 * shape[1]}x{2 * shape[2]}x{filters}"
            print(
                f"{label:>28} {best['upsample+conv'] * 1e3:11.2f} ms {best['UpsampleConv2D'] * 1e3:12.2f} ms "
                f"{best['upsample+conv'] / best['UpsampleConv2D']:8.2f}x {gap:12.1e}"
            )
        print(
            f"{'all':>28} {totals['upsample+conv'] * 1e3:11.2f} ms {totals['UpsampleConv2D'] * 1e3:12.2f} ms "
            f"{totals['upsample+conv'] / totals['UpsampleConv2D']:8.2f}x"
        )


if __name__ == "__main__":
    main()
