"""Run directories: checkpoints keyed by variable path, refused when they come from another
architecture; a checkpoint written by older code (by position) still restores."""

import pathlib

import numpy as np
import pytest

from keras_signgan.config import TrainConfig
from keras_signgan.errors import RunError
from keras_signgan.generators import load_generator
from keras_signgan.legacy import revision_layout
from keras_signgan.models import MODEL_NAMES
from keras_signgan.runs import (
    CHECKPOINT_FORMAT,
    EVALUATION_COLUMNS,
    append_csv_row,
    checkpoint_keys,
    checkpoint_path,
    latest_checkpoint,
    list_checkpoints,
    load_run_checkpoint,
    read_best,
    read_evaluations,
    read_wall_seconds,
    restore_checkpoint,
    restore_latest_checkpoint,
    rewrite_csv,
    save_best_checkpoint,
    save_checkpoint,
)
from keras_signgan.training.fit import build_compiled_gan

# Written by `tests/fixtures/make_checkpoint_fixture.py` at commit a1931c0: a tiny WCGAN on
# 16x16 images, 2 steps, and the images sampling from it gave then.
OLD_RUN = pathlib.Path(__file__).resolve().parent / "fixtures" / "wcgan-tiny-16"


def expected_samples():
    with np.load(OLD_RUN / "expected_samples.npz", allow_pickle=False) as data:
        return data["images"], data["labels"], int(data["seed"])


def assert_same_images(images, expected):
    assert images.dtype == np.uint8 and images.shape == expected.shape
    # Identical on the machine that wrote them; allow a rounding step elsewhere.
    assert np.abs(images.astype(int) - expected.astype(int)).max() <= 1
    assert np.mean(images == expected) > 0.99


def test_an_old_checkpoint_restores_to_the_same_samples():
    images, labels, seed = expected_samples()
    generator = load_generator(OLD_RUN)
    assert generator.step == 2 and generator.class_names == ["Five", "Four", "Horns"]
    assert_same_images(generator.generate(labels, seed=seed), images)


def test_an_old_checkpoint_restores_the_optimizers_to_continue_training():
    images, labels, seed = expected_samples()
    config = TrainConfig.from_json((OLD_RUN / "config.json").read_text())
    gan = build_compiled_gan(config)
    step = restore_checkpoint(gan, latest_checkpoint(OLD_RUN))
    assert step == 2 and int(np.asarray(gan.step)) == 2
    # n_critic=2 discriminator updates and one generator update per step.
    assert int(np.asarray(gan.d_optimizer.iterations)) == 4
    assert int(np.asarray(gan.g_optimizer.iterations)) == 2
    assert any(np.abs(np.asarray(v)).max() > 0 for v in gan.g_optimizer.variables[1:])
    assert_same_images(gan.sample(labels, seed=seed), images)


def test_a_checkpoint_from_another_configuration_is_refused():
    config = TrainConfig.from_json((OLD_RUN / "config.json").read_text())
    config.model, config.loss, config.n_critic, config.layout = "basic", "bce", 1, {}
    gan = build_compiled_gan(config)
    with pytest.raises(RunError, match="different architecture or configuration"):
        restore_checkpoint(gan, latest_checkpoint(OLD_RUN), include_optimizers=False)


def tiny_config(model, **overrides):
    values = dict(size="tiny", image_size=16, class_names=["a", "b", "c"], diffaugment="color,translation")
    values.update(overrides)
    return TrainConfig.create(model, "npz", **values)


