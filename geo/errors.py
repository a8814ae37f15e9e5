"""One exception family for expected failures, so the CLI can print one line and exit 2.

A traceback means a bug; a ``QalaError`` means bad input or a missing source, and its message says
what went wrong, where (file, row or feature) and how to fix it.
"""


class QalaError(ValueError):
    """Base of every expected failure."""


class SourceUnavailable(QalaError):
    """A raw source could be found neither in the cache, the mirror nor at its original location."""


class BadInput(QalaError):
    """A file is malformed, truncated, empty or holds values that cannot be used."""


class CRSError(QalaError):
    """A layer has no CRS, an unexpected one, or coordinates impossible for its CRS."""


class UnknownName(QalaError):
    """A district, city, layer or indicator name that the project does not know."""


class InternalError(QalaError):
    """An invariant of the code itself broke (never bad input): the message says so and asks for a report.

    Raised where an ``assert`` would vanish under ``python -O``; one line like every QalaError, so the CLI and the
    dashboard show it as they show the others.
    """

    def __init__(self, message: str) -> None:
        super().__init__(f"{message}; this is a bug, please report it")
