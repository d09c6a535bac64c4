"""`fit`: build the data pipeline, the GAN and the strategy, and run `model.fit`."""

import dataclasses
import errno
import json
import math
import os
import pathlib
import shutil
import sys
import tempfile

import keras
import tensorflow as tf

from keras_signgan import __version__
from keras_signgan.config import DEFAULT_EVAL_SAMPLES, EVAL_SHARE_TARGET, TrainConfig
from keras_signgan.data import load_dataset
from keras_signgan.data.pipeline import make_training_dataset
from keras_signgan.errors import ConfigError, RunError
from keras_signgan.io_utils import WriteError, write_json_atomic
from keras_signgan.metrics.features import load_extractor
from keras_signgan.models.build import build_gan
from keras_signgan.plots import plot_fid_curves
from keras_signgan.runs import (
    CONFIG_FILE,
    EVALUATION_COLUMNS,
    EVALUATIONS_FILE,
    FID_CURVE_FILE,
    TENSORBOARD_DIR,
    default_run_dir,
    is_run_dir,
    latest_checkpoint,
    list_checkpoints,
    read_config,
    read_evaluations,
    read_wall_seconds,
    restore_latest_checkpoint,
    rewrite_csv,
    save_checkpoint,
)
from keras_signgan.training import callbacks as cb


class TrainingDiverged(RunError):
    """A loss or weight turned NaN/Inf; the run stopped at its last good checkpoint."""


class WriteFailed(RunError):
    """A file of the run could not be written (a full disk); the run stopped, resumable."""


def _write_failed(error, run_dir, gan):
    """The one-line WriteFailed for a WriteError: the file, the cause, what is kept, the fix."""
    cause = error.strerror or str(error)
    fix = "Free space on that disk" if error.errno in (errno.ENOSPC, errno.EDQUOT) else "Fix that"
    found = list_checkpoints(run_dir) if run_dir is not None else []
    if found:
        step = cb.global_step(gan) if gan is not None else None
        where = f"The run stopped at step {step}; " if step is not None else ""
        return WriteFailed(
            f"Cannot write {error.filename}: {cause}. {where}its newest checkpoint, {found[-1][1].name}, is "
            f"intact. {fix}, then continue with: signgan fit --resume {run_dir}"
        )
    return WriteFailed(
        f"Cannot write {error.filename}: {cause}. The run stopped before its first checkpoint. {fix}, then "
        f"start it again (remove {run_dir} or choose another --run-dir)."
    )


def _round_up(value):
    """`value` rounded up to two significant digits (267 -> 270, 1234 -> 1300)."""
    value = max(1, math.ceil(value))
    magnitude = 10 ** max(len(str(value)) - 2, 0)
    return math.ceil(value / magnitude) * magnitude


def _report_evaluations(run_dir, clock, start_step, step, log):
    """At the end of fit: the share of wall time evaluations took, and the FID curve plot."""
    try:
        rows = read_evaluations(run_dir)
    except RunError:
        return
    total = clock.seconds()
    timed = [row for row in rows if row["eval_seconds"] is not None]
    if timed and total > 0:
        spent = sum(row["eval_seconds"] for row in timed)
        line = (
            f"Evaluations took {spent / total:.1%} of the run's wall time ({len(timed)} in {spent:.0f} s "
            f"of {total / 60:.1f} min)."
        )
        session = [row for row in timed if row["step"] > start_step]
        if spent / total > EVAL_SHARE_TARGET and session and step > start_step:
            session_eval = sum(row["eval_seconds"] for row in session)
            per_step = max(clock.seconds() - clock.offset - session_eval, 1e-9) / (step - start_step)
            every = _round_up((1 / EVAL_SHARE_TARGET - 1) * session_eval / len(session) / per_step)
            line += (
                f" To keep them under {EVAL_SHARE_TARGET:.0%}: --eval-every {every} or more "
                f"(signgan fit --resume {run_dir} --eval-every {every}), or a smaller --eval-samples."
            )
        log(line)
    try:
        log(f"FID curve: {plot_fid_curves([(pathlib.Path(run_dir).name, rows)], pathlib.Path(run_dir) / FID_CURVE_FILE)}")
    except WriteError as error:
        log(f"Warning: could not write {error.filename} ({error.strerror}); draw it later with: signgan plot {run_dir}")


@dataclasses.dataclass
class FitResult:
    run_dir: pathlib.Path
    step: int
    config: TrainConfig
    history: dict


def gpu_available():
    return bool(tf.config.list_physical_devices("GPU"))