def perturb(gan, seed):
    """Give every float variable of the GAN and its optimizers a distinct random value."""
    rng = np.random.default_rng(seed)
    for variable in checkpoint_keys(gan).values():
        if variable.dtype.startswith("float"):
            variable.assign(rng.normal(size=variable.shape).astype(variable.dtype))


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_checkpoints_are_keyed_by_network_and_path_the_same_in_every_build(model, tmp_path):
    config = tiny_config(model, lecam_weight=0.1)
    first = build_compiled_gan(config)
    # Building more models in the same process renames Keras's unnamed objects (dense_1, adam_2):
    # the keys must not depend on that.
    build_compiled_gan(config)
    second = build_compiled_gan(config)
    keys = checkpoint_keys(first)
    assert list(keys) == list(checkpoint_keys(second))
    assert any(k.startswith("model/ema_generator/") for k in keys) == (config.ema_decay is not None)
    assert any(k.startswith("model/discriminator/") for k in keys)
    assert "model/gan/%s/step" % model in keys and any(k.startswith("g_optimizer/") for k in keys)

    perturb(first, seed=1)
    first.step.assign(7)
    path = save_checkpoint(first, tmp_path)
    with np.load(path, allow_pickle=False) as data:
        assert int(data["__format__"]) == CHECKPOINT_FORMAT
        assert set(data.files) == set(keys) | {"__format__", "__step__"}
    assert restore_checkpoint(second, path) == 7
    for key, variable in checkpoint_keys(second).items():
        np.testing.assert_array_equal(np.asarray(variable), np.asarray(keys[key]), err_msg=key)


def test_a_keyed_checkpoint_from_another_architecture_is_refused_naming_what_differs(tmp_path):
    wide = build_compiled_gan(tiny_config("biggan"))
    path = save_checkpoint(wide, tmp_path)
    # Without DiffAugment the GAN has no augmentation seed state: one variable fewer.
    other = build_compiled_gan(tiny_config("biggan", diffaugment=""))
    before = [np.asarray(v).copy() for v in other.generator.variables]
    with pytest.raises(RunError, match="different architecture.*holds 1 the model does not have.*seed_generator"):
        restore_checkpoint(other, path)
    assert all(np.array_equal(a, np.asarray(v)) for a, v in zip(before, other.generator.variables))
    # A layout change (another layer revision) is missing variables, and refused by load too.
    older = build_compiled_gan(tiny_config("biggan", layout=revision_layout("biggan", "tiny", 16, 1)))
    with pytest.raises(RunError, match="different architecture.*lacks"):
        restore_checkpoint(older, path, include_optimizers=False)


def test_restore_skips_a_newest_checkpoint_that_does_not_fit_with_one_warning(tmp_path):
    config = tiny_config("wcgan")
    gan = build_compiled_gan(config)
    gan.step.assign(2)
    save_checkpoint(gan, tmp_path)
    other = build_compiled_gan(tiny_config("basic"))
    other.step.assign(4)
    save_checkpoint(other, tmp_path)
    warnings = []
    step, path = restore_latest_checkpoint(build_compiled_gan(config), tmp_path, warn=warnings.append)
    assert step == 2 and path.name == "ckpt-0000002.npz"
    assert len(warnings) == 1 and "ckpt-0000004.npz" in warnings[0]


def test_the_best_checkpoint_is_kept_apart_from_rotation_and_resume(tmp_path):
    config = tiny_config("basic")
    (tmp_path / "config.json").write_text(config.to_json())
    gan = build_compiled_gan(config)
    for step in range(1, 6):
        gan.step.assign(step)
        save_checkpoint(gan, tmp_path, keep=2)
        if step == 1:
            save_best_checkpoint(gan, tmp_path, {"fid": 7.5, "extractor": "x", "num_generated": 8})
    assert [step for step, _ in list_checkpoints(tmp_path)] == [4, 5]
    assert read_best(tmp_path) == {
        "checkpoint": "best.npz",
        "step": 1,
        "fid": 7.5,
        "extractor": "x",
        "num_generated": 8,
    }
    # A best checkpoint newer than every ckpt-<step>.npz is still not what --resume restores.
    perturb(gan, seed=3)
    gan.step.assign(9)
    save_best_checkpoint(gan, tmp_path, {"fid": 2.0})
    assert latest_checkpoint(tmp_path).name == "ckpt-0000005.npz"
    step, path = restore_latest_checkpoint(build_compiled_gan(config), tmp_path)
    assert (step, path.name) == (5, "ckpt-0000005.npz")
    assert not [p for p in (tmp_path / "checkpoints").iterdir() if p.name.startswith(".")]

    best = load_run_checkpoint(tmp_path, "best")
    assert (best.step, best.path.name) == (9, "best.npz")
    np.testing.assert_array_equal(np.asarray(best.gan.generator.variables[0]), np.asarray(gan.generator.variables[0]))
    assert load_run_checkpoint(tmp_path, "4").path.name == "ckpt-0000004.npz"
    assert load_run_checkpoint(tmp_path).step == 5


