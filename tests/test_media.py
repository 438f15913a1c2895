"""Images and documents from content/media/: checked, resized, shown with their facts."""

import re
import shutil

import lxml.html
import pytest
from conftest import FIXTURE_SITE, PROJECT, run_build
from PIL import Image


def pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"%" * (size - 9)


@pytest.fixture(scope="module")
def media_site(tmp_path_factory):
    """The fixture site with a photo, an English statement and a Finnish one."""
    content = tmp_path_factory.mktemp("media") / "content"
    shutil.copytree(FIXTURE_SITE, content)
    media = content / "media"
    (media / "en").mkdir(parents=True)
    (media / "fi").mkdir()
    Image.new("RGB", (2000, 1000), (0, 51, 153)).save(media / "photo.png")
    (media / "en" / "statement.pdf").write_bytes(pdf(12_300))
    (media / "fi" / "statement.pdf").write_bytes(pdf(1_340_000))
    for lang, alt, link in (
        ("en", "Blue square", "the statement"),
        ("fi", "Sininen neliö", "sitoumus"),
        ("de", "Blaues Quadrat", "die Erklärung"),
    ):
        page = content / lang / "supporters.md"
        page.write_text(
            page.read_text(encoding="utf-8")
            + f"\n![{alt}]({{media}}photo.png)\n\nRead [{link}]({{media}}statement.pdf).\n",
            encoding="utf-8",
        )
    output = content.parent / "out"
    result = run_build(content, output)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def page(output, url):
    return lxml.html.fromstring((output / url / "index.html").read_bytes())