def make_strategy(name):
    """The `tf.distribute` strategy for `name`: auto, mirrored or multiworker."""
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if len(tf.config.list_physical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def is_chief(strategy):
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return True
    return resolver.task_type == "chief" or (resolver.task_type == "worker" and resolver.task_id == 0)


def is_chief_task():
    """Whether this process is the chief of a TF_CONFIG cluster (or there is none): worker 0
    when the cluster has no "chief" task."""
    try:
        task = json.loads(os.environ.get("TF_CONFIG") or "{}").get("task", {})
        cluster = json.loads(os.environ.get("TF_CONFIG") or "{}").get("cluster", {})
    except (ValueError, AttributeError):
        return True
    if not task:
        return True
    if task.get("type") == "chief":
        return True
    return task.get("type") == "worker" and int(task.get("index", 0)) == 0 and "chief" not in cluster


def build_compiled_gan(config):
    """Build the GAN of `config` and compile it with its two Adam optimizers."""
    gan = build_gan(config)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.d_lr, beta_1=config.beta_1, beta_2=config.beta_2, name="d_adam"),
        g_optimizer=keras.optimizers.Adam(config.g_lr, beta_1=config.beta_1, beta_2=config.beta_2, name="g_adam"),
        jit_compile={"auto": "auto", "on": True, "off": False}[config.jit_compile],
    )
    return gan


def _check_fresh_run_dir(run_dir):
    if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())):
        raise RunError(
            f"Run directory {run_dir} already exists and is not empty. "
            f"Continue it with --resume {run_dir}, or choose another --run-dir."
        )


