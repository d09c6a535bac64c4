"""The study's GANs trained several at once, each in a spawned process (augment/gan_pool.py)."""

import os
import signal
import threading
import time

import pytest

from keras_signgan.augment import gan_pool
from keras_signgan.augment.gans import GAN_LOG, GANJob
from keras_signgan.config import TrainConfig
from keras_signgan.errors import RunError
from keras_signgan.interrupts import stop_on_signals
from keras_signgan.runs import list_checkpoints, read_config, read_wall_seconds
from tests.augment.test_per_fold_gans import run, subject_dataset


@pytest.mark.slow
def test_two_gans_at_once_train_every_cell_before_the_classifiers_which_reuse_them(tmp_path, tiny_extractor):
    data, out, messages = subject_dataset(), tmp_path / "out", []
    options = dict(fractions=(1,), gan_workers=2, filter_confidence=0, gan_eval_features=str(tiny_extractor))
    results = run(data, out, log=messages.append, **options)
    assert messages[1] == "Training 2 GAN(s), 2 at a time."
    for key in ("0-f1", "1-f1"):
        gan = results["gans"][key]
        assert gan["finished"] and gan["step"] == 2 and gan["gans_at_once"] == 2
        assert gan["seconds"] == round(read_wall_seconds(out / gan["run_dir"], 2), 1) > 0  # the run's own clock
        assert [step for step, _ in list_checkpoints(out / gan["run_dir"])][-1] == 2
        assert read_config(out / gan["run_dir"]).dataset == str((out / "gans" / key / "images.npz").resolve())
        assert "Finished at step 2" in (out / "gans" / key / GAN_LOG).read_text()
        assert f"GAN {key}: reusing the finished run {out / gan['run_dir']}." in messages
    assert sorted((r["fold"], r["augmentation"]) for r in results["runs"]) == [
        (0, "gan"),
        (0, "none"),
        (1, "gan"),
        (1, "none"),
    ]


def job(tmp_path, key, dataset, steps):
    config = TrainConfig.create(
        "basic", str(dataset), size="tiny", steps=steps, batch_size=4, sample_every=10_000, checkpoint_every=10_000
    )
    (tmp_path / key).mkdir()
    return GANJob(key, tmp_path / key / "run", config, 12, 4, "-", "-")


def test_a_gan_that_fails_stops_the_study_naming_its_cell_its_cause_and_its_log(tmp_path):
    failing = job(tmp_path, "0-f1", tmp_path / "missing.npz", 2)
    with pytest.raises(RunError) as error:
        gan_pool.train_gans([failing], 1, tmp_path, {"gans": {}}, lambda m: None, lambda r: None)
    message = str(error.value)
    assert message.startswith("The GAN of cell 0-f1 stopped (exit code 2): ") and "missing.npz" in message
    assert f"Its log: {tmp_path / '0-f1' / GAN_LOG}" in message and "--resume" in message


def _lines(path):
    return path.read_text().splitlines() if path.exists() else []


def test_sigterm_stops_every_gan_with_a_checkpoint_to_resume_from(tmp_path, npz_dataset):
    jobs = [job(tmp_path, key, npz_dataset, 100_000) for key in ("0-f1", "1-f1")]

    def stop_once_both_train():
        while not all(len(_lines(j.run_dir / "metrics.csv")) > 2 for j in jobs):
            time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGTERM)

    results = {"gans": {}}
    threading.Thread(target=stop_once_both_train, daemon=True).start()
    with pytest.raises(KeyboardInterrupt), stop_on_signals():
        gan_pool.train_gans(jobs, 2, tmp_path, results, lambda m: None, lambda r: None)
    assert results["gans"] == {}
    for j in jobs:
        steps = [step for step, _ in list_checkpoints(j.run_dir)]
        assert len(steps) == 1 and 0 < steps[0] < 100_000
        assert f"Interrupted at step {steps[0]}; state saved." in (j.run_dir.parent / GAN_LOG).read_text()
