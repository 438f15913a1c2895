"""Pagefind's index of the shipped site: one per language, the same pages as the sitemap."""

import gzip
import json
import re
import subprocess
from pathlib import Path

import lxml.etree

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_counts(site) -> dict[str, int]:
    """Return the number of pages each language's sitemap lists."""
    counts = {}
    for file in sorted(site.root.glob("sitemap-*.xml")):
        lang = file.stem.removeprefix("sitemap-")
        counts[lang] = len(lxml.etree.parse(str(file)).xpath("//s:url", namespaces=NS))
    return counts


def test_one_index_per_language_with_exactly_the_listed_pages(shipped_site):
    entry = json.loads((shipped_site.root / "pagefind" / "pagefind-entry.json").read_text())
    indexed = {lang: info["page_count"] for lang, info in entry["languages"].items()}
    expected = sitemap_counts(shipped_site)
    expected["en"] -= 1  # the language chooser at / is in the sitemap, not in the search
    assert indexed == expected


def test_only_real_indexable_pages_are_marked_for_search(shipped_site):
    for file in shipped_site.html_files():
        if file.relative_to(shipped_site.root).parts[0] == "pagefind":
            continue
        page = shipped_site.page(shipped_site.url_of(file))
        marked = bool(page.xpath("//*[@data-pagefind-body]"))
        fallback = bool(page.xpath('//*[contains(@class, "notice-fallback")]'))
        noindex = "noindex" in " ".join(page.xpath('//meta[@name="robots"]/@content'))
        canonical = page.xpath('//link[@rel="canonical"]/@href')
        own = canonical == [shipped_site.url_of(file)]
        if marked:
            assert not fallback and not noindex and own, shipped_site.url_of(file)


