"""Benchmark the portal's build against Hugo and Hugo + Pagefind: ``python -m bench --help``.

Each scenario generates a site into a temporary folder, builds it cold (with and without the
search index), warm, and in the dev server after editing one Markdown page (and one supporter's
YAML file), builds the same Markdown pages with Hugo, Hugo + Pagefind and Eleventy (and plain
Pelican with --plain) in the same run, interleaved with ours, and prints medians and the
issue #18 targets, each met or missed.
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import json
import os
import secrets
import shutil
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import PROJECT
from .measure import DevServer, Measured, run_measured
from .others import GENERATORS, OtherResult, check_written
from .synth import Scale, make_site, write_plain_settings
from .weight import LIMIT_BYTES, weigh

SUITES = {
    # (name, scale or None for the shipped site as it is, compare with other generators)
    "quick": [
        ("shipped site", None, False),
        ("Markdown pages", Scale(languages=24, pages=50), True),
        ("supporters", Scale(languages=24, supporters=100, pages=0), False),
    ],
    "full": [
        ("shipped site", None, False),
        ("Markdown pages", Scale(languages=24, pages=100), True),
        ("supporters", Scale(languages=24, supporters=1000, pages=0), False),
    ],
}
#: Issue #18's targets: (label, limit, figure(results) -> (value, shown) or None).
HUGO_PAGEFIND, HUGO = "Hugo + Pagefind", "Hugo"
SETTLE_SECONDS = 1.5  # between edits: the page has reloaded, the search index is written
DEV_TIMEOUT = 600.0


@dataclass
class Result:
    """Medians of one scenario."""

    name: str
    scale: str
    runs: int
    extra_pages: int = 0  # generated Markdown pages per language
    extra_supporters: int = 0  # generated supporter records
    pages_written: int = 0
    cold: list[float] = field(default_factory=list)  # timed runs, memory not sampled
    cold_sampled: list[float] = field(default_factory=list)  # the memory runs' times
    cold_cpu: list[float] = field(default_factory=list)
    cold_no_search: list[float] = field(default_factory=list)  # SEARCH_INDEX=false, interleaved
    cold_no_search_cpu: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    peak_bytes: list[int] = field(default_factory=list)
    peak_pss: list[int] = field(default_factory=list)
    markdown_edit: list[float] = field(default_factory=list)  # dev server, edit to build done
    markdown_edit_build: list[float] = field(default_factory=list)  # Pelican's own figure
    yaml_edit: list[float] = field(default_factory=list)
    yaml_edit_build: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    plain_cpu: list[float] = field(default_factory=list)
    plain_pages: int = 0
    others: list[OtherResult] = field(default_factory=list)  # Hugo, Eleventy
    notes: list[str] = field(default_factory=list)
    weight: dict | None = None

    @staticmethod
    def median(values: list[float]) -> float | None:
        """Return the median of `values`, or None when nothing was measured."""
        return statistics.median(values) if values else None


def build_env() -> dict[str, str]:
    """Return the environment of every build: fixed date, wide console, no bytecode noise."""
    return dict(
        os.environ,
        SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1795996800"),
        COLUMNS="1000",
        PYTHONDONTWRITEBYTECODE="1",
    )


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 nobody listens on right now (for the dev server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def our_command(
    root: Path, *extra: str, overrides: tuple[str, ...] = (), module: str = "portal.build"
) -> list[str]:
    """Return the command that builds the site in `root` as `make html` does (run in PROJECT);
    with module="portal.devserver", the dev server's command on that site.

    `overrides` are KEY=JSON settings; they follow CACHE_PATH after the one -e (Pelican keeps
    only the last -e given)."""
    return [
        sys.executable,
        "-m",
        module,
        str(root / "content"),
        "-s",
        str(PROJECT / "pelicanconf.py"),
        "-o",
        str(root / "output"),
        *extra,
        "-e",
        f"CACHE_PATH={json.dumps(str(root / 'cache'))}",
        *overrides,
    ]


def plain_command(root: Path, settings: Path) -> list[str]:
    """Return the command that builds the same Markdown pages with plain Pelican."""
    content, output = root / "content", root / "plain-output"
    return [sys.executable, "-m", "pelican", str(content), "-s", str(settings), "-o", str(output)]


def set_aside(folder: Path) -> None:
    """Move a previous build's folder out of the way; it goes with the work folder at the end.

    Deleting tens of thousands of files just before a build slows the build down: on this
    machine's disk (ext4 mounted with ``discard``), creating files stays 5 to 20 times slower
    for seconds after a large delete (1,000 files: 0.2 s before deleting the 460 MB of the
    1,000-supporter site, 4.0 s right after). A cold build on a CI machine starts from a fresh
    clone, with nothing to delete.
    """
    if folder.exists():
        trash = folder.parent / ".set-aside"
        trash.mkdir(exist_ok=True)
        folder.rename(trash / f"{folder.name}-{time.monotonic_ns()}")


FS_IOC_GETFLAGS = 0x80086601  # linux/fs.h: the inode flags that chattr(1) shows and sets
FS_IOC_SETFLAGS = 0x40086602
FS_TOPDIR_FL = 0x00020000  # chattr +T: "top of directory hierarchies"


def away_from_recent_deletes(workdir: Path) -> bool:
    """Mark `workdir` so that ext4 puts each folder made in it in a block group of its own.

    On ext4 without a journal (this machine kind's root file system), every new inode is
    checked against the inodes of its block group deleted in the last 60 to 300 seconds, one
    inode-table lookup each, starting from the group's first free inode: each of a build's
    8,000 new files and folders walks past all of them. So a build made within minutes after
    anything deleted thousands of files near /tmp (a previous bench's sites, a test run, pip's
    temporary folders) spends seconds in the kernel (`perf`: `recently_deleted`,
    `find_get_block_common`): the shipped site took 4.82 s (3.35 s system) in a new folder
    made after a bench had deleted its sites, 2.92 s (0.86 s system) in a long-lived folder,
    interleaved. With this flag (ext4's Orlov allocator then treats the folder as the top of a
    hierarchy), each site folder made in it goes to a block group with few folders, away from
    such deletes, as on the fresh disk of a CI machine: 2.97 s (0.88 s system) in the same run.
    Return whether the flag is set (other file systems do not have it; nothing is changed).
    """
    try:
        descriptor = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        flags = bytearray(8)  # the kernel reads and writes an int; room for a long
        fcntl.ioctl(descriptor, FS_IOC_GETFLAGS, flags)
        value = int.from_bytes(flags[:4], sys.byteorder) | FS_TOPDIR_FL
        flags[:4] = value.to_bytes(4, sys.byteorder)
        fcntl.ioctl(descriptor, FS_IOC_SETFLAGS, flags)
        fcntl.ioctl(descriptor, FS_IOC_GETFLAGS, flags)
        return bool(int.from_bytes(flags[:4], sys.byteorder) & FS_TOPDIR_FL)
    except OSError:
        return False
    finally:
        os.close(descriptor)


#: When the last bench deleted its sites (written after the delete and a sync).
DELETED_STAMP = Path(tempfile.gettempdir()) / "portal-bench-deleted"
#: ext4 without a journal skips an inode deleted in the last 60 s, or 360 s while the block of
#: the inode table holding it is dirty, as it is again as soon as a new inode lands in it
RECENT_DELETE_SECONDS = 361


def delete_workdir(workdir: Path) -> None:
    """Delete the sites, write the deletes out, and note when (see wait_after_last_bench)."""
    shutil.rmtree(workdir, ignore_errors=True)
    os.sync()
    DELETED_STAMP.write_text(f"{time.time()}\n", encoding="ascii")


def wait_after_last_bench() -> float:
    """Wait until the last bench's deleted files no longer slow new ones down; return the wait.

    A bench deletes tens of thousands of files at its end, and ext4 without a journal then
    walks past those inodes in every allocation for up to 6 minutes (RECENT_DELETE_SECONDS; see
    away_from_recent_deletes). The block groups they leave empty are the very ones where it
    puts a new top folder, so a second bench started at once built the shipped site in 3.37 to
    4.11 s (1.4 to 2.7 s system), and still after a minute's wait, instead of 2.80 to 2.99 s
    (0.8 to 0.9 s system).
    """
    try:
        deleted = float(DELETED_STAMP.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return 0.0
    wait = deleted + RECENT_DELETE_SECONDS - time.time()
    if wait <= 0:
        return 0.0
    print(
        f"Waiting {wait:.0f} s: the last bench deleted its sites "
        f"{RECENT_DELETE_SECONDS - wait:.0f} s ago",
        flush=True,
    )
    time.sleep(wait)
    return wait


def settle_disk(root: Path, limit: float = 90.0) -> float:
    """Wait (at most `limit` s) until the disk creates a build's files at a quiet pace.

    The probe writes what a build writes for 200 pages (a folder with a 15 KB index.html
    each) after ``sync``; the disk is settled when that takes under 0.1 s (0.02 to 0.1 s when
    nothing else writes; up to 0.3 s while the kernel is still discarding deleted files). The
    probes are set aside too: deleting them made each next probe slower. Return the wait.
    """
    started = time.perf_counter()
    while True:
        os.sync()
        probe = root / ".disk-probe"
        probe.mkdir()
        begun = time.perf_counter()
        for number in range(200):
            (probe / f"{number}").mkdir()
            (probe / f"{number}" / "index.html").write_bytes(b"x" * 15_000)
        took = time.perf_counter() - begun
        set_aside(probe)
        waited = time.perf_counter() - started
        if took < 0.1 or waited > limit:
            return waited
        time.sleep(1)


def count_pages(output: Path) -> int:
    """Return how many HTML files a build wrote."""
    return sum(1 for _ in output.rglob("*.html"))


def directory_plugin_present() -> bool:
    """Tell whether the supporter directory (issue #3) is part of this checkout."""
    return (PROJECT / "plugins" / "directory").is_dir()


def edit_target(root: Path, scale: Scale | None) -> tuple[Path, str]:
    """Return the Markdown page the dev-server test edits and the URL that shows it."""
    if scale is not None and scale.pages > 0:
        return root / "content/en/bench/page-0000.md", "en/bench/page-0000/index.html"
    return root / "content/en/supporters/benefits.md", "en/supporters/benefits/index.html"


def yaml_edit_target(root: Path, scale: Scale | None) -> tuple[Path, str]:
    """Return the supporter file the dev-server test edits and the page that shows it."""
    if scale is not None and scale.supporters > 0:
        record = "bench-supporter-0000"
    else:
        record = "agence-energie-occitanie"
    return (
        root / "content" / "data" / "supporters" / f"{record}.yaml",
        f"en/supporters/directory/{record}/index.html",
    )


def _timed_edits(
    server: DevServer, root: Path, source: Path, shown_in: str, runs: int, edit
) -> tuple[list[float], list[float]]:
    """Edit `source` `runs` times (edit(original, marker) gives the text); time each rebuild."""
    original = source.read_text(encoding="utf-8")
    latencies, own = [], []
    try:
        for run in range(runs):
            time.sleep(SETTLE_SECONDS)
            marker = f"Benchmark edit number {run + 1}."
            started = time.perf_counter()
            source.write_text(edit(original, marker), encoding="utf-8")
            done, own_seconds = server.wait_done(DEV_TIMEOUT)
            latencies.append(done - started)
            own.append(own_seconds)
            written = (root / "output" / shown_in).read_text(encoding="utf-8")
            if marker not in written:
                raise RuntimeError(f"the dev server's rebuild did not show the edit in {shown_in}")
    finally:
        time.sleep(SETTLE_SECONDS)
        source.write_text(original, encoding="utf-8")
        server.wait_done(DEV_TIMEOUT)  # the rebuild after restoring the file
    return latencies, own


def append_paragraph(text: str, marker: str) -> str:
    """Return Markdown with one more paragraph."""
    return f"{text}\n{marker}\n"


def append_to_english_description(text: str, marker: str) -> str:
    """Return a supporter record whose English description ends with one more sentence."""
    lines = text.split("\n")
    start = lines.index("description:")
    for number in range(start + 1, len(lines)):
        if lines[number].startswith("  en: "):
            end = number
            while end + 1 < len(lines) and lines[end + 1].startswith("    "):
                end += 1
            value = lines[end]
            if value.rstrip().endswith('"'):
                lines[end] = value.rstrip()[:-1] + f' {marker}"'
            else:
                lines[end] = f"{value.rstrip()} {marker}"
            return "\n".join(lines)
    raise RuntimeError("the supporter record has no English description")


def measure_dev_edits(
    root: Path, result: Result, scale: Scale | None, runs: int, overrides: tuple[str, ...]
) -> None:
    """Start the dev server; edit one Markdown page, then one supporter, `runs` times each."""
    port = ["--port", str(free_port())]
    command = [
        *our_command(root, "--fatal", "errors", overrides=overrides, module="portal.devserver"),
        *port,
    ]
    server = DevServer(command, PROJECT, build_env())
    try:
        server.wait_done(DEV_TIMEOUT)
        source, shown_in = edit_target(root, scale)
        result.markdown_edit, result.markdown_edit_build = _timed_edits(
            server, root, source, shown_in, runs, append_paragraph
        )
        record, shown_in = yaml_edit_target(root, scale)
        if not directory_plugin_present():
            result.notes.append("YAML edit: directory plugin not present in this checkout")
        elif not record.exists():
            result.notes.append(f"YAML edit: no {record.name} in this site")
        else:
            result.yaml_edit, result.yaml_edit_build = _timed_edits(
                server, root, record, shown_in, runs, append_to_english_description
            )
    finally:
        server.stop()


def run_scenario(
    name: str,
    scale: Scale | None,
    compare: bool,
    runs: int,
    workdir: Path,
    overrides: tuple[str, ...] = (),
    plain: bool = False,
    others: bool = True,
) -> Result:
    """Generate one site, build it every way `runs` times, and return the figures.

    With `compare`, the same Markdown pages are also built by plain Pelican (unless `plain`
    is false) and by Hugo and Eleventy (unless `others` is false), cold, interleaved with ours.
    """
    # a name of its own: ext4 starts its search for an empty block group for a new folder at a
    # hash of the folder's name, and the same name would lead to the group the last bench's
    # site used and deleted minutes ago (see away_from_recent_deletes)
    root = workdir / f"{name.replace(' ', '-')}-{secrets.token_hex(4)}"
    root.mkdir(parents=True)
    if scale is None:
        shutil.copytree(PROJECT / "content", root / "content")
        description = "the shipped content (content/)"
    else:
        make_site(root, PROJECT, scale)
        description = scale.describe()
    if overrides:
        description += " with " + " ".join(overrides)
    result = Result(name=name, scale=description, runs=runs)
    if scale is not None:
        result.extra_pages, result.extra_supporters = scale.pages, scale.supporters
    if scale is not None and scale.supporters and not directory_plugin_present():
        result.notes.append(
            f"{scale.supporters} supporters requested: directory plugin not present, "
            "so no supporter pages are built"
        )
    elif directory_plugin_present():
        supporters = len(list((root / "content" / "data" / "supporters").glob("*.yaml")))
        description += f" ({supporters} supporter records in all)"
        result.scale = description
    env = build_env()
    plain_settings = None
    if compare and plain:
        from pelican.settings import DEFAULT_CONFIG

        ours = _settings_module()
        markdown = ours.MARKDOWN if hasattr(ours, "MARKDOWN") else DEFAULT_CONFIG["MARKDOWN"]
        plain_settings = write_plain_settings(root, root / "content", markdown)
    generators = prepare_others(root, result) if compare and others else []

    print(f"\n== {name}: {description}, {runs} runs", flush=True)
    print(f"  disk settled after {settle_disk(root):.1f} s", flush=True)
    for run in range(runs):
        for folder in ("output", "cache"):
            set_aside(root / folder)
        settle_disk(root)  # the last build's files written out to the disk before the next
        command = our_command(root, "--fatal", "warnings", overrides=overrides)
        cold = run_measured(command, PROJECT, env, sample_memory=False)
        cold.check("cold build")
        result.cold.append(cold.seconds)
        result.cold_cpu.append(cold.cpu_seconds)
        result.pages_written = count_pages(root / "output")
        line = (
            f"  run {run + 1}: cold {cold.seconds:.2f} s ({cold.cpu_seconds:.2f} s CPU, "
            f"{cold.system_seconds:.2f} s of it system)"
        )
        if compare:
            for folder in ("output", "cache"):
                set_aside(root / folder)
            settle_disk(root)
            bare = our_command(
                root, "--fatal", "warnings", overrides=(*overrides, "SEARCH_INDEX=false")
            )
            no_search = run_measured(bare, PROJECT, env, sample_memory=False)
            no_search.check("cold build without the search index")
            result.cold_no_search.append(no_search.seconds)
            result.cold_no_search_cpu.append(no_search.cpu_seconds)
            line += (
                f", without search {no_search.seconds:.2f} s ({no_search.cpu_seconds:.2f} s CPU)"
            )
        if plain_settings is not None:
            set_aside(root / "plain-output")
            settle_disk(root)
            plain = run_measured(
                plain_command(root, plain_settings), root, env, sample_memory=False
            )
            plain.check("plain Pelican build")
            result.plain.append(plain.seconds)
            result.plain_cpu.append(plain.cpu_seconds)
            result.plain_pages = count_pages(root / "plain-output")
            line += f", plain Pelican {plain.seconds:.2f} s ({plain.cpu_seconds:.2f} s CPU)"
        for generator, expected, other in generators:
            generator.clean(set_aside)
            settle_disk(root)
            command, cwd = generator.command()
            # one process each: its own peak (ru_maxrss) is the peak
            measured = run_measured(command, cwd, env, sample_memory=False)
            measured.check(f"{other.name} build")
            check_written(other.name, generator.output, expected)
            other.seconds.append(measured.seconds)
            other.cpu_seconds.append(measured.cpu_seconds)
            other.peak_bytes.append(measured.peak_bytes)
            other.pages_written = count_pages(generator.output)
            line += f", {other.name} {measured.seconds:.2f} s ({measured.cpu_seconds:.2f} s CPU)"
        print(line, flush=True)
    command = our_command(root, "--fatal", "warnings", overrides=overrides)
    for run in range(runs):  # memory: cold runs again, sampled (see run_measured)
        for folder in ("output", "cache"):
            set_aside(root / folder)
        settle_disk(root)
        sampled = run_measured(command, PROJECT, env).check("cold build, memory sampled")
        result.peak_bytes.append(sampled.peak_bytes)
        result.peak_pss.append(sampled.peak_pss)
        result.cold_sampled.append(sampled.seconds)
        print(
            f"  run {run + 1}: cold, memory sampled: {sampled.peak_bytes / 2**20:.0f} MiB RSS "
            f"sum, {sampled.peak_pss / 2**20:.0f} MiB PSS ({sampled.seconds:.2f} s)",
            flush=True,
        )
    for run in range(runs):
        warm: Measured = run_measured(command, PROJECT, env, sample_memory=False)
        warm.check("warm build")
        result.warm.append(warm.seconds)
        print(f"  run {run + 1}: warm {warm.seconds:.2f} s", flush=True)
    settle_disk(root)
    measure_dev_edits(root, result, scale, runs, overrides)
    for label, values in (("Markdown page", result.markdown_edit), ("YAML", result.yaml_edit)):
        if values:
            shown = ", ".join(f"{value:.2f} s" for value in values)
            print(f"  dev server, edit one {label}: {shown}", flush=True)
    weight = weigh(root / "output", "/en/supporters/benefits/")
    result.weight = {
        "page": weight.page,
        "total": weight.total,
        "html": weight.html_bytes,
        "assets": weight.assets,
        "foreign": weight.foreign,
        "ok": weight.ok,
    }
    return result


def prepare_others(root: Path, result: Result) -> list:
    """Write each installed generator's copy of the Markdown pages, configuration and layout.

    Return (generator, pages it must write, its OtherResult) for each one installed; one
    that is not installed gets an OtherResult saying so, and a note.
    """
    prepared = []
    for kind in GENERATORS:
        generator = kind(root)
        if generator.executable is None:
            result.others.append(
                OtherResult(generator=kind.key, name=kind.key, not_run="not installed")
            )
            result.notes.append(f"{kind.key} not installed: {kind.install}")
            continue
        version = generator.version()
        other = OtherResult(generator=kind.key, name=f"{kind.key} {version}".strip())
        expected = generator.prepare(root / "content")
        other.pages_expected = len(expected)
        result.others.append(other)
        prepared.append((generator, expected, other))
    if prepared:
        names = " and ".join(other.name for _, _, other in prepared)
        result.notes.append(
            f"{names} build only the {prepared[0][2].pages_expected} Markdown pages of the "
            "language folders (a copy with YAML front matter, bodies unchanged) with one "
            "trivial layout (no navigation, no language links, no assets); ours builds the "
            "whole portal besides (directory, news and calendar, feeds, iCalendar, search "
            "index, sitemaps, 404 and server files) and checks the content"
        )
    return prepared


def _settings_module():
    """Import pelicanconf.py as a module (to reuse its MARKDOWN settings for plain Pelican)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_pelicanconf", PROJECT / "pelicanconf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seconds(value: float | None) -> str:
    """Format a duration, or a dash when nothing was measured."""
    return "–" if value is None else f"{value:.2f} s"


def report(results: list[Result]) -> str:
    """Return the results as a Markdown table, one column per scenario."""
    rows = [
        ("scale", lambda r: r.scale),
        ("HTML pages written", lambda r: str(r.pages_written)),
        ("cold full build", lambda r: seconds(r.median(r.cold))),
        ("cold build CPU (all processes)", lambda r: seconds(r.median(r.cold_cpu))),
        (
            "cold build without the search index (SEARCH_INDEX=false; CPU)",
            lambda r: (
                f"{seconds(r.median(r.cold_no_search))} ({seconds(r.median(r.cold_no_search_cpu))})"
                if r.cold_no_search
                else "–"
            ),
        ),
        ("warm rebuild as a share of the cold build", _warm_share),
        ("warm rebuild (new process, cache and output kept)", lambda r: seconds(r.median(r.warm))),
        ("dev server: edit one Markdown page", lambda r: seconds(r.median(r.markdown_edit))),
        (
            "… of which Pelican's run",
            lambda r: seconds(r.median(r.markdown_edit_build)),
        ),
        ("… as a share of the cold build", _edit_share),
        ("dev server: edit one supporter's YAML", lambda r: seconds(r.median(r.yaml_edit))),
        ("… of which Pelican's run", lambda r: seconds(r.median(r.yaml_edit_build))),
        (
            "pages written per second (cold)",
            lambda r: f"{r.pages_written / r.median(r.cold):.0f}" if r.cold else "–",
        ),
        (
            "peak memory, cold build (runs of their own; sum of RSS / of PSS, all processes)",
            lambda r: (
                f"{max(r.peak_bytes) / 2**20:.0f} MiB / {max(r.peak_pss) / 2**20:.0f} MiB"
                if r.peak_bytes
                else "–"
            ),
        ),
        ("plain Pelican 4.12, same Markdown", _plain),
        ("ours / plain Pelican (time)", _ratio),
        *_other_rows(results),
        ("content page weight (HTML+CSS+JS)", _weight),
        ("notes", lambda r: "; ".join(r.notes) or "–"),
    ]
    lines = [
        "| | " + " | ".join(r.name for r in results) + " |",
        "| --- |" + " --- |" * len(results),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    return "\n".join(lines)


def _warm_share(result: Result) -> str:
    if not result.warm or not result.cold:
        return "–"
    return f"{result.median(result.warm) / result.median(result.cold):.2f}"


def _edit_share(result: Result) -> str:
    if not result.markdown_edit or not result.cold:
        return "–"
    return f"{100 * result.median(result.markdown_edit) / result.median(result.cold):.0f} %"


def _plain(result: Result) -> str:
    if not result.plain:
        return "–"
    return (
        f"{seconds(result.median(result.plain))} ({result.plain_pages} pages, "
        f"{seconds(result.median(result.plain_cpu))} CPU)"
    )


def _ratio(result: Result) -> str:
    if not result.plain:
        return "–"
    ratio = result.median(result.cold) / result.median(result.plain)
    return f"{ratio:.2f} ({_faster(ratio, 'plain Pelican')})"


def _other_rows(results: list[Result]) -> list[tuple[str, object]]:
    """Return two rows per other generator: its cold build, and ours divided by it."""
    names: dict[str, str] = {}
    for result in results:
        for other in result.others:
            if other.generator not in names or not other.not_run:
                names[other.generator] = other.name
    rows = []
    for generator, name in names.items():
        rows.append((f"{name}, same Markdown", _other_cell(generator, _other_build)))
        rows.append((f"ours / {generator} (time; CPU)", _other_cell(generator, _other_ratio)))
    return rows


def _other_cell(generator: str, show):
    """Return a cell function that shows `generator`'s figures of a scenario with `show`."""

    def cell(result: Result) -> str:
        for other in result.others:
            if other.generator == generator:
                return other.not_run or (show(result, other) if other.seconds else "–")
        return "–"

    return cell


def _other_build(result: Result, other: OtherResult) -> str:
    return (
        f"{seconds(statistics.median(other.seconds))} ({other.pages_written} pages, "
        f"{seconds(statistics.median(other.cpu_seconds))} CPU, "
        f"{max(other.peak_bytes) / 2**20:.0f} MiB RSS)"
    )


def _ours_against(result: Result, generator: str) -> tuple[list[float], list[float]]:
    """Return our cold times and CPU times to set against `generator`'s: with the search index
    against a generator that makes one (Hugo + Pagefind), else without it where measured."""
    if "Pagefind" in generator or not result.cold_no_search:
        return result.cold, result.cold_cpu
    return result.cold_no_search, result.cold_no_search_cpu


def _other_ratio(result: Result, other: OtherResult) -> str:
    ours, ours_cpu = _ours_against(result, other.generator)
    time_ratio = statistics.median(ours) / statistics.median(other.seconds)
    cpu_ratio = statistics.median(ours_cpu) / statistics.median(other.cpu_seconds)
    search = "with" if ours is result.cold else "without"
    return (
        f"{time_ratio:.2f}; {cpu_ratio:.2f} (ours {search} the search index; "
        f"{_faster(time_ratio, other.generator)})"
    )


def _other_median(result: Result, generator: str) -> float | None:
    for other in result.others:
        if other.generator == generator and other.seconds:
            return statistics.median(other.seconds)
    return None


def targets(results: list[Result]) -> str:
    """Return issue #18's targets as a Markdown table: figure, limit, met or missed."""

    def ratio(value: float | None, other: float | None) -> float | None:
        return value / other if value and other else None

    rows = []
    for r in results:
        measured = [
            (
                "cold build with search / Hugo + Pagefind",
                ratio(r.median(r.cold), _other_median(r, HUGO_PAGEFIND)),
                1.2,
                "x",
            ),
            (
                "cold build without search / Hugo",
                ratio(r.median(r.cold_no_search), _other_median(r, HUGO)),
                4,
                "x",
            ),
            ("warm rebuild / cold build", ratio(r.median(r.warm), r.median(r.cold)), 0.3, "x"),
            (
                "dev server, one Markdown edit",
                r.median(r.markdown_edit) if r.extra_pages >= 100 else None,
                0.5,
                " s",
            ),
            (
                "dev server, one supporter YAML edit",
                r.median(r.yaml_edit) if r.extra_supporters >= 1000 else None,
                2,
                " s",
            ),
        ]
        for target, value, limit, unit in measured:
            if value is not None:
                verdict = "met" if value <= limit else "**missed**"
                rows.append(
                    f"| {target} | {r.name} | {value:.2f}{unit} | {limit:g}{unit} | {verdict} |"
                )
    if not rows:
        return "(no target is measured at this scale: `make bench BENCH_SCALE=full`)"
    head = ["| target | scenario | measured | limit | |", "| --- | --- | --- | --- | --- |"]
    return "\n".join(head + rows)


def _faster(ratio: float, other: str) -> str:
    """Say which build is faster, given ours divided by the other's time."""
    return f"{other} is {ratio:.1f}x faster" if ratio >= 1 else f"ours is {1 / ratio:.1f}x faster"


def _weight(result: Result) -> str:
    if not result.weight:
        return "–"
    weight = result.weight
    verdict = "ok" if weight["ok"] else "OVER LIMIT or foreign request"
    foreign = f", other origins: {weight['foreign']}" if weight["foreign"] else ", no other origin"
    return f"{weight['total'] / 1024:.1f} KB of {LIMIT_BYTES // 1024} KB{foreign} ({verdict})"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--suite",
        choices=sorted(SUITES),
        help="run a set of scenarios (quick: moderate scale; full: the targets' scale)",
    )
    parser.add_argument("--languages", type=int, default=24, help="languages with content")
    parser.add_argument("--supporters", type=int, default=0, help="supporter records")
    parser.add_argument("--pages", type=int, default=50, help="extra Markdown pages per language")
    parser.add_argument("--shipped", action="store_true", help="build the shipped content only")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (>= 3)")
    parser.add_argument(
        "--plain", action="store_true", help="also build the Markdown pages with plain Pelican"
    )
    parser.add_argument(
        "--no-others",
        action="store_true",
        help="skip Hugo, Hugo + Pagefind and Eleventy (built in scenarios of Markdown pages)",
    )
    parser.add_argument("--workdir", type=Path, help="folder for the sites (default: temporary)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="a setting for our builds, as Pelican's -e takes it (e.g. SEARCH_INDEX=false)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios and print the report."""
    args = parse_arguments(argv)
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    if args.suite:
        scenarios = SUITES[args.suite]
    elif args.shipped:
        scenarios = [("shipped site", None, False)]
    else:
        scale = Scale(languages=args.languages, supporters=args.supporters, pages=args.pages)
        scenarios = [("synthetic site", scale, True)]
    # Python compiles a module the first time it is imported and keeps the result in
    # __pycache__ (as pip does for installed packages), so only a fresh clone's first build
    # compiles the project's 10,000 lines; the builds here run with PYTHONDONTWRITEBYTECODE,
    # so the bench compiles them once first, and no measured build pays it (0.1 s).
    for folder in ("plugins", "portal"):
        compileall.compile_dir(PROJECT / folder, quiet=1)
    compileall.compile_file(PROJECT / "pelicanconf.py", quiet=1)
    wait_after_last_bench()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="portal-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    spread = away_from_recent_deletes(workdir)
    print(
        f"Benchmark: {os.cpu_count()} CPUs, sites in {workdir}"
        + (" (each in a block group of its own)" if spread else ""),
        flush=True,
    )
    results = []
    try:
        for name, scale, compare in scenarios:
            overrides = tuple(args.set)
            results.append(
                run_scenario(
                    name,
                    scale,
                    compare,
                    args.runs,
                    workdir,
                    overrides,
                    plain=args.plain,
                    others=not args.no_others,
                )
            )
    finally:
        if args.workdir is None:
            delete_workdir(workdir)
    table = report(results)
    print("\nMedians of", args.runs, "runs:\n")
    print(table)
    print("\nIssue #18's targets (medians of interleaved runs):\n")
    print(targets(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
