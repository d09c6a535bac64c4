"""The convolution ceiling: GFLOP/s TensorFlow reaches on this machine for the convolutions of
a model's training step.

Usage:
    python scripts/bench_conv_ceiling.py                       # biggan small, batch 32
    python scripts/bench_conv_ceiling.py --batch-size 64 --out ceiling.json
    python scripts/bench_train.py --models biggan --sizes small --ceiling ceiling.json

The model's generator and discriminator are built as `signgan fit` builds them and called
once on a small batch, recording the input shape of every Conv2D layer they run (inside
spectral-normalisation wrappers, residual blocks and attention too); an `UpsampleConv2D`
(up-sampling and a 3x3 convolution) is recorded as the convolution it runs, 2x2 VALID over
its input padded by one, with 4x its filters. Each distinct shape
(H, W, Cin, Cout, kernel, strides, padding) is then timed alone at `--batch-size` images:
`tf.nn.conv2d` forward, its input gradient (Conv2DBackpropInput) and its filter gradient
(Conv2DBackpropFilter), each in a `tf.function`, after warm-up, the median of `--repeats`
timings. FLOPs of one pass are 2 * H_out * W_out * k * k * Cin * Cout * batch.

The ceiling weights each shape and pass by its share of the step's convolution FLOPs,
harmonically (total FLOPs / total time at the measured rates). Per step, with n_critic
discriminator updates on batches of B real + B generated images: generator convs run
forward n_critic + 1 times at B and backward (input and filter) once; discriminator convs
run forward at (2 n_critic + 1) B, input gradients at (2 n_critic + 1) B and filter gradients
at 2 n_critic B (the generator update does not need them). Shapes are timed at B images
whatever batch a pass has in the step.

The result goes to a small JSON (`--out`, default ~/.keras/signgan/conv_ceiling.json) that
`scripts/bench_train.py --ceiling FILE` reads to print each step's fraction of the ceiling.

Timings need an otherwise idle machine: another process on the same cores lowers them.
"""

import argparse
import json
import math
import os
import pathlib
import statistics
import time

import keras_signgan  # noqa: F401  (sets the Keras backend)

DEFAULT_OUT = pathlib.Path(os.path.expanduser("~")) / ".keras" / "signgan" / "conv_ceiling.json"
# Used when the model's layers cannot be walked (BigGAN small's three 3x3 block shapes).
FALLBACK_SHAPES = [
    {
        "h": 32,
        "w": 32,
        "cin": 32,
        "cout": 32,
        "k": 3,
        "strides": 1,
        "padding": "SAME",
        "network": "generator",
        "count": 1,
    },
    {
        "h": 16,
        "w": 16,
        "cin": 64,
        "cout": 64,
        "k": 3,
        "strides": 1,
        "padding": "SAME",
        "network": "discriminator",
        "count": 1,
    },
    {
        "h": 8,
        "w": 8,
        "cin": 64,
        "cout": 64,
        "k": 3,
        "strides": 1,
        "padding": "SAME",
        "network": "discriminator",
        "count": 1,
    },
]
PASSES = ("forward", "input grad", "filter grad")


