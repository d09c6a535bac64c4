"""The study's GANs trained several at once (`signgan augment --gan-workers N`), each in a
process of its own.

One training leaves part of a small CPU idle (on 2 cores, two small BigGANs at once ran 1.3x
the steps of one alone; docs/benchmarks.md), so before the classifiers run, the pending GANs
train N at a time. Each child is a fresh Python process (spawned, never forked: TensorFlow's
threads do not survive a fork) that runs `training.fit` on one GAN job and writes its log
to `gans/<cell>/fit.log`. Ctrl-C or SIGTERM stops every child as it stops `fit` (a checkpoint
saved), so `--resume` continues each one.
"""

import multiprocessing
import os
import pathlib
import signal
import sys
import time

from keras_signgan.augment.gans import GAN_LOG, describe_job, fit_gan_job, record_cell_gan
from keras_signgan.errors import RunError, SignGANError
from keras_signgan.interrupts import raise_if_stop_requested, stop_on_signals
from keras_signgan.runs import list_checkpoints

POLL_SECONDS = 1.0
STOP_SECONDS = 300  # a checkpoint takes seconds; a child still running after this is stuck


def train_gans(jobs, workers, out, results, log, write):
    """Train `jobs` (GANJobs), `workers` at a time; record each in `results` as it finishes
    (`write(results)` after each). RunError when one fails; KeyboardInterrupt stops all."""
    context = multiprocessing.get_context("spawn")
    pending, running = list(jobs), {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                log(
                    describe_job(job)
                    + f" ({len(running) + 1} of {workers} running; its log: {job.run_dir.parent / GAN_LOG})"
                )
                child = context.Process(target=_child, args=(job,), name=f"signgan-gan-{job.key}", daemon=False)
                _start_logging_to(child, job.run_dir.parent / GAN_LOG)
                running[job.key] = (child, job, time.perf_counter())
            raise_if_stop_requested()
            for key, (child, job, started) in list(running.items()):
                child.join(timeout=POLL_SECONDS / max(len(running), 1))
                if child.exitcode is None:
                    continue
                del running[key]
                if child.exitcode != 0:
                    raise RunError(_failure(job, child.exitcode))
                step = _last_step(job)
                record_cell_gan(out, job, step, round(time.perf_counter() - started, 1), results, log, workers)
                write(results)
    except BaseException:
        _stop(running)
        raise


def _stop(running):
    """SIGTERM to every child still training (each saves a checkpoint), then wait for them;
    one that has not stopped after STOP_SECONDS is killed (its previous checkpoint stays)."""
    for child, _, _ in running.values():
        if child.exitcode is None:
            child.terminate()
    for child, _, _ in running.values():
        child.join(timeout=STOP_SECONDS)
        if child.exitcode is None:
            child.kill()
            child.join()


def _last_step(job):
    return list_checkpoints(job.run_dir)[-1][0]


def _failure(job, exitcode):
    log_path = job.run_dir.parent / GAN_LOG
    lines = [line for line in _read_lines(log_path) if line.strip()]
    cause = next((line for line in reversed(lines) if line.startswith("Error:")), lines[-1] if lines else "")
    return (
        f"The GAN of cell {job.key} stopped (exit code {exitcode}): {cause.removeprefix('Error: ') or 'no message'} "
        f"Its log: {log_path}. Continue the study with --resume once the cause is fixed."
    )


def _read_lines(path):
    try:
        return pathlib.Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return []


def _start_logging_to(child, log_path):
    """Start `child` with its standard output and error on `log_path` from its first line
    (TensorFlow's start-up lines included, printed while the child unpickles its job)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with open(log_path, "a") as handle:
            os.dup2(handle.fileno(), 1)
            os.dup2(handle.fileno(), 2)
            child.start()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


def _child(job):
    """A child process (its output on its log): train one GAN job; exit 0, 2 (an Error: line
    in the log) or 130 (stopped by the parent's SIGTERM, its checkpoint saved). Ctrl-C
    reaches the parent, which stops the children, so they ignore SIGINT themselves."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with stop_on_signals(signals=(signal.SIGTERM,)):
        try:
            fit_gan_job(job, lambda message: print(message, file=sys.stderr, flush=True), quiet=False)
        except KeyboardInterrupt:
            sys.exit(130)
        except SignGANError as error:
            print(f"Error: {error}", file=sys.stderr, flush=True)
            sys.exit(2)
