"""The one error a reader raises for bad input: it names the file, and the line where there is one."""


class InputError(Exception):
    """A user's file that duban cannot read; the message is meant for the user, not a traceback."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
