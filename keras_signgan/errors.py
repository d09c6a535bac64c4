"""User-facing errors.

Library code raises `SignGANError` (or a subclass) for mistakes a user can fix: a bad name,
a missing file, a wrong option. The CLI turns it into one line on stderr and exit code 2;
anything else is a bug and keeps its traceback (exit 1).
"""


class SignGANError(ValueError):
    """A user mistake or bad input, with a message naming the thing and the fix."""


class DatasetError(SignGANError):
    """A dataset name, archive, file or image that cannot be used."""


class ConfigError(SignGANError):
    """An option or configuration value that cannot be used."""


class RunError(SignGANError):
    """A run directory or export that is missing, incomplete or inconsistent."""


class UnreadableCheckpoint(RunError):
    """A checkpoint file that is truncated or otherwise damaged."""


class IncompatibleCheckpoint(RunError):
    """A checkpoint that reads but was written by another architecture or configuration."""
