"""The bench's work folder: ext4's top-of-hierarchy flag, set where the file system has it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from bench.__main__ import away_from_recent_deletes


def file_system_type(path: Path) -> str:
    """Return the type of the file system `path` is on (the longest mount point above it)."""
    best, kind = "", ""
    for line in Path("/proc/mounts").read_text().splitlines():
        _, mount_point, fs_type, *_ = line.split()
        inside = str(path) == mount_point or str(path).startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, kind = mount_point, fs_type
    return kind


def test_the_flag_is_set_on_ext4_as_chattr_would(tmp_path):
    if file_system_type(tmp_path) != "ext4":
        pytest.skip(f"{tmp_path} is not on ext4")
    folder = tmp_path / "sites"
    folder.mkdir()
    assert away_from_recent_deletes(folder)
    shown = subprocess.run(
        ["lsattr", "-d", str(folder)], capture_output=True, text=True, check=True
    )
    assert "T" in shown.stdout.split()[0]  # lsattr's letter for the top-of-hierarchy flag
    (folder / "a-site").mkdir()  # and folders are still made in it as usual
    assert (folder / "a-site").is_dir()


def test_other_file_systems_are_left_alone():
    if file_system_type(Path("/dev/shm")) != "tmpfs":
        pytest.skip("no tmpfs at /dev/shm")
    with tempfile.TemporaryDirectory(dir="/dev/shm") as folder:
        assert not away_from_recent_deletes(Path(folder))


def test_a_missing_folder_is_no_error(tmp_path):
    assert not away_from_recent_deletes(tmp_path / "missing")
