"""`keras_signgan.legacy`: artefacts of earlier versions read in today's form (the old
run-directory fixture itself is restored to its recorded samples in test_runs.py)."""

import json
import pathlib

import numpy as np
import pytest

from keras_signgan import legacy
from keras_signgan.augment.report import VERSION, read_results
from keras_signgan.augment.statistics import summarize
from keras_signgan.config import TrainConfig
from keras_signgan.errors import IncompatibleCheckpoint, RunError
from keras_signgan.runs import CHECKPOINT_FORMAT, checkpoint_keys, latest_checkpoint
from keras_signgan.training.fit import build_compiled_gan

PACKAGE_DIR = pathlib.Path(legacy.__file__).resolve().parent
OLD_RUN = pathlib.Path(__file__).resolve().parent / "fixtures" / "wcgan-tiny-16"


def test_only_legacy_knows_the_old_layout_revisions():
    mentions = [p.relative_to(PACKAGE_DIR) for p in PACKAGE_DIR.rglob("*.py") if "arch_revision" in p.read_text()]
    assert mentions == [pathlib.Path("legacy.py")]


def test_a_format_1_checkpoint_gets_todays_keys():
    config = TrainConfig.from_json((OLD_RUN / "config.json").read_text())
    gan = build_compiled_gan(config)
    with np.load(latest_checkpoint(OLD_RUN), allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    assert "__format__" not in arrays
    keys = checkpoint_keys(gan)
    upgraded = legacy.upgrade_checkpoint(arrays, gan, keys, "ckpt")
    assert int(upgraded["__format__"]) == CHECKPOINT_FORMAT
    assert set(upgraded) == set(keys) | {"__format__", "__step__"}
    # Position i of the model group is the i-th of the GAN's variables.
    first = gan.variables[0]
    key = next(k for k, v in keys.items() if v is first)
    np.testing.assert_array_equal(upgraded[key], arrays["model/00000"])
    # Without the optimizers, only the model group is translated.
    networks_only = legacy.upgrade_checkpoint(
        arrays, gan, checkpoint_keys(gan, False), "ckpt", include_optimizers=False
    )
    assert {k for k in networks_only if k.startswith("model/")} == set(checkpoint_keys(gan, False))
    # A format-2 file passes unchanged; a group of another size is refused.
    assert legacy.upgrade_checkpoint(upgraded, gan, keys, "ckpt") is upgraded
    del arrays["model/00000"]
    count = len(gan.variables)
    with pytest.raises(IncompatibleCheckpoint, match=f"holds {count - 1} model variables, the model has {count}"):
        legacy.upgrade_checkpoint(arrays, gan, keys, "ckpt")


def results_v1():
    runs = [
        {"augmentation": name, "ratio": ratio, "split": "random", "repeat": repeat, "accuracy": accuracy}
        for repeat, (real, gan) in enumerate([(0.5, 0.6), (0.7, 0.75)])
        for name, ratio, accuracy in (("none", 0.0, real), ("gan", 100.0, gan))
    ]
    settings = {"dataset": "lsa16", "generator": "saved_models/x", "split": "random", "repeats": 2, "ratios": [0, 100]}
    return {"version": 1, "settings": settings, "runs": runs, "summary": [{"old": "shape"}]}


def test_results_version_1_reads_as_version_2(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results_v1()))
    results = read_results(path)
    assert results["version"] == VERSION == 2
    assert [(r["fold"], r["fraction"]) for r in results["runs"]] == [(0, 1.0), (0, 1.0), (1, 1.0), (1, 1.0)]
    assert results["settings"]["fractions"] == [1.0] and results["settings"]["generator_saw_test"] == "unknown"
    assert results["gans"] == {}
    assert results["summary"] == summarize(results["runs"])
    gan = next(row for row in results["summary"] if row["augmentation"] == "gan")
    assert gan["vs_real"]["mean"] == pytest.approx(0.075)
    path.write_text(json.dumps({**results_v1(), "version": 3}))
    with pytest.raises(RunError, match="results version 3"):
        read_results(path)
