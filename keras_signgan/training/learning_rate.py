"""The learning rates over a run: constant, or falling linearly to zero over its last part.

`TrainConfig.lr_decay` is the fraction of the run, counted back from its last step, over
which both learning rates fall linearly from their configured values to zero (SNGAN's and
Progressive GAN's linear decay, shortened to the run's end). 0 keeps them constant. The
rate of a step depends only on that step and the config, so a resumed run continues the
same schedule; resuming with more `--steps` stretches the decay to the new end.
"""

import keras

from keras_signgan.training.callbacks import global_step


def decay_factor(step, steps, lr_decay):
    """The multiplier of the learning rates for the update that makes step `step + 1`.

    1 before the decay starts (at `steps * (1 - lr_decay)`), then falling linearly so that
    the last update (step `steps - 1` to `steps`) uses `1 / decay_steps` of the rate.
    """
    decay_steps = round(steps * lr_decay)
    if decay_steps <= 0:
        return 1.0
    return min(1.0, max(0.0, (steps - step) / decay_steps))


class LinearDecay(keras.callbacks.Callback):
    """Sets both optimizers' learning rates before every step from `decay_factor`.

    Args:
        g_lr, d_lr: float. The configured (undecayed) learning rates.
        steps: int. The run's last step.
        lr_decay: float in [0, 1]. The share of the run the decay spans.
    """

    def __init__(self, g_lr, d_lr, steps, lr_decay):
        super().__init__()
        self.rates = {"g_optimizer": g_lr, "d_optimizer": d_lr}
        self.steps = steps
        self.lr_decay = lr_decay
        self.factor = None

    def on_train_batch_begin(self, batch, logs=None):
        factor = decay_factor(global_step(self.model), self.steps, self.lr_decay)
        if factor != self.factor:
            for name, rate in self.rates.items():
                getattr(self.model, name).learning_rate = rate * factor
            self.factor = factor
