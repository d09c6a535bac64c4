"""`fit`: build the data pipeline, the GAN and the strategy, and run `model.fit`."""

import dataclasses
import pathlib
import shutil
import sys
import tempfile

import keras
import tensorflow as tf

from keras_signgan import __version__
from keras_signgan.config import DEFAULT_EVAL_SAMPLES, TrainConfig
from keras_signgan.data import load_dataset
from keras_signgan.data.pipeline import make_training_dataset
from keras_signgan.errors import ConfigError, RunError
from keras_signgan.io_utils import WriteError, write_json_atomic
from keras_signgan.metrics.features import load_extractor
from keras_signgan.models.build import build_gan
from keras_signgan.runs import (
    CONFIG_FILE,
    EVALUATION_COLUMNS,
    EVALUATIONS_FILE,
    TENSORBOARD_DIR,
    default_run_dir,
    is_run_dir,
    latest_checkpoint,
    list_checkpoints,
    read_config,
    read_wall_seconds,
    restore_latest_checkpoint,
    rewrite_csv,
    save_checkpoint,
)
from keras_signgan.training import callbacks as cb
from keras_signgan.training.learning_rate import LinearDecay
from keras_signgan.training.outcome import (
    TrainingDiverged,
    WorkerLost,
    WriteFailed,
    report_evaluations,
    stopping_error,
)
from keras_signgan.training.strategy import gpu_available, is_chief, is_chief_task, make_strategy

__all__ = ["FitResult", "TrainingDiverged", "WorkerLost", "WriteFailed", "build_compiled_gan", "fit", "gpu_available"]


