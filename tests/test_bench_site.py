"""The benchmark's synthetic site is one the build accepts: what `make bench` measures builds.

A change to the content rules (a fact renamed, a check of translations' structure) once left
the generated pages refused by the build, and `make bench` failed at its first scenario.
"""

from __future__ import annotations

from conftest import PROJECT, run_build

from bench.synth import Scale, make_site


def test_the_synthetic_site_builds(tmp_path):
    make_site(tmp_path, PROJECT, Scale(languages=24, pages=3, supporters=5))
    built = run_build(tmp_path / "content", tmp_path / "output")
    assert built.returncode == 0, built.stderr[-3000:]
    for lang in ("en", "de", "fi"):
        page = tmp_path / "output" / lang / "bench" / "page-0002" / "index.html"
        assert f'<html lang="{lang}"' in page.read_text(encoding="utf-8")
    profile = tmp_path / "output" / "en" / "supporters" / "directory" / "bench-supporter-0004"
    assert (profile / "index.html").is_file()
