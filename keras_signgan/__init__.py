"""keras_signgan: class-conditional GANs for sign-language handshapes, in Keras 3.

Importing the package pins Keras to the TensorFlow backend and quiets TensorFlow's
start-up logging; TensorFlow itself is imported lazily by the submodules that need it.
"""

import os

__version__ = "0.1.0"

# Must happen before keras is imported anywhere: the models, export and tf.data pipeline
# are TensorFlow-specific.
os.environ["KERAS_BACKEND"] = "tensorflow"
# Level 3 also hides the "failed call to cuInit" line TensorFlow prints on machines
# without a GPU; set TF_CPP_MIN_LOG_LEVEL yourself to see more.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
