"""Images and documents editors add under ``content/media/``, and how pages show them.

Layout: ``content/media/<name>`` is the same file for every language (a drawing without
words); ``content/media/<lang>/<name>`` is a language's own version (a commitment statement
per language). A page in language L writes ``![what it shows]({media}name.png)`` or
``[the statement]({media}statement.pdf)``; the file is taken from ``media/L/``, else from
``media/``, else the English version from ``media/en/``, which the page marks as English.

What the build makes of them:

- raster images (PNG, JPEG, WebP) are resized with Pillow to a few widths (``WIDTHS``, never
  wider than the original) and shown with ``srcset``, ``sizes``, ``width`` and ``height`` (no
  layout shift); SVG drawings are served as they are, with the width and height they declare;
- documents (PDF, Word, Excel, PowerPoint, OpenDocument) are served as they are, and each link
  to one says its format and size in the reader's language (gettext; Babel formats the number
  and the unit), and "in English" when it is the English version;
- every file is checked first (`media_problems`): its name, its folder, its type, its size, its
  content (an SVG that would run script, load anything or need inline styles is refused).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from babel.units import format_unit
from lxml import etree
from PIL import Image, UnidentifiedImageError

from .errors import PortalError
from .languages import format_locale
from .strings import N_

MEDIA_FOLDER = "media"
#: Widths (CSS pixels) raster images are resized to; the original's width caps them.
WIDTHS = (480, 960, 1440)
#: The width `src` names (for browsers without srcset): the largest variant up to this.
SRC_WIDTH = 960
#: How wide the image is shown: the text column (.page-body, 48rem) or the viewport.
SIZES = "(min-width: 48rem) 48rem, 100vw"
RASTER_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
IMAGE_TYPES = (*RASTER_TYPES, ".svg")
#: Document types and the name shown beside a link (the same in every language).
DOCUMENT_TYPES = {
    ".pdf": "PDF",
    ".docx": "DOCX",
    ".xlsx": "XLSX",
    ".pptx": "PPTX",
    ".odt": "ODT",
    ".ods": "ODS",
    ".odp": "ODP",
}
MAX_IMAGE_BYTES = 5 * 1000 * 1000
MAX_DOCUMENT_BYTES = 10 * 1000 * 1000
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+$")
PLACEHOLDER = re.compile(r"\{media\}([^\s)\]>\"']+)")
SVG_NS = "{http://www.w3.org/2000/svg}"
SVG_REFUSED = {"script", "foreignObject", "style", "iframe", "image", "use", "a", "feImage"}
LENGTH = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")

DOCUMENT_FACTS = N_("(%(format)s document, %(size)s)")
DOCUMENT_FACTS_ENGLISH = N_("(%(format)s document in English, %(size)s)")


@dataclass(frozen=True)
class MediaFile:
    """One file under content/media/: where it is, what it is, and how big."""

    name: str  # "statement.pdf"
    lang: str | None  # None: the same file for every language
    path: Path
    size: int
    width: int = 0  # images: intrinsic size in CSS pixels
    height: int = 0

    @property
    def suffix(self) -> str:
        """Return the file's type, as its lower-case suffix (".pdf")."""
        return Path(self.name).suffix.lower()

    @property
    def is_image(self) -> bool:
        """Tell whether the file is an image."""
        return self.suffix in IMAGE_TYPES

    @property
    def url_path(self) -> str:
        """Return where the file is served, below the site root ("media/fi/statement.pdf")."""
        folder = f"{MEDIA_FOLDER}/{self.lang}" if self.lang else MEDIA_FOLDER
        return f"{folder}/{self.name}"

    def variants(self) -> list[tuple[int, int, str]]:
        """Return (width, height, url path) of each resized version of a raster image."""
        if self.suffix not in RASTER_TYPES:
            return []
        widths = sorted({min(width, self.width) for width in WIDTHS})
        stem = self.url_path.rsplit(".", 1)[0]
        return [
            (w, round(self.height * w / self.width), f"{stem}-{w}w{self.suffix}") for w in widths
        ]


