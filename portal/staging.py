"""A build written next to its output folder, put in the folder's place only if it succeeds.

`make html` builds into ``<output>.building-<pid>``, a sibling on the same file system, and
`StagedOutput.swap_in` puts it in the output folder's place once the build has succeeded: a
failed or interrupted build never touches the output folder.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from portal_core.errors import PortalError

STAGING = ".building-"  # <output>.building-<pid>: a build in progress
SET_ASIDE = ".old-"  # <output>.old-<pid>: the previous output, between two renames
RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths in one step
AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux's renameat2 with RENAME_EXCHANGE).

    Return False where the system or the file system cannot, so that the caller renames in
    two steps instead; raise OSError for any other failure.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE):
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            return False
        raise OSError(code, os.strerror(code), str(second))
    return True


def remove_path(path: Path) -> None:
    """Remove a folder with everything in it, or a file or link."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def process_alive(pid: int) -> bool:
    """Tell whether a process with this id runs (a folder named after it is still in use)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StagedOutput:
    """A build written next to its output folder, put in the folder's place only if it succeeds.

    The build writes into ``<output>.building-<pid>``, a sibling on the same file system. On
    success the two are swapped in one step where the system can (renameat2's exchange, on
    Linux file systems that support it), else by renaming the old folder aside and the new one
    in; then the old one is removed. A failed or interrupted build never touches the output
    folder; what a killed one leaves behind is removed by the next build (and an output folder
    left aside by a build killed between its two renames is put back).

    The build starts from an empty folder: the build engine writes every file of the site.
    Entries named in OUTPUT_RETENTION (things that are not the build's, kept in the output
    folder) are copied from the old folder into the new one before the swap.
    """

    def __init__(self, target: Path, retention: Sequence[str]) -> None:
        self.target = target
        self.folder = target.with_name(f"{target.name}{STAGING}{os.getpid()}")
        self.retention = tuple(retention)

    @classmethod
    def prepare(cls, settings: dict) -> StagedOutput:
        """Make the folder the build writes into.

        An output folder that holds the content (``-o .``), or lies inside it, is refused: the
        swap would replace the content, and the build would read its own output as pages.
        """
        target = Path(os.path.realpath(settings["OUTPUT_PATH"]))
        content = Path(os.path.realpath(settings["PATH"]))
        if target == content or target in content.parents or content in target.parents:
            where = "lies inside" if content in target.parents else "holds"
            raise PortalError(
                settings["OUTPUT_PATH"],
                f"the output folder {where} the content folder {settings['PATH']}; build into "
                "a folder of its own, e.g. -o output",
            )
        staged = cls(target, settings.get("OUTPUT_RETENTION", ()))
        staged.remove_leftovers()
        staged.folder.mkdir(parents=True)
        return staged

    def remove_leftovers(self) -> None:
        """Remove what builds killed before they finished left next to the output folder."""
        parent, name = self.target.parent, self.target.name
        if not parent.is_dir():
            return
        for entry in sorted(parent.iterdir()):
            for marker in (STAGING, SET_ASIDE):
                pid = entry.name.removeprefix(name + marker)
                if not entry.name.startswith(name + marker) or not pid.isdigit():
                    continue
                if int(pid) != os.getpid() and process_alive(int(pid)):
                    continue  # another build is running
                if marker == SET_ASIDE and not self.target.exists():
                    os.rename(entry, self.target)  # killed between its two renames
                else:
                    remove_path(entry)

    def swap_in(self) -> None:
        """Put the finished build in the output folder's place and remove the old output."""
        for name in self.retention:
            kept, new = self.target / name, self.folder / name
            if (kept.exists() or kept.is_symlink()) and not (new.exists() or new.is_symlink()):
                if kept.is_dir() and not kept.is_symlink():
                    shutil.copytree(kept, new, symlinks=True)
                else:
                    shutil.copy2(kept, new, follow_symlinks=False)
        if not (self.target.exists() or self.target.is_symlink()):
            os.rename(self.folder, self.target)
            return
        if exchange(self.folder, self.target):
            old = self.folder
        else:
            old = self.target.with_name(f"{self.target.name}{SET_ASIDE}{os.getpid()}")
            os.rename(self.target, old)
            os.rename(self.folder, self.target)
        remove_path(old)

    def discard(self) -> None:
        """Remove the unfinished build."""
        if self.folder.exists():
            shutil.rmtree(self.folder, ignore_errors=True)
