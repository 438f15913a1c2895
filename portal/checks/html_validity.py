"""Every page is valid HTML and every stylesheet valid CSS, by the Nu Html Checker (vnu.jar)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .report import Problem
from .site import BuiltSite

NAME = "html"
PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_VNU = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_jar() -> Path:
    """Return where vnu.jar is: $VNU_JAR, or node_modules/ of the project."""
    return Path(os.environ.get("VNU_JAR", DEFAULT_VNU))


def run_vnu(arguments: list[str]) -> list[dict]:
    """Run the Nu Html Checker with `arguments`; return its messages (JSON records)."""
    java = shutil.which("java")
    jar = vnu_jar()
    if java is None:
        raise FileNotFoundError("java is not installed (`make system-deps` installs it)")
    if not jar.is_file():
        raise FileNotFoundError(f"{jar} is missing (`make node-deps` installs it)")
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json", *arguments],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = result.stderr.strip() or result.stdout.strip()
    try:
        return json.loads(output)["messages"]
    except (json.JSONDecodeError, KeyError):
        raise RuntimeError(f"the Nu Html Checker failed: {output[-500:]}") from None


def vnu_messages(site: BuiltSite) -> list[dict]:
    """Validate the site's pages, then its stylesheets.

    Two runs, because with --also-check-css vnu 26.9 reports HTML errors one line too early.
    """
    messages = run_vnu(["--skip-non-html", str(site.root)])
    sheets = [str(site.root / name) for name in site.with_suffix(".css")]
    if sheets:
        messages += run_vnu(["--css", *sheets])
    return messages


def relative_name(url: str, root: Path) -> str:
    """Return the site-relative name of a file:/ URL reported by vnu."""
    path = Path(unquote(urlsplit(url).path)).resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def check(site: BuiltSite) -> tuple[list[Problem], str]:
    """Validate every HTML page and stylesheet of the site."""
    try:
        messages = vnu_messages(site)
    except (FileNotFoundError, RuntimeError, subprocess.TimeoutExpired) as error:
        return [Problem("", None, f"cannot validate HTML: {error}", NAME)], "not run"
    problems = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = relative_name(message.get("url", ""), site.root)
        line = message.get("lastLine") or (1 if "lastColumn" in message else None)
        kind = "invalid CSS" if name.endswith(".css") else "invalid HTML"
        text = message.get("message", "").removeprefix("CSS: ")
        fix = (
            "fix the stylesheet"
            if name.endswith(".css")
            else "fix the template or the Markdown that produces it"
        )
        problems.append(Problem(name, line, f"{kind}: {text} ({fix})", NAME))
    pages = len(site.html_files)
    sheets = len(site.with_suffix(".css"))
    return problems, f"{pages} pages and {sheets} stylesheets validated"
