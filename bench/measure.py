"""Run a build as a child process and measure its wall time, CPU time and peak memory."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.05
#: PSS (smaps_rollup: the kernel walks every mapping) costs milliseconds per process, taken from
#: the build on a 2-core machine: it is read when the RSS sum reaches a new high, and at least
#: every PSS_SECONDS.
PSS_SECONDS = 0.25
#: The dev server's line after each build (portal/devserver.py).
DONE = re.compile(r"devserver: Built(?: after changes to .*?)? in ([0-9.]+) s;")
FAILED = re.compile(r"devserver: The build.* failed")


@dataclass
class Measured:
    """What one build cost."""

    seconds: float  # wall clock, from start to exit
    cpu_seconds: float  # user + system time of the build and every process it started
    system_seconds: float  # the system (kernel) part of cpu_seconds: file creation, forks
    peak_bytes: int  # highest sum of the resident memory of the build's process tree
    peak_pss: int  # highest sum of its proportional set sizes (shared pages counted once)
    returncode: int
    output: str

    def check(self, what: str) -> Measured:
        """Return self, or raise with the build's output when it failed."""
        if self.returncode != 0:
            raise RuntimeError(f"{what} failed ({self.returncode}):\n{self.output[-4000:]}")
        return self


def tree_pids(pid: int) -> list[int]:
    """Return `pid` and all its descendants (read from /proc)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return pids


def tree_rss(pid: int, pids: list[int] | None = None) -> int:
    """Return the summed resident memory of `pid` and its descendants, in bytes.

    Pages shared between a parent and its forked workers are counted once per process, so
    this is an upper bound of the memory the build holds.
    """
    total = 0
    for member in pids if pids is not None else tree_pids(pid):
        try:
            with open(f"/proc/{member}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
    return total


def tree_pss(pid: int, pids: list[int] | None = None) -> int:
    """Return the summed proportional set size of `pid` and its descendants, in bytes.

    A page shared by a parent and its forked workers counts once in all, split between them:
    this is the memory the build really holds.
    """
    total = 0
    for member in pids if pids is not None else tree_pids(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            continue
    return total


class PeakSampler(threading.Thread):
    """Samples a process tree's resident memory until stopped; keeps the peaks."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_pss = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        """Sample every SAMPLE_SECONDS until stop() is called (PSS: see PSS_SECONDS)."""
        last_pss = 0.0
        while not self.stopped.is_set():
            pids = tree_pids(self.pid)
            rss = tree_rss(self.pid, pids)
            now = time.monotonic()
            if rss > self.peak or now - last_pss >= PSS_SECONDS:
                self.peak_pss = max(self.peak_pss, tree_pss(self.pid, pids))
                last_pss = now
            self.peak = max(self.peak, rss)
            self.stopped.wait(SAMPLE_SECONDS)

    def stop(self) -> int:
        """Stop sampling and return the peak in bytes."""
        self.stopped.set()
        self.join()
        return self.peak


def run_measured(
    command: list[str], cwd: Path, env: dict[str, str], sample_memory: bool = True
) -> Measured:
    """Run `command` to its end and return its wall time, CPU time and peak memory.

    Sampling the memory of a build slows it down (the PSS of each of its processes is read
    from /proc, which holds that process's memory map while it reads; the shipped site took
    2.95 s sampled and 2.87 s not, 6 interleaved pairs), so timed runs pass `sample_memory`
    false: then the peak is the largest process's (`ru_maxrss`), and there is no PSS.
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    sampler = PeakSampler(process.pid) if sample_memory else None
    if sampler is not None:
        sampler.start()
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(process.stdout.readline, b"")))
    reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    peak = sampler.stop() if sampler is not None else 0
    reader.join()
    process.stdout.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        system_seconds=usage.ru_stime,
        peak_bytes=max(peak, usage.ru_maxrss * 1024),
        peak_pss=sampler.peak_pss if sampler is not None else 0,
        returncode=process.returncode,
        output=b"".join(chunks).decode("utf-8", "replace"),
    )


class DevServer:
    """The dev server (portal.devserver), as `make devserver` runs it, with its output read."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.log: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for raw in iter(self.process.stdout.readline, b""):
            self.lines.put((time.perf_counter(), raw.decode("utf-8", "replace")))

    def wait_done(self, timeout: float) -> tuple[float, float]:
        """Wait for the next finished build; return (when it printed, its own seconds)."""
        deadline = time.perf_counter() + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or (self.process.poll() is not None and self.lines.empty()):
                raise RuntimeError("dev server gave no finished build:\n" + "".join(self.log))
            try:
                when, line = self.lines.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            self.log.append(line)
            match = DONE.search(line)
            if match:
                return when, float(match.group(1))
            if FAILED.search(line):
                raise RuntimeError("dev server reported an error:\n" + "".join(self.log[-40:]))

    def stop(self) -> None:
        """End the dev server (it runs in its own process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        self.process.stdout.close()
