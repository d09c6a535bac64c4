"""keras_signgan: class-conditional GANs for sign-language handshapes, in Keras 3.

The models, exports and tf.data pipelines are TensorFlow-specific. Importing the package
selects Keras' TensorFlow backend unless `KERAS_BACKEND` is already set, and refuses another
backend with an error saying so; TensorFlow itself is imported by the submodules that need
it, so the command line's `--help` stays instant.
"""

import os
import sys

__version__ = "0.1.0"

# Before keras is imported anywhere; a value the user set is kept (and checked).
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# Level 3 also hides the "failed call to cuInit" line TensorFlow prints on machines
# without a GPU; set TF_CPP_MIN_LOG_LEVEL yourself to see more.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _backend_in_use():
    """The Keras backend that is or will be used: keras' own if imported, else the setting."""
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "config"):
        return keras.config.backend()
    return os.environ["KERAS_BACKEND"]


if _backend_in_use() != "tensorflow":
    raise ImportError(
        f"keras_signgan needs Keras' TensorFlow backend, but the {_backend_in_use()!r} backend is "
        "selected (KERAS_BACKEND, or keras imported before keras_signgan). Unset KERAS_BACKEND or "
        "set it to tensorflow."
    )
