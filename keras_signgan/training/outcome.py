"""How a run ends, as its user reads it: the errors that stop it (`TrainingDiverged`,
`WriteFailed`, `WorkerLost`, each one line naming what is kept and the fix) and, with `--eval-every`, the
share of its wall time the evaluations took and its FID curve."""

import errno
import math
import pathlib
import re

import tensorflow as tf

from keras_signgan.config import EVAL_SHARE_TARGET
from keras_signgan.errors import RunError
from keras_signgan.io_utils import WriteError
from keras_signgan.plots import plot_fid_curves
from keras_signgan.runs import FID_CURVE_FILE, list_checkpoints, read_evaluations
from keras_signgan.training import callbacks as cb


class TrainingDiverged(RunError):
    """A loss or weight turned NaN/Inf; the run stopped at its last good checkpoint."""


class WriteFailed(RunError):
    """A file of the run could not be written (a full disk); the run stopped, resumable."""


def write_failed(error, run_dir, gan):
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


class WorkerLost(RunError):
    """A worker of a multi-worker run stopped (killed, crashed, unreachable); the others stop
    too, the run resumable from its newest checkpoint."""


# What TensorFlow raises on the surviving workers when a peer dies mid-collective: the
# coordination service stops hearing its heartbeats ("The tasks have crashed") or a
# collective op is aborted.
_LOST_PEER_ERRORS = (tf.errors.UnavailableError, tf.errors.AbortedError, tf.errors.DeadlineExceededError)
_TASK = re.compile(r"/job:(\w+)/replica:\d+/task:(\d+)")


def is_lost_worker(error):
    """Whether `error`, raised by a multi-worker step, means a peer worker is gone."""
    return isinstance(error, _LOST_PEER_ERRORS) or (
        isinstance(error, tf.errors.OpError) and "Collective ops is aborted" in str(error)
    )


def worker_lost(error, run_dir, gan):
    """The one-line WorkerLost for a lost peer: which task (when TensorFlow names it), what is
    kept, the fix."""
    tasks = sorted({f"{job} {index}" for job, index in _TASK.findall(str(error))})
    who = f" ({', '.join(tasks)})" if tasks else ""
    found = list_checkpoints(run_dir) if run_dir is not None else []
    step = cb.global_step(gan) if gan is not None else None
    where = f"The run stopped at step {step}; " if step is not None else "The run stopped; "
    kept = (
        f"its newest checkpoint, {found[-1][1].name}, is intact. Restart every worker (the same TF_CONFIG) with: "
        f"signgan fit --resume {run_dir} --strategy multiworker"
        if found
        else "it had no checkpoint yet. Start every worker again (the same TF_CONFIG), after removing "
        f"{run_dir} or with another --run-dir."
    )
    return WorkerLost(
        f"A worker of this multi-worker run stopped{who}: TensorFlow lost contact with it "
        f"({type(error).__name__}). {where}{kept}"
    )


def stopping_error(error, strategy, run_dir, gan):
    """The one-line RunError that ends a run for `error` (a WriteError: WriteFailed; under
    `multiworker`, a lost peer: WorkerLost), or None when `error` is not one of those."""
    if isinstance(error, WriteError):
        return write_failed(error, run_dir, gan)
    if strategy == "multiworker" and is_lost_worker(error):
        return worker_lost(error, run_dir, gan)
    return None


def _round_up(value):
    """`value` rounded up to two significant digits (267 -> 270, 1234 -> 1300)."""
    value = max(1, math.ceil(value))
    magnitude = 10 ** max(len(str(value)) - 2, 0)
    return math.ceil(value / magnitude) * magnitude


def report_evaluations(run_dir, clock, start_step, step, log):
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
        log(
            f"FID curve: {plot_fid_curves([(pathlib.Path(run_dir).name, rows)], pathlib.Path(run_dir) / FID_CURVE_FILE)}"
        )
    except WriteError as error:
        log(f"Warning: could not write {error.filename} ({error.strerror}); draw it later with: signgan plot {run_dir}")
