"""A cache kept in one file between builds: values by the digest of what made them.

Each user gives a fingerprint of everything besides the keyed input that decides a value (code,
settings, library versions); a file with another fingerprint is ignored. Only the entries used
in a build are saved, so the file holds what the site needs now.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .options import options

logger = logging.getLogger(__name__)


class DiskCache:
    """Values by key, loaded from and saved to one pickle file (or kept in memory only)."""

    def __init__(self, file: Path | None, fingerprint: bytes) -> None:
        self.file = file
        self.fingerprint = fingerprint
        self.entries: dict[bytes, Any] = {}
        self.used: set[bytes] = set()
        self.added = 0
        if file is not None:
            self._load()

    def digest(self, data: bytes) -> bytes:
        """Return the key of `data` under this cache's fingerprint."""
        return hashlib.sha256(self.fingerprint + data).digest()

    def __contains__(self, key: bytes) -> bool:
        return key in self.entries

    def get(self, key: bytes) -> Any:
        """Return the value stored under `key`, or None."""
        entry = self.entries.get(key)
        if entry is not None:
            self.used.add(key)
        return entry

    def put(self, key: bytes, value: Any) -> None:
        """Store a value."""
        self.entries[key] = value
        self.used.add(key)
        self.added += 1

    def _load(self) -> None:
        try:
            with open(self.file, "rb") as handle:
                stored = pickle.load(handle)
        except FileNotFoundError:
            return
        except Exception as error:  # a damaged cache is rebuilt, never trusted
            logger.debug("Ignoring the cache %r: %r", str(self.file), error)
            return
        if isinstance(stored, dict) and stored.get("fingerprint") == self.fingerprint:
            self.entries = stored["entries"]

    def begin(self) -> None:
        """Start a build: only the entries it uses are saved at its end."""
        self.used = set()

    def save(self) -> None:
        """Write the entries used in this build (and only those) when anything changed."""
        if self.file is None or (not self.added and len(self.used) == len(self.entries)):
            return
        entries = {key: self.entries[key] for key in self.used}
        self.file.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(
                    {"fingerprint": self.fingerprint, "entries": entries},
                    handle,
                    protocol=pickle.HIGHEST_PROTOCOL,
                )
            os.replace(temporary, self.file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.added = 0


def site_cache(
    settings: dict, name: str, code: Iterable[str | Path], versions: Iterable[str] = ()
) -> DiskCache | None:
    """Return this site's disk cache `name`, or None when BUILD_ENGINE or its cache is off.

    `code` names the files of the code that computes the values, `versions` the versions of
    the libraries it uses: both are in the fingerprint, so changing either empties the cache.
    """
    chosen = options(settings)
    if not (chosen["enabled"] and chosen["cache"]):
        return None
    fingerprint = hashlib.sha256(f"{sys.version}\0{name}\0{list(versions)}\0".encode())
    for file in code:
        fingerprint.update(Path(file).read_bytes())
    site = hashlib.sha256(str(settings["PATH"]).encode()).hexdigest()[:16]
    file = Path(settings["CACHE_PATH"]) / "build_engine" / f"{name}-{site}.pickle"
    return DiskCache(file, fingerprint.digest())