def shown(path: Path, content_root: Path) -> str:
    """Return how messages name a media file: content/media/..."""
    try:
        return "content/" + Path(path).relative_to(content_root).as_posix()
    except ValueError:
        return str(path)


def svg_size(root) -> tuple[int, int] | None:
    """Return the width and height an SVG declares (attributes, else its viewBox)."""
    width, height = LENGTH.match(root.get("width", "")), LENGTH.match(root.get("height", ""))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            return None
    return None


def svg_problem(data: bytes) -> tuple[str | None, tuple[int, int]]:
    """Return what makes an SVG unfit to serve (or None) and its declared size."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return f"not a well-formed SVG file ({error}); export it again", (0, 0)
    if root.tag != f"{SVG_NS}svg":
        return "not an SVG drawing (its root is not <svg> in the SVG namespace)", (0, 0)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        local = etree.QName(element).localname
        if local in SVG_REFUSED:
            return (
                f"the drawing contains <{local}> (script, styles, links and embedded or "
                "referenced files are not allowed in drawings); remove it, or export the "
                "drawing as plain shapes with presentation attributes (fill=, stroke=)",
                (0, 0),
            )
        for name, value in element.attrib.items():
            local_name = etree.QName(name).localname
            if local_name.startswith("on") or local_name == "style":
                return (
                    f"<{local}> has {local_name}= (no script or inline style in drawings: the "
                    "site's Content-Security-Policy forbids them); use presentation attributes",
                    (0, 0),
                )
            if "url(" in value and not re.search(r"url\(\s*['\"]?#", value):
                return (
                    f"<{local}> {local_name}= loads another file; keep the drawing self-contained",
                    (0, 0),
                )
    size = svg_size(root)
    if size is None or not all(size):
        return "the drawing declares no size: give <svg> width=, height= or viewBox=", (0, 0)
    return None, size


def check_file(path: Path, content_root: Path) -> tuple[list[PortalError], tuple[int, int]]:
    """Return the problems of one media file and, for an image, its width and height."""
    where = shown(path, content_root)
    suffix = path.suffix.lower()
    size = path.stat().st_size
    allowed = ", ".join([*IMAGE_TYPES, *DOCUMENT_TYPES])
    if suffix not in IMAGE_TYPES and suffix not in DOCUMENT_TYPES:
        return [
            PortalError(
                where,
                f"files of type {suffix or '(none)'} are not served; images and documents may "
                f"be {allowed}: convert it (e.g. a drawing to .svg, a document to .pdf) or "
                "remove it",
            )
        ], (0, 0)
    limit = MAX_IMAGE_BYTES if suffix in IMAGE_TYPES else MAX_DOCUMENT_BYTES
    if size > limit:
        what = "images" if suffix in IMAGE_TYPES else "documents"
        return [
            PortalError(
                where,
                f"{size / 1e6:.1f} MB is more than the {limit / 1e6:.0f} MB allowed for "
                f"{what}; make it smaller (a photo need not be wider than {WIDTHS[-1]} pixels; "
                "a PDF can be exported for screen)",
            )
        ], (0, 0)
    data = path.read_bytes()
    if suffix == ".svg":
        problem, dimensions = svg_problem(data)
        return ([PortalError(where, problem)] if problem else []), dimensions
    if suffix in RASTER_TYPES:
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind, dimensions = image.format, image.size
                image.verify()
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
            return [PortalError(where, f"not a readable image ({error}); export it again")], (0, 0)
        if kind != RASTER_TYPES[suffix]:
            return [
                PortalError(
                    where,
                    f"a {kind} image named {suffix}; rename it to match its type or convert it",
                )
            ], (0, 0)
        return [], dimensions
    magic = b"%PDF-" if suffix == ".pdf" else b"PK\x03\x04"
    if not data.startswith(magic):
        return [
            PortalError(
                where,
                f"not a {DOCUMENT_TYPES[suffix]} document (its content is of another "
                "type); save it again in that format",
            )
        ], (0, 0)
    return [], (0, 0)


@dataclass
class MediaLibrary:
    """Every file under content/media/, checked, by language (None: every language)."""

    root: Path
    files: dict[tuple[str | None, str], MediaFile]
    problems: list[PortalError]

    @classmethod
    def scan(cls, content_root: Path, languages: tuple[str, ...]) -> MediaLibrary:
        """Read content/media/: every file's facts, and every problem with file and fix."""
        content_root = Path(content_root)
        root = content_root / MEDIA_FOLDER
        files: dict[tuple[str | None, str], MediaFile] = {}
        problems: list[PortalError] = []
        if not root.is_dir():
            return cls(root, files, problems)
        for path in sorted(root.rglob("*")):
            if path.is_dir() or path.name.startswith("."):
                continue
            parts = path.relative_to(root).parts
            where = shown(path, content_root)
            if len(parts) > 2 or (len(parts) == 2 and parts[0] not in languages):
                problems.append(
                    PortalError(
                        where,
                        "media files live in content/media/ (every language) or "
                        "content/media/<language code>/ (that language's version); move it",
                    )
                )
                continue
            if not NAME.match(path.name):
                fixed = re.sub(r"[^a-z0-9.]+", "-", path.name.lower()).strip("-")
                problems.append(
                    PortalError(
                        where,
                        "the name becomes the file's address, so it uses lower-case letters, "
                        f"digits and hyphens and one suffix; rename it, e.g. to {fixed}",
                    )
                )
                continue
            found, (width, height) = check_file(path, content_root)
            if found:
                problems += found
                continue
            lang = parts[0] if len(parts) == 2 else None
            size = path.stat().st_size
            files[(lang, path.name)] = MediaFile(path.name, lang, path, size, width, height)
        return cls(root, files, problems)

    def find(self, name: str, lang: str, source_lang: str) -> tuple[MediaFile | None, bool]:
        """Return the file a page in `lang` shows for `name`, and whether it is the English
        version standing in for the page's language."""
        for key, fallback in (((lang, name), False), ((None, name), False)):
            if key in self.files:
                return self.files[key], fallback
        english = self.files.get((source_lang, name))
        return english, english is not None and lang != source_lang

    def resolve(self, text: str, path: str, lang: str, source_lang: str) -> str:
        """Replace every ``{media}name`` in a page's text with the file's address from the
        site's root (`show_media` puts SITEURL in front once the page is checked)."""

        def replace(match: re.Match) -> str:
            name = match.group(1)
            found, _ = self.find(name, lang, source_lang)
            if found is None:
                line = text.count("\n", 0, match.start()) + 1
                tried = [f"content/media/{lang}/{name}", f"content/media/{name}"]
                if lang != source_lang:
                    tried.append(f"content/media/{source_lang}/{name}")
                raise PortalError(
                    path,
                    f"{{media}}{name}: there is no {', '.join(tried[:-1])} or {tried[-1]}; add "
                    "the file or fix the name",
                    line,
                )
            return f"/{found.url_path}"  # from the root, as the content policy wants images

        return PLACEHOLDER.sub(replace, text)

    def by_url(self) -> dict[str, MediaFile]:
        """Return every file by the address pages write it at (from the site's root)."""
        return {f"/{file.url_path}": file for file in self.files.values()}


