"""The augmentation experiment and its handshape classifier."""

from keras_signgan.augment.classifier import build_classifier, predict_labels, train_classifier  # noqa: F401
from keras_signgan.augment.experiment import run_experiment  # noqa: F401
