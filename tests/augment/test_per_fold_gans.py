"""The leak-free study: one GAN per fold and training fraction, trained by `fit` on exactly
that cell's real training images; paired statistics over folds (the command:
tests/cli/test_augment.py)."""

import json

import numpy as np
import pytest

from keras_signgan.augment import cells, conditions, experiment
from keras_signgan.augment.plan import image_hashes, set_hash
from keras_signgan.augment.statistics import paired_interval, summarize
from keras_signgan.data import load_dataset
from keras_signgan.data.dataset import HandshapeDataset
from keras_signgan.runs import read_config, read_wall_seconds
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
    calls = {"gan_new": 0, "gan_resume": 0, "classifier": 0, "quality": 0}
    original_fit, original_train, original_quality = fit_module.fit, cells.train_classifier, conditions.gan_quality

    def fit(*args, **kwargs):
        calls["gan_resume" if kwargs.get("resume") is not None else "gan_new"] += 1
        return original_fit(*args, **kwargs)

    def train(*args, **kwargs):
        calls["classifier"] += 1
        return original_train(*args, **kwargs)

    def gan_quality(*args, **kwargs):
        calls["quality"] += 1
        return original_quality(*args, **kwargs)

    monkeypatch.setattr(fit_module, "fit", fit)
    monkeypatch.setattr(cells, "train_classifier", train)
    monkeypatch.setattr(conditions, "gan_quality", gan_quality)
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
        synthetic=False,
        filter_confidence=0.4,
        log=lambda message: None,
    )
    kwargs.update(overrides)
    return experiment.run_experiment(data, None, out, **kwargs)


@pytest.mark.slow
def test_per_fold_gans_train_on_their_cell_only_and_resume_reuses_them(tmp_path, monkeypatch, tiny_extractor):
    data = subject_dataset()
    out = tmp_path / "out"
    calls = counting(monkeypatch)
    messages = []
    results = run(data, out, gan_eval_features=str(tiny_extractor), log=messages.append)
    # 2 folds x 2 fractions: 4 GANs, each measured once; 3 conditions each (none, 100,
    # filtered 100; classical ones are the same code path with another flag, tested in
    # test_experiment.py, and synthetic only draws the ratio-100 images).
    assert calls == {"gan_new": 4, "gan_resume": 0, "classifier": 12, "quality": 4}
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
        check_gan_quality(gan, len(trained_on), tiny_extractor)
        if run_record["augmentation"] == "filtered":
            check_filter_record(run_record, len(trained_on))
    assert results["gans"]["0-f0.5"]["batch_size"] == 9 < 16  # capped to the cell's images, recorded
    assert sorted(p.name for p in (out / "classifiers").iterdir()) == [
        "0-f0.5.npz",
        "0-f1.npz",
        "1-f0.5.npz",
        "1-f1.npz",
    ]
    text = (out / "results.md").read_text()
    assert "| real + 100% filtered generated |" in text and "| vs unfiltered |" in text
    assert text.count("| fold | GAN steps | GAN seconds | FID | KID |") == 2 and text.count("| mean |") == 2
    assert any(m.startswith("GAN 1-f1: FID ") and "classification score" in m for m in messages)

    # Resume: finished GANs are reused, an unfinished one is resumed, only missing cells run,
    # and only missing quality records are measured (a lost real-only classifier trained again).
    saved = json.loads((out / "results.json").read_text())
    saved["runs"] = [r for r in saved["runs"] if not (r["fold"] == 1 and r["fraction"] == 0.5)]
    del saved["gans"]["1-f0.5"]  # as if interrupted after its checkpoint, before it was recorded
    kept_quality = saved["gans"]["1-f1"]["quality"]
    saved["gans"]["1-f1"]["seconds"] = 0.5  # as earlier versions recorded: its last segment only
    del saved["gans"]["0-f1"]["quality"]  # as if interrupted before it was measured
    (out / "results.json").write_text(json.dumps(saved))
    (out / "classifiers" / "0-f1.npz").unlink()
    calls.update(gan_new=0, gan_resume=0, classifier=0, quality=0)
    moved = tmp_path / "moved"  # a results folder moved between sessions resumes too
    out.rename(moved)
    resumed = run(data, moved, resume=True, gan_eval_features=str(tiny_extractor))
    assert calls == {"gan_new": 0, "gan_resume": 1, "classifier": 4, "quality": 2}
    assert len(resumed["runs"]) == 12 and set(resumed["gans"]) == set(results["gans"])
    assert resumed["gans"]["1-f1"]["quality"] == kept_quality
    check_gan_quality(resumed["gans"]["0-f1"], 18, tiny_extractor)
    assert read_config(moved / resumed["gans"]["1-f0.5"]["run_dir"]).dataset == str(
        (moved / "gans" / "1-f0.5" / "images.npz").resolve()
    )
    for gan in resumed["gans"].values():  # every GAN's seconds: its run's own clock, resumed or not
        assert gan["seconds"] == round(read_wall_seconds(moved / gan["run_dir"], gan["step"]), 1) > 0
    calls.update(gan_new=0, gan_resume=0, classifier=0, quality=0)
    run(data, moved, resume=True)  # the extractor as the finished cells'
    assert calls == {"gan_new": 0, "gan_resume": 0, "classifier": 0, "quality": 0}


