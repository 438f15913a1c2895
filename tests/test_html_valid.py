"""Every page of the shipped and fixture sites passes the Nu Html Checker with zero errors."""

import json
import subprocess

import pytest
from conftest import PROJECT, needs_tool

VNU = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_errors(root) -> list[str]:
    """Run the Nu Html Checker over every HTML file under `root`; return its errors."""
    java = needs_tool("java")
    if not VNU.exists():
        needs_tool("vnu.jar", str(VNU))
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html", str(root)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        f"{m.get('url', '?')}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]


@pytest.mark.parametrize("site_name", ["shipped_site", "fixture_site"])
def test_every_page_is_valid_html(site_name, request):
    site = request.getfixturevalue(site_name)
    errors = vnu_errors(site.root)
    assert not errors, "\n".join(errors[:50])
