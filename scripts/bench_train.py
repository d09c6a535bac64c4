"""Training throughput: steps/s of each model and size preset on random 32x32 data.

Usage:
    python scripts/bench_train.py                      # all models, tiny and small, batch 64
    python scripts/bench_train.py --models biggan --sizes small --steps 30 --batch-size 64
    python scripts/bench_train.py --models biggan --sizes small --jit-compile on   # XLA

Each measurement builds the GAN exactly as `signgan fit` does, traces the train step with a
few warm-up steps, then times `--steps` steps of `model.fit` (no callbacks, no I/O). One
step is `n_critic` discriminator updates and one generator update.
"""

import argparse
import time

import keras_signgan  # noqa: F401  (sets the Keras backend)


def measure(model, size, batch_size, steps, warmup, num_classes=16, jit_compile="auto"):
    import numpy as np
    import tensorflow as tf

    from keras_signgan.config import TrainConfig
    from keras_signgan.training.fit import build_compiled_gan

    config = TrainConfig.create(model, "benchmark", size=size, batch_size=batch_size, steps=steps, jit_compile=jit_compile)
    config.class_names = [str(i) for i in range(num_classes)]
    gan = build_compiled_gan(config)
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (batch_size * 4, 32, 32, 3)).astype("float32")
    labels = rng.integers(0, num_classes, batch_size * 4).astype("int32")
    data = tf.data.Dataset.from_tensor_slices((images, labels)).repeat().batch(batch_size, drop_remainder=True)
    gan.fit(data, epochs=1, steps_per_epoch=warmup, verbose=0)
    start, cpu_start = time.perf_counter(), time.process_time()
    gan.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    params = gan.generator.count_params() + gan.discriminator.count_params()
    return steps / seconds, cpu_seconds / steps, params


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="basic,wcgan,biggan")
    parser.add_argument("--sizes", default="tiny,small")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--jit-compile", choices=("auto", "on", "off"), default="auto")
    args = parser.parse_args()
    import tensorflow as tf

    print(f"TensorFlow {tf.__version__}, devices: {[d.name for d in tf.config.list_logical_devices()]}")
    print(f"{'model':8} {'size':6} {'batch':>5} {'params':>10} {'steps/s':>8} {'images/s':>9} {'CPU s/step':>10}")
    for model in args.models.split(","):
        for size in args.sizes.split(","):
            rate, cpu, params = measure(model, size, args.batch_size, args.steps, args.warmup, jit_compile=args.jit_compile)
            print(f"{model:8} {size:6} {args.batch_size:5d} {params:10,d} {rate:8.2f} {rate * args.batch_size:9.0f} {cpu:10.3f}", flush=True)


if __name__ == "__main__":
    main()
