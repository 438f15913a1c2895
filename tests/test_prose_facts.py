"""Facts in prose stay aligned: lists and named facts checked across languages at build time."""

import re
import shutil

from conftest import PROJECT, run_build
from multilingual.prose_facts import page_lists


def test_lists_are_read_with_their_lines_and_kinds():
    text = (
        "Title: T\nSummary: S\n\nIntro:\n\n- one\n  still one\n- two\nrunning on\n\n"
        "Between.\n\n1. first\n2. second\n- a new list\n"
    )
    lists, _, body = page_lists(text)
    assert body == 3
    assert [(x.line, x.kind, len(x.items)) for x in lists] == [
        (6, "bulleted", 2),
        (13, "numbered", 2),
        (15, "bulleted", 1),
    ]
    assert lists[0].items[0].text == "one still one"
    assert lists[0].items[1].text == "two running on"


def test_shipped_content_states_every_named_fact(shipped_site):
    """The shipped build passes the check (the fixture builds it with --fatal warnings), and
    the facts are there to see in English and Finnish."""
    benefits = shipped_site.page("/en/supporters/benefits/").xpath("//main//ul/li")[0]
    assert "from the European Commission" in benefits.text_content()
    finnish = shipped_site.page("/fi/supporters/benefits/").xpath("//main//ul/li")[0]
    assert "Euroopan yhteisön" in finnish.text_content()


def plant(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_planted_drift_fails_the_build_at_file_and_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(PROJECT / "content", content)
    # the drift of issue 19: English loses "from the European Commission"
    plant(
        content / "en/supporters/benefits.md",
        "from the European Commission;",
        "at European level;",
    )
    # a current translation loses an item (its Source-Hash still names the English text)
    plant(content / "fi/supporters/commitments.md", "- Osallistumaan kaupunginjohtajien", "")
    # another drops the two-year rule, another the suspension clause
    plant(content / "de/supporters/commitments.md", "mindestens aber alle zwei Jahre", "oft")
    plant(content / "sv/supporters/commitments.md", "tillfälligt stänga av", "granska")
    # steps written as bullets instead of numbers
    how = content / "pl/supporters/how-to-apply.md"
    how.write_text(re.sub(r"(?m)^1\. ", "- ", how.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_build(content, tmp_path / "out")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    root = f"{content}/"

    def error_at(file_line, text):
        return any(e.startswith(f"error: {root}{file_line}") and text in e for e in errors)

    assert error_at(
        "en/supporters/benefits.md:7:",
        "list 1, item 1 does not state the commission endorsement (text matching "
        "'European Commission')",
    )
    assert error_at(
        "fi/supporters/commitments.md:9:",
        "list 1 has 5 items but the English page",
    )
    assert error_at("de/supporters/commitments.md:14:", "does not state the two year reporting")
    assert error_at("sv/supporters/commitments.md:", "does not state the suspension clause")
    assert error_at("pl/supporters/how-to-apply.md:", "list 1 is bulleted but the English page")
