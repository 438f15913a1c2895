"""Translators' commands over everything that is translated: pages, data records, strings.

Every ``make l10n-*`` target runs this. The commands are
the multilingual feature's (multilingual.l10n_commands: pages and catalogues); the data records
of content/data/ are the directory feature's (directory.translation_notes, and
directory.record_exchange for translators' files: export, import, diff). Features do not
import each other, so the front end puts the two together here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from directory import record_exchange
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

    def texts(self, settings: dict) -> RecordTexts:
        """Return the records' text for translators' files (export, import)."""
        return RecordTexts(_data_dir(settings))

    def diff_basis(self, settings: dict, file: str, langs) -> record_exchange.DiffBasis:
        """Return what make l10n-diff compares for a record file and a language."""
        return record_exchange.diff_basis(_data_dir(settings), file, langs)


class RecordTexts:
    """The records' text in translators' files, for multilingual.exchange."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def segments(self, lang: str) -> list[tuple[str, str]]:
        """Return (segment id, English) of every record field paragraph `lang` lacks."""
        if not self.data_dir.is_dir():
            return []
        return record_exchange.segments(self.data_dir, lang)

    def merge(self, lang: str, units, method: str, shown: str) -> record_exchange.RecordMerge:
        """Check returned record segments and merge them (written by its `write`)."""
        return record_exchange.merge(self.data_dir, lang, units, method, shown)


def main(argv: list[str] | None = None) -> int:
    """Run one translators' command over pages, data records and catalogues."""
    return l10n_commands.main(argv, data=DataRecords())


if __name__ == "__main__":
    sys.exit(main())
