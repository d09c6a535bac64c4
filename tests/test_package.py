"""Importing the package: the Keras backend it selects, and nothing else it changes."""

import os
import subprocess
import sys


def run_python(code, **env):
    environment = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=120)


def test_the_backend_defaults_to_tensorflow():
    done = run_python("import os, keras_signgan; print(os.environ['KERAS_BACKEND'])")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "tensorflow"
    done = run_python("import os, keras_signgan; print(os.environ['KERAS_BACKEND'])", KERAS_BACKEND="tensorflow")
    assert done.stdout.strip() == "tensorflow"


def test_another_backend_is_refused_with_the_fix():
    done = run_python("import keras_signgan", KERAS_BACKEND="jax")
    assert done.returncode != 0
    assert "needs Keras' TensorFlow backend" in done.stderr and "KERAS_BACKEND" in done.stderr


def test_importing_the_package_loads_no_tensorflow():
    done = run_python("import sys, keras_signgan.cli, keras_signgan.config; print('tensorflow' in sys.modules)")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
