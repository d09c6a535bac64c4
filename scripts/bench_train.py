"""Training throughput: steps/s of each model and size preset on random 32x32 data.

Usage:
    python scripts/bench_train.py                      # all models, tiny and small, batch 64
    python scripts/bench_train.py --models biggan --sizes small --steps 30 --batch-size 64
    python scripts/bench_train.py --models biggan --sizes small --jit-compile on   # XLA
    python scripts/bench_conv_ceiling.py --batch-size 32 && \
        python scripts/bench_train.py --models biggan --sizes small --batch-size 32  # % of ceiling
    python scripts/bench_train.py --models biggan --sizes small --batch-size 32 --cpu-replicas 2
    python scripts/bench_train.py --models biggan --sizes small --batch-size 32 --consistency 10

Each measurement builds the GAN exactly as `signgan fit` does, traces the train step with a
few warm-up steps, then times `--steps` steps of `model.fit` (no I/O), from the first step's
start to the last step's end (`StepClock`, not `fit`'s return: see its docstring). One
step is `n_critic` discriminator updates and one generator update.

GFLOP/step is counted once per model by TensorFlow's graph profiler (float_operation) on
the graph of the train step traced for one batch: the ops with registered FLOP counts
(convolutions and their gradients, matrix products, element-wise arithmetic...), not
the optimizer's variable updates done by resource ops. GFLOP/s is that count times steps/s.
`ceiling` is GFLOP/s over the convolution ceiling that `scripts/bench_conv_ceiling.py`
measured (its JSON, `--ceiling`, read when it exists): how close the whole step comes to
the rate TensorFlow reaches on this machine for the step's convolutions alone.

`--cpu-replicas R` splits the CPU into R logical devices and trains under a MirroredStrategy
over them (each replica a 1/R share of the batch, batch norms synchronised, as `fit
--strategy mirrored` does over GPUs): whether replicas running side by side use the cores
better than one. Its GFLOP column is left empty.

CPU s/step is the process time per step (all threads), beside the wall time of steps/s.
Timings need an otherwise idle machine: another process on the same cores lowers them.
"""

import argparse
import json
import os
import pathlib
import sys

import keras_signgan  # noqa: F401  (sets the Keras backend)

DEFAULT_CEILING = pathlib.Path(os.path.expanduser("~")) / ".keras" / "signgan" / "conv_ceiling.json"


def measure(
    model, size, batch_size, steps, warmup, num_classes=16, jit_compile="auto", strategy=None, consistency=None
):
    import numpy as np
    import tensorflow as tf

    from keras_signgan.config import TrainConfig
    from keras_signgan.training.callbacks import StepClock
    from keras_signgan.training.fit import build_compiled_gan

    config = TrainConfig.create(
        model,
        "benchmark",
        size=size,
        batch_size=batch_size,
        steps=steps,
        jit_compile=jit_compile,
        consistency=consistency,
    )
    config.class_names = [str(i) for i in range(num_classes)]
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        gan = build_compiled_gan(config)
        if strategy.num_replicas_in_sync > 1:
            gan.synchronize_batch_norms()
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (batch_size * 4, 32, 32, 3)).astype("float32")
    labels = rng.integers(0, num_classes, batch_size * 4).astype("int32")
    data = tf.data.Dataset.from_tensor_slices((images, labels)).repeat().batch(batch_size, drop_remainder=True)
    gan.fit(data, epochs=1, steps_per_epoch=warmup, verbose=0)
    clock = StepClock()
    gan.fit(data, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[clock])
    seconds, cpu_seconds = clock.seconds()
    params = gan.generator.count_params() + gan.discriminator.count_params()
    gflop = step_gflop(gan, batch_size) if strategy.num_replicas_in_sync == 1 else None
    return steps / seconds, cpu_seconds / steps, params, gflop


