"""Stopping a run once an evaluation's FID reaches a target (`StopAtFID`)."""

import json

import pytest

from keras_signgan.runs import list_checkpoints
from keras_signgan.training.fit import fit
from keras_signgan.training.stop_at_fid import StopAtFID, reached_target
from tests.conftest import read_csv, tiny_config


def test_the_run_stops_at_the_first_evaluation_at_or_below_the_target(
    npz_dataset, tmp_path, tiny_extractor, scripted_fids
):
    run_dir = tmp_path / "run"
    config = tiny_config("basic", npz_dataset, steps=10, eval_every=2, eval_features=str(tiny_extractor))
    scripted_fids.extend([5.0, 3.5, 3.0, 1.0, 0.5])
    messages = []
    stop = StopAtFID(run_dir, every=2, target=3.0, log=messages.append)
    result = fit(config, run_dir=run_dir, progress=False, extra_callbacks=[stop])

    # 5.0 at step 2, 3.5 at 4, 3.0 at 6 <= 3.0: the run ends there, not at step 10.
    assert result.step == 6 and stop.reached == (6, 3.0)
    assert [int(r["step"]) for r in read_csv(run_dir / "evaluations.csv")] == [2, 4, 6]
    assert [step for step, _ in list_checkpoints(run_dir)] == [2, 4, 6]
    best = json.loads((run_dir / "checkpoints" / "best.json").read_text())
    assert (best["step"], best["fid"]) == (6, 3.0)
    assert reached_target(run_dir, 3.0) and not reached_target(run_dir, 2.9)
    assert any("reached the target 3" in m for m in messages)


def test_a_target_never_reached_runs_to_the_end(npz_dataset, tmp_path, tiny_extractor, scripted_fids):
    run_dir = tmp_path / "run"
    config = tiny_config("basic", npz_dataset, steps=4, eval_every=2, eval_features=str(tiny_extractor))
    scripted_fids.extend([5.0, 4.0])
    stop = StopAtFID(run_dir, every=2, target=1.0)
    assert fit(config, run_dir=run_dir, progress=False, extra_callbacks=[stop]).step == 4
    assert stop.reached is None and not reached_target(run_dir, 1.0)
    with pytest.raises(ValueError, match="eval_every >= 1"):
        StopAtFID(run_dir, every=0, target=1.0)
