"""Errors that reach users as one line and exit code 2."""


class InputError(Exception):
    """Bad usage or input: a missing path, a malformed file, an unknown name. The message is one line."""


class NotFound(InputError):
    """A name that does not exist (a namespace, pod or Service); the message suggests the closest ones."""