def step_gflop(gan, batch_size):
    """GFLOP of one train step on `batch_size` images: TensorFlow's graph profiler on the
    concrete graph of the step (None if the profiler cannot count it)."""
    import tensorflow as tf

    profiler = tf.compat.v1.profiler
    spec = (
        tf.TensorSpec((batch_size, gan.image_size, gan.image_size, 3), tf.float32),
        tf.TensorSpec((batch_size,), tf.int32),
    )
    try:
        graph = tf.function(gan.train_step).get_concrete_function(spec).graph
        options = (
            profiler.ProfileOptionBuilder(profiler.ProfileOptionBuilder.float_operation()).with_empty_output().build()
        )
        return profiler.profile(graph=graph, options=options).total_float_ops / 1e9
    except Exception as error:  # noqa: BLE001  (an op without a FLOP count or an unknown shape)
        print(f"(GFLOP count failed: {type(error).__name__}: {error})", file=sys.stderr)
        return None


def read_ceiling(path, explicit):
    """The conv ceiling JSON of scripts/bench_conv_ceiling.py, or None when absent and not asked for."""
    path = pathlib.Path(path).expanduser()
    if not path.exists():
        if explicit:
            print(
                f"Error: --ceiling {path} does not exist. Write it with: python scripts/bench_conv_ceiling.py --out {path}",
                file=sys.stderr,
            )
            sys.exit(2)
        return None
    try:
        ceiling = json.loads(path.read_text())
        ceiling["ceiling_gflops"] = float(ceiling["ceiling_gflops"])
    except (ValueError, KeyError, TypeError) as error:
        print(
            f"Error: --ceiling {path} is not a conv ceiling JSON ({error}). Write it again with: python scripts/bench_conv_ceiling.py --out {path}",
            file=sys.stderr,
        )
        sys.exit(2)
    ceiling["path"] = path
    return ceiling


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="basic,wcgan,biggan")
    parser.add_argument("--sizes", default="tiny,small")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--jit-compile", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--classes", type=int, default=16, help="number of classes (LSA16: 16, LSA64: 64)")
    parser.add_argument("--cpu-replicas", type=int, default=1, help="mirrored replicas on as many logical CPUs")
    parser.add_argument(
        "--consistency", type=float, default=None, help="consistency regularisation weight (fit --consistency)"
    )
    parser.add_argument(
        "--ceiling",
        default=None,
        help=f"conv ceiling JSON of scripts/bench_conv_ceiling.py (default {DEFAULT_CEILING}, used if it exists)",
    )
    args = parser.parse_args()
    ceiling = read_ceiling(args.ceiling or DEFAULT_CEILING, explicit=args.ceiling is not None)
    import tensorflow as tf

    strategy = None
    if args.cpu_replicas > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.cpu_replicas)
        strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(args.cpu_replicas)])
    print(f"TensorFlow {tf.__version__}, devices: {[d.name for d in tf.config.list_logical_devices()]}")
    print(
        f"{args.classes} classes, batch {args.batch_size}, {args.warmup} warm-up + {args.steps} timed steps, jit_compile {args.jit_compile}"
    )
    if ceiling is not None:
        print(
            f"conv ceiling {ceiling['ceiling_gflops']:.1f} GFLOP/s from {ceiling['path']} "
            f"({ceiling.get('model')} {ceiling.get('size')}, batch {ceiling.get('batch_size')}, {ceiling.get('measured')})"
        )
    print(
        f"{'model':8} {'size':6} {'batch':>5} {'params':>10} {'steps/s':>8} {'images/s':>9} {'CPU s/step':>10} "
        f"{'GFLOP/step':>10} {'GFLOP/s':>8} {'ceiling':>7}"
    )
    for model in args.models.split(","):
        for size in args.sizes.split(","):
            rate, cpu, params, gflop = measure(
                model,
                size,
                args.batch_size,
                args.steps,
                args.warmup,
                num_classes=args.classes,
                jit_compile=args.jit_compile,
                strategy=strategy,
                consistency=args.consistency,
            )
            line = f"{model:8} {size:6} {args.batch_size:5d} {params:10,d} {rate:8.2f} {rate * args.batch_size:9.0f} {cpu:10.3f}"
            if gflop is None:
                line += f" {'-':>10} {'-':>8} {'-':>7}"
            else:
                share = f"{gflop * rate / ceiling['ceiling_gflops']:7.1%}" if ceiling is not None else f"{'-':>7}"
                line += f" {gflop:10.2f} {gflop * rate:8.1f} {share}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
