"""`fit` end to end on tiny models and a small synthetic dataset (the command: tests/cli/test_fit.py)."""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from keras_signgan.runs import list_checkpoints
from keras_signgan.training.fit import TrainingDiverged, WriteFailed, fit
from tests.conftest import read_csv, tiny_config


def tensorboard_tags(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(folder), size_guidance={"images": 0, "tensors": 0, "scalars": 0})
    accumulator.Reload()
    return accumulator.Tags()


@pytest.mark.parametrize("model", ["basic", "wcgan", "biggan"])
def test_fit_writes_a_complete_run_directory(model, npz_dataset, tmp_path):
    run_dir = tmp_path / "run"
    result = fit(tiny_config(model, npz_dataset), run_dir=run_dir, progress=False)
    assert result.step == 4
    config = json.loads((run_dir / "config.json").read_text())
    assert config["model"] == model and config["class_names"] == ["A", "B", "C", "D"]
    assert [step for step, _ in list_checkpoints(run_dir)] == [2, 4]
    samples = run_dir / "samples"
    assert sorted(p.name for p in samples.iterdir()) == ["real.png", "step-000002.png", "step-000004.png"]
    # The real images drawn in the generated grids' layout (only the titles differ), to compare with.
    (real_width, real_height), (width, height) = (Image.open(samples / n).size for n in ("real.png", "step-000004.png"))
    assert real_width == width and abs(real_height - height) <= 4
    rows = read_csv(run_dir / "metrics.csv")
    assert list(rows[0])[0] == "step"
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4]
    assert all(np.isfinite(float(r["d_loss"])) and np.isfinite(float(r["g_loss"])) for r in rows)
    tags = tensorboard_tags(run_dir / "tensorboard")
    assert {"d_loss", "g_loss"} <= set(tags["tensors"]) | set(tags["scalars"])
    assert "samples" in set(tags["tensors"]) | set(tags["images"])


def test_resume_continues_exactly(npz_dataset, tmp_path):
    whole = fit(tiny_config("biggan", npz_dataset, steps=4), run_dir=tmp_path / "whole", progress=False)
    fit(tiny_config("biggan", npz_dataset, steps=2), run_dir=tmp_path / "split", progress=False)
    (tmp_path / "split" / "samples" / "real.png").unlink()  # as in a run recorded before it was drawn
    resumed = fit(resume=tmp_path / "split", steps=4, progress=False)
    assert (tmp_path / "split" / "samples" / "real.png").is_file()
    assert whole.step == resumed.step == 4
    whole_rows = read_csv(tmp_path / "whole" / "metrics.csv")
    split_rows = read_csv(tmp_path / "split" / "metrics.csv")
    assert [r["step"] for r in split_rows] == ["1", "2", "3", "4"]
    # Same data order, same noise, same optimizer state: the steps after the resume match.
    for a, b in zip(whole_rows[2:], split_rows[2:]):
        for key in ("d_loss", "g_loss"):
            assert float(a[key]) == pytest.approx(float(b[key]), rel=1e-3, abs=1e-4)
    a = np.load(tmp_path / "whole" / "checkpoints" / "ckpt-0000004.npz")
    b = np.load(tmp_path / "split" / "checkpoints" / "ckpt-0000004.npz")
    assert a.files == b.files
    for key in a.files:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-3, atol=1e-4)


def test_non_finite_loss_stops_the_run_and_keeps_good_checkpoints(npz_dataset, tmp_path):
    config = tiny_config("basic", npz_dataset, steps=6, checkpoint_every=1, d_lr=1e30)  # valid but diverging
    with pytest.raises(TrainingDiverged, match="became"):
        fit(config, run_dir=tmp_path / "run", progress=False)
    for _, path in list_checkpoints(tmp_path / "run"):
        with np.load(path) as data:
            assert all(np.isfinite(data[k]).all() for k in data.files if data[k].dtype.kind == "f")


@pytest.mark.slow
def test_sigkill_then_resume_reaches_the_requested_step(npz_dataset, tmp_path):
    run_dir = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "keras_signgan.cli",
        "fit",
        "biggan",
        str(npz_dataset),
        "--size",
        "tiny",
        "--steps",
        "400",
        "--batch-size",
        "8",
        "--checkpoint-every",
        "5",
        "--sample-every",
        "1000",
        "--run-dir",
        str(run_dir),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 240
        while time.time() < deadline and not list_checkpoints(run_dir):
            time.sleep(0.2)
        assert list_checkpoints(run_dir), "no checkpoint appeared"
        time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    killed_at = list_checkpoints(run_dir)[-1][0]
    assert 0 < killed_at < 400
    result = fit(resume=run_dir, steps=killed_at + 5, progress=False)
    assert result.step == killed_at + 5
    steps = [int(r["step"]) for r in read_csv(run_dir / "metrics.csv")]
    assert steps == sorted(set(steps)) and steps[-1] == killed_at + 5