def test_image_is_resized_and_shown_with_srcset_width_and_height(media_site):
    (image,) = page(media_site, "fi/supporters").xpath('//div[@class="page-body"]//img')
    assert image.get("alt") == "Sininen neliö"
    assert image.get("src") == "/media/photo-960w.png"
    assert (image.get("width"), image.get("height")) == ("960", "480")
    assert image.get("srcset") == (
        "/media/photo-480w.png 480w, /media/photo-960w.png 960w, /media/photo-1440w.png 1440w"
    )
    assert image.get("sizes")
    for width in (480, 960, 1440):
        with Image.open(media_site / "media" / f"photo-{width}w.png") as resized:
            assert resized.size == (width, width // 2)
    assert not (media_site / "media" / "photo.png").exists()  # the original stays in content/


def test_document_link_shows_format_and_size_in_the_readers_language(media_site):
    def facts(lang):
        body = page(media_site, f"{lang}/supporters").xpath('//div[@class="page-body"]')[0]
        (link,) = body.xpath('.//a[contains(@href, "statement.pdf")]')
        (note,) = body.xpath('.//span[@class="document-facts"]')
        return link.get("href"), link.get("hreflang"), note.text_content()

    assert facts("en") == ("/media/en/statement.pdf", None, "(PDF document, 12 kB)")
    # the Finnish version, its size in Finnish units and number format
    assert facts("fi") == ("/media/fi/statement.pdf", None, "(PDF-asiakirja, 1,3 Mt)")
    # no German version: the English one, said to be in English, in German
    assert facts("de") == (
        "/media/en/statement.pdf",
        "en",
        "(PDF-Dokument auf Englisch, 12 kB)",
    )
    assert (media_site / "media" / "fi" / "statement.pdf").stat().st_size == 1_340_000


def build_errors(tmp_path, prepare):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    (content / "media").mkdir()
    prepare(content)
    result = run_build(content, tmp_path / "out")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    return [line for line in output.splitlines() if line.startswith("error: ")]


def test_image_without_alternative_text_and_missing_file_are_refused_at_their_lines(tmp_path):
    def prepare(content):
        Image.new("RGB", (10, 10)).save(content / "media" / "photo.png")
        for lang, added in (("en", "![]({media}photo.png)"), ("fi", "![x]({media}no.png)")):
            page = content / lang / "index.md"
            page.write_text(page.read_text(encoding="utf-8") + f"\n{added}\n")

    errors = build_errors(tmp_path, prepare)
    english = len((FIXTURE_SITE / "en" / "index.md").read_text().split("\n")) + 1
    finnish = len((FIXTURE_SITE / "fi" / "index.md").read_text().split("\n")) + 1
    assert any(
        re.search(rf"en/index\.md:{english}: image photo\.png has no alternative text", e)
        for e in errors
    ), errors
    assert any(
        re.search(
            rf"fi/index\.md:{finnish}: \{{media\}}no\.png: there is no content/media/fi/no\.png, "
            r"content/media/no\.png or content/media/en/no\.png; add the file",
            e,
        )
        for e in errors
    ), errors


def test_oversized_forbidden_and_unsafe_files_are_refused_with_what_to_do(tmp_path):
    def prepare(content):
        (content / "media" / "big.pdf").write_bytes(pdf(10_500_000))
        (content / "media" / "tool.exe").write_bytes(b"MZ")
        (content / "media" / "fake.pdf").write_bytes(b"<html>")
        (content / "media" / "bad.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">'
            "<script>alert(1)</script></svg>"
        )
        (content / "media" / "Photo 1.png").write_bytes(b"")

    errors = "\n".join(build_errors(tmp_path, prepare))
    assert "content/media/big.pdf: 10.5 MB is more than the 10 MB allowed for documents" in errors
    assert "content/media/tool.exe: files of type .exe are not served" in errors
    assert "content/media/fake.pdf: not a PDF document" in errors
    assert "content/media/bad.svg: the drawing contains <script>" in errors
    assert "content/media/Photo 1.png: the name becomes the file's address" in errors
    assert "rename it, e.g. to photo-1.png" in errors


def test_published_site_gives_media_addresses_under_its_siteurl(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    (content / "media" / "en").mkdir(parents=True)
    Image.new("RGB", (600, 300)).save(content / "media" / "photo.png")
    (content / "media" / "en" / "statement.pdf").write_bytes(pdf(2_000))
    for lang in ("en", "fi"):
        page = content / lang / "index.md"
        page.write_text(
            page.read_text(encoding="utf-8")
            + f"\n![Image {lang}]({{media}}photo.png) [s]({{media}}statement.pdf)\n"
        )
    result = run_build(
        content,
        tmp_path / "out",
        settings=PROJECT / "publishconf.py",
        env={"SITEURL": "https://portal.example.eu/sub"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    body = lxml.html.fromstring((tmp_path / "out" / "fi" / "index.html").read_bytes())
    (image,) = body.xpath('//div[@class="page-body"]//img')
    assert image.get("src") == "https://portal.example.eu/sub/media/photo-600w.png"
    assert image.get("srcset") == (
        "https://portal.example.eu/sub/media/photo-480w.png 480w, "
        "https://portal.example.eu/sub/media/photo-600w.png 600w"
    )
    (link,) = body.xpath('//div[@class="page-body"]//a[contains(@href, "statement")]')
    assert link.get("href") == "https://portal.example.eu/sub/media/en/statement.pdf"
    assert link.get("hreflang") == "en"


def test_a_published_site_builds_again_from_its_markdown_cache(tmp_path):
    """Pages converted by worker processes are kept as Markdown made them: the next build
    checks what the editor wrote, not the addresses the build put SITEURL in front of."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    (content / "media").mkdir()
    Image.new("RGB", (600, 300)).save(content / "media" / "photo.png")
    page = content / "fi" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n![Kuva]({media}photo.png)\n")
    engine = '{"workers": 2, "parallel_from": 1}'
    outputs = []
    for build in ("first", "second"):
        output = tmp_path / build
        result = run_build(
            content,
            output,
            "-e",
            f'CACHE_PATH="{tmp_path / "cache"}"',
            f"BUILD_ENGINE={engine}",
            settings=PROJECT / "publishconf.py",
            env={"SITEURL": "https://portal.example.eu"},
        )
        assert result.returncode == 0, build + result.stdout + result.stderr
        outputs.append((output / "fi" / "index.html").read_bytes())
    assert outputs[0] == outputs[1]
    assert b'src="https://portal.example.eu/media/photo-600w.png"' in outputs[1]
