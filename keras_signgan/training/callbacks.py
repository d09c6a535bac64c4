"""Callbacks of a training run: progress, NaN guard, logs, sample grids, checkpoints, FID.

All of them key on the GAN's own global step (`gan.step`, 1-based after the first update),
so a resumed run logs and saves at the same steps as an uninterrupted one; the logs also
carry the run's wall-clock seconds (`RunClock`), continued across resumes.
"""

import math
import pathlib
import time

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_signgan import plots
from keras_signgan.errors import RunError
from keras_signgan.generators import generator_from_gan
from keras_signgan.interrupts import raise_if_stop_requested
from keras_signgan.metrics.evaluate import evaluate
from keras_signgan.metrics.features import load_extractor
from keras_signgan.runs import (
    EVALUATION_COLUMNS,
    EVALUATIONS_FILE,
    METRICS_FILE,
    SAMPLES_DIR,
    WALL_SECONDS,
    append_csv_row,
    read_best,
    rewrite_csv,
    save_best_checkpoint,
    save_checkpoint,
)


def global_step(model):
    return int(ops.convert_to_numpy(model.step))


class RunClock:
    """A run's wall-clock seconds: `offset` (what earlier parts of the run took, read back on
    resume) plus the time since this clock was made."""

    def __init__(self, offset=0.0):
        self.offset = float(offset)
        self.start = time.monotonic()

    def seconds(self):
        return self.offset + time.monotonic() - self.start


class StepClock(keras.callbacks.Callback):
    """Wall and CPU seconds of one `fit`'s steps, from the first step's start to the last
    one's end (`seconds()`), for benchmarks.

    Timing `fit` from call to return is not the same: on a 2-core CPU it sometimes returns
    seconds after its last step (up to the next multiple of 10.24 s from its start, while
    the step's tf.data iterator shuts down), which cut short benchmarks' steps/s by up to a
    third at random. A run pays that once; its steps are what this measures.
    """

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            self.start = (time.perf_counter(), time.process_time())

    def on_train_batch_end(self, batch, logs=None):
        self.end = (time.perf_counter(), time.process_time())

    def seconds(self):
        """`(wall seconds, CPU seconds)` of the steps of the last `fit`."""
        return self.end[0] - self.start[0], self.end[1] - self.start[1]


def _floats(logs):
    # Under MultiWorkerMirroredStrategy the GAN logs one-element vectors (see
    # ConditionalGAN.train_step); with one worker Keras passes them on unreduced.
    return {k: float(np.asarray(v).reshape(())) for k, v in (logs or {}).items()}


class TrainingProgress(keras.callbacks.Callback):
    """One progress bar over the whole run: losses and steps/s."""

    def __init__(self, total_steps, initial_step=0):
        super().__init__()
        self.total_steps = total_steps
        self.initial_step = initial_step

    def on_train_begin(self, logs=None):
        self.bar = None
        self.start = None

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if self.bar is None:
            # The first step includes tracing; time from its end.
            self.start, self.start_step = now, self.initial_step + batch + 1
            names = list(_floats(logs)) + ["steps/s"]
            self.bar = keras.utils.Progbar(self.total_steps, stateful_metrics=names, unit_name="step")
        step = self.initial_step + batch + 1
        values = list(_floats(logs).items())
        if step > self.start_step:
            values.append(("steps/s", (step - self.start_step) / (now - self.start)))
        self.bar.update(step, values=values)


class NonFiniteGuard(keras.callbacks.Callback):
    """Stops training as soon as a logged loss is NaN or Inf; `failure` says where."""

    def __init__(self):
        super().__init__()
        self.failure = None

    def on_train_batch_end(self, batch, logs=None):
        for name, value in _floats(logs).items():
            if not math.isfinite(value):
                self.failure = (global_step(self.model), name, value)
                self.model.stop_training = True
                return


class StopWhenRequested(keras.callbacks.Callback):
    """Raises KeyboardInterrupt after a step if a stop (Ctrl-C, SIGTERM) was requested and
    its first raise was lost in a finalizer (`keras_signgan.interrupts`)."""

    def on_train_batch_end(self, batch, logs=None):
        raise_if_stop_requested()


