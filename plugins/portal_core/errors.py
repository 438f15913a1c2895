"""Errors of our own: each names the file, the line where there is one, and what to do.

Besides errors and warnings, the build prints notices (`NOTICE`, a log level between INFO and
WARNING): facts editors should know on every build that do not fail it, not even with
``--fatal warnings`` (the external addresses nobody could confirm yet).
"""

import logging

NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")


class PortalError(Exception):
    """A problem in the site's input, reported to editors as ``file:line: message``."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def __reduce__(self):
        # so that a problem found in a worker process travels back whole
        return (PortalError, (self.path, self.message, self.line))


class PortalErrors(Exception):
    """Several problems found in one run; all are reported together."""

    def __init__(self, errors: list[PortalError]) -> None:
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.errors)
        lines = "\n".join(str(e) for e in self.errors)
        return f"{count} problem{'s' if count != 1 else ''} in the site's input:\n{lines}"
