"""Where a training step's time goes: a TensorFlow profile of the train step, grouped.

Usage:
    python scripts/profile_step.py                                   # biggan small, batch 32, 10 steps
    python scripts/profile_step.py --model biggan --size small --batch-size 32 --steps 10 --dataset lsa16
    PYTHONPATH=/path/to/other/checkout python scripts/profile_step.py   # profile another version

The GAN is built as `signgan fit` and `scripts/bench_train.py` build it, trained for a few
warm-up steps (tracing), then `--steps` steps of `model.fit` (no callbacks) run under the
TensorFlow profiler. The profile's host plane is read back and the time of every op that
ran on TensorFlow's compute threads is grouped by what it does, from the op's name scope
and type, first matching group wins:

    Adam               ops under the optimizers' scopes (d_adam, g_adam)
    DiffAugment        ops under diff_augment (its gradients included)
    spectral norm      the power iterations: ops under a sn_<name>/ scope that are not the
                       wrapped layer's own ops (sn_<name>/<name>/...)
    self-attention     ops under an attention scope (its 1x1 convolutions, pooling and
                       softmax included)
    conv forward, conv backward (input grads), conv backward (filter grads)
                       Conv2D ops by type (the fused conv+bias+activation ops included,
                       whatever node they are named after)
    batch norms        batch-norm ops by type, and every op under a conditional batch norm
                       (cbn_*: its gain and bias Dense layers included) or output_bn
    up-sampling        ops under upsample, and nearest-neighbour resize ops
    pooling            pooling ops outside attention
    EMA and other updates
                       ops under an ema scope; if the EMA update has no scope, the variable
                       updates and arithmetic at the top level of the step, outside the
                       networks (AssignVariableOp, Mul, AddV2, Sub, SelectV2, ...)
    losses and other   everything else (losses, noise, gradient sums, metric updates)

Op time sums the busy time of every compute thread, so with several threads it can exceed
the wall time; the shares are of op time. Wall ms and CPU s (process time) per step are of
the profiled steps (the profiler adds a little overhead).

Outside the profiler it then times: the input pipeline (`make_training_dataset` over 800
random images, 200 batches pulled), and the callbacks of `signgan fit` at the size preset's
cadences (`sample_every`, `checkpoint_every` of `TrainConfig.create`): one sample grid
(`SampleGrids.write`, which includes a standing-statistics pass of the EMA generator), one
checkpoint (`runs.save_checkpoint`), and one standing-statistics pass alone, each after a
warm-up call, divided by its cadence.

Timings need an otherwise idle machine: another process on the same cores inflates them.
"""

import argparse
import collections
import pathlib
import re
import tempfile
import time

import keras_signgan

GROUPS = (
    "conv forward",
    "conv backward (input grads)",
    "conv backward (filter grads)",
    "batch norms",
    "spectral norm power iterations",
    "self-attention",
    "up-sampling",
    "pooling",
    "DiffAugment",
    "Adam",
    "EMA and other updates",
    "losses and other",
)
# Top-level op types of an unscoped EMA update (`average.assign(decay * average + ...)`).
TOP_LEVEL_UPDATE_TYPES = {
    "AssignVariableOp",
    "AssignAddVariableOp",
    "Mul",
    "AddV2",
    "Add",
    "Sub",
    "SelectV2",
    "Select",
    "GreaterEqual",
    "ReadVariableOp",
    "Cast",
    "_MklMul",
    "_MklAdd",
    "_MklAddV2",
    "_MklSub",
}
CALL_WRAPPERS = ("StatefulPartitionedCall", "PartitionedCall")


def _base(component):
    """`block_2` -> `block`, `sn_conv_1` -> `sn_conv`: a scope name without its uniquifier."""
    return re.sub(r"_\d+$", "", component)


def classify(op_path, op_type):
    """The group (one of GROUPS) of one op, from its name-scope path and type."""
    parts = op_path.split("/")
    while parts and parts[0] in CALL_WRAPPERS:
        parts = parts[1:]
    bases = [_base(p) for p in parts]
    lowered = [b.lower() for b in bases]
    if any(b.endswith("adam") for b in lowered):
        return "Adam"
    if "diff_augment" in lowered:
        return "DiffAugment"
    for i, part in enumerate(parts[:-1]):
        if part.startswith("sn_"):
            wrapped = part[3:]
            inner = parts[i + 1]
            if inner != wrapped and _base(inner) != _base(wrapped):
                return "spectral norm power iterations"
    if "attention" in lowered:
        return "self-attention"
    if "Conv2D" in op_type:
        if "BackpropInput" in op_type:
            return "conv backward (input grads)"
        if "BackpropFilter" in op_type:
            return "conv backward (filter grads)"
        return "conv forward"
    if "BatchNorm" in op_type or any(b.startswith("cbn") or b.endswith("_bn") or b == "batch_norm" for b in lowered):
        return "batch norms"
    if "upsample" in lowered or "ResizeNearestNeighbor" in op_type:
        return "up-sampling"
    if "Pool" in op_type or "pool" in lowered:
        return "pooling"
    if any(b in ("ema", "update_ema", "_update_ema") for b in lowered):
        return "EMA and other updates"
    networks = ("generator", "discriminator", "gradient_tape")
    top_level = not any(any(n in b for n in networks) for b in lowered)
    if top_level and len(parts) <= 2 and op_type in TOP_LEVEL_UPDATE_TYPES:
        return "EMA and other updates"
    return "losses and other"