def model_conv_shapes(model, size, num_classes=16):
    """[dict(h, w, cin, cout, k, strides, padding, network, count)] of every Conv2D the
    model's generator and discriminator run (identical shapes merged, `count` of them), and
    the GAN's n_critic."""
    import keras
    import numpy as np

    from keras_signgan.config import TrainConfig
    from keras_signgan.training.fit import build_compiled_gan

    try:
        from keras_signgan.layers import UpsampleConv2D
    except ImportError:  # a package from before it, on PYTHONPATH for a "before" measurement
        UpsampleConv2D = None

    config = TrainConfig.create(model, "benchmark", size=size)
    config.class_names = [str(i) for i in range(num_classes)]
    gan = build_compiled_gan(config)
    seen = []
    originals = {cls: cls.call for cls in (keras.layers.Conv2D, UpsampleConv2D) if cls is not None}

    def recorder(cls):
        def recording_call(layer, inputs, *args, **kwargs):
            seen.append((layer, tuple(inputs.shape[1:])))
            return originals[cls](layer, inputs, *args, **kwargs)

        return recording_call

    shapes = {}
    for cls in originals:
        cls.call = recorder(cls)
    try:
        rng = np.random.default_rng(0)
        labels = rng.integers(0, num_classes, 2).astype("int32")
        for network, net_model, first_input in (
            (
                "generator",
                gan.generator,
                rng.standard_normal((2, gan.z_dim)).astype("float32"),
            ),
            (
                "discriminator",
                gan.discriminator,
                rng.uniform(-1, 1, (2, gan.image_size, gan.image_size, 3)).astype("float32"),
            ),
        ):
            del seen[:]
            net_model([first_input, labels], training=False)
            for layer, (h, w, cin) in seen:
                if UpsampleConv2D is not None and isinstance(layer, UpsampleConv2D):
                    key = (network, int(h) + 2, int(w) + 2, int(cin), 4 * int(layer.filters), 2, 1, "VALID")
                    shapes[key] = shapes.get(key, 0) + 1
                    continue
                kh, kw = layer.kernel_size
                sh, sw = layer.strides
                if kh != kw or sh != sw:
                    raise ValueError(
                        f"non-square conv {layer.name}: kernel {layer.kernel_size}, strides {layer.strides}"
                    )
                # A 1x1 stride-1 conv is the same computation whatever its padding.
                padding = "SAME" if kh == 1 and sh == 1 else layer.padding.upper()
                key = (network, int(h), int(w), int(cin), int(layer.filters), int(kh), int(sh), padding)
                shapes[key] = shapes.get(key, 0) + 1
    finally:
        for cls, call in originals.items():
            cls.call = call
    rows = [
        {
            "network": n,
            "h": h,
            "w": w,
            "cin": cin,
            "cout": cout,
            "k": k,
            "strides": s,
            "padding": p,
            "count": count,
        }
        for (n, h, w, cin, cout, k, s, p), count in shapes.items()
    ]
    return rows, gan.n_critic


def pass_flops(shape, batch_size):
    """FLOPs of one pass (forward, or one of the two gradients) of one conv at `batch_size`."""
    s = shape["strides"]
    h_out = math.ceil(shape["h"] / s) if shape["padding"] == "SAME" else (shape["h"] - shape["k"]) // s + 1
    w_out = math.ceil(shape["w"] / s) if shape["padding"] == "SAME" else (shape["w"] - shape["k"]) // s + 1
    return (
        2 * h_out * w_out * shape["k"] ** 2 * shape["cin"] * shape["cout"] * batch_size,
        h_out,
        w_out,
    )


def step_multiplicities(network, n_critic):
    """{pass: how many batches of B images that pass runs over in one training step}."""
    if network == "generator":
        return {"forward": n_critic + 1, "input grad": 1, "filter grad": 1}
    return {
        "forward": 2 * n_critic + 1,
        "input grad": 2 * n_critic + 1,
        "filter grad": 2 * n_critic,
    }


