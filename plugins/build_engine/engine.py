"""The build engine's place in Pelican's build: when a build starts, reads, writes and ends.

A build, in order (Pelican's `run`, with the engine's part at each step):

1. start (``get_generators``): a new `Build`; the last build's late outputs are waited for;
   each feature's `WrittenListener` is made for this build;
2. every generator's Jinja environment (``generator_init``) gets the build's `Site`, the
   interface strings and Babel's filters, compiled templates kept between builds, and
   ``{% memo %}`` parts rendered once per build;
3. reading (``page_generator_init`` ... ``page_generator_finalized``): Markdown pages read,
   converted and checked ahead in workers (`reader`);
4. writing: each generator's `generate_output` hands its outputs to `front_door.write`;
5. end (``finalized``): the listeners' own outputs (sitemaps, the search index), then every
   file this build did not write is removed from the output folder.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
from pathlib import Path

from pelican import signals
from portal_core.errors import PortalError, PortalErrors
from portal_core.site import CONTEXT_KEY, Site
from portal_core.templates import install_template_helpers

from .memo import memory_on
from .memory import Build, BuildMemory, memory_of
from .options import options
from .outputs import BuildContext, Later
from .reader import PortalMarkdownReader, finish_reading, read_ahead
from .workers import in_background, worker_count
from .writing import absolute, write_late_outputs

logger = logging.getLogger(__name__)

IDLE_SECONDS = 0.5  # after a dev-server build, when the collector walks everything


def check_settings(pelican) -> None:
    """Check the engine's settings once, when the Pelican instance is made."""
    options(pelican.settings)
    if pelican.settings.get("DELETE_OUTPUT_DIRECTORY"):
        raise PortalError(
            "pelicanconf.py",
            "DELETE_OUTPUT_DIRECTORY must be False: the build engine removes what a build no "
            "longer makes itself, and `make html` builds next to the output folder",
        )
    output = Path(os.path.realpath(pelican.settings["OUTPUT_PATH"]))
    content = Path(os.path.realpath(pelican.settings["PATH"]))
    if output == content or output in content.parents or content in output.parents:
        raise PortalError(
            str(pelican.settings["OUTPUT_PATH"]),
            f"the output folder and the content folder {pelican.settings['PATH']} overlap; "
            "the engine removes from the output what a build did not write: build into a "
            "folder of its own, e.g. -o output",
        )
    memory_of(pelican.settings)


def start_build(pelican) -> None:
    """Begin a build: wait for the last one's late outputs, then make this one's listeners."""
    memory = memory_of(pelican.settings)
    memory.wait_for_background()
    output = absolute(pelican.output_path)
    build = Build(number=memory.builds, output_path=output)
    build.fresh_output = not os.path.isdir(output) or not any(os.scandir(output))
    memory.build = build
    context = BuildContext(output, pelican.settings, memory.builds, memory.keeps)
    build.listeners = [factory(context) for factory in memory.listener_factories]


def add_reader(readers) -> None:
    """Read Markdown with the engine's reader."""
    for extension in PortalMarkdownReader.file_extensions:
        readers.reader_classes[extension] = PortalMarkdownReader


def prepare_environment(generator) -> None:
    """Give a generator the build's Site, and its Jinja environment what every template gets."""
    memory = memory_of(generator.settings)
    site = generator.context.get(CONTEXT_KEY)
    if site is None:
        site = Site(generator.settings, memory.compiled_catalogues)
        generator.context[CONTEXT_KEY] = site
    env = getattr(generator, "env", None)
    if env is None:
        return
    install_template_helpers(env, site.strings)
    if options(generator.settings)["enabled"]:
        env.bytecode_cache = memory.bytecode
        if hasattr(env, "memo_parts"):
            memory_on(env)