def fit(config=None, run_dir=None, resume=None, steps=None, log=None, progress=True, extra_callbacks=(), changes=None):
    """Train a GAN; return a `FitResult`.

    Everything is checked (options, dataset, network build, checkpoint) before the run
    directory or any file in it is written.

    Args:
        config: TrainConfig for a new run (ignored with `resume`).
        run_dir: str/path or None. Where the run is written; None makes
            `runs/<model>-<dataset>-<timestamp>`. Must not exist or be empty.
        resume: str/path or None. A run directory to continue from its newest readable
            checkpoint.
        steps: int or None. With `resume`, a new total step count (to extend a run).
        log: callable taking a str, for one-line messages. Defaults to stderr.
        progress: bool. Show a progress bar.
        extra_callbacks: more Keras callbacks.
        changes: dict or None. With `resume`, other options to change (see
            `config.RESUMABLE`); recorded in config.json and logged.

    With `eval_every`, the end of the run logs the share of its wall time evaluations took
    and draws `fid-curve.png` in the run directory.

    Raises:
        WriteFailed (a RunError): a file of the run could not be written (a full disk). The
            message names the file, the cause, the newest checkpoint (intact) and the fix;
            no file is left half-written, so `resume` continues the run.
    """
    log = log or (lambda message: print(message, file=sys.stderr))
    clock = cb.RunClock()  # the time a user waits: loading and building count too
    changed = {}
    if resume is not None:
        run_dir = pathlib.Path(resume)
        if not is_run_dir(run_dir):
            raise RunError(f"Cannot resume {run_dir}: it has no {CONFIG_FILE} (not a run directory).")
        config = read_config(run_dir)
        if not list_checkpoints(run_dir):
            raise RunError(f"Cannot resume {run_dir}: it has no checkpoint yet. Start it again instead.")
        config, changed = config.with_changes(**{"steps": steps, **(changes or {})})
    else:
        if config is None:
            raise ConfigError("fit needs a config or a run directory to resume.")
        config.validate()
        run_dir = pathlib.Path(run_dir) if run_dir else default_run_dir(config)
        if config.strategy != "multiworker" or is_chief_task():
            _check_fresh_run_dir(run_dir)

    dataset = load_dataset(config.dataset, image_size=config.image_size)
    if config.class_names is None:
        config.class_names = list(dataset.class_names)
    elif list(config.class_names) != list(dataset.class_names):
        raise RunError(
            f"The dataset {config.dataset!r} now has {dataset.num_classes} classes, the run was "
            f"started with {len(config.class_names)}: the data changed under the run."
        )
    if config.batch_size > len(dataset):
        raise ConfigError(
            f"--batch-size {config.batch_size} is larger than the dataset ({len(dataset)} images). "
            f"Use --batch-size {len(dataset)} or smaller."
        )

    eval_features = config.eval_features
    if config.eval_every:
        # Resolved now (a download included): a missing file or an empty offline cache is
        # refused before the run directory exists, not at the first evaluation.
        eval_features = load_extractor(config.eval_features)

    cleanup = []
    gan, user_run_dir = None, run_dir
    previous_policy = keras.mixed_precision.global_policy()
    if config.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        strategy = make_strategy(config.strategy)
        chief = is_chief(strategy)
        user_run_dir = run_dir
        if not chief:
            # Every worker must run the chief's callbacks: reading the synchronised trackers
            # for a checkpoint is a collective op the others have to join, or the chief
            # waits forever. The others write into a directory of their own, removed below.
            run_dir = pathlib.Path(tempfile.mkdtemp(prefix="signgan-worker-"))
            cleanup.append(run_dir)
        config.version = __version__

        # Same seed, same initial weights, data order and training noise.
        keras.utils.set_random_seed(config.seed)
        with strategy.scope():
            try:
                gan = build_compiled_gan(config)
                if strategy.num_replicas_in_sync > 1:
                    gan.synchronize_batch_norms()
            except ValueError as error:
                raise ConfigError(f"Cannot build {config.model} with these options: {error}") from None
            start_step, checkpoint = 0, None
            if resume is not None:
                start_step, checkpoint = restore_latest_checkpoint(gan, user_run_dir, warn=log)
                # The checkpoint holds the optimizers' learning rates; the config's win.
                gan.d_optimizer.learning_rate = config.d_lr
                gan.g_optimizer.learning_rate = config.g_lr

        # Nothing is written before this point: a refused option leaves no trace.
        if resume is None or changed:
            run_dir.mkdir(parents=True, exist_ok=True)
            write_json_atomic(run_dir / CONFIG_FILE, config.to_dict())
        if changed:
            log("Changed on resume: " + ", ".join(f"{k} {old} -> {new}" for k, (old, new) in changed.items()) + ".")
        log(f"Run directory: {run_dir}")
        if start_step >= config.steps:
            log(f"Nothing to do: the run is at step {start_step} of {config.steps}.")
            return FitResult(run_dir, start_step, config, {})
        if checkpoint:
            log(f"Resuming from {checkpoint.name} at step {start_step}.")
            clock.offset = read_wall_seconds(run_dir, start_step)
            if (run_dir / EVALUATIONS_FILE).exists():
                # Evaluations after the restored step were lost with the crash: the curve
                # continues from the checkpoint, as metrics.csv does.
                rewrite_csv(run_dir / EVALUATIONS_FILE, EVALUATION_COLUMNS, until_step=start_step)

        global_batch = config.batch_size
        data = make_training_dataset(dataset, global_batch, seed=config.seed).skip(start_step)

        writer = tf.summary.create_file_writer(str(run_dir / TENSORBOARD_DIR))
        guard = cb.NonFiniteGuard()
        checkpointer = cb.Checkpointer(run_dir, config.checkpoint_every, config.keep_checkpoints, guard)
        samples = cb.SampleGrids(
            run_dir, config.sample_every, writer, config.class_names, seed=config.seed + 1,
            max_rows=config.sample_classes, truncation=config.truncation,
        )
        callbacks = [guard]
        if progress:
            callbacks.append(cb.TrainingProgress(config.steps, start_step))
        # Every worker: the chief into the run directory, the others into their own.
        metrics_logger = cb.MetricsLogger(run_dir, config.log_every, writer, guard, initial_step=start_step, clock=clock)
        callbacks += [metrics_logger, samples, checkpointer]
        if config.eval_every:
            callbacks.append(
                cb.PeriodicEvaluation(
                    run_dir, config.eval_every, writer, config,
                    num_samples=config.eval_samples or min(len(dataset), DEFAULT_EVAL_SAMPLES), features=eval_features,
                    clock=clock, guard=guard, log=log,
                )
            )
        callbacks += list(extra_callbacks)

        try:
            history = gan.fit(
                data, epochs=1, steps_per_epoch=config.steps - start_step, verbose=0, callbacks=callbacks, shuffle=False
            )
        except KeyboardInterrupt:
            step = cb.global_step(gan)
            if chief and guard.failure is None and checkpointer.last_step != step:
                save_checkpoint(gan, run_dir, keep=config.keep_checkpoints)
            log(f"\nInterrupted at step {step}; state saved. Continue with: signgan fit --resume {run_dir}")
            raise
        step = cb.global_step(gan)
        if guard.failure is not None:
            failed_step, name, value = guard.failure
            last = latest_checkpoint(run_dir)
            kept = f"the last good checkpoint is {last}" if last else "no checkpoint was written before it"
            raise TrainingDiverged(
                f"Training stopped: {name} became {value} at step {failed_step}; {kept}. "
                f"Continue with lower learning rates: --resume {run_dir} --g-lr G --d-lr D "
                f"(now {config.g_lr:g} and {config.d_lr:g})."
            )
        if checkpointer.last_step != step:
            save_checkpoint(gan, run_dir, keep=config.keep_checkpoints)
        if samples.last_step != step:
            samples.set_model(gan)
            samples.write(step)
        writer.close()
        if chief:
            _report_evaluations(run_dir, clock, start_step, step, log)
        log(f"Finished at step {step}. Run directory: {user_run_dir}")
        return FitResult(user_run_dir, step, config, history.history if history else {})
    except WriteError as error:
        if progress:
            log("")  # end the progress bar's line: the error gets its own
        raise _write_failed(error, user_run_dir, gan) from None
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
        for folder in cleanup:
            shutil.rmtree(folder, ignore_errors=True)
