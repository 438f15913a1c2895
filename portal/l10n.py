"""Translators' commands over everything that is translated: pages, data records, strings.

``make l10n-status``, ``make l10n-stamp`` and ``make l10n-reviewed`` run this. The commands are
the multilingual feature's (multilingual.l10n_commands: pages and catalogues); the data records
of content/data/ are the directory feature's (directory.translation_notes). Features do not
import each other, so the front end puts the two together here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from directory.directory import directory_settings
from directory.site_data import load_site_data
from directory.translation_notes import is_record_file, record_status, reviewed, stamp
from multilingual import l10n_commands


def _data_dir(settings: dict) -> Path:
    return Path(settings["PATH"]) / directory_settings(settings)["data_path"]


class DataRecords:
    """The data records' translation notes, for multilingual.l10n_commands."""

    def status(self, settings: dict) -> list:
        """Return the status of every record in every language (read as the build reads)."""
        data_dir = _data_dir(settings)
        if not data_dir.is_dir():
            return []
        folder = f"content/{directory_settings(settings)['data_path']}"
        return record_status(load_site_data(data_dir), settings["LANGUAGES"], folder)

    def owns(self, settings: dict, file: str) -> bool:
        """Tell whether `file` is below the data folder."""
        return is_record_file(file, _data_dir(settings))

    def stamp(self, settings: dict, method, langs, files) -> list[str]:
        """Write a note for every language with text but no note."""
        return stamp(_data_dir(settings), method, langs, files)

    def reviewed(self, settings: dict, files, langs, human: bool) -> list[str]:
        """Record the current English hash in the notes of `langs` of `files`."""
        return reviewed(_data_dir(settings), files, langs or (), human)


def main(argv: list[str] | None = None) -> int:
    """Run one translators' command over pages, data records and catalogues."""
    return l10n_commands.main(argv, data=DataRecords())


if __name__ == "__main__":
    sys.exit(main())
