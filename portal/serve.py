"""Serve a built site on this machine as the production servers do: 404 pages, types, headers.

``python -m portal.serve output`` (`make serve`) serves output/ as it is. The dev server
(portal.devserver) serves with the same handler and adds what editors need: every page reloads
itself after each build (`LiveSite`, a script that listens to Server-Sent Events), and while the
last build failed, every page address answers with the problems (status 500). Both are added as
the pages are served, never written into the built site.

What it does, after the serving policy (plugins/serving/policy.py) that the nginx, Apache and
static-host files follow:

- ``/x/`` serves ``x/index.html``; ``/x`` for a folder redirects to ``/x/``;
- a missing address answers 404 with the 404 page of its language folder (``/fi/...`` ->
  ``/fi/404.html``), else the multilingual ``/404.html``;
- every response carries the site's security headers and its Cache-Control; files are labelled
  with the policy's media types (and ``.ics`` as text/calendar), text in UTF-8.

It does not negotiate the language at ``/`` (the chooser's script does, as on static hosts).
"""

from __future__ import annotations

import argparse
import errno
import html
import mimetypes
import posixpath
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from serving.policy import (
    IMMUTABLE_CACHE,
    IMMUTABLE_PREFIXES,
    MEDIA_TYPES,
    REVALIDATE_CACHE,
    security_headers,
)

#: Addresses the dev server answers itself: its live-reload channel and the files of its pages.
RESERVED = "/_devserver/"
#: The address the editor's local backend answers at (local_backend.url in cms/config.yml).
EDITOR_API = "/api/v1"
EVENTS = RESERVED + "events"
FILES = Path(__file__).resolve().parent / "devserver_files"
RESERVED_FILES = {
    RESERVED + "reload.js": (FILES / "reload.js", "application/javascript"),
    RESERVED + "devserver.css": (FILES / "devserver.css", "text/css"),
}
#: How often an open live-reload channel is sent a comment, so that a closed one is noticed.
KEEP_ALIVE_SECONDS = 15

MEDIA = {f".{ext}": media for media, extensions in MEDIA_TYPES for ext in extensions}
MEDIA[".ics"] = "text/calendar"
TEXT_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/calendar",
        "application/javascript",
        "application/json",
        "application/xml",
    }
)


def media_type(path: Path) -> str:
    """Return the Content-Type of a file, with the charset for text."""
    media = MEDIA.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    media = media or "application/octet-stream"
    return f"{media}; charset=utf-8" if media in TEXT_TYPES else media


def cache_control(url_path: str) -> str:
    """Return the Cache-Control of an address (fingerprinted files for a year, else revalidate)."""
    return IMMUTABLE_CACHE if url_path.startswith(IMMUTABLE_PREFIXES) else REVALIDATE_CACHE


@dataclass(frozen=True)
class BuildState:
    """What the dev server's last build came to, as every request sees it."""

    token: str  # changes with every finished build: an open page reloads when it does
    ok: bool | None  # None while the first build is under way
    problems: tuple[str, ...] = ()  # the failed build's problem lines, as printed
    failures: int = 0  # how many of them failed the build


class LiveSite:
    """The state of the dev server's last build, and the open pages waiting for the next one."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._started = f"{time.time_ns():x}"  # a restarted server reloads the open pages too
        self._builds = 0
        self.state = BuildState(token=f"{self._started}-0", ok=None)

    def finished(self, ok: bool, problems: tuple[str, ...], failures: int) -> None:
        """Record a finished build and wake every open page's channel."""
        with self._changed:
            self._builds += 1
            token = f"{self._started}-{self._builds}"
            if ok:
                problems, failures = (), 0
            self.state = BuildState(token, ok, problems, failures)
            self._changed.notify_all()

    def next_state(self, token: str | None, timeout: float) -> BuildState:
        """Return the state once its token differs from `token`, or as it is after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self.state.token != token, timeout)
            return self.state


def reload_script(state: BuildState) -> str:
    """Return the element that makes a page reload itself after the next build."""
    token = html.escape(state.token)
    return f'<script src="{RESERVED}reload.js" data-build="{token}" defer></script>'


def with_reload_script(page: bytes, state: BuildState) -> bytes:
    """Return an HTML page with the live-reload script added to its head."""
    script = reload_script(state).encode()
    at = page.find(b"</head>")
    if at < 0:
        return page + script
    return page[:at] + script + page[at:]


def status_page(state: BuildState, url_path: str) -> tuple[int, bytes]:
    """Return the dev server's page for a failed build (500) or the first one under way (503)."""
    if state.ok is None:
        status, title = 503, "Building the site"
        body = "<p>The first build is under way; this page shows itself when it is done.</p>"
    else:
        status, title = 500, "The build failed"
        count = state.failures or len(state.problems)
        items = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in state.problems)
        body = (
            f"<p>{count} {'problem' if count == 1 else 'problems'}: the lines <code>make "
            "html</code> prints, also shown in the terminal. Fix "
            f"{'it' if count == 1 else 'them'} and save the file: this page reloads by "
            "itself.</p>\n"
            f'<ol class="problems">\n{items}\n</ol>\n'
            f"<p>Address asked for: <code>{html.escape(url_path)}</code></p>"
        )
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title} (dev server)</title>\n"
        f'<link rel="stylesheet" href="{RESERVED}devserver.css">\n'
        f"{reload_script(state)}\n"
        f'</head>\n<body>\n<main class="devserver-{status}">\n<h1>{title}</h1>\n{body}\n'
        "</main>\n</body>\n</html>\n"
    )
    return status, page.encode()


class SiteHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the built site (and the dev server's reserved addresses)."""

    server: SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "portal-serve"

    def version_string(self) -> str:
        """Name the server without Python's version."""
        return self.server_version

    def do_GET(self) -> None:
        """Answer a GET request."""
        self.answer(send_body=True)

    def do_HEAD(self) -> None:
        """Answer a HEAD request."""
        self.answer(send_body=False)

    def do_POST(self) -> None:
        """Pass the editor's requests to its local-backend proxy (make cms), else refuse."""
        url_path = urlsplit(self.path).path
        proxy = self.server.editor_proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if proxy is None or not url_path.startswith(EDITOR_API):
            self.send_body(405, url_path, "text/plain; charset=utf-8", b"405 Not Allowed\n", True)
            return
        request = urllib.request.Request(
            proxy + url_path,
            data=body,
            headers={"Content-Type": self.headers.get("Content-Type", "application/json")},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, media, answer = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, media, answer = error.code, error.headers, error.read()
        except OSError as error:
            message = f"the editor's local backend ({proxy}) does not answer: {error}\n"
            self.send_body(502, url_path, "text/plain; charset=utf-8", message.encode(), True)
            return
        kind = media.get("Content-Type", "application/json")
        self.send_body(status, url_path, kind, answer, True, "no-store")

    def log_message(self, format: str, *args) -> None:
        """Log requests only when asked to (--log)."""
        if self.server.log_requests:
            super().log_message(format, *args)

    def answer(self, send_body: bool) -> None:
        """Find what the address asks for and send it."""
        parts = urlsplit(self.path)
        url_path = unquote(parts.path)
        live = self.server.live
        if live is not None and url_path.startswith(RESERVED):
            self.answer_reserved(url_path, send_body)
            return
        file, folder = self.server.locate(url_path)
        if folder:
            query = f"?{parts.query}" if parts.query else ""
            self.send_headers(
                301,
                url_path,
                "text/plain; charset=utf-8",
                0,
                [("Location", f"{parts.path}/{query}")],
            )
            return
        state = live.state if live is not None else None
        is_page = file is None or file.suffix == ".html"
        if state is not None and not state.ok and is_page:
            status, body = status_page(state, url_path)
            self.send_body(
                status, url_path, "text/html; charset=utf-8", body, send_body, "no-store"
            )
            return
        status = 200
        if file is None:
            status, file = 404, self.server.not_found_page(url_path)
            if file is None:
                body = b"404 Not Found\n"
                self.send_body(404, url_path, "text/plain; charset=utf-8", body, send_body)
                return
        try:
            body = file.read_bytes()
        except OSError:  # removed by a build since it was found
            self.send_body(
                404, url_path, "text/plain; charset=utf-8", b"404 Not Found\n", send_body
            )
            return
        if state is not None and file.suffix == ".html":
            body = with_reload_script(body, state)
        self.send_body(status, url_path, media_type(file), body, send_body)

    def answer_reserved(self, url_path: str, send_body: bool) -> None:
        """Answer the dev server's own addresses: the live-reload channel and its files."""
        if url_path == EVENTS:
            self.stream_builds()
            return
        if url_path in RESERVED_FILES:
            path, media = RESERVED_FILES[url_path]
            body = path.read_bytes()
            self.send_body(200, url_path, f"{media}; charset=utf-8", body, send_body, "no-cache")
            return
        self.send_body(404, url_path, "text/plain; charset=utf-8", b"404 Not Found\n", send_body)

    def send_headers(
        self,
        status: int,
        url_path: str,
        media: str,
        length: int | None,
        extra: list[tuple[str, str]] = (),
        cache: str | None = None,
    ) -> None:
        """Send the status line and the headers every response carries."""
        self.send_response(status)
        self.send_header("Content-Type", media)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", cache or cache_control(url_path))
        for name, value in security_headers(url_path):
            self.send_header(name, value)
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()

    def send_body(
        self,
        status: int,
        url_path: str,
        media: str,
        body: bytes,
        send_body: bool,
        cache: str | None = None,
    ) -> None:
        """Send a whole response."""
        self.send_headers(status, url_path, media, len(body), cache=cache)
        if send_body:
            self.wfile.write(body)

    def stream_builds(self) -> None:
        """Send the token of every finished build as a Server-Sent Event, until the page closes."""
        live = self.server.live
        self.close_connection = True  # the stream ends with the connection
        self.send_headers(200, EVENTS, "text/event-stream; charset=utf-8", None, cache="no-store")
        token = None
        try:
            self.wfile.write(b"retry: 500\n\n")
            while not self.server.stopping.is_set():
                state = live.next_state(token, KEEP_ALIVE_SECONDS)
                if state.token != token:
                    token = state.token
                    self.wfile.write(f"event: build\ndata: {token}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except OSError:  # the page was closed or reloaded
            return


class SiteServer(ThreadingHTTPServer):
    """Serves a built site's folder; with a LiveSite, the dev server's additions too."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        root: Path,
        live: LiveSite | None = None,
        log_requests: bool = False,
    ) -> None:
        self.root = Path(root).resolve()
        self.live = live
        #: The editor's local-backend proxy (decap-server), e.g. http://127.0.0.1:8081, or None.
        self.editor_proxy: str | None = None
        self.log_requests = log_requests
        self.stopping = threading.Event()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SiteHandler)

    def locate(self, url_path: str) -> tuple[Path | None, bool]:
        """Return the file an address serves (None if there is none), and whether the address is
        a folder without its trailing slash (to be redirected)."""
        if "\0" in url_path or not url_path.startswith("/"):
            return None, False
        relative = posixpath.normpath(url_path).lstrip("/")
        path = self.root / relative if relative not in ("", ".") else self.root
        if path.is_dir():
            if not url_path.endswith("/"):
                return None, True
            path = path / "index.html"
        elif url_path.endswith("/"):
            return None, False
        return (path, False) if path.is_file() else (None, False)

    def not_found_page(self, url_path: str) -> Path | None:
        """Return the 404 page for an address: its language folder's, else the multilingual one."""
        first, slash, _rest = posixpath.normpath(url_path).lstrip("/").partition("/")
        candidates = [self.root / first / "404.html"] if first and slash else []
        candidates.append(self.root / "404.html")
        return next((page for page in candidates if page.is_file()), None)

    def shutdown(self) -> None:
        """Stop serving; open live-reload channels end within a moment."""
        self.stopping.set()
        super().shutdown()


class PortInUse(Exception):
    """The address cannot be listened on; the message says what to do."""


def open_server(
    host: str, port: int, root: Path, command: str, live: LiveSite | None = None
) -> SiteServer:
    """Listen on host:port; raise PortInUse with one line that says what to do."""
    try:
        return SiteServer((host, port), root, live)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            message = (
                f"port {port} is in use: stop the other server or run make {command} "
                f"PORT={port + 1}"
            )
        else:
            message = f"cannot listen on {host}:{port}: {error.strerror or error}"
        raise PortInUse(message) from None


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m portal.serve", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("output", nargs="?", default="output", help="the built site's folder")
    parser.add_argument("--bind", default="127.0.0.1", help="the address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="the port to listen on")
    parser.add_argument("--log", action="store_true", help="print every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve a built folder until Ctrl-C (`make serve`); return the exit status."""
    args = parse_arguments(argv)
    root = Path(args.output)
    if not (root / "index.html").is_file():
        print(f"{root}/ holds no built site: run make html first", file=sys.stderr)
        return 1
    try:
        server = open_server(args.bind, args.port, root, "serve")
    except PortInUse as error:
        print(error, file=sys.stderr)
        return 1
    server.log_requests = args.log
    print(f"Serving {root}/ on http://{args.bind}:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