def test_eval_every_logs_fid_and_kid(npz_dataset, tmp_path, tiny_extractor):
    config = tiny_config("biggan", npz_dataset, eval_every=2, eval_features=str(tiny_extractor), eval_samples=16)
    fit(config, run_dir=tmp_path / "run", progress=False)
    rows = read_csv(tmp_path / "run" / "evaluations.csv")
    assert [int(r["step"]) for r in rows] == [2, 4]
    assert all(np.isfinite(float(r["fid"])) and np.isfinite(float(r["kid"])) for r in rows)
    assert [int(r["images_seen"]) for r in rows] == [16, 32] and {r["num_generated"] for r in rows} == {"16"}
    assert all(0 < float(r["eval_seconds"]) <= float(r["wall_seconds"]) for r in rows)
    tags = tensorboard_tags(tmp_path / "run" / "tensorboard")
    assert "eval/fid" in set(tags["tensors"]) | set(tags["scalars"])
    # The lowest FID's checkpoint is kept, and it restores the generator that was scored.
    best = min(rows, key=lambda r: float(r["fid"]))
    record = json.loads((tmp_path / "run" / "checkpoints" / "best.json").read_text())
    assert record["step"] == int(best["step"]) and f"{record['fid']:.6g}" == best["fid"]
    from keras_signgan.metrics.evaluate import evaluate

    again = evaluate(
        tmp_path / "run", checkpoint="best", num_samples=16, metrics="fid", features=str(tiny_extractor), progress=False
    )
    assert again["checkpoint"] == "best.npz" and again["step"] == record["step"]
    assert again["metrics"]["fid"] == pytest.approx(record["fid"], rel=1e-4)


@pytest.mark.parametrize("model", ["wcgan", "biggan"])
def test_mixed_precision_trains_and_restores_the_policy(model, npz_dataset, tmp_path):
    import keras

    result = fit(
        tiny_config(model, npz_dataset, steps=2, mixed_precision=True), run_dir=tmp_path / "run", progress=False
    )
    rows = read_csv(tmp_path / "run" / "metrics.csv")
    assert result.step == 2 and all(np.isfinite(float(r["d_loss"])) for r in rows)
    assert keras.mixed_precision.global_policy().name == "float32"


def test_a_truncated_newest_checkpoint_falls_back_to_the_previous_one(npz_dataset, tmp_path):
    run_dir = tmp_path / "run"
    fit(tiny_config("basic", npz_dataset, steps=4), run_dir=run_dir, progress=False)
    newest = list_checkpoints(run_dir)[-1][1]
    with open(newest, "r+b") as file:
        file.truncate(100)
    messages = []
    result = fit(resume=run_dir, steps=6, log=messages.append, progress=False)
    assert result.step == 6
    warnings = [m for m in messages if "skipped" in m]
    assert len(warnings) == 1 and newest.name in warnings[0]
    assert any("ckpt-0000002.npz at step 2" in m for m in messages)


def test_rewriting_metrics_csv_on_resume_is_atomic(npz_dataset, tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    fit(tiny_config("basic", npz_dataset, steps=2), run_dir=run_dir, progress=False)
    before = (run_dir / "metrics.csv").read_text()

    def crash(self, rows):
        raise OSError("disk full")

    monkeypatch.setattr(csv.DictWriter, "writerows", crash)
    with pytest.raises(WriteFailed, match=r"Cannot write .*metrics\.csv: disk full\..*--resume"):
        fit(resume=run_dir, steps=4, progress=False)
    assert (run_dir / "metrics.csv").read_text() == before


def test_run_files_get_the_mode_the_umask_gives(npz_dataset, tmp_path):
    old = os.umask(0o027)
    try:
        fit(tiny_config("basic", npz_dataset, steps=2), run_dir=tmp_path / "run", progress=False)
    finally:
        os.umask(old)
    run_dir = tmp_path / "run"
    files = [run_dir / "config.json", list_checkpoints(run_dir)[-1][1], run_dir / "samples" / "step-000002.png"]
    for path in files + [run_dir / "metrics.csv"]:
        assert (path.stat().st_mode & 0o777) == 0o640, path


def test_a_biggan_with_the_minibatch_std_trains_and_resumes(npz_dataset, tmp_path):
    config = tiny_config("biggan", npz_dataset, steps=2, layout={"d_minibatch_std": "on"})
    fit(config, run_dir=tmp_path / "run", progress=False)
    result = fit(resume=tmp_path / "run", steps=3, progress=False)  # its checkpoint rebuilds the same D
    assert result.step == 3 and result.config.layout["d_minibatch_std"] == "on"
    rows = read_csv(tmp_path / "run" / "metrics.csv")
    assert [int(r["step"]) for r in rows] == [1, 2, 3]
    assert all(np.isfinite(float(r["d_loss"])) for r in rows)