def time_shape(shape, batch_size, repeats, warmup):
    """{pass: median seconds} of one conv shape at `batch_size` images."""
    import tensorflow as tf

    flops, h_out, w_out = pass_flops(shape, batch_size)
    strides = [1, shape["strides"], shape["strides"], 1]
    padding = shape["padding"]
    rng = tf.random.Generator.from_seed(0)
    x = rng.normal((batch_size, shape["h"], shape["w"], shape["cin"]))
    kernel = rng.normal((shape["k"], shape["k"], shape["cin"], shape["cout"]))
    dy = rng.normal((batch_size, h_out, w_out, shape["cout"]))
    input_sizes = tf.constant([batch_size, shape["h"], shape["w"], shape["cin"]], tf.int32)
    filter_sizes = tf.constant(list(kernel.shape), tf.int32)

    @tf.function(jit_compile=False)
    def forward(x, kernel):
        return tf.nn.conv2d(x, kernel, strides=strides, padding=padding)

    @tf.function(jit_compile=False)
    def input_grad(kernel, dy):
        return tf.raw_ops.Conv2DBackpropInput(
            input_sizes=input_sizes,
            filter=kernel,
            out_backprop=dy,
            strides=strides,
            padding=padding,
        )

    @tf.function(jit_compile=False)
    def filter_grad(x, dy):
        return tf.raw_ops.Conv2DBackpropFilter(
            input=x,
            filter_sizes=filter_sizes,
            out_backprop=dy,
            strides=strides,
            padding=padding,
        )

    calls = {
        "forward": lambda: forward(x, kernel),
        "input grad": lambda: input_grad(kernel, dy),
        "filter grad": lambda: filter_grad(x, dy),
    }
    # Enough calls per timing for ~0.5 GFLOP, so that call overhead stays small.
    inner = max(1, math.ceil(5e8 / flops))
    seconds = {}
    for name, call in calls.items():
        for _ in range(warmup):
            call()
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(inner):
                result = call()
            _ = result.shape  # CPU ops run synchronously; the result is ready
            timings.append((time.perf_counter() - start) / inner)
        seconds[name] = statistics.median(timings)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="biggan")
    parser.add_argument("--size", default="small")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"JSON to write (default {DEFAULT_OUT})")
    args = parser.parse_args()
    import tensorflow as tf

    print(
        f"TensorFlow {tf.__version__}, {os.cpu_count()} CPUs, model {args.model} size {args.size}, "
        f"batch {args.batch_size}, {args.warmup} warm-up + {args.repeats} timed repeats (median)"
    )
    try:
        shapes, n_critic = model_conv_shapes(args.model, args.size)
        source = f"the {args.model} {args.size} networks"
    except Exception as error:  # noqa: BLE001  (e.g. an older package without these builders)
        print(
            f"Could not walk the model's convolutions ({type(error).__name__}: {error}); using BigGAN small's three shapes."
        )
        shapes, n_critic, source = FALLBACK_SHAPES, 1, "fallback shapes"
    if not shapes:
        raise SystemExit(f"Error: {args.model} {args.size} has no Conv2D layer to time.")
    print(f"{len(shapes)} conv shapes from {source}, n_critic {n_critic}")
    print()
    print(
        f"{'network':13} {'HxWxCin->Cout':18} {'k':>2} {'s':>2} {'n':>2} {'MFLOP/pass':>10} "
        f"{'fwd':>6} {'dInput':>6} {'dFilter':>7} {'fwd+2bwd':>8} {'step GFLOP':>10}  (GFLOP/s)"
    )
    step_flops, step_seconds = 0.0, 0.0
    for shape in sorted(shapes, key=lambda s: (s["network"], -s["h"], s["cin"], s["cout"], s["k"])):
        flops, _, _ = pass_flops(shape, args.batch_size)
        seconds = time_shape(shape, args.batch_size, args.repeats, args.warmup)
        rates = {name: flops / seconds[name] / 1e9 for name in PASSES}
        shape["gflops_per_s"] = rates
        shape["gflops_per_s"]["fwd+2bwd"] = 3 * flops / sum(seconds.values()) / 1e9
        shape_step_flops = 0.0
        for name, times in step_multiplicities(shape["network"], n_critic).items():
            work = flops * times * shape["count"]
            shape_step_flops += work
            step_seconds += work / (rates[name] * 1e9)
        shape["step_gflop"] = shape_step_flops / 1e9
        step_flops += shape_step_flops
        label = f"{shape['h']}x{shape['w']}x{shape['cin']}->{shape['cout']}"
        print(
            f"{shape['network']:13} {label:18} {shape['k']:2d} {shape['strides']:2d} {shape['count']:2d} {flops / 1e6:10.1f} "
            f"{rates['forward']:6.1f} {rates['input grad']:6.1f} {rates['filter grad']:7.1f} "
            f"{shape['gflops_per_s']['fwd+2bwd']:8.1f} {shape['step_gflop']:10.2f}",
            flush=True,
        )
    ceiling = step_flops / step_seconds / 1e9
    print()
    print(
        f"conv GFLOP per step {step_flops / 1e9:.2f}; weighted ceiling {ceiling:.1f} GFLOP/s "
        f"(those convs alone would take {step_seconds * 1000:.0f} ms per step)"
    )
    result = {
        "model": args.model,
        "size": args.size,
        "batch_size": args.batch_size,
        "n_critic": n_critic,
        "tensorflow": tf.__version__,
        "cpus": os.cpu_count(),
        "measured": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "shapes_from": source,
        "conv_gflop_per_step": step_flops / 1e9,
        "conv_ms_per_step_at_ceiling": step_seconds * 1000,
        "ceiling_gflops": ceiling,
        "shapes": shapes,
    }
    out = pathlib.Path(args.out).expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(json.dumps(result, indent=1) + "\n")
    temporary.replace(out)
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
