"""FID as a training signal: evaluations.csv with images seen and wall-clock times, the
best-FID checkpoint, continuity across --resume, the share of time evaluations take."""

import json
import re

import numpy as np
from PIL import Image

from keras_signgan.runs import CONFIG_FILE, EVALUATION_COLUMNS, EVALUATIONS_FILE, list_checkpoints
from keras_signgan.training.fit import fit
from keras_signgan.training.outcome import report_evaluations
from tests.conftest import read_csv
from tests.training.test_fit import tiny_config


def wall_by_step(path):
    return {int(row["step"]): float(row["wall_seconds"]) for row in read_csv(path)}


class SetClock:
    """A run clock that reads `total` seconds, `offset` of them from before this session."""

    def __init__(self, total, offset=0.0):
        self.total, self.offset = total, offset

    def seconds(self):
        return self.total


def write_evaluations(run_dir, rows):
    run_dir.mkdir()
    (run_dir / CONFIG_FILE).write_text("{}")
    lines = [",".join(EVALUATION_COLUMNS)]
    for step, wall, spent in rows:
        values = {"step": step, "fid": 10.0, "images_seen": step * 8, "wall_seconds": wall, "eval_seconds": spent}
        lines.append(",".join(str(values.get(column, "")) for column in EVALUATION_COLUMNS))
    (run_dir / EVALUATIONS_FILE).write_text("\n".join(lines) + "\n")


def test_the_evaluations_share_and_the_eval_every_that_keeps_it_under_ten_percent(tmp_path):
    # 100 s in all, three 10 s evaluations: 30%. The 70 s of steps make 11.67 s a step, so
    # --eval-every E keeps 10 s under 10% when 10 / (10 + 11.67 E) <= 0.1: E >= 7.7, said as 8.
    run_dir = tmp_path / "run"
    write_evaluations(run_dir, [(2, 30.0, 10.0), (4, 60.0, 10.0), (6, 90.0, 10.0)])
    messages = []
    report_evaluations(run_dir, SetClock(100.0), start_step=0, step=6, log=messages.append)
    report = [m for m in messages if m.startswith("Evaluations took")]
    assert len(report) == 1, messages
    assert report[0].startswith("Evaluations took 30.0% of the run's wall time (3 in 30 s of 1.7 min).")
    assert f"--eval-every 8 or more (signgan fit --resume {run_dir} --eval-every 8)" in report[0]
    assert (run_dir / "fid-curve.png").is_file()

    # Resumed at step 4 after 60 s: this session's one evaluation and 30 s of steps over 2 steps
    # (15 s each): E >= 9 * 10 / 15 = 6.
    messages.clear()
    report_evaluations(run_dir, SetClock(100.0, offset=60.0), start_step=4, step=6, log=messages.append)
    assert "--eval-every 6 or more" in messages[0]

    # Under 10%: the share alone, no advice.
    messages.clear()
    report_evaluations(run_dir, SetClock(400.0), start_step=0, step=6, log=messages.append)
    assert messages[0] == "Evaluations took 7.5% of the run's wall time (3 in 30 s of 6.7 min)."


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
    # The run's total is at least the last row's time. (How large the share is depends on how
    # long building the run took on this machine; the advice is tested with a set clock below.)
    assert 0 < share <= spent / walls[-1] + 1e-3

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