@pytest.mark.parametrize(
    "choice, message",
    [
        ("3", r"has no checkpoint at step 3\. It has: 4, 5 and best \(step 1\)\."),
        ("soon", r"--checkpoint must be latest, best or a step number\. Received: 'soon'"),
    ],
)
def test_a_checkpoint_choice_that_does_not_exist_says_what_does(choice, message, tmp_path):
    gan = build_compiled_gan(tiny_config("basic"))
    gan.step.assign(1)
    save_best_checkpoint(gan, tmp_path, {"fid": 3.0})
    for step in (4, 5):
        gan.step.assign(step)
        save_checkpoint(gan, tmp_path)
    with pytest.raises(RunError, match=message):
        checkpoint_path(tmp_path, choice)


def test_best_without_evaluations_during_training_says_how_to_get_one(tmp_path):
    gan = build_compiled_gan(tiny_config("basic"))
    save_checkpoint(gan, tmp_path)
    with pytest.raises(RunError, match=r"no best checkpoint \(checkpoints/best\.npz\).*--eval-every N"):
        checkpoint_path(tmp_path, "best")
    assert read_best(tmp_path) is None


OLD_EVALUATIONS = "step,fid,kid,kid_std,num_generated,extractor\n2,80.5,0.1,0.01,16,x\n4,70.25,0.09,0.01,16,x\n"


def test_evaluations_written_before_times_were_recorded_still_read_and_extend(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "evaluations.csv").write_text(OLD_EVALUATIONS)
    rows = read_evaluations(tmp_path)
    assert [(r["step"], r["fid"], r["num_generated"]) for r in rows] == [(2, 80.5, 16), (4, 70.25, 16)]
    assert all(r["wall_seconds"] is None and r["images_seen"] is None and r["eval_seconds"] is None for r in rows)

    append_csv_row(
        tmp_path / "evaluations.csv",
        EVALUATION_COLUMNS,
        {
            "step": 6,
            "fid": 60.0,
            "kid": 0.08,
            "kid_std": 0.01,
            "num_generated": 16,
            "extractor": "x",
            "images_seen": 96,
            "wall_seconds": 31.5,
            "eval_seconds": 2.5,
        },
    )
    header = (tmp_path / "evaluations.csv").read_text().splitlines()[0]
    assert header.split(",") == list(EVALUATION_COLUMNS)
    rows = read_evaluations(tmp_path)
    assert [r["step"] for r in rows] == [2, 4, 6] and rows[0]["fid"] == 80.5
    assert (rows[2]["images_seen"], rows[2]["wall_seconds"], rows[2]["eval_seconds"]) == (96, 31.5, 2.5)

    rewrite_csv(tmp_path / "evaluations.csv", EVALUATION_COLUMNS, until_step=4)
    assert [r["step"] for r in read_evaluations(tmp_path)] == [2, 4]


def test_the_wall_clock_resumes_from_the_latest_time_recorded_up_to_the_step(tmp_path):
    (tmp_path / "metrics.csv").write_text("step,d_loss,wall_seconds\n1,0.5,3.0\n2,0.5,5.0\n3,0.5,9.0\n")
    (tmp_path / "evaluations.csv").write_text(
        ",".join(EVALUATION_COLUMNS) + "\n2,70,0.1,0.01,16,x,32,7.5,2.0\n3,60,0.1,0.01,16,x,48,12.0,2.0\n"
    )
    assert read_wall_seconds(tmp_path, 2) == 7.5  # the evaluation at step 2 ended after its metrics row
    assert read_wall_seconds(tmp_path, 3) == 12.0
    assert read_wall_seconds(tmp_path / "missing", 3) == 0.0


@pytest.mark.parametrize(
    "content, message", [(None, "has no evaluations.csv.*--eval-every N"), ("step,fid\n", "has no evaluations yet")]
)
def test_a_run_without_evaluations_says_how_to_record_them(content, message, tmp_path):
    (tmp_path / "config.json").write_text("{}")
    if content is not None:
        (tmp_path / "evaluations.csv").write_text(content)
    with pytest.raises(RunError, match=message):
        read_evaluations(tmp_path)
    with pytest.raises(RunError, match="not a run directory"):
        read_evaluations(tmp_path / "missing")
