"""The one write path: outputs rendered or made, written, recorded, and announced to listeners.

For a list of outputs a generator declared, in order:

1. In a build that keeps outputs for the next (the dev server's), each output with inputs gets
   a key: a digest of what every output shares (the theme's templates, the catalogues, the
   shared context) and of its own inputs. An output whose key equals the last build's, whose
   file is still the one written then, and whose template got the same answers to what it
   asked of the tracked shared values (`Tracker`), is kept: neither made nor written again.
2. The others are made (a page's template rendered, a file's bytes made) and written, by
   worker processes when there are many; each worker also runs the listeners' `prepare` on
   the bytes it wrote, so that no one reads a file back.
3. Back in the build's process, in the declared order, each output is recorded and every
   listener hears of it (`written`).

Writing a path twice in one build is an error. A refused write (a full disk...) and an error in
a template are PortalErrors naming the output, the template file and line where there is one.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import time
import traceback
from collections.abc import Iterable
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any

import jinja2
from pelican.generators import PelicanTemplateNotFound
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from portal_core import os_errors
from portal_core.errors import PortalError, PortalErrors
from portal_core.site import CONTEXT_KEY as SITE_KEY

from .memory import MEMORY_KEY, Build, BuildMemory, Record, memory_of
from .options import options
from .outputs import FileOutput, Output, PageOutput, Written
from .workers import ordered_map, worker_count

logger = logging.getLogger(__name__)

#: Files a theme's templates are made of.
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".ics", ".j2")


@lru_cache(maxsize=64)
def absolute(path: str) -> str:
    """Return `path` made absolute: for a build's output folder, the same for all its files."""
    return os.path.abspath(path)


def digest_inputs(inputs: Any) -> str:
    """Return the digest of an output's inputs: plain data, whose repr shows all of it."""
    return hashlib.sha256(repr(inputs).encode("utf-8")).hexdigest()


def _stamp(stat: os.stat_result) -> tuple[int, int]:
    """Return what tells a file apart from a later rewrite of it: size and modification time."""
    return stat.st_size, stat.st_mtime_ns


def _unchanged(path: str, record: Record) -> bool:
    """Tell whether a file is still the one the last build wrote."""
    try:
        return _stamp(os.stat(path)) == (record.size, record.mtime_ns)
    except OSError:
        return False


def _loader_folders(loader) -> list[str]:
    """Return the folders a Jinja loader (and the loaders inside it) reads templates from."""
    if isinstance(loader, jinja2.FileSystemLoader):
        return list(loader.searchpath)
    if isinstance(loader, jinja2.ChoiceLoader):
        return [folder for inner in loader.loaders for folder in _loader_folders(inner)]
    if isinstance(loader, jinja2.PrefixLoader):
        return [folder for inner in loader.mapping.values() for folder in _loader_folders(inner)]
    return []