class MetricsLogger(keras.callbacks.Callback):
    """Every `log_every` steps: a row in `metrics.csv` and TensorBoard scalars.

    The trackers are reset after each row, so a row holds the mean over its interval; its
    last column, `wall_seconds`, is the run's clock then. On resume, rows after the restored
    step (lost with the crash) are dropped first.
    """

    def __init__(self, run_dir, log_every, writer, guard, initial_step=0, clock=None):
        super().__init__()
        self.path = pathlib.Path(run_dir) / METRICS_FILE
        self.log_every = log_every
        self.writer = writer
        self.guard = guard
        self.initial_step = initial_step
        self.clock = clock or RunClock()
        self.columns = None

    def on_train_begin(self, logs=None):
        self.columns = ["step"] + [m.name for m in self.model.metrics] + [WALL_SECONDS]
        # Rewritten under a temporary name: a crash here never loses the rows kept so far.
        rewrite_csv(self.path, self.columns, until_step=self.initial_step)

    def write_row(self, step, values):
        row = {"step": step, **values, WALL_SECONDS: f"{self.clock.seconds():.3f}"}
        append_csv_row(self.path, self.columns, row)
        with self.writer.as_default():
            for name, value in values.items():
                tf.summary.scalar(name, value, step=step)
        self.writer.flush()

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.guard.failure is None and step % self.log_every == 0:
            self.write_row(step, _floats(logs))
            for metric in self.model.metrics:
                metric.reset_state()


class SampleGrids(keras.callbacks.Callback):
    """Every `every` steps and at the end: a grid of samples from a fixed z.

    One row per class (or an evenly spaced subset of `max_rows` classes), `columns` images
    per row, written to `samples/step-NNNNNN.png` and to TensorBoard. The EMA generator
    draws them with its standing statistics, and is put back as it was afterwards. Given
    `real` (the HandshapeDataset), training writes `samples/real.png` when it is missing:
    the same rows of real images, to compare with.
    """

    def __init__(self, run_dir, every, writer, class_names, seed, max_rows=16, columns=8, truncation=None, real=None):
        super().__init__()
        self.real = real
        self.folder = pathlib.Path(run_dir) / SAMPLES_DIR
        self.every = every
        self.writer = writer
        rows = np.unique(np.linspace(0, len(class_names) - 1, min(max_rows, len(class_names))).round().astype(int))
        self.rows = rows
        self.row_labels = [class_names[i] for i in rows]
        self.labels = np.repeat(rows, columns)
        self.columns = columns
        self.seed = seed
        self.truncation = truncation
        self.last_step = None

    def on_train_begin(self, logs=None):
        path = self.folder / "real.png"
        if self.real is not None and not path.exists():
            rows = self.real.class_rows(self.rows, self.columns, seed=self.seed)
            plots.save_labelled_grid(rows, self.row_labels, path, title="real images")

    def write(self, step):
        with self.model.ema_standing_statistics():
            images = self.model.sample(self.labels, seed=self.seed, truncation=self.truncation)
        grid = images.reshape((len(self.rows), self.columns) + images.shape[1:])
        plots.save_labelled_grid(grid, self.row_labels, self.folder / f"step-{step:06d}.png", title=f"step {step}")
        with self.writer.as_default():
            tf.summary.image("samples", plots.tile_images(grid)[None], step=step)
        self.writer.flush()
        self.last_step = step

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if step % self.every == 0:
            self.write(step)


class Checkpointer(keras.callbacks.Callback):
    """Every `every` steps: an atomic checkpoint, keeping the newest `keep`."""

    def __init__(self, run_dir, every, keep, guard):
        super().__init__()
        self.run_dir = run_dir
        self.every = every
        self.keep = keep
        self.guard = guard
        self.last_step = None

    def save(self):
        save_checkpoint(self.model, self.run_dir, keep=self.keep)
        self.last_step = global_step(self.model)

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.guard.failure is None and step % self.every == 0:
            try:
                self.save()
            except RunError:
                # Finite losses but non-finite weights: the update itself diverged.
                self.guard.failure = (step, "weights", float("nan"))
                self.model.stop_training = True


