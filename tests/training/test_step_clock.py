import time

import keras
import numpy as np

from keras_signgan.training.callbacks import StepClock


class _Sleep(keras.callbacks.Callback):
    """Sleeps `seconds` in one hook: inside the timed steps or outside them."""

    def __init__(self, hook, seconds):
        super().__init__()
        self.hook, self.seconds = hook, seconds

    def on_train_begin(self, logs=None):
        if self.hook == "train_begin":
            time.sleep(self.seconds)

    def on_train_end(self, logs=None):
        if self.hook == "train_end":
            time.sleep(self.seconds)

    def on_train_batch_end(self, batch, logs=None):
        if self.hook == "batch_end" and batch == 1:
            time.sleep(self.seconds)


def _fit(sleeping):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    clock = StepClock()
    x, y = np.zeros((12, 2), "float32"), np.zeros((12, 1), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[clock, sleeping])
    return clock.seconds()


def test_step_clock_times_the_steps_not_fit_before_or_after_them():
    # A second of sleep: three steps of a one-layer model, traced first, take far less even on a
    # loaded machine.
    wall_inside, _ = _fit(_Sleep("batch_end", 1.0))
    wall_before, _ = _fit(_Sleep("train_begin", 1.0))
    wall_after, _ = _fit(_Sleep("train_end", 1.0))
    assert wall_inside >= 1.0
    assert wall_before < 1.0 and wall_after < 1.0


def test_step_clock_counts_process_time():
    class _Spin(_Sleep):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                end = time.process_time() + 0.2
                while time.process_time() < end:
                    pass

    _, cpu = _fit(_Spin("", 0))
    assert cpu >= 0.2