def check_gan_quality(gan, num_real, extractor_path):
    """A cell GAN's quality record: FID against its own training images, at equal sizes."""
    q = gan["quality"]
    assert isinstance(q["fid"], float) and 0 <= q["fid"] < 1e6 and isinstance(q["kid"], float)
    assert q["extractor"].startswith(extractor_path.stem) and q["num_real"] == num_real == q["num_generated"]
    assert 0 <= q["classification_score"] <= 1 and set(q["classification_per_class"]) == set(CLASSES)
    assert q["generator_step"] == gan["step"] == 2 and q["generator_checkpoint"] == "ckpt-0000002.npz"
    assert gan["seconds"] > 0 and gan["steps_planned"] == 2 and gan["target_fid"] is None


def check_filter_record(run_record, num_real):
    """A filtered condition's record: what was asked, drawn and kept, within the cap."""
    record = run_record["filter"]
    assert record["threshold"] == 0.4 and record["num_requested"] == num_real  # 100% of the real part
    assert record["num_kept"] == run_record["num_synthetic"] <= record["num_requested"]
    assert record["num_kept"] <= record["num_accepted"] <= record["num_drawn"] <= 20 * record["num_requested"]
    assert record["acceptance_rate"] == record["num_accepted"] / record["num_drawn"]
    assert sum(record["short"].values()) == record["num_requested"] - record["num_kept"]


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
    plan = run(subject_dataset(), tmp_path / "out", dry_run=True, log=lines.append, classical=True, synthetic=True)
    assert calls == {"gan_new": 0, "gan_resume": 0, "classifier": 0, "quality": 0}
    # No FID Inception weights in this test's Keras home: said first, and Keras InceptionV3 is used.
    assert "FID Inception weights are not imported" in lines[0] and plan["settings"]["gan_eval_features"] == "inception"
    assert lines[1] == "Plan: 2 fold(s) x 2 fraction(s); 4 GAN(s) to train (0 reused), 24 classifier fit(s) to run."
    assert "  fold 1, fraction 0.5: real + classical + 100% filtered generated" in lines
    assert lines[-1].startswith("  GAN quality of 4 cell(s): FID (inception) against the cell's real training images")
    assert len(plan["cells"]) == 24 and plan["quality"] == ["0-f0.5", "0-f1", "1-f0.5", "1-f1"]
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_target_fid_stops_the_gan_early_and_its_best_checkpoint_makes_the_images(
    tmp_path, monkeypatch, tiny_extractor
):
    out = tmp_path / "out"
    calls = counting(monkeypatch)
    messages = []
    options = dict(split="random", repeats=1, folds=None, fractions=(1,), ratios=(0,), filter_confidence=0)
    options.update(gan_options={**GAN, "steps": 6}, gan_target_fid=1e9, gan_eval_every=2, synthetic=True)
    results = run(subject_dataset(), out, gan_eval_features=str(tiny_extractor), log=messages.append, **options)
    assert calls == {"gan_new": 1, "gan_resume": 0, "classifier": 2, "quality": 1}
    gan = results["gans"]["0-f1"]
    # Every FID is below 1e9: the first evaluation, at step 2 of 6, stops the GAN.
    assert (gan["step"], gan["steps_planned"], gan["best_step"], gan["target_fid"]) == (2, 6, 2, 1e9)
    assert gan["quality"]["generator_checkpoint"] == "best.npz" and gan["quality"]["generator_step"] == 2
    config = read_config(out / gan["run_dir"])
    assert config.eval_every == 2 and config.eval_features == str(tiny_extractor.resolve())
    assert config.eval_samples == gan["num_images"] == gan["quality"]["num_generated"]
    assert any("reached the target 1e+09: stopping" in m for m in messages)
    assert "| 2 of 6 |" in (out / "results.md").read_text()

    # Interrupted after it stopped, before it was recorded: resuming does not train it again.
    saved = json.loads((out / "results.json").read_text())
    del saved["gans"]["0-f1"]
    (out / "results.json").write_text(json.dumps(saved))
    calls.update(gan_new=0, gan_resume=0, classifier=0, quality=0)
    messages.clear()
    resumed = run(subject_dataset(), out, resume=True, log=messages.append, **options)
    assert calls == {"gan_new": 0, "gan_resume": 0, "classifier": 0, "quality": 1}
    assert any("reached FID <= 1e+09 before it was interrupted" in m for m in messages)
    assert resumed["gans"]["0-f1"]["step"] == 2 and resumed["gans"]["0-f1"]["quality"]["generator_step"] == 2
