"""The engine's own error types: each message names the bad value and what is accepted."""


class EngineError(ValueError):
    """Base of every error the engine raises on bad input or a failed run."""


class SpecError(EngineError):
    """A run configuration or layer argument is invalid."""


class DataError(EngineError):
    """A data file or array is unusable (missing, malformed, inconsistent)."""


class TrainingDiverged(EngineError):
    """Training produced NaN or inf; the message says when and what to try."""

    def __init__(self, message: str, epoch: int = 0, step: int = 0):
        super().__init__(message)
        self.epoch = epoch
        self.step = step


def common_file_problem(exc: BaseException) -> str | None:
    """The usual reason a file could not be opened, as the end of a sentence that starts
    with the file's name ("... does not exist"); None when ``exc`` is not one of them."""
    if isinstance(exc, FileNotFoundError):
        return "does not exist"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "cannot be opened (permission denied)"
    return None