def test_builds_with_search_and_sitemaps_are_byte_identical(fixture_site, tmp_path):
    from conftest import FIXTURE_SITE, build_or_fail

    again = build_or_fail(FIXTURE_SITE, tmp_path / "again")
    first = {
        p.relative_to(fixture_site.root): p for p in fixture_site.root.rglob("*") if p.is_file()
    }
    second = {p.relative_to(again): p for p in again.rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    differing = [
        str(name) for name in first if first[name].read_bytes() != second[name].read_bytes()
    ]
    assert not differing, differing


def bundle_files(folder: Path) -> dict[str, bytes]:
    """Return every file of a Pagefind bundle by its path below the bundle folder."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def page_hashes(meta: bytes, fragments: dict[str, bytes]) -> list[str]:
    """Return the pages a language's (gzipped) pf_meta file lists, by fragment name, sorted."""
    data = gzip.decompress(meta)
    token = re.compile(r"fragment/(.+)\.pf_fragment")
    return sorted(name for name in fragments if token.fullmatch(name)[1].encode() in data)


def test_bundle_holds_what_pagefinds_command_line_writes(shipped_site, tmp_path):
    """The build feeds pages to Pagefind's service as it writes them; Pagefind's own command
    line over the finished site must find the same pages with the same content. Only the order
    of pages inside each language's index differs: the command line takes them in the order
    the file system lists them, the service by path."""
    from search.pagefind_service import pagefind_executable

    command = [str(pagefind_executable()), "--site", str(shipped_site.root)]
    subprocess.run([*command, "--output-path", str(tmp_path / "cli"), "--silent"], check=True)
    cli = bundle_files(tmp_path / "cli")
    ours = bundle_files(shipped_site.root / "pagefind")

    def by_kind(files):
        fragments = {n: d for n, d in files.items() if n.startswith("fragment/")}
        metas = {
            n.split("_")[0]: page_hashes(d, fragments)
            for n, d in files.items()
            if n.endswith("pf_meta")
        }
        others = {
            n: d
            for n, d in files.items()
            if not n.startswith(("fragment/", "index/")) and not n.endswith(("pf_meta", ".json"))
        }
        return fragments, metas, others

    (cli_fragments, cli_metas, cli_others), (fragments, metas, others) = by_kind(cli), by_kind(ours)
    assert len(fragments) > 1000
    assert sum(len(pages) for pages in metas.values()) == len(fragments)
    assert fragments == cli_fragments  # every page's indexed text, byte for byte
    assert metas == cli_metas  # each language lists the same pages
    assert others == cli_others  # scripts, styles, stemmers
    assert len([n for n in ours if n.startswith("index/")]) == len(
        [n for n in cli if n.startswith("index/")]
    )
    entry, cli_entry = (json.loads(f["pagefind-entry.json"]) for f in (ours, cli))
    assert entry["version"] == cli_entry["version"]
    for info in (*entry["languages"].values(), *cli_entry["languages"].values()):
        del info["hash"]  # a digest of the index, which orders pages differently
    assert entry == cli_entry


def service_bundle(pages: list[tuple[str, str]]) -> dict[str, bytes]:
    """Return the bundle Pagefind's service makes of `pages` (path, HTML), sent in that order."""
    from search.pagefind_service import PagefindService, decode_files

    service = PagefindService()
    try:
        index = service.new_index()
        for reply in [service.add_file(index, path, html) for path, html in pages]:
            assert service.reply(reply)["type"] == "IndexedFile"
        return decode_files(service.reply(service.request({"type": "GetFiles", "index_id": index})))
    finally:
        service.close()


def test_pagefind_numbers_pages_in_the_order_they_arrive(shipped_site):
    """Why the build sends pages in the order it writes them: the same pages in the same order
    make the same bytes (reproducible builds); another order makes another index."""
    pages = [
        (file.relative_to(shipped_site.root).as_posix(), file.read_text(encoding="utf-8"))
        for file in sorted((shipped_site.root / "fi").rglob("*.html"))
        if "data-pagefind-body" in file.read_text(encoding="utf-8")
    ]
    assert len(pages) > 50
    first, again, reversed_ = (service_bundle(order) for order in (pages, pages, pages[::-1]))
    assert first == again
    assert {n for n in first if n.startswith("fragment/")} == {
        n for n in reversed_ if n.startswith("fragment/")
    }
    assert {n for n in first if n.startswith("index/")} != {
        n for n in reversed_ if n.startswith("index/")
    }


def test_dev_server_reindexes_only_the_language_that_changed(tmp_path):
    from conftest import FIXTURE_SITE, build_or_fail
    from test_build_engine import PLAIN, assert_same_tree, copy_site, run_rebuilds

    content = copy_site(FIXTURE_SITE, tmp_path / "content")
    benefits = content / "en" / "supporters" / "benefits.md"  # English only: no translation
    edited = benefits.read_text(encoding="utf-8") + "\nA searchable zanzibarite sentence.\n"
    steps = [
        {"snapshot": str(tmp_path / "s0")},
        {"write": {str(benefits): edited}, "snapshot": str(tmp_path / "s1")},
    ]
    run_rebuilds(tmp_path, content, steps)
    fresh = build_or_fail(content, tmp_path / "fresh", "-e", PLAIN)
    assert_same_tree(fresh, tmp_path / "s1")  # the rebuilt index is the one a cold build writes

    def stamps(snapshot):
        folder = snapshot / "pagefind"
        return {
            p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.pf_*")
        }

    before, after = stamps(tmp_path / "s0"), stamps(tmp_path / "s1")
    for lang in ("de", "fi"):
        files = {name for name in before if lang + "_" in name}
        assert files and all(after.get(name) == before[name] for name in files), lang
    english = {name for name in after if "en_" in name}
    assert english - set(before), "the English index was not written again"
    fragments = [
        gzip.decompress(p.read_bytes())
        for p in (tmp_path / "s1" / "pagefind" / "fragment").glob("en_*.pf_fragment")
    ]
    assert any(b"zanzibarite" in fragment for fragment in fragments)


def test_translation_notices_stay_out_of_the_search_index(shipped_site):
    """A machine-translated page's notice is about the page, not its subject: not indexed, and
    the page still goes to Pagefind as its <main> alone."""
    import lxml.html
    from search.search import search_document

    page = shipped_site.root / "de" / "supporters" / "commitments" / "index.html"
    html = page.read_bytes()
    notice = lxml.html.fromstring(html).xpath('//*[contains(@class, "notice-machine")]')[0]
    sentence = notice.text_content().split(".")[0].strip()
    assert len(sentence) > 20
    assert len(search_document(html)) < len(html) / 2
    fragments = [
        json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd") :])
        for p in (shipped_site.root / "pagefind" / "fragment").glob("de_*.pf_fragment")
    ]
    (commitments,) = [f for f in fragments if f["url"] == "/de/supporters/commitments/"]
    assert "Covenant" in commitments["content"] or len(commitments["content"]) > 500
    assert sentence not in commitments["content"]
    assert not any(sentence in fragment["content"] for fragment in fragments)


def test_a_page_encoded_elsewhere_makes_the_same_request_as_one_encoded_whole():
    """The worker that writes a page encodes it (encode_file); the build only puts the request's
    start before it. Whatever the lengths of the message and index ids, the bytes Pagefind gets
    decode to the request that add_file would have sent as one JSON object."""
    import base64
    import queue

    from search.pagefind_service import PagefindService, encode_file

    service = PagefindService.__new__(PagefindService)  # no process: the requests are read here
    service._outbox, service._batch, service._batched, service._last_id = (
        queue.SimpleQueue(),
        [],
        0,
        0,
    )
    html = '<html lang="mt"><main data-pagefind-body>Ħ “quoted” \\ \u2028 é</main></html>'
    for index_id in (0, 7, 12345, 10**9):
        for _ in range(4):  # message ids of 1 to 2 digits: every padding case
            message_id = service.add_encoded_file(index_id, encode_file("mt/a/index.html", html))
            service._flush()
            sent = service._outbox.get()
            assert sent.endswith(b",") and sent.count(b",") == 1
            assert json.loads(base64.b64decode(sent[:-1], validate=True)) == {
                "message_id": message_id,
                "payload": {
                    "type": "AddFile",
                    "index_id": index_id,
                    "file_path": "mt/a/index.html",
                    "url": None,
                    "file_contents": html,
                },
            }


def test_a_shared_index_splits_into_what_each_language_alone_would_write():
    """One index per Pagefind service holds several languages; split_by_language must give each
    language exactly the files and entry that an index of that language alone gets."""
    from search.pagefind_service import PagefindService, decode_files
    from search.search import ENTRY, split_by_language

    pages = {
        "en": ["Energy networks support their members.", "Climate plans and reporting."],
        "de": ["Energienetzwerke unterstützen ihre Mitglieder.", "Klimapläne und Berichte."],
        "ga": ["Tacaíonn líonraí fuinnimh lena mbaill."],  # no word-stemming file in Pagefind
    }

    def page(lang, text):
        return f'<html lang="{lang}"><body><main data-pagefind-body><h1>{text}</h1></main></html>'

    service = PagefindService()
    try:
        shared = service.new_index()
        alone = {lang: service.new_index() for lang in pages}
        for lang, texts in pages.items():
            for number, text in enumerate(texts):
                path = f"{lang}/page-{number}/index.html"
                service.reply(service.add_file(shared, path, page(lang, text)))
                service.reply(service.add_file(alone[lang], path, page(lang, text)))

        def files_of(index):
            return decode_files(
                service.reply(service.request({"type": "GetFiles", "index_id": index}))
            )

        split = split_by_language(files_of(shared), list(pages))
        for lang, index in alone.items():
            files = files_of(index)
            entry, own = split[lang]
            assert entry == json.loads(files.pop(ENTRY))
            assert own == files, lang
        assert any(name.startswith("wasm.en.") for name in split["en"][1])
        assert not any(name.startswith("wasm.en.") for name in split["de"][1])
    finally:
        service.close()