IMG = re.compile(r"<img\b[^>]*>")
DOCUMENT_LINK = re.compile(r"(<a\b[^>]*\bhref=\"([^\"]+)\"[^>]*>)(.*?)</a>", re.DOTALL)
SRC = re.compile(r"\bsrc=\"([^\"]+)\"")


def file_size(size: int, lang: str) -> str:
    """Return a file size in the reader's language: "120 kB", "1,2 Mt"."""
    locale = format_locale(lang)
    if size < 1000 * 1000:
        return format_unit(
            max(1, round(size / 1000)), "digital-kilobyte", length="short", locale=locale
        )
    return format_unit(
        round(size / 1e6, 1), "digital-megabyte", length="short", locale=locale, format="#,##0.#"
    )


def show_media(
    page_html: str,
    library: MediaLibrary,
    lang: str,
    source_lang: str,
    siteurl: str,
    gettext: Callable[[str], str],
) -> str:
    """Return the page's HTML with its media shown fully: images with their sizes and
    resized versions, document links with their format and size in `lang`."""
    files = library.by_url()
    if not any(url in page_html for url in files):
        return page_html

    def image(match: re.Match) -> str:
        tag = match.group(0)
        src = SRC.search(tag)
        file = files.get(html.unescape(src.group(1))) if src else None
        if file is None or not file.is_image:
            return tag
        variants = file.variants()
        attributes = ""
        if variants:
            shown_variant = [v for v in variants if v[0] <= SRC_WIDTH][-1]
            width, height, path = shown_variant
            srcset = ", ".join(f"{siteurl}/{p} {w}w" for w, _, p in variants)
            tag = tag.replace(src.group(0), f'src="{siteurl}/{path}"')
            attributes = f' srcset="{srcset}" sizes="{SIZES}"'
        else:
            width, height = file.width, file.height
            tag = tag.replace(src.group(0), f'src="{siteurl}/{file.url_path}"')
        attributes += f' width="{width}" height="{height}"'
        tag = re.sub(r'\s(width|height)="[^"]*"', "", tag)
        return tag[:-1].rstrip().removesuffix("/").rstrip() + attributes + ">"

    def document(match: re.Match) -> str:
        start, href, text = match.groups()
        file = files.get(html.unescape(href))
        if file is None or file.is_image:
            return match.group(0)
        english = file.lang == source_lang and lang != source_lang
        message = DOCUMENT_FACTS_ENGLISH if english else DOCUMENT_FACTS
        facts = gettext(message) % {
            "format": DOCUMENT_TYPES[file.suffix],
            "size": file_size(file.size, lang),
        }
        start = start.replace(f'href="{href}"', f'href="{siteurl}/{file.url_path}"')
        if english:
            start = start[:-1] + ' hreflang="en">'
        return f'{start}{text}</a> <span class="document-facts">{html.escape(facts)}</span>'

    return DOCUMENT_LINK.sub(document, IMG.sub(image, page_html))


def resized(file: MediaFile, width: int, height: int) -> Callable[[], bytes]:
    """Return a function making one resized version of a raster image (metadata left out)."""

    def make() -> bytes:
        with Image.open(file.path) as image:
            image.load()
            smaller = image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        kind = RASTER_TYPES[file.suffix]
        options = {"optimize": True}
        if kind == "JPEG":
            options["quality"] = 85
            smaller = smaller.convert("RGB")
        smaller.save(buffer, kind, **options)
        return buffer.getvalue()

    return make


def media_outputs(library: MediaLibrary) -> list[tuple[str, Callable[[], bytes], tuple]]:
    """Return (path, make, inputs) of every file to serve: drawings and documents as they
    are, raster images in their resized versions only (the original may be large, and
    carries metadata such as where a photo was taken)."""
    outputs = []
    for file in sorted(library.files.values(), key=lambda f: f.url_path):
        stat = file.path.stat()
        stamp = (file.url_path, stat.st_size, stat.st_mtime_ns)
        variants = file.variants()
        if not variants:  # drawings and documents are served as they are
            outputs.append((file.url_path, file.path.read_bytes, stamp))
        for width, height, path in variants:
            outputs.append((path, resized(file, width, height), (*stamp, width)))
    return outputs
