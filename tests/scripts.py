"""Importing a script under scripts/ (not a package) for its tests."""

import importlib.util
import pathlib

SCRIPTS = pathlib.Path(__file__).parents[1] / "scripts"


def load_script(name):
    """The module of `scripts/<name>.py`, imported afresh (its `main` not run)."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