class PeriodicEvaluation(keras.callbacks.Callback):
    """Every `every` steps: FID and KID of the sampling (EMA) generator against the real data,
    as TensorBoard scalars `eval/fid`, `eval/kid` and rows of `evaluations.csv`, and the
    best-FID checkpoint kept as `checkpoints/best.npz`.

    A row holds the step, the scores, `images_seen` (step * batch_size: the real images drawn
    from the data; each step shows its batch to each of its n_critic discriminator updates),
    `wall_seconds` (the run's clock after the evaluation: evaluations count as time waited)
    and `eval_seconds` (what this evaluation took, writing best.npz included). On resume the
    best FID so far is read back from best.json, so only a better one replaces best.npz;
    a best FID scored with another extractor or image count is not comparable and is
    replaced by the next evaluation.

    The extractor is built once; the real statistics come from the statistics cache after
    the first evaluation. As for sample grids, the EMA generator's standing statistics are
    computed for the evaluation and the EMA is put back afterwards.
    """

    def __init__(
        self, run_dir, every, writer, config, num_samples, features="inception", clock=None, guard=None, log=None
    ):
        super().__init__()
        self.run_dir = pathlib.Path(run_dir)
        self.every = every
        self.writer = writer
        self.config = config
        self.num_samples = num_samples
        self.features = features
        self.clock = clock or RunClock()
        self.guard = guard
        self.log = log or (lambda message: None)
        self.extractor = None
        self.last_step = None
        self.best_fid = math.inf

    def on_train_begin(self, logs=None):
        self.extractor = load_extractor(self.features)
        best = read_best(self.run_dir)
        self.best_fid = math.inf
        if best is None:
            return
        if best.get("extractor") == self.extractor.identifier and best.get("num_generated") == self.num_samples:
            self.best_fid = best["fid"]
        else:
            self.log(
                f"The best checkpoint (FID {best['fid']:.4g} at step {best['step']}, {best.get('extractor')}, "
                f"{best.get('num_generated')} images) is not comparable with these evaluations "
                f"({self.extractor.identifier}, {self.num_samples} images): the next evaluation replaces it."
            )

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.guard is not None and self.guard.failure is not None:
            return
        if self.every and step % self.every == 0 and step != self.last_step:
            self.evaluate(step)

    def evaluate(self, step):
        started = time.monotonic()
        if self.extractor is None:
            self.extractor = load_extractor(self.features)
        generator = generator_from_gan(self.model, self.config, step)
        with self.model.ema_standing_statistics():
            result = evaluate(
                None,
                dataset=self.config.dataset,
                num_samples=self.num_samples,
                metrics="fid,kid",
                features=self.extractor,
                generator=generator,
                progress=False,
            )
        fid, kid = result["metrics"]["fid"], result["metrics"]["kid"]
        images_seen = step * self.config.batch_size
        if math.isfinite(fid) and fid < self.best_fid:
            record = {
                "fid": fid,
                "kid": kid["mean"],
                "num_generated": result["num_generated"],
                "extractor": result["extractor"],
                "images_seen": images_seen,
            }
            try:
                save_best_checkpoint(self.model, self.run_dir, record)
                self.best_fid = fid
            except RunError:
                # Non-finite weights: the Checkpointer stops the run at its next save.
                pass
        eval_seconds = time.monotonic() - started
        with self.writer.as_default(step=step):
            tf.summary.scalar("eval/fid", fid)
            tf.summary.scalar("eval/kid", kid["mean"])
        self.writer.flush()
        row = {
            "step": step,
            "fid": f"{fid:.6g}",
            "kid": f"{kid['mean']:.6g}",
            "kid_std": f"{kid['std']:.6g}",
            "num_generated": result["num_generated"],
            "extractor": result["extractor"],
            "images_seen": images_seen,
            "wall_seconds": f"{self.clock.seconds():.3f}",
            "eval_seconds": f"{eval_seconds:.3f}",
        }
        append_csv_row(self.run_dir / EVALUATIONS_FILE, EVALUATION_COLUMNS, row)
        self.last_step = step
        return result
