"""Plain words for the operating system's refusals: what went wrong with a path, and what to do.

A full disk, a read-only file system, a folder the user may not write, a file where a folder
should be: the build and the publish report each as one line naming the path, instead of a
traceback or a guess that a template is to blame.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

SPACE = "free some space on that disk"
PERMISSION = "run it as a user who may write there, or change the owner of the folder (chown -R)"
#: errno -> (what went wrong, what to do).
REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on the disk", SPACE),
    errno.EDQUOT: ("the disk quota is used up", f"{SPACE} or raise the quota"),
    errno.EFBIG: ("the file is too large for the file system", SPACE),
    errno.EROFS: (
        "the file system is read-only",
        "remount it read-write, or use a folder on a writable disk",
    ),
    errno.EACCES: ("permission denied", PERMISSION),
    errno.EPERM: ("operation not permitted", PERMISSION),
    errno.ENOTDIR: (
        "a part of this path is a file where a folder should be",
        "move that file out of the way",
    ),
    errno.EISDIR: ("a folder is where a file should be", "move that folder out of the way"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.ELOOP: ("too many levels of symbolic links", "fix the symbolic links on this path"),
    errno.ENAMETOOLONG: ("the path is too long", "use a shorter path"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n) and try again"),
    errno.ENFILE: ("too many open files on the system", "close other programs and try again"),
    errno.EIO: ("input/output error", "the disk may be failing: check it (dmesg)"),
    errno.EBUSY: ("the path is in use (a mount point?)", "use another folder"),
    errno.EXDEV: ("the paths are on different file systems", "keep them on one disk"),
}


def reason(error: OSError) -> tuple[str, str]:
    """Return (what went wrong, what to do) for an OS error."""
    if error.errno == errno.EEXIST:
        path = Path(error.filename) if error.filename is not None else None
        if path is not None and (path.is_symlink() or not path.is_dir()):
            return "a file is where a folder should be", "move that file out of the way"
        return "it already exists", "move it out of the way"
    if error.errno in REASONS:
        return REASONS[error.errno]
    what = (error.strerror or str(error) or type(error).__name__).rstrip(".")
    return what[:1].lower() + what[1:], "check the path"


def is_environment_fault(error: BaseException) -> bool:
    """Tell whether an error is the system refusing a file operation, not a bug."""
    return isinstance(error, OSError) and error.errno in (*REASONS, errno.EEXIST)


def advice(error: OSError, then: str = "") -> str:
    """Return ``what went wrong; what to do`` for an OS error; `then` ends the advice."""
    what, todo = reason(error)
    if then:
        todo = f"{todo}, then {then}"
    return f"{what}; {todo}"


def describe(error: OSError, path: str | os.PathLike | None = None, then: str = "") -> str:
    """Return ``path: what went wrong; what to do`` for an OS error about `path`.

    `path` defaults to the file the error names; `then` ends the advice ("build again").
    """
    where = path if path is not None else error.filename
    if where is None:
        return advice(error, then)
    return f"{os.fspath(where)}: {advice(error, then)}"
