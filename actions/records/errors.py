"""Errors raised by the records repository."""


class RecordNotFoundError(LookupError):
    """No attempt / reply / assignment with that id."""


class AttemptClosedError(RuntimeError):
    """A reply arrived for an attempt that is no longer in progress."""