@dataclasses.dataclass
class FitResult:
    run_dir: pathlib.Path
    step: int
    config: TrainConfig
    history: dict


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
        WriteFailed, WorkerLost (RunErrors): a file of the run could not be written (a full
            disk), or a peer worker of a `multiworker` run stopped; one line naming the cause,
            the newest checkpoint (intact) and the fix, so `resume` continues the run.
    """
    log = log or (lambda message: print(message, file=sys.stderr))
    clock = cb.RunClock()  # the time a user waits: loading and building count too
    config, run_dir, changed = _resolve_run(config, run_dir, resume, steps, changes)
    dataset, eval_features = _load_data(config)

    cleanup = []
    gan, user_run_dir = None, run_dir
    previous_policy = keras.mixed_precision.global_policy()
    if config.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        strategy = make_strategy(config.strategy)
        chief = is_chief(strategy)
        if not chief:
            # Every worker must run the chief's callbacks: reading the synchronised trackers
            # for a checkpoint is a collective op the others have to join, or the chief
            # waits forever. The others write into a directory of their own, removed below.
            run_dir = pathlib.Path(tempfile.mkdtemp(prefix="signgan-worker-"))
            cleanup.append(run_dir)
        config.version = __version__

        keras.utils.set_random_seed(config.seed)  # same initial weights, data order and noise
        gan, start_step, checkpoint = _build_in_scope(config, strategy, resume, user_run_dir, log)
        # Nothing is written before this point: a refused option leaves no trace.
        _record_start(config, run_dir, resume, changed, start_step, checkpoint, log)
        if start_step >= config.steps:
            return FitResult(run_dir, start_step, config, {})
        if checkpoint:
            _continue_records(run_dir, start_step, clock)

        data = make_training_dataset(dataset, config.batch_size, seed=config.seed).skip(start_step)
        writer = tf.summary.create_file_writer(str(run_dir / TENSORBOARD_DIR))
        callbacks = _Callbacks(
            config, run_dir, writer, start_step, dataset, eval_features, progress, extra_callbacks, clock, log
        )
        step, history = _train(gan, data, config, run_dir, callbacks, start_step, chief, log)
        writer.close()
        if chief:
            report_evaluations(run_dir, clock, start_step, step, log)
        log(f"Finished at step {step}. Run directory: {user_run_dir}")
        return FitResult(user_run_dir, step, config, history.history if history else {})
    except (WriteError, tf.errors.OpError) as error:
        stopped = stopping_error(error, config.strategy, user_run_dir, gan)
        if stopped is None:
            raise
        if progress:
            log("")  # end the progress bar's line: the error gets its own
        raise stopped from None
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
        for folder in cleanup:
            shutil.rmtree(folder, ignore_errors=True)


def _build_in_scope(config, strategy, resume, run_dir, log):
    """`(gan, start_step, checkpoint)`: the compiled GAN, built in `strategy`'s scope (batch
    norms synchronised over several replicas) and, with `resume`, restored from the newest
    checkpoint of `run_dir` that reads (`checkpoint`: its path; None for a new run)."""
    with strategy.scope():
        try:
            gan = build_compiled_gan(config)
            if strategy.num_replicas_in_sync > 1:
                gan.synchronize_batch_norms()
        except ValueError as error:
            raise ConfigError(f"Cannot build {config.model} with these options: {error}") from None
        start_step, checkpoint = 0, None
        if resume is not None:
            start_step, checkpoint = restore_latest_checkpoint(gan, run_dir, warn=log)
            # The checkpoint holds the optimizers' learning rates; the config's win.
            gan.d_optimizer.learning_rate = config.d_lr
            gan.g_optimizer.learning_rate = config.g_lr
    return gan, start_step, checkpoint


def _resolve_run(config, run_dir, resume, steps, changes):
    """`(config, run_dir, changed)` of a new run (its config checked, its directory fresh) or
    of a resumed one (its config.json with `steps` and `changes` applied)."""
    if resume is not None:
        run_dir = pathlib.Path(resume)
        if not is_run_dir(run_dir):
            raise RunError(f"Cannot resume {run_dir}: it has no {CONFIG_FILE} (not a run directory).")
        config = read_config(run_dir)
        if not list_checkpoints(run_dir):
            raise RunError(f"Cannot resume {run_dir}: it has no checkpoint yet. Start it again instead.")
        config, changed = config.with_changes(**{"steps": steps, **(changes or {})})
        return config, run_dir, changed
    if config is None:
        raise ConfigError("fit needs a config or a run directory to resume.")
    config.validate()
    run_dir = pathlib.Path(run_dir) if run_dir else default_run_dir(config)
    if config.strategy != "multiworker" or is_chief_task():
        _check_fresh_run_dir(run_dir)
    return config, run_dir, {}


def _load_data(config):
    """The run's dataset (its classes recorded in `config`, or checked against it) and the
    extractor of `--eval-every` (resolved now, a download included: a missing file or an
    empty offline cache is refused before the run directory exists)."""
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
    eval_features = load_extractor(config.eval_features) if config.eval_every else config.eval_features
    return dataset, eval_features


def _continue_records(run_dir, start_step, clock):
    """On resume: the run's clock continues from its records at `start_step`, and the
    evaluations after it, lost with the crash, go (the curve continues from the checkpoint,
    as metrics.csv does)."""
    clock.offset = read_wall_seconds(run_dir, start_step)
    if (run_dir / EVALUATIONS_FILE).exists():
        rewrite_csv(run_dir / EVALUATIONS_FILE, EVALUATION_COLUMNS, until_step=start_step)


class _Callbacks:
    """The callbacks of a run, in order (`all`), with those `fit` asks about afterwards."""

    def __init__(
        self, config, run_dir, writer, start_step, dataset, eval_features, progress, extra_callbacks, clock, log
    ):
        self.guard = cb.NonFiniteGuard()
        self.checkpointer = cb.Checkpointer(run_dir, config.checkpoint_every, config.keep_checkpoints, self.guard)
        self.samples = cb.SampleGrids(
            run_dir,
            config.sample_every,
            writer,
            config.class_names,
            seed=config.seed + 1,
            max_rows=config.sample_classes,
            truncation=config.truncation,
            real=dataset,
        )
        self.all = [self.guard]
        if config.lr_decay:
            self.all.append(LinearDecay(config.g_lr, config.d_lr, config.steps, config.lr_decay))
        if progress:
            self.all.append(cb.TrainingProgress(config.steps, start_step))
        # Every worker: the chief into the run directory, the others into their own.
        metrics_logger = cb.MetricsLogger(
            run_dir, config.log_every, writer, self.guard, initial_step=start_step, clock=clock
        )
        self.all += [metrics_logger, self.samples, self.checkpointer]
        if config.eval_every:
            self.all.append(
                cb.PeriodicEvaluation(
                    run_dir,
                    config.eval_every,
                    writer,
                    config,
                    num_samples=config.eval_samples or min(len(dataset), DEFAULT_EVAL_SAMPLES),
                    features=eval_features,
                    clock=clock,
                    guard=self.guard,
                    log=log,
                )
            )
        self.all += list(extra_callbacks) + [cb.StopWhenRequested()]  # last: after any callback's step


def _record_start(config, run_dir, resume, changed, start_step, checkpoint, log):
    """Write config.json (a new run, or changes on resume) and say where the run starts."""
    if resume is None or changed:
        run_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(run_dir / CONFIG_FILE, config.to_dict())
    if changed:
        log("Changed on resume: " + ", ".join(f"{k} {old} -> {new}" for k, (old, new) in changed.items()) + ".")
    log(f"Run directory: {run_dir}")
    if start_step >= config.steps:
        log(f"Nothing to do: the run is at step {start_step} of {config.steps}.")
    elif checkpoint:
        log(f"Resuming from {checkpoint.name} at step {start_step}.")


def _train(gan, data, config, run_dir, callbacks, start_step, chief, log):
    """`gan.fit` to `config.steps`; `(step, history)`. Interrupted (Ctrl-C), the chief saves
    a checkpoint unless the cadence just wrote one or the run diverged."""
    try:
        history = gan.fit(
            data, epochs=1, steps_per_epoch=config.steps - start_step, verbose=0, callbacks=callbacks.all, shuffle=False
        )
    except KeyboardInterrupt:
        step = cb.global_step(gan)
        if chief and callbacks.guard.failure is None and callbacks.checkpointer.last_step != step:
            save_checkpoint(gan, run_dir, keep=config.keep_checkpoints)
        log(f"\nInterrupted at step {step}; state saved. Continue with: signgan fit --resume {run_dir}")
        raise
    return _finish(gan, config, run_dir, callbacks), history


def _finish(gan, config, run_dir, callbacks):
    """After `gan.fit`: TrainingDiverged if a loss or weight turned non-finite; else the last
    checkpoint and sample grid written if the cadence missed the last step. Returns the step."""
    step = cb.global_step(gan)
    if callbacks.guard.failure is not None:
        failed_step, name, value = callbacks.guard.failure
        last = latest_checkpoint(run_dir)
        kept = f"the last good checkpoint is {last}" if last else "no checkpoint was written before it"
        raise TrainingDiverged(
            f"Training stopped: {name} became {value} at step {failed_step}; {kept}. "
            f"Continue with lower learning rates: --resume {run_dir} --g-lr G --d-lr D "
            f"(now {config.g_lr:g} and {config.d_lr:g})."
        )
    if callbacks.checkpointer.last_step != step:
        save_checkpoint(gan, run_dir, keep=config.keep_checkpoints)
    if callbacks.samples.last_step != step:
        callbacks.samples.set_model(gan)
        callbacks.samples.write(step)
    return step
