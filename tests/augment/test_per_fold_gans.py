"""The leak-free study: one GAN per fold and training fraction, trained by `fit` on exactly
that cell's real training images; paired statistics over folds (the command:
tests/cli/test_augment.py)."""

import json

import numpy as np
import pytest

from keras_signgan.augment import experiment
from keras_signgan.augment.plan import image_hashes, set_hash
from keras_signgan.augment.statistics import paired_interval, summarize
from keras_signgan.data import load_dataset
from keras_signgan.data.dataset import HandshapeDataset
from keras_signgan.runs import read_config
from keras_signgan.training import fit as fit_module

CLASSES = ["P", "Q", "R"]
GAN = {"size": "tiny", "steps": 2, "sample_every": 2, "checkpoint_every": 2}


def subject_dataset():
    """3 classes x 4 subjects x 3 images, every image distinct."""
    rng = np.random.default_rng(1)
    labels = np.tile(np.repeat(np.arange(3), 3), 4)
    subjects = np.repeat(np.arange(1, 5), 9)
    images = rng.integers(0, 60, (36, 32, 32, 3), dtype="uint8")
    for i, label in enumerate(labels):
        images[i, 8:24, 8:24, label] = 220
    return HandshapeDataset("toy-subjects", images, labels, CLASSES, {"subject": subjects})


def counting(monkeypatch):
    calls = {"gan_new": 0, "gan_resume": 0, "classifier": 0}
    original_fit, original_train = fit_module.fit, experiment.train_classifier

    def fit(*args, **kwargs):
        calls["gan_resume" if kwargs.get("resume") is not None else "gan_new"] += 1
        return original_fit(*args, **kwargs)

    def train(*args, **kwargs):
        calls["classifier"] += 1
        return original_train(*args, **kwargs)

    monkeypatch.setattr(fit_module, "fit", fit)
    monkeypatch.setattr(experiment, "train_classifier", train)
    return calls


def run(data, out, **overrides):
    kwargs = dict(
        model="wcgan",
        gan_options=GAN,
        split="subject",
        folds=2,
        fractions=(0.5, 1),
        ratios=(100,),
        epochs=1,
        width=4,
        classical=False,
        log=lambda message: None,
    )
    kwargs.update(overrides)
    return experiment.run_experiment(data, None, out, **kwargs)


@pytest.mark.slow
def test_per_fold_gans_train_on_their_cell_only_and_resume_reuses_them(tmp_path, monkeypatch):
    data = subject_dataset()
    out = tmp_path / "out"
    calls = counting(monkeypatch)
    results = run(data, out)
    # 2 folds x 2 fractions: 4 GANs; 3 conditions each (none, 100, synthetic; classical ones are
    # the same code path with another flag, tested in test_experiment.py).
    assert calls == {"gan_new": 4, "gan_resume": 0, "classifier": 12}
    assert results["settings"]["generator_saw_test"] is False
    assert set(results["gans"]) == {"0-f0.5", "0-f1", "1-f0.5", "1-f1"}
    all_hashes = image_hashes(data.images)
    for run_record in results["runs"]:
        test_subjects = run_record["test_subjects"]
        test = np.isin(data.metadata["subject"], test_subjects)
        assert run_record["test_images_sha256"] == set_hash([h for h, t in zip(all_hashes, test) if t])
        gan = results["gans"][f"{run_record['fold']}-f{run_record['fraction']:g}"]
        # What the GAN's own run read (its config's dataset) is the cell's reduced training part.
        config = read_config(out / gan["run_dir"])
        trained_on = load_dataset(config.dataset)
        hashes = image_hashes(trained_on.images)
        assert set_hash(hashes) == gan["images_sha256"] == run_record["train_images_sha256"]
        assert not set(hashes) & {h for h, t in zip(all_hashes, test) if t}
        assert set(hashes) <= {h for h, t in zip(all_hashes, test) if not t}
        per_class = np.bincount(trained_on.labels, minlength=3)
        expected = 6 if run_record["fraction"] == 1 else 3  # 2 training subjects x 3 per class, or half of it
        assert list(per_class) == [expected] * 3 and trained_on.class_names == CLASSES
        assert gan["batch_size"] == min(16, len(trained_on)) and gan["batch_size_requested"] == 16
        assert config.batch_size == gan["batch_size"]
        # Every classifier of the fold trains as many batches per epoch as the fold's whole
        # real training part fills (18 images at batch 64: 1), whatever its own set's size.
        assert run_record["steps_per_epoch"] == 1
    assert results["gans"]["0-f0.5"]["batch_size"] == 9 < 16  # capped to the cell's images, recorded

    # Resume: finished GANs are reused, an unfinished one is resumed, only missing cells run.
    saved = json.loads((out / "results.json").read_text())
    saved["runs"] = [r for r in saved["runs"] if not (r["fold"] == 1 and r["fraction"] == 0.5)]
    del saved["gans"]["1-f0.5"]  # as if interrupted after its checkpoint, before it was recorded
    (out / "results.json").write_text(json.dumps(saved))
    calls.update(gan_new=0, gan_resume=0, classifier=0)
    moved = tmp_path / "moved"  # a results folder moved between sessions resumes too
    out.rename(moved)
    resumed = run(data, moved, resume=True)
    assert calls == {"gan_new": 0, "gan_resume": 1, "classifier": 3}
    assert len(resumed["runs"]) == 12 and set(resumed["gans"]) == set(results["gans"])
    assert read_config(moved / resumed["gans"]["1-f0.5"]["run_dir"]).dataset == str(
        (moved / "gans" / "1-f0.5" / "images.npz").resolve()
    )


