"""Stopping a run early once its FID reaches a target (for `fit --eval-every`)."""

import pathlib

import keras

from keras_signgan.errors import RunError
from keras_signgan.runs import read_best, read_evaluations
from keras_signgan.training.callbacks import global_step


class StopAtFID(keras.callbacks.Callback):
    """Stops training after the evaluation whose FID is at most `target`.

    It reads the row `PeriodicEvaluation` appended to `evaluations.csv` at the same step, so
    it must come after it: pass it to `fit(extra_callbacks=...)`, which runs its own
    callbacks first. The run then ends as any other (a checkpoint at the stopping step);
    the evaluation that reached the target is the run's best, kept as
    `checkpoints/best.npz`.

    Args:
        run_dir: the run directory.
        every: int. The run's `eval_every`.
        target: float. Stop once an evaluation scores FID <= target.
        log: callable for a one-line message when it stops.

    Attributes:
        reached: `(step, fid)` of the evaluation that stopped the run, or None.
    """

    def __init__(self, run_dir, every, target, log=None):
        super().__init__()
        if every < 1:
            raise ValueError(f"StopAtFID needs evaluations during training (eval_every >= 1). Received: {every}.")
        self.run_dir = pathlib.Path(run_dir)
        self.every = int(every)
        self.target = float(target)
        self.log = log or (lambda message: None)
        self.reached = None

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        if step % self.every:
            return
        try:
            rows = read_evaluations(self.run_dir)
        except RunError:
            return  # no evaluation written (a diverged step skips it)
        last = rows[-1] if rows else {"step": None}
        if last["step"] == step and last["fid"] is not None and last["fid"] <= self.target:
            self.reached = (step, last["fid"])
            self.model.stop_training = True
            self.log(f"FID {last['fid']:.4g} at step {step} reached the target {self.target:g}: stopping.")


def reached_target(run_dir, target):
    """Whether the run's best evaluation (best.json) already scored FID <= `target`."""
    best = read_best(run_dir)
    return best is not None and best.get("fid") is not None and best["fid"] <= target
