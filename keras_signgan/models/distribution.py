"""What training a GAN under `tf.distribute` needs beside its train step.

- Batch norms synchronised over replicas (`synchronize_batch_norms`), so that R replicas of
  B/R images train as one replica of B images and every replica keeps the same statistics.
- Logs shaped for `MultiWorkerMirroredStrategy` (`reducible_logs`).
"""

import tensorflow as tf
from keras import ops

from keras_signgan.models.networks import batch_norm_layers


def synchronize_batch_norms(networks):
    """Make every batch norm of `networks` (None entries skipped) normalise with the
    statistics of the global batch, summed over all replicas
    (`BatchNormalization(synchronized=True)`)."""
    for network in networks:
        if network is not None:
            for layer in batch_norm_layers(network):
                layer.synchronized = True


def reducible_logs(logs):
    """A train step's logs as Keras can reduce them under the current strategy.

    Keras reduces multi-worker logs with `reduce("MEAN", axis=0)`, which refuses scalars;
    one-element vectors reduce to the scalar mean. Other strategies take the logs as they are.
    """
    if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
        return {name: ops.reshape(value, (1,)) for name, value in logs.items()}
    return logs
