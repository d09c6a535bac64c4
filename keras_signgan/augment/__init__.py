"""The augmentation experiment: does adding generated images help a handshape classifier?
(The classifier it trains is `keras_signgan.classifier`.)"""

from keras_signgan.augment.experiment import run_experiment  # noqa: F401