def compile_templates_ahead(generator) -> None:
    """Compile the theme's templates in a worker while Pelican reads the pages.

    Compiling them (0.2 s for the shipped theme) would otherwise hold up the first page of
    each kind; the bytecode comes back through the memory's bytecode cache, which Jinja checks
    against each template's source as always. Only the first build of an instance does this.
    """
    memory = memory_of(generator.settings)
    env = getattr(generator, "env", None)
    if env is None or env.bytecode_cache is not memory.bytecode or memory.bytecode.compiled:
        return
    if worker_count(options(generator.settings)["workers"]) <= 1:
        return
    names = [name for name in env.list_templates() if not name.startswith("!")]
    cache = memory.bytecode

    def compile_all() -> dict[str, bytes]:
        for name in names:
            with contextlib.suppress(Exception):  # the build reports it when it loads it
                env.get_template(name)
        return cache.compiled

    cache.ahead = in_background(compile_all)


def remove_unwritten(output: Path, written: set[str], retention) -> None:
    """Remove every file under `output` that is not in `written` (paths below `output`).

    Top-level names in `retention` (OUTPUT_RETENTION) are left alone, and a link to a folder
    is neither entered nor removed (as os.walk does).
    """
    kept_names = set(retention)
    folders = [(os.fspath(output), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if not prefix and entry.name in kept_names:
                    continue
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, name + "/"))
                elif not entry.is_dir() and name not in written:
                    os.remove(entry.path)
                    logger.debug("removed %r, no longer built", name)


def _end(memory: BuildMemory, build: Build, retention) -> None:
    """Remove what this build did not write, and remember what it did for the next."""
    if not build.fresh_output:
        remove_unwritten(Path(build.output_path), set(build.records), retention)
    memory.records = build.records
    memory.tracked_digests = build.tracked_digests
    memory.builds += 1


def end_build(pelican) -> None:
    """Write the listeners' own outputs, then end the build (see `_end`)."""
    memory = memory_of(pelican.settings)
    build = memory.build
    if build is None:
        return
    retention = pelican.settings.get("OUTPUT_RETENTION", ())
    later: list[Later] = []
    problems: list[PortalError] = []
    finished = []
    for listener in build.listeners:
        outcome = listener.finish()
        if isinstance(outcome, Later):
            later.append(outcome)
        else:
            finished.extend(outcome)
    write_late_outputs(pelican.settings, build, finished)
    now = [item for item in later if not (item.background and memory.keeps)]
    background = [item for item in later if item.background and memory.keeps]
    for item in now:
        write_late_outputs(pelican.settings, build, list(item.make()))
    if not background:
        _end(memory, build, retention)
        memory.build = None
        collect_when_idle(memory)
        return

    def finish_in_background() -> None:
        try:
            for item in background:
                write_late_outputs(pelican.settings, build, list(item.make()))
        except (PortalError, PortalErrors, OSError) as error:  # the next build tries again
            problems.append(error)
            logger.warning("the outputs made after the build were not all written: %s", error)
        finally:
            _end(memory, build, retention)
            collect_when_idle(memory)

    memory.build = None
    memory.background = threading.Thread(target=finish_in_background, name="after-build")
    memory.background.start()


def collect_when_idle(memory: BuildMemory) -> None:
    """(dev server) Collect garbage once the build is over, then freeze what is left.

    The dev server's process holds the whole site (27,000 pages' worth of objects at 1,000
    supporters); a full collection walks all of it. Here it runs half a second after the
    build, while the editor looks at the page; then every object left is frozen
    (`gc.freeze`), so that the next build's collections walk only what that build makes.
    Garbage among the frozen objects is found by the next of these passes.
    """
    if not memory.keeps:
        return

    def collect() -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    timer = threading.Timer(IDLE_SECONDS, collect)
    timer.daemon = True
    timer.start()


def register():
    """Connect the engine to Pelican's signals."""
    signals.initialized.connect(check_settings)
    signals.get_generators.connect(start_build)
    signals.readers_init.connect(add_reader)
    signals.generator_init.connect(prepare_environment)
    signals.page_generator_init.connect(read_ahead)
    signals.page_generator_init.connect(compile_templates_ahead)
    signals.page_generator_finalized.connect(finish_reading)
    signals.finalized.connect(end_build)
