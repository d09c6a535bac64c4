"""FID as a training signal: evaluations.csv with images seen and wall-clock times, the
best-FID checkpoint, continuity across --resume, the share of time evaluations take."""

import json
import re

import numpy as np
from PIL import Image

from keras_signgan.runs import list_checkpoints
from keras_signgan.training.fit import fit
from tests.conftest import read_csv
from tests.training.test_fit import tiny_config


def wall_by_step(path):
    return {int(row["step"]): float(row["wall_seconds"]) for row in read_csv(path)}


def test_best_checkpoint_and_curve_survive_a_crash_and_resume(npz_dataset, tmp_path, tiny_extractor, scripted_fids):
    run_dir = tmp_path / "run"
    config = tiny_config("basic", npz_dataset, steps=6, eval_every=2, eval_features=str(tiny_extractor))
    scripted_fids.seconds = 0.2
    scripted_fids.extend([5.0, 3.0, 4.0])
    messages = []
    fit(config, run_dir=run_dir, progress=False, log=messages.append)

    rows = read_csv(run_dir / "evaluations.csv")
    assert [(int(r["step"]), float(r["fid"])) for r in rows] == [(2, 5.0), (4, 3.0), (6, 4.0)]
    assert [int(r["images_seen"]) for r in rows] == [16, 32, 48]  # step * batch_size 8
    walls = [float(r["wall_seconds"]) for r in rows]
    assert all(float(r["eval_seconds"]) >= 0.2 for r in rows)
    assert walls == sorted(walls) and walls[0] >= float(rows[0]["eval_seconds"])
    assert all(b - a >= 0.2 for a, b in zip(walls, walls[1:]))  # each interval holds an evaluation

    # The best (step 4), not the newest (step 6), and the same state as that step's checkpoint.
    best = json.loads((run_dir / "checkpoints" / "best.json").read_text())
    assert (best["step"], best["fid"], best["images_seen"]) == (4, 3.0, 32)
    with (
        np.load(run_dir / "checkpoints" / "best.npz") as saved,
        np.load(run_dir / "checkpoints" / "ckpt-0000004.npz") as ckpt,
    ):
        assert int(saved["__step__"]) == 4 and sorted(saved.files) == sorted(ckpt.files)
        for key in ckpt.files:
            np.testing.assert_array_equal(saved[key], ckpt[key], err_msg=key)
    assert [step for step, _ in list_checkpoints(run_dir)] == [2, 4, 6]

    # The curve is drawn at the end, and the time evaluations took is reported.
    assert Image.open(run_dir / "fid-curve.png").size[0] > 400
    report = [m for m in messages if m.startswith("Evaluations took")]
    assert len(report) == 1, messages
    share = float(re.search(r"took ([\d.]+)% of the run's wall time \(3 in", report[0]).group(1)) / 100
    spent = sum(float(r["eval_seconds"]) for r in rows)
    assert 0.1 < share <= spent / walls[-1] + 1e-3  # the run's total is at least the last row's time
    # Tiny steps take milliseconds: 0.2 s evaluations every 2 steps are far above 10%.
    suggested = int(re.search(r"--eval-every (\d+) or more", report[0]).group(1))
    assert suggested > 2

    # A crash after step 4 loses ckpt-6 and what followed it. Say the run had taken 1000 s
    # by the evaluation at step 4: the resumed clock must go on from there.
    (run_dir / "checkpoints" / "ckpt-0000006.npz").unlink()
    text = (run_dir / "evaluations.csv").read_text().replace(rows[1]["wall_seconds"], "1000.000")
    (run_dir / "evaluations.csv").write_text(text)
    walls[1] = 1000.0
    scripted_fids.seconds = 0.0
    scripted_fids.extend([3.5, 3.2])  # both worse than the best so far
    fit(resume=run_dir, steps=8, progress=False)

    rows = read_csv(run_dir / "evaluations.csv")
    assert [(int(r["step"]), float(r["fid"])) for r in rows] == [(2, 5.0), (4, 3.0), (6, 3.5), (8, 3.2)]
    assert scripted_fids.steps == [2, 4, 6, 6, 8]
    resumed_walls = [float(r["wall_seconds"]) for r in rows]
    assert resumed_walls[:2] == walls[:2] and resumed_walls == sorted(resumed_walls)
    assert 1000 < resumed_walls[2] < resumed_walls[3] < 1000 + 120  # on from step 4's time
    best_after = json.loads((run_dir / "checkpoints" / "best.json").read_text())
    assert (best_after["step"], best_after["fid"]) == (4, 3.0)  # read back: worse FIDs leave it

    steps_wall = wall_by_step(run_dir / "metrics.csv")
    assert sorted(steps_wall) == list(range(1, 9))
    assert steps_wall[4] < 1000 < steps_wall[5] < resumed_walls[2]


def test_a_best_fid_from_another_extractor_is_replaced_by_the_next_evaluation(
    npz_dataset, tmp_path, tiny_extractor, scripted_fids
):
    run_dir = tmp_path / "run"
    config = tiny_config(
        "basic", npz_dataset, steps=2, eval_every=2, eval_features=str(tiny_extractor), eval_samples=16
    )
    scripted_fids.extend([1.0])
    fit(config, run_dir=run_dir, progress=False)
    assert json.loads((run_dir / "checkpoints" / "best.json").read_text())["num_generated"] == 16
    scripted_fids.extend([9.0])
    messages = []
    fit(resume=run_dir, steps=4, changes={"eval_samples": 24}, progress=False, log=messages.append)
    best = json.loads((run_dir / "checkpoints" / "best.json").read_text())
    assert (best["step"], best["fid"], best["num_generated"]) == (4, 9.0, 24)
    assert any("not comparable" in m and "16 images" in m for m in messages)