def read_op_times(xplane_path):
    """{(op path, op type): total ms} of the ops on the compute threads of the host plane."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    space.ParseFromString(pathlib.Path(xplane_path).read_bytes())
    planes = [plane for plane in space.planes if plane.name == "/host:CPU"]
    if not planes:
        raise SystemExit(f"Error: the profile {xplane_path} has no /host:CPU plane.")
    plane = planes[0]
    times = collections.Counter()
    for line in plane.lines:
        if not line.name.startswith("tf_Compute"):
            continue
        for event in line.events:
            name = plane.event_metadata[event.metadata_id].name
            if ":" not in name or name.startswith(("Threadpool", "Executor")):
                continue
            op_path, op_type = name.rsplit(":", 1)
            times[(op_path, op_type)] += event.duration_ps / 1e9
    return times


def random_dataset(num_images, num_classes, seed=0):
    import numpy as np

    from keras_signgan.data.dataset import HandshapeDataset

    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (num_images, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, num_classes, num_images)
    return HandshapeDataset("random", images, labels, [str(i) for i in range(num_classes)])


def build(model, size, batch_size, dataset_name, jit_compile):
    """The compiled GAN (as `signgan fit` builds it), its config and the handshape dataset."""
    import keras

    from keras_signgan.config import TrainConfig
    from keras_signgan.training.fit import build_compiled_gan

    if dataset_name == "random":
        dataset = random_dataset(800, 16)
    else:
        from keras_signgan.data import load_dataset

        dataset = load_dataset(dataset_name, image_size=32)
    options = {"size": size, "batch_size": batch_size}
    if jit_compile != "auto":
        options["jit_compile"] = jit_compile
    config = TrainConfig.create(model, dataset_name, **options)
    config.class_names = list(dataset.class_names)
    keras.utils.set_random_seed(config.seed)
    return build_compiled_gan(config), config, dataset


def profile_steps(gan, data, steps, logdir):
    import tensorflow as tf

    from keras_signgan.training.callbacks import StepClock

    tf.profiler.experimental.start(str(logdir))
    try:
        clock = StepClock()
        gan.fit(data, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False, callbacks=[clock])
        wall, cpu = clock.seconds()
    finally:
        tf.profiler.experimental.stop()
    found = sorted(pathlib.Path(logdir).glob("plugins/profile/*/*.xplane.pb"))
    if not found:
        raise SystemExit(f"Error: the profiler wrote no .xplane.pb under {logdir}.")
    return found[-1], wall / steps, cpu / steps


def time_pipeline(batch_size, batches=200):
    from keras_signgan.data.pipeline import make_training_dataset

    iterator = iter(make_training_dataset(random_dataset(800, 16), batch_size, seed=0))
    for _ in range(5):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return (time.perf_counter() - start) / batches


def _timed_twice(function):
    """Seconds of the second call (the first warms up: tracing, imports, file creation)."""
    function()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def time_callbacks(gan, config, model, size):
    """[(name, seconds once, cadence in steps or None)] of the fit callbacks; seconds None
    with the reason when this version of the package lacks one."""
    import tensorflow as tf

    from keras_signgan.config import TrainConfig

    preset = TrainConfig.create(model, "x", size=size)
    rows = []
    with tempfile.TemporaryDirectory(prefix="profile-step-") as folder:
        run_dir = pathlib.Path(folder)
        writer = tf.summary.create_file_writer(str(run_dir / "tensorboard"))
        try:
            from keras_signgan.training.callbacks import SampleGrids

            grids = SampleGrids(
                run_dir,
                preset.sample_every,
                writer,
                config.class_names,
                seed=config.seed + 1,
                max_rows=config.sample_classes,
                truncation=config.truncation,
            )
            grids.set_model(gan)
            rows.append(
                (
                    "sample grid (with its standing statistics)",
                    _timed_twice(lambda: grids.write(1)),
                    preset.sample_every,
                )
            )
        except Exception as error:  # noqa: BLE001  (an older package: report, do not stop)
            rows.append(
                (
                    "sample grid (with its standing statistics)",
                    f"n/a ({type(error).__name__}: {error})",
                    preset.sample_every,
                )
            )
        try:
            from keras_signgan.runs import save_checkpoint

            rows.append(
                (
                    "checkpoint",
                    _timed_twice(lambda: save_checkpoint(gan, run_dir, keep=3)),
                    preset.checkpoint_every,
                )
            )
        except Exception as error:  # noqa: BLE001
            rows.append(
                (
                    "checkpoint",
                    f"n/a ({type(error).__name__}: {error})",
                    preset.checkpoint_every,
                )
            )
        if getattr(gan, "ema_generator", None) is None:
            rows.append(("standing statistics", "n/a (no EMA generator)", None))
        elif hasattr(gan, "ema_standing_statistics"):

            def standing():
                with gan.ema_standing_statistics():
                    pass

            rows.append(
                (
                    "standing statistics pass (in the grid)",
                    _timed_twice(standing),
                    preset.sample_every,
                )
            )
        elif hasattr(gan, "refresh_ema_statistics"):
            rows.append(
                (
                    "standing statistics pass (in the grid)",
                    _timed_twice(gan.refresh_ema_statistics),
                    preset.sample_every,
                )
            )
        else:
            rows.append(("standing statistics", "n/a (this version has none)", None))
        writer.close()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="biggan")
    parser.add_argument("--size", default="small")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10, help="profiled steps")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--dataset",
        default="random",
        help="random (800 random images, 16 classes) or a dataset name",
    )
    parser.add_argument("--jit-compile", choices=("auto", "on", "off"), default="auto")
    parser.add_argument(
        "--logdir",
        default=None,
        help="keep the profile here (default: a temporary folder)",
    )
    parser.add_argument("--top", type=int, default=0, help="also list the N slowest ops")
    parser.add_argument(
        "--no-extras",
        action="store_true",
        help="skip the pipeline and callback timings",
    )
    args = parser.parse_args()
    import tensorflow as tf

    from keras_signgan.data.pipeline import make_training_dataset

    print(
        f"TensorFlow {tf.__version__}, keras_signgan {getattr(keras_signgan, '__version__', '?')} from "
        f"{pathlib.Path(keras_signgan.__file__).parent}"
    )
    print(
        f"model {args.model}, size {args.size}, batch {args.batch_size}, dataset {args.dataset}, "
        f"{args.warmup} warm-up + {args.steps} profiled steps, jit_compile {args.jit_compile}, "
        f"threads intra {tf.config.threading.get_intra_op_parallelism_threads()} "
        f"inter {tf.config.threading.get_inter_op_parallelism_threads()} (0 = TensorFlow's default)"
    )
    gan, config, dataset = build(args.model, args.size, args.batch_size, args.dataset, args.jit_compile)
    data = make_training_dataset(dataset, args.batch_size, seed=config.seed)
    gan.fit(data, epochs=1, steps_per_epoch=args.warmup, verbose=0, shuffle=False)
    with tempfile.TemporaryDirectory(prefix="profile-step-") as folder:
        logdir = pathlib.Path(args.logdir) if args.logdir else pathlib.Path(folder)
        xplane, wall, cpu = profile_steps(gan, data, args.steps, logdir)
        times = read_op_times(xplane)

    groups = collections.Counter()
    for (op_path, op_type), ms in times.items():
        groups[classify(op_path, op_type)] += ms
    total = sum(groups.values())
    print()
    print(f"{'group':34} {'op ms/step':>10} {'share':>6}")
    for group in GROUPS:
        ms = groups.get(group, 0.0) / args.steps
        print(f"{group:34} {ms:10.1f} {ms * args.steps / total:6.1%}")
    print(f"{'all ops':34} {total / args.steps:10.1f} {1:6.0%}")
    print(f"wall ms/step {wall * 1000:.1f}, CPU s/step {cpu:.3f} (profiled steps)")
    if args.top:
        print()
        print(f"{'op ms/step':>10}  op (group)")
        for (op_path, op_type), ms in times.most_common(args.top):
            print(f"{ms / args.steps:10.2f}  {op_path}:{op_type} ({classify(op_path, op_type)})")

    if args.no_extras:
        return
    print()
    print(
        f"input pipeline: {time_pipeline(args.batch_size) * 1000:.2f} ms per batch (200 batches of {args.batch_size}, 800 random images)"
    )
    print()
    print(f"{'callback':42} {'s once':>8} {'every':>6} {'ms/step':>8}")
    per_step = 0.0
    for name, seconds, every in time_callbacks(gan, config, args.model, args.size):
        if isinstance(seconds, str):
            print(f"{name:42} {seconds}")
            continue
        share = seconds / every * 1000 if every else float("nan")
        if "in the grid" not in name:
            per_step += share
        print(f"{name:42} {seconds:8.2f} {every or '-':>6} {share:8.2f}")
    print(f"{'callbacks (grid + checkpoint)':42} {'':8} {'':6} {per_step:8.2f}")


if __name__ == "__main__":
    main()
