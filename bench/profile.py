"""Where a cold build's time goes, per stage and per page kind: ``python -m bench.profile``.

Builds a site once in this process under cProfile, with the build engine's workers off
(``BUILD_ENGINE={"workers": 1}``: what the workers do is then measured too, and the figures
add up to the CPU a build needs, not to its wall time on two cores), and prints two tables:

- stages: each generator's ``generate_context`` and ``generate_output``, the engine's end of
  build (the search index, sitemaps and late files), and the Pelican instance's start;
- page kinds: the time spent rendering each template a page is made from, and how many pages.

cProfile slows pure Python down about two to three times, more than C code (Markdown's regular
expressions, Pagefind's binary, writing files); compare rows with each other, not with the
wall times of ``python -m bench``. ``--stats FILE`` keeps the raw profile for pstats or snakeviz.

    .venv/bin/python -m bench.profile                       # the shipped site
    .venv/bin/python -m bench.profile --pages 100           # 24 x 100 Markdown pages
    .venv/bin/python -m bench.profile --supporters 1000 --pages 0
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import jinja2

from . import PROJECT
from .synth import Scale, make_site

#: Functions whose cumulative time is a stage of the build.
STAGES = ("generate_context", "generate_output", "end_build", "__init__")
#: Templates that are parts of pages, not page kinds.
PARTS = {"base.html", "footer.html", "navigation.html", "language_selector.html"}


def stage_rows(stats: pstats.Stats) -> list[tuple[float, str]]:
    """Return (cumulative seconds, name) of every stage of the build, slowest first."""
    rows = []
    for (path, line, name), (_, _, _, cumulative, _) in stats.stats.items():
        if name not in STAGES or cumulative < 0.01:
            continue
        if name == "__init__" and not path.endswith("pelican/__init__.py"):
            continue  # only the Pelican instance's start (plugins, settings)
        if "/plugins/" in path:
            where = path.split("/plugins/", 1)[1]
        elif "/pelican/" in path:
            where = "pelican/" + path.split("/pelican/", 1)[1]
        else:
            continue
        rows.append((cumulative, f"{where}:{line} {name}"))
    return sorted(rows, reverse=True)


def template_rows(stats: pstats.Stats, pages: Counter) -> list[tuple[float, str, int]]:
    """Return (seconds rendering, template, pages) for every page kind, slowest first."""
    rows = []
    for (path, _, name), (_, _, _, cumulative, _) in stats.stats.items():
        if name != "root" or "/templates/" not in path:
            continue
        template = path.split("/templates/", 1)[1]
        if template in PARTS:
            continue
        rows.append((cumulative, template, pages.get(template, 0)))
    return sorted(rows, reverse=True)


def profile(content: Path, output: Path, overrides: list[str]) -> tuple[pstats.Stats, Counter]:
    """Build `content` into `output` once under cProfile; return the stats and pages per
    template."""
    sys.path[:0] = [str(PROJECT), str(PROJECT / "plugins")]
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1795996800")
    from portal.build import ONE_SHOT_GC_THRESHOLDS, Builder  # the build's own entry

    pages: Counter = Counter()
    render = jinja2.Template.render

    def counted(template, *args, **kwargs):
        pages[template.name] += 1
        return render(template, *args, **kwargs)

    jinja2.Template.render = counted
    argv = [
        str(content),
        *("-s", str(PROJECT / "pelicanconf.py"), "-o", str(output), "--fatal", "warnings"),
        *("-e", 'BUILD_ENGINE={"workers": 1}', f'CACHE_PATH="{output}-cache"', *overrides),
    ]
    builder = Builder(argv, one_shot=True)
    gc.set_threshold(*ONE_SHOT_GC_THRESHOLDS)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    outcome = builder.build()
    builder.wait_for_late_outputs()
    profiler.disable()
    jinja2.Template.render = render
    if not outcome.ok:
        raise SystemExit("the build failed (problems above)")
    print(f"built in {time.perf_counter() - started:.1f} s under cProfile", file=sys.stderr)
    return pstats.Stats(profiler), pages


def main(argv: list[str] | None = None) -> int:
    """Profile one cold build and print its stages and page kinds."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--pages", type=int, default=0, help="extra Markdown pages per language")
    parser.add_argument("--supporters", type=int, default=0, help="supporter records")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON")
    parser.add_argument("--stats", type=Path, help="also write the raw profile here")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="portal-profile-"))
    try:
        if args.pages or args.supporters:
            make_site(workdir, PROJECT, Scale(pages=args.pages, supporters=args.supporters))
            content = workdir / "content"
        else:
            content = PROJECT / "content"
        stats, pages = profile(content, workdir / "output", args.set)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.stats:
        stats.dump_stats(args.stats)
    total = max(row[3] for row in stats.stats.values())
    print(f"\nStages (seconds under cProfile, of {total:.1f} s; nested stages overlap)\n")
    print("| seconds | stage |\n| ---: | --- |")
    for seconds, name in stage_rows(stats)[:25]:
        print(f"| {seconds:.2f} | {name} |")
    print("\nPage kinds (rendering, base.html included)\n")
    print("| seconds | template | pages | ms per page |\n| ---: | --- | ---: | ---: |")
    for seconds, template, count in template_rows(stats, pages):
        per_page = f"{1000 * seconds / count:.2f}" if count else "–"
        print(f"| {seconds:.2f} | {template} | {count} | {per_page} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
