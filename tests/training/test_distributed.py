"""Training under tf.distribute: two real worker processes against two mirrored replicas,
and one replica under every strategy."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from keras_signgan.runs import list_checkpoints
from tests.conftest import PROJECT_ROOT, read_csv


def free_ports(count):
    import socket

    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


# One process, MirroredStrategy over two logical CPU devices (set before TensorFlow starts).
MIRRORED_ON_TWO_CPUS = (
    "import sys\n"
    "import tensorflow as tf\n"
    "cpu = tf.config.list_physical_devices('CPU')[0]\n"
    "tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)\n"
    "from keras_signgan.cli.main import cli\n"
    "cli(sys.argv[1:], prog_name='signgan')\n"
)


def run_processes(commands, timeout=400):
    """Run `(argv, env)` pairs at once; return their `(returncode, stderr)`; kill them on timeout."""
    processes = [
        subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        for argv, env in commands
    ]
    try:
        outputs = [p.communicate(timeout=timeout) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    return [(p.returncode, err) for p, (_, err) in zip(processes, outputs)]


def worker_commands(args, workers):
    return [
        (
            [sys.executable, "-m", "keras_signgan", *args],
            dict(
                os.environ,
                TF_CONFIG=json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}}),
            ),
        )
        for i in range(len(workers))
    ]


@pytest.mark.slow
def test_two_worker_processes_match_two_mirrored_replicas_and_resume(npz_dataset, tmp_path):
    """Two workers on 127.0.0.1 train like one process with two replicas at the same global
    batch: the same losses step by step (the chief alone writes), and they resume together."""
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    run_dir, mirrored_dir = tmp_path / "run", tmp_path / "mirrored"
    # BigGAN's conditional batch norms are synchronised: their statistics span both halves.
    options = [
        "biggan",
        str(npz_dataset),
        "--size",
        "tiny",
        "--steps",
        "4",
        "--batch-size",
        "8",
        "--checkpoint-every",
        "2",
    ]
    results = run_processes(
        worker_commands(["fit", *options, "--strategy", "multiworker", "--run-dir", str(run_dir)], workers)
        + [
            (
                [
                    sys.executable,
                    "-c",
                    MIRRORED_ON_TWO_CPUS,
                    "fit",
                    *options,
                    "--strategy",
                    "mirrored",
                    "--run-dir",
                    str(mirrored_dir),
                ],
                dict(os.environ),
            )
        ]
    )
    for returncode, err in results:
        assert returncode == 0, err[-3000:]
    assert [step for step, _ in list_checkpoints(run_dir)] == [2, 4]
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "checkpoints",
        "config.json",
        "metrics.csv",
        "samples",
        "tensorboard",
    ]
    assert len(list((run_dir / "tensorboard").iterdir())) == 1  # the chief's events file only

    # Each worker reads its half of every global batch of 8, as each mirrored replica does,
    # with the same per-replica noise; gradients and batch statistics are sums of the same
    # two halves (a two-term sum is the same in either order). What may differ is float
    # rounding inside the collective implementations: 1e-5 relative is far below the changes
    # of one step (the losses move by more than 1e-2 per step here).
    rows, mirrored_rows = read_csv(run_dir / "metrics.csv"), read_csv(mirrored_dir / "metrics.csv")
    assert [int(r["step"]) for r in rows] == [int(r["step"]) for r in mirrored_rows] == [1, 2, 3, 4]
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_allclose(
            [float(r[name]) for r in rows], [float(r[name]) for r in mirrored_rows], rtol=1e-5, atol=1e-6, err_msg=name
        )

    # A lost worker stops the run; relaunching every worker with --resume continues it from
    # the chief's newest checkpoint (on one machine both read the chief's run directory).
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    results = run_processes(worker_commands(["fit", "--resume", str(run_dir), "--steps", "6"], workers))
    for returncode, err in results:
        assert returncode == 0, err[-3000:]
    assert [step for step, _ in list_checkpoints(run_dir)] == [2, 4, 6]
    assert [int(r["step"]) for r in read_csv(run_dir / "metrics.csv")] == [1, 2, 3, 4, 5, 6]


@pytest.mark.slow
def test_one_replica_gives_the_same_losses_under_every_strategy(npz_dataset, tmp_path):
    """Default, MirroredStrategy on one device and single-process MultiWorkerMirroredStrategy:
    same seed, same numbers (noise and data order do not depend on the strategy), with the
    learning rates decaying (set on distributed optimizer variables) from the first step."""
    options = [
        "fit",
        "biggan",
        str(npz_dataset),
        "--size",
        "tiny",
        "--lr-decay",
        "1",
        "--steps",
        "3",
        "--batch-size",
        "8",
        "--checkpoint-every",
        "3",
        "--sample-every",
        "3",
    ]
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    strategies = ("auto", "mirrored", "multiworker")
    results = run_processes(
        [
            (
                [
                    sys.executable,
                    "-m",
                    "keras_signgan",
                    *options,
                    "--strategy",
                    name,
                    "--run-dir",
                    str(tmp_path / name),
                ],
                env,
            )
            for name in strategies
        ]
    )
    for returncode, err in results:
        assert returncode == 0, err[-3000:]
    rows = {name: read_csv(tmp_path / name / "metrics.csv") for name in strategies}
    assert [int(r["step"]) for r in rows["auto"]] == [1, 2, 3]
    for name in ("mirrored", "multiworker"):
        for column in ("d_loss", "g_loss", "d_real", "d_fake"):
            np.testing.assert_allclose(
                [float(r[column]) for r in rows[name]],
                [float(r[column]) for r in rows["auto"]],
                rtol=1e-6,
                err_msg=f"{name} {column}",
            )