def test_paired_interval_is_student_t_over_fold_differences():
    mean, low, high = paired_interval([0.05, 0.06, 0.07])
    half = 4.302652729911275 * 0.01 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n), by hand
    assert mean == pytest.approx(0.06) and low == pytest.approx(0.06 - half) and high == pytest.approx(0.06 + half)
    assert paired_interval([0.2]) == (pytest.approx(0.2), None, None)  # one fold: no interval

    runs = []
    table = [(0.50, 0.60, 0.60, 0.20), (0.60, 0.62, 0.72, 0.29), (0.55, 0.64, 0.66, 0.26)]
    for fold, (real, classical, gan, synthetic) in enumerate(table):
        for name, ratio, acc in (
            ("none", 0.0, real),
            ("classical", 0.0, classical),
            ("gan", 100.0, gan),
            ("synthetic", 100.0, synthetic),
        ):
            runs.append({"augmentation": name, "ratio": ratio, "fold": fold, "fraction": 0.1, "accuracy": acc})
    rows = {r["augmentation"]: r for r in summarize(runs)}
    d = np.array([0.10, 0.12, 0.11])  # gan - real per fold
    half = 4.302652729911275 * d.std(ddof=1) / np.sqrt(3)
    assert rows["gan"]["vs_real"]["mean"] == pytest.approx(d.mean())
    assert rows["gan"]["vs_real"]["low"] == pytest.approx(d.mean() - half)
    assert rows["gan"]["vs_real"]["high"] == pytest.approx(d.mean() + half)
    assert rows["gan"]["vs_real"]["verdict"] == "better"  # interval [0.085, 0.135] excludes 0
    assert rows["gan"]["vs_classical"]["verdict"] == "no difference shown"  # differences 0, 0.10, 0.02
    assert rows["synthetic"]["vs_real"]["verdict"] == "worse"
    assert rows["gan"]["std_accuracy"] == pytest.approx(np.std([0.60, 0.72, 0.66], ddof=1))
    assert "vs_real" not in rows["none"]


def test_dry_run_prints_the_plan_and_trains_nothing(tmp_path, monkeypatch):
    calls = counting(monkeypatch)
    lines = []
    plan = run(subject_dataset(), tmp_path / "out", dry_run=True, log=lines.append, classical=True)
    assert calls == {"gan_new": 0, "gan_resume": 0, "classifier": 0}
    assert lines[0] == "Plan: 2 fold(s) x 2 fraction(s); 4 GAN(s) to train (0 reused), 20 classifier fit(s) to run."
    assert len(plan["cells"]) == 20 and not (tmp_path / "out").exists()