def _stamp_files(digest, paths: Iterable[str | Path]) -> None:
    """Add every file's path, size and modification time under `paths` to `digest`."""
    for top in paths:
        top = Path(top)
        files = sorted(top.rglob("*")) if top.is_dir() else [top]
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                continue
            digest.update(f"{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())


#: What a tracked shared value counts for in the shared signature: nothing of its own (each
#: page's questions and their answers stand for it).
TRACKED = "tracked"
#: Arguments a question to a tracked value may have: they are asked again in the next build.
PLAIN_ARGUMENTS = (str, int, float, bool, type(None))


def answer_digest(value: Any) -> str | None:
    """Return a digest of an answer (its repr shows all of it), or None when its repr shows an
    object's address instead of its data (then it cannot be told unchanged)."""
    text = repr(value)
    if " at 0x" in text:
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ask(build: Build, question: tuple) -> str | None:
    """Return the digest of this build's answer to `question` (name, attribute, args, kwargs);
    None when it cannot be answered now."""
    if question not in build.answers:
        name, attribute, args, kwargs = question
        try:
            answer = getattr(build.tracked[name], attribute)
            if args is not None:
                answer = answer(*args, **dict(kwargs))
        except Exception:  # the value changed shape: the page is made again, and says why
            build.answers[question] = None
        else:
            build.answers[question] = answer_digest(answer)
    return build.answers[question]


class Tracker:
    """A tracked shared value as one page's template sees it: what the page reads of it (an
    attribute, or a method's result) is noted, as a question with the digest of its answer.

    The answers are what the page shows of the value; in the next build the page is kept only
    if every question gets the same answer (a supporter edited: only the pages that asked about
    it, or about lists it is in, are made again). A question whose arguments are not plain
    values (text, numbers) could not be asked again: the page is then always made again.
    """

    __slots__ = ("_answers", "_name", "_questions", "_value")

    def __init__(self, value: Any, name: str, answers: dict, questions: dict) -> None:
        self._value = value
        self._name = name
        self._answers = answers
        self._questions = questions

    def _note(self, question: tuple, answer: Any) -> None:
        if question not in self._answers:
            self._answers[question] = answer_digest(answer)
        self._questions[question] = self._answers[question]

    def __getattr__(self, attribute: str) -> Any:
        found = getattr(self._value, attribute)
        if attribute.startswith("_"):
            return found
        if not callable(found):
            self._note((self._name, attribute, None, ()), found)
            return found

        def method(*args, **kwargs):
            answer = found(*args, **kwargs)
            if all(isinstance(arg, PLAIN_ARGUMENTS) for arg in (*args, *kwargs.values())):
                self._note((self._name, attribute, args, tuple(sorted(kwargs.items()))), answer)
            else:
                self._questions[None] = None  # cannot be asked again
            return answer

        return method


#: Values whose repr is all there is to them.
SCALARS = (
    bool,
    int,
    float,
    str,
    bytes,
    Decimal,
    PurePath,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    Enum,
)


def _plain_data(digest, value, depth: int = 0) -> bool:
    """Add plain data (recursively) to `digest`; return True if `value` holds anything else."""
    if value is None or isinstance(value, SCALARS):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
        return False
    if depth < 8 and isinstance(value, list | tuple | set | frozenset):
        digest.update(b"[")
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        other = any([_plain_data(digest, item, depth + 1) for item in items])
        digest.update(b"]")
        return other
    if depth < 8 and isinstance(value, dict):
        digest.update(b"{")
        other = False
        for key in sorted(value, key=repr):
            other = _plain_data(digest, key, depth + 1) or other
            other = _plain_data(digest, value[key], depth + 1) or other
        digest.update(b"}")
        return other
    if isinstance(value, type) or callable(value):  # classes and functions: code, not data
        digest.update(f"code:{getattr(value, '__qualname__', type(value).__name__)};".encode())
        return False
    return True


#: Pelican's collections of content objects: what templates show of them is in outputs' inputs.
PELICAN_COLLECTIONS = frozenset(
    {
        "articles",
        "authors",
        "categories",
        "dates",
        "draft_pages",
        "drafts",
        "drafts_translations",
        "generated_content",
        "hidden_articles",
        "hidden_pages",
        "pages",
        "period_archives",
        "related_posts",
        "static_content",
        "static_links",
        "tags",
        "translations",
    }
)


def shared_signature(generator, build: Build) -> bytes:
    """Return a digest of what every output shares: templates, catalogues, the shared context.

    A value shared through the front door counts by the digest given with it (None: the
    outputs' inputs cover it); plain data by itself. Any other value in the context cannot be
    told unchanged: the digest then differs in every build, and nothing is kept.
    """
    digest = hashlib.sha256()
    _stamp_files(digest, _loader_folders(generator.env.loader))
    _stamp_files(digest, [generator.settings["TRANSLATIONS_PATH"]])
    skip = PELICAN_COLLECTIONS | {MEMORY_KEY, SITE_KEY}
    for key in sorted(k for k in generator.context if k not in skip):
        digest.update(f"\0{key}=".encode())
        if key in build.shared:
            digest.update(f"shared:{build.shared[key]}".encode())
        elif _plain_data(digest, generator.context[key]):
            logger.debug("%r in the context is not plain data nor shared: nothing is kept", key)
            digest.update(os.urandom(16))
    return digest.digest()


def local_context(context: dict, name: str, variables, relative_urls: bool) -> dict:
    """Return what a template gets for the page at `name`, as Pelican's writer makes it."""
    localcontext = context.copy()
    localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
    if relative_urls:
        relative = path_to_url(get_relative_path(name))
        localcontext["SITEURL"] = relative
        localcontext["localsiteurl"] = relative
    localcontext["output_file"] = name
    localcontext.update(variables)
    return localcontext


def template_location(error: BaseException) -> tuple[str, int] | None:
    """Return the template file and line where a rendering error happened, if any.

    Jinja puts the template's own file and line into the traceback of an error raised while
    rendering it: the innermost such frame is where the error is.
    """
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return error.filename, error.lineno
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith(TEMPLATE_SUFFIXES):
            found = (frame.filename, frame.lineno)
    return found


def render_error(error: Exception, name: str) -> PortalError:
    """Return what an error while making the output `name` means, as a PortalError."""
    where = template_location(error)
    path, line = where if where else (name, None)
    if isinstance(error, jinja2.TemplateSyntaxError):
        return PortalError(path, f"template syntax error: {error.message}", line)
    if isinstance(error, jinja2.TemplateNotFound):
        return PortalError(path, f"template not found: {error}; fix the name", line)
    if isinstance(error, jinja2.UndefinedError):
        return PortalError(
            path,
            f"template error while writing {name}: {error.message}; every variable a template "
            "uses must be defined (test optional ones with `is defined`)",
            line,
        )
    if isinstance(error, jinja2.TemplateError):
        return PortalError(path, f"template error while writing {name}: {error}", line)
    return PortalError(
        path,
        f"{type(error).__name__} while writing {name}: {error} (unexpected: a bug in a "
        "template, a plugin or a setting's value; rerun with --debug for the traceback)",
        line,
    )


class Writer:
    """Makes and writes outputs (in this process or a worker) and runs the listeners' prepare."""

    def __init__(
        self,
        output_path: str,
        listeners: list,
        context: dict,
        templates: dict,
        build: Build | None = None,
    ) -> None:
        self.output_path = absolute(output_path)
        self.listeners = listeners
        self.context = context
        self.templates = templates
        self.relative_urls = False
        # the tracked shared values, in a build that keeps outputs (else none)
        self.tracked = build.tracked if build is not None else {}
        self.answers = build.answers if build is not None else {}

    def data(self, output: Output) -> tuple[bytes, tuple | None]:
        """Return the bytes of an output (its page rendered, or its file made) and what its
        template asked of the tracked shared values (see `Tracker`)."""
        try:
            if isinstance(output, PageOutput):
                template = self.templates[output.template]
                context = local_context(
                    self.context, output.path, output.variables, self.relative_urls
                )
                questions: dict = {}
                for name, value in self.tracked.items():
                    if name in context:
                        context[name] = Tracker(value, name, self.answers, questions)
                data = template.render(context).encode("utf-8")
                if None in questions:
                    return data, None
                return data, tuple(questions.items())
            return output.make(), ()
        except (PortalError, PortalErrors):
            raise
        except Exception as error:
            raise render_error(error, output.path) from error

    def write(self, output: Output) -> tuple[tuple[int, int], list, tuple | None]:
        """Make and write one output; return its stamp, what the listeners prepared from its
        bytes, and what its template asked of the tracked shared values."""
        data, questions = self.data(output)
        path = sanitised_join(self.output_path, output.path)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
            stamp = _stamp(os.stat(path))
        except OSError as error:
            if not os_errors.is_environment_fault(error):
                raise
            raise PortalError(path, os_errors.advice(error, then="build again")) from None
        written = Written(output.path, path, output, stamp)
        return stamp, [listener.prepare(written, data) for listener in self.listeners], questions


def _check_names(build: Build, outputs: list[Output]) -> None:
    """Refuse an output path given twice (in this call, or before in the build)."""
    seen: set[str] = set()
    problems = []
    for output in outputs:
        if output.path in seen or output.path in build.records:
            problems.append(
                PortalError(
                    output.path,
                    "(file): written twice in one build; two pages or records share an address",
                )
            )
        seen.add(output.path)
    if problems:
        raise PortalErrors(problems)


def _keys(memory: BuildMemory, shared: bytes, outputs: list[Output]) -> list:
    """Return each output's key (None: no inputs, or a build that keeps nothing)."""
    if not memory.keeps:
        return [None] * len(outputs)
    keys = []
    for output in outputs:
        if output.inputs is None:
            keys.append(None)
            continue
        kind = output.template if isinstance(output, PageOutput) else "file"
        own = f"{kind}\0{output.path}\0{digest_inputs(output.inputs)}".encode()
        keys.append(hashlib.sha256(shared + own).hexdigest())
    return keys


def write_outputs(generator, outputs: list[Output]) -> None:
    """Write a generator's `outputs` in order (see the module's docstring)."""
    memory = memory_of(generator.settings)
    build = memory.build
    if build is None:
        raise PortalError("pelicanconf.py", 'PLUGINS must list "build_engine"')
    _check_names(build, outputs)
    templates = {}
    for name in dict.fromkeys(o.template for o in outputs if isinstance(o, PageOutput)):
        try:
            templates[name] = generator.get_template(name)
        except PelicanTemplateNotFound as error:
            raise PortalError(
                name,
                f"template not found: {error}; check the page's `Template:` line or the "
                "theme's templates/ folder",
            ) from None
        except jinja2.TemplateError as error:
            raise render_error(error, name) from None
    shared = shared_signature(generator, build) if memory.keeps else b""
    settings = options(generator.settings)
    writer = Writer(
        generator.output_path,
        build.listeners,
        generator.context,
        templates,
        build if memory.keeps else None,
    )
    writer.relative_urls = bool(generator.settings.get("RELATIVE_URLS"))
    _write(memory, build, writer, outputs, _keys(memory, shared, outputs), settings)


def write_late_outputs(settings: dict, build: Build, outputs: list[FileOutput]) -> None:
    """Write the files listeners give at the end of a build (in order, in this process)."""
    memory = memory_of(settings)
    _check_names(build, outputs)
    writer = Writer(build.output_path, build.listeners, {}, {})
    _write(memory, build, writer, outputs, _keys(memory, b"", outputs), {"enabled": False})


def _same_answers(build: Build, questions: tuple | None) -> bool:
    """Tell whether every question a page asked in the last build gets the same answer now."""
    if questions is None:
        return False
    return all(
        question[0] in build.unchanged or (digest is not None and ask(build, question) == digest)
        for question, digest in questions
    )


def _write(
    memory: BuildMemory,
    build: Build,
    writer: Writer,
    outputs: list[Output],
    keys: list,
    settings: dict,
) -> None:
    """Keep, make and write `outputs`, then record them and tell the listeners, in order."""
    kept: dict[int, Record] = {}
    for index, (output, key) in enumerate(zip(outputs, keys, strict=True)):
        before = memory.records.get(output.path)
        if (
            key is not None
            and before is not None
            and before.key == key
            and _same_answers(build, before.questions)
            and _unchanged(sanitised_join(writer.output_path, output.path), before)
        ):
            kept[index] = before

    started = time.perf_counter()
    todo = [index for index in range(len(outputs)) if index not in kept]
    workers = 1
    if settings["enabled"] and len(todo) >= settings["parallel_from"]:
        workers = worker_count(settings["workers"])
    first = None
    if workers > 1 and isinstance(outputs[todo[0]], PageOutput):
        # Render one page here first: the templates it includes get compiled, and the data
        # they load get cached, once in this process instead of once in every worker.
        first = todo.pop(0)
        first_result = writer.write(outputs[first])
    done = ordered_map(lambda index: writer.write(outputs[index]), todo, workers)
    try:
        for index, output in enumerate(outputs):
            path = sanitised_join(writer.output_path, output.path)
            if index in kept:
                record = kept[index]
                written = Written(output.path, path, output, (record.size, record.mtime_ns), True)
                prepared = [None] * len(build.listeners)
            else:
                stamp, prepared, questions = first_result if index == first else next(done)
                record = Record(keys[index], *stamp, questions)
                written = Written(output.path, path, output, stamp)
            build.records[output.path] = record
            for listener, result in zip(build.listeners, prepared, strict=True):
                listener.written(written, result)
    finally:
        done.close()
    logger.debug(
        "wrote %r outputs, kept %r (%r workers) in %.2f s",
        len(outputs) - len(kept),
        len(kept),
        workers,
        time.perf_counter() - started,
    )
