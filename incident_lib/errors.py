"""Errors that reach users as one line and exit code 2."""


class InputError(Exception):
    """Bad usage or input: a missing path, a malformed file, an unknown name. The message is one line."""
