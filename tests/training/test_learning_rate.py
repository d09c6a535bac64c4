"""The learning-rate schedule: constant, or linear to zero over the run's last part."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_signgan.config import TrainConfig
from keras_signgan.errors import ConfigError
from keras_signgan.training.fit import fit
from keras_signgan.training.learning_rate import decay_factor
from tests.conftest import tiny_config


def test_decay_factor_is_constant_then_linear_to_the_last_step():
    assert [decay_factor(step, 8, 0.0) for step in range(8)] == [1.0] * 8
    assert [decay_factor(step, 8, 0.5) for step in range(8)] == [1, 1, 1, 1, 1, 0.75, 0.5, 0.25]
    assert [decay_factor(step, 4, 1.0) for step in range(4)] == [1, 0.75, 0.5, 0.25]
    # Past the end (a run resumed to fewer steps never trains there) it stays at 0.
    assert decay_factor(9, 8, 0.5) == 0.0


class RecordRates(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.rates = []

    def on_train_batch_begin(self, batch, logs=None):
        rates = [float(ops.convert_to_numpy(o.learning_rate)) for o in (self.model.g_optimizer, self.model.d_optimizer)]
        self.rates.append(rates)


def test_fit_decays_both_rates_and_a_resume_continues_the_schedule(npz_dataset, tmp_path):
    config = tiny_config("biggan", npz_dataset, steps=4, g_lr=1e-3, d_lr=2e-3, lr_decay=0.5)
    whole = RecordRates()
    fit(config, run_dir=tmp_path / "whole", progress=False, extra_callbacks=[whole])
    expected = [[1e-3 * f, 2e-3 * f] for f in (1, 1, 1, 0.5)]
    np.testing.assert_allclose(whole.rates, expected, rtol=1e-6)

    fit(tiny_config("biggan", npz_dataset, steps=2, g_lr=1e-3, d_lr=2e-3), run_dir=tmp_path / "split", progress=False)
    resumed = RecordRates()
    fit(resume=tmp_path / "split", steps=4, changes={"lr_decay": 0.5}, progress=False, extra_callbacks=[resumed])
    np.testing.assert_allclose(resumed.rates, expected[2:], rtol=1e-6)
    a = np.load(tmp_path / "whole" / "checkpoints" / "ckpt-0000004.npz")
    b = np.load(tmp_path / "split" / "checkpoints" / "ckpt-0000004.npz")
    for key in a.files:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-3, atol=1e-4)


def test_lr_decay_outside_zero_to_one_is_refused():
    with pytest.raises(ConfigError, match="--lr-decay must be between 0"):
        TrainConfig.create("biggan", "lsa16", size="tiny", lr_decay=1.5)
