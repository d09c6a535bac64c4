"""Callbacks of a training run: progress, NaN guard, logs, sample grids, checkpoints.

All of them key on the GAN's own global step (`gan.step`, 1-based after the first update),
so a resumed run logs and saves at the same steps as an uninterrupted one.
"""

import csv
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
from keras_signgan.io_utils import atomic_path
from keras_signgan.metrics.evaluate import evaluate
from keras_signgan.metrics.features import load_extractor
from keras_signgan.runs import EVALUATIONS_FILE, METRICS_FILE, SAMPLES_DIR, save_checkpoint


def global_step(model):
    return int(ops.convert_to_numpy(model.step))


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


class MetricsLogger(keras.callbacks.Callback):
    """Every `log_every` steps: a row in `metrics.csv` and TensorBoard scalars.

    The trackers are reset after each row, so a row holds the mean over its interval. On
    resume, rows after the restored step (lost with the crash) are dropped first.
    """

    def __init__(self, run_dir, log_every, writer, guard, initial_step=0):
        super().__init__()
        self.path = pathlib.Path(run_dir) / METRICS_FILE
        self.log_every = log_every
        self.writer = writer
        self.guard = guard
        self.initial_step = initial_step
        self.columns = None

    def on_train_begin(self, logs=None):
        self.columns = ["step"] + [m.name for m in self.model.metrics]
        rows = []
        if self.path.exists() and self.initial_step > 0:
            with open(self.path, newline="") as file:
                rows = [r for r in csv.DictReader(file) if r.get("step") and int(r["step"]) <= self.initial_step]
        # Rewritten under a temporary name: a crash here never loses the rows kept so far.
        with atomic_path(self.path) as tmp:
            with open(tmp, "w", newline="") as file:
                writer = csv.DictWriter(file, fieldnames=self.columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)

    def write_row(self, step, values):
        with open(self.path, "a", newline="") as file:
            csv.DictWriter(file, fieldnames=self.columns, extrasaction="ignore").writerow({"step": step, **values})
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
    draws them with its standing statistics, and is put back as it was afterwards.
    """

    def __init__(self, run_dir, every, writer, class_names, seed, max_rows=16, columns=8, truncation=None):
        super().__init__()
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
    as TensorBoard scalars `eval/fid`, `eval/kid` and rows of `evaluations.csv`.

    The extractor is built once; the real statistics come from the statistics cache after
    the first evaluation. As for sample grids, the EMA generator's standing statistics are
    computed for the evaluation and the EMA is put back afterwards.
    """

    def __init__(self, run_dir, every, writer, config, num_samples, features="inception"):
        super().__init__()
        self.run_dir = pathlib.Path(run_dir)
        self.every = every
        self.writer = writer
        self.config = config
        self.num_samples = num_samples
        self.features = features
        self.extractor = None
        self.last_step = None

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if self.every and step % self.every == 0 and step != self.last_step:
            self.evaluate(step)

    def evaluate(self, step):
        if self.extractor is None:
            self.extractor = load_extractor(self.features)
        generator = generator_from_gan(self.model, self.config, step)
        with self.model.ema_standing_statistics():
            result = evaluate(
                None, dataset=self.config.dataset, num_samples=self.num_samples, metrics="fid,kid",
                features=self.extractor, generator=generator, progress=False,
            )
        fid, kid = result["metrics"]["fid"], result["metrics"]["kid"]
        with self.writer.as_default(step=step):
            tf.summary.scalar("eval/fid", fid)
            tf.summary.scalar("eval/kid", kid["mean"])
        self.writer.flush()
        path = self.run_dir / EVALUATIONS_FILE
        new = not path.exists()
        with open(path, "a", newline="") as file:
            writer = csv.writer(file)
            if new:
                writer.writerow(["step", "fid", "kid", "kid_std", "num_generated", "extractor"])
            writer.writerow([step, f"{fid:.6g}", f"{kid['mean']:.6g}", f"{kid['std']:.6g}", result["num_generated"], result["extractor"]])
        self.last_step = step
        return result
