"""A full disk while a run writes its checkpoint, metrics or samples: one `Error:` line naming
the file, the cause and the fix, exit code 2, and a run that --resume completes."""

import builtins
import errno
import os

import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner
from matplotlib.figure import Figure

from keras_signgan import io_utils
from keras_signgan.cli.main import cli
from keras_signgan.runs import list_checkpoints
from keras_signgan.training.fit import fit
from tests.conftest import read_csv

NO_SPACE = os.strerror(errno.ENOSPC)


def fail_on_call(number, call):
    """`call` that raises ENOSPC (naming no file, as a failed write does) on its `number`th use."""
    count = [0]

    def failing(*args, **kwargs):
        count[0] += 1
        if count[0] == number:
            raise OSError(errno.ENOSPC, NO_SPACE)
        return call(*args, **kwargs)

    return failing


def fill_at_checkpoint(monkeypatch):
    monkeypatch.setattr(np, "savez", fail_on_call(2, np.savez))  # the checkpoint of step 4
    return "checkpoints/ckpt-0000004.npz", 4


def fill_at_samples(monkeypatch):
    # Call 1 draws samples/real.png, 2 the grid of step 2, 3 that of step 4.
    monkeypatch.setattr(Figure, "savefig", fail_on_call(3, Figure.savefig))
    return "samples/step-000004.png", 4


def fill_at_metrics(monkeypatch):
    appends = [0]

    def open_for_metrics(path, mode="r", *args, **kwargs):
        if str(path).endswith("metrics.csv") and "a" in mode:
            appends[0] += 1
            if appends[0] == 3:  # the row of step 3
                raise OSError(errno.ENOSPC, NO_SPACE)
        return builtins.open(path, mode, *args, **kwargs)

    monkeypatch.setattr(io_utils, "open", open_for_metrics, raising=False)
    return "metrics.csv", 3


@pytest.mark.parametrize("fill", [fill_at_checkpoint, fill_at_samples, fill_at_metrics])
def test_a_full_disk_stops_the_run_with_one_error_line_and_it_resumes(fill, npz_dataset, tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    with monkeypatch.context() as patch:
        name, failed_step = fill(patch)
        result = CliRunner().invoke(
            cli,
            [
                "fit",
                "basic",
                str(npz_dataset),
                "--size",
                "tiny",
                "--steps",
                "6",
                "--batch-size",
                "8",
                "--checkpoint-every",
                "2",
                "--sample-every",
                "2",
                "--log-every",
                "1",
                "--run-dir",
                str(run_dir),
            ],
        )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if "Error" in line]
    assert errors == [
        f"Error: Cannot write {run_dir / name}: {NO_SPACE}. The run stopped at step {failed_step}; its newest "
        f"checkpoint, ckpt-0000002.npz, is intact. Free space on that disk, then continue with: "
        f"signgan fit --resume {run_dir}"
    ]
    # Nothing half-written: no temporary files, the good checkpoint reads, every metrics row whole.
    for folder in (run_dir, run_dir / "checkpoints", run_dir / "samples"):
        assert not [p.name for p in folder.iterdir() if p.name.startswith(".")], folder
    assert [step for step, _ in list_checkpoints(run_dir)] == [2]
    with np.load(run_dir / "checkpoints" / "ckpt-0000002.npz") as data:
        assert int(data["__step__"]) == 2
    assert all(row["wall_seconds"] for row in read_csv(run_dir / "metrics.csv"))

    result = fit(resume=run_dir, progress=False)
    assert result.step == 6
    assert [int(r["step"]) for r in read_csv(run_dir / "metrics.csv")] == [1, 2, 3, 4, 5, 6]
    assert [step for step, _ in list_checkpoints(run_dir)] == [2, 4, 6]


# What the chief of a two-worker run raised when the other worker was killed with SIGKILL.
PEER_GONE = (
    "Collective ops is aborted by: Error reported from /job:worker/task:1: The following tasks are unhealthy "
    "(stopped sending heartbeats):\n/job:worker/replica:0/task:1\nThe tasks have crashed."
)


@pytest.mark.parametrize("strategy", ["multiworker", "auto"])
def test_a_lost_worker_stops_a_multiworker_run_with_one_error_line(strategy, npz_dataset, tmp_path, monkeypatch):
    """Under multiworker, TensorFlow's error for a dead peer becomes one `Error:` line naming
    the worker, the intact checkpoint and the resume command (exit 2); under another strategy
    the same error is not a lost worker and keeps its traceback."""
    from keras_signgan.training import callbacks

    run_dir = tmp_path / "run"
    guard_step = callbacks.NonFiniteGuard.on_train_batch_end

    def peer_dies_at_step_3(self, batch, logs=None):
        guard_step(self, batch, logs)
        if callbacks.global_step(self.model) == 3:
            raise tf.errors.UnavailableError(None, None, PEER_GONE)

    monkeypatch.setattr(callbacks.NonFiniteGuard, "on_train_batch_end", peer_dies_at_step_3)
    args = ["fit", "basic", str(npz_dataset), "--size", "tiny", "--steps", "6", "--batch-size", "8"]
    args += ["--checkpoint-every", "2", "--strategy", strategy, "--run-dir", str(run_dir)]
    result = CliRunner().invoke(cli, args)
    if strategy != "multiworker":
        assert isinstance(result.exception, tf.errors.UnavailableError)
        return
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if "Error" in line]
    assert errors == [
        "Error: A worker of this multi-worker run stopped (worker 1): TensorFlow lost contact with it "
        "(UnavailableError). The run stopped at step 3; its newest checkpoint, ckpt-0000002.npz, is intact. "
        f"Restart every worker (the same TF_CONFIG) with: signgan fit --resume {run_dir} --strategy multiworker"
    ]
    assert [step for step, _ in list_checkpoints(run_dir)] == [2]
