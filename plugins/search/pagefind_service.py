"""A client of ``pagefind --service``: Pagefind's indexer, fed pages one by one over a pipe.

Pagefind's command line (``pagefind --site output``) walks the whole output folder, parses every
HTML file in it, and writes its bundle from many threads at once. The service takes pages as
requests instead: the build sends only the pages it marked for search, as it writes them, and
gets the bundle back in memory (`get_files`) to write itself.

Why our own client rather than the ``pagefind`` package on PyPI: that package reads one reply
per 100 ms (``asyncio.sleep(0.1)`` in its polling loop), so indexing the 1,460 pages of the
shipped site through it takes over two minutes; this client reads replies as they arrive, from
a thread. The protocol is the package's: each message is base64-encoded JSON followed by a
comma, in both directions; replies carry the request's ``message_id``.
"""

from __future__ import annotations

import base64
import json
import queue
import subprocess
import threading
from pathlib import Path

from portal_core.errors import PortalError

TIMEOUT_SECONDS = 600
#: Pages are handed to the writer thread in batches of about this many bytes (a pipe's buffer).
BATCH_BYTES = 1 << 16


def pagefind_executable() -> Path:
    """Return the Pagefind binary that the pinned ``pagefind_bin`` package ships."""
    try:
        import pagefind_bin

        return Path(pagefind_bin.get_executable())
    except (ImportError, FileNotFoundError):
        raise PortalError(
            "requirements.txt",
            "Pagefind is not installed; run `make deps` (package pagefind-bin)",
        ) from None


class PagefindService:
    """One ``pagefind --service`` process: requests go to its stdin, a thread reads its replies."""

    def __init__(self, executable: Path | None = None) -> None:
        self.process = subprocess.Popen(
            [str(executable or pagefind_executable()), "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._replies: dict[int, dict] = {}
        self._ended = False
        self._stderr: list[bytes] = []
        self._changed = threading.Condition()
        self._last_id = 0
        # Requests go out through a thread, so that the build never waits for Pagefind to
        # take a page while it is busy indexing the previous ones.
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        # Pages go to the writer thread in batches: handing each one over on its own woke the
        # thread 1,500 times in the shipped site's build, and the build waited for the GIL
        # each time. `reply` and `close` send what is batched first.
        self._batch: list[bytes] = []
        self._batched = 0
        self._writer = threading.Thread(target=self._write_requests, daemon=True)
        self._writer.start()
        threading.Thread(target=self._read_replies, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _write_requests(self) -> None:
        stdin = self.process.stdin
        try:
            while (data := self._outbox.get()) is not None:
                stdin.write(data)
                stdin.flush()
            stdin.close()
        except (BrokenPipeError, ValueError):  # the process ended: `reply` reports it
            pass

    def _read_replies(self) -> None:
        pieces: list[bytes] = []  # of a reply not complete yet (GetFiles: megabytes)
        stdout = self.process.stdout
        while chunk := stdout.read1(1 << 20):
            parts = chunk.split(b",")
            if len(parts) == 1:
                pieces.append(chunk)
                continue
            messages = [b"".join([*pieces, parts[0]]), *parts[1:-1]]
            pieces = [parts[-1]] if parts[-1] else []
            replies = [json.loads(base64.b64decode(message)) for message in messages]
            with self._changed:
                for reply in replies:
                    self._replies[reply.get("message_id")] = reply["payload"]
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self._stderr.append(line)

    def request(self, payload: dict) -> int:
        """Send one request; return its message id (see `reply`)."""
        self._last_id += 1
        message = {"message_id": self._last_id, "payload": payload}
        data = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self._send(base64.b64encode(data) + b",", flush=True)
        return self._last_id

    def _send(self, data: bytes, flush: bool = False) -> None:
        self._batch.append(data)
        self._batched += len(data)
        if flush or self._batched >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._outbox.put(b"".join(self._batch))
            self._batch, self._batched = [], 0

    def reply(self, message_id: int) -> dict:
        """Wait for the reply to a request and return it; a Pagefind error raises PortalError."""
        self._flush()
        with self._changed:
            arrived = self._changed.wait_for(
                lambda: message_id in self._replies or self._ended, timeout=TIMEOUT_SECONDS
            )
            payload = self._replies.pop(message_id, None)
        if payload is None:
            self._fail("stopped before replying" if arrived else "did not reply in time")
        if payload.get("type") == "Error":
            raise PortalError("search index", f"Pagefind: {payload.get('message')}")
        return payload

    def _fail(self, what: str) -> None:
        self.close()
        detail = b"".join(self._stderr).decode("utf-8", "replace").strip()
        raise PortalError("search index", f"Pagefind {what}" + (f":\n{detail}" if detail else ""))

    def new_index(self) -> int:
        """Start an index; return its id."""
        return self.reply(self.request({"type": "NewIndex", "config": None}))["index_id"]

    def add_file(self, index_id: int, file_path: str, html: str) -> int:
        """Send a page (its path below the site root, its HTML); return the request's id."""
        return self.add_encoded_file(index_id, encode_file(file_path, html))

    def add_encoded_file(self, index_id: int, encoded: bytes) -> int:
        """Send a page encoded by `encode_file` (perhaps in another process); return the id.

        A request is one base64-encoded JSON object. Its start (message id, index) is padded
        with JSON whitespace to a multiple of 3 bytes, so its base64 ends on a whole group and
        the page's base64 can follow as it is: base64(start) + base64(rest) = base64(start +
        rest).
        """
        self._last_id += 1
        start = (
            f'{{"message_id":{self._last_id},"payload":{{"type":"AddFile","index_id":{index_id},'
        )
        start += " " * (-len(start) % 3)
        self._send(base64.b64encode(start.encode()) + encoded + b",")
        return self._last_id

    def close(self) -> None:
        """End the process (closing its input ends it; it is killed if it lingers)."""
        self._flush()
        self._outbox.put(None)  # the writer closes the process's input once all is sent
        if self.process.poll() is None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def encode_file(file_path: str, html: str) -> bytes:
    """Return the page part of an AddFile request, base64-encoded (see `add_encoded_file`).

    The costly part of sending a page (JSON and base64 of its HTML), which the process that
    wrote the page can do.
    """
    rest = json.dumps(
        {"file_path": file_path, "url": None, "file_contents": html}, ensure_ascii=False
    )
    return base64.b64encode(rest[1:].encode("utf-8") + b"}")


def decode_files(reply: dict) -> dict[str, bytes]:
    """Return the files of a GetFiles reply, by path below the bundle folder."""
    return {item["path"]: base64.b64decode(item["content"]) for item in reply["files"]}
