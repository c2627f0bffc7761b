"""The processes of the load test: `reportqa serve` and `reportqa ingest` children on
loopback, and a sampler of their memory. Every child gets the offline environment."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from reportqa import offline

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 180  # model load on a busy two-core machine
INGEST_TIMEOUT_S = 300
STOP_TIMEOUT_S = 15
RSS_SAMPLE_S = 0.2


def error_text(e: BaseException, limit: int = 300) -> str:
    """An exception as one bounded line for the report (error counts group on it)."""
    text = " ".join(f"{type(e).__name__}: {e}".split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def reportqa_cmd() -> list[str]:
    """The `reportqa` command of this interpreter (`python -m ui`: no console script needed)."""
    return [sys.executable, "-m", "ui"]


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment for a reportqa child: offline, this data folder, plus REPORTQA_ overrides."""
    # The caller's own queue settings must not leak into the server under test.
    drop = ("REPORTQA_QUEUE_SIZE", "REPORTQA_CONCURRENCY", "GRADIO_TEMP_DIR")
    env = offline.child_env({k: v for k, v in os.environ.items() if k not in drop},
                            REPORTQA_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    env.update({f"REPORTQA_{k.upper()}": v for k, v in settings.items()})
    return env


def stop(proc: subprocess.Popen | None) -> None:
    """Terminate a child we started, then kill it if it does not leave in time."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT_S)


def run_ingest(paths: list[Path], data_dir: Path, timeout: float = INGEST_TIMEOUT_S) -> dict:
    """`reportqa ingest --json` in the foreground; its summary, or RuntimeError with its output."""
    proc = subprocess.run([*reportqa_cmd(), "ingest", "--json", "--data-dir", str(data_dir), *map(str, paths)],
                          env=server_env(data_dir), cwd=data_dir.parent, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"reportqa ingest exited with {proc.returncode}: {(proc.stderr or proc.stdout)[-2000:]}")
    return json.loads(proc.stdout)["summary"]


@dataclass
class Server:
    """One `reportqa serve` subprocess on a loopback port, logging to a file."""

    name: str
    data_dir: Path
    port: int
    log_path: Path
    settings: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> None:
        """Launch the server; `wait_up` says when it answers."""
        with open(self.log_path, "w") as out:
            # cwd is the log's folder, not the repo: nothing the server writes lands in the clone.
            self.proc = subprocess.Popen(
                [*reportqa_cmd(), "serve", "--host", HOST, "--port", str(self.port), "--data-dir", str(self.data_dir)],
                env=server_env(self.data_dir, **self.settings), cwd=self.log_path.parent,
                stdout=out, stderr=subprocess.STDOUT,
            )

    def wait_up(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Block until the page answers 200 (serve loads the model before it listens)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited with {self.proc.returncode}: {self.last_words()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} server did not answer within {timeout:.0f}s: {self.last_words()}")

    def tail(self, n: int = 3000) -> str:
        """The end of the server's log, for error messages."""
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def last_words(self, lines: int = 3) -> str:
        """The last few log lines on one line: where a traceback says what went wrong."""
        kept = [line.strip() for line in self.tail().splitlines() if line.strip()]
        return " | ".join(kept[-lines:])

    def stop(self) -> None:
        stop(self.proc)


class RssSampler(threading.Thread):
    """Samples the resident memory of some processes (with their children) and keeps the peaks.

    Sampling misses short spikes; the server's VmHWM (read at the end) is the exact peak.
    """

    def __init__(self, interval: float = RSS_SAMPLE_S):
        super().__init__(daemon=True, name="rss-sampler")
        self.interval = interval
        self.watched: dict[str, int] = {}
        self.peaks_mb: dict[str, float] = {}
        self.peak_load1 = 0.0  # the machine is shared: its load explains slow figures
        self._manifest: tuple[Path, int | None] | None = None
        self.commit_at: float | None = None
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def watch(self, name: str, pid: int) -> None:
        with self._lock:
            self.watched[name] = pid

    def watch_commit(self, manifest: Path) -> None:
        """Note when `manifest` is next replaced: the ingest's commit, seen from outside.

        The ingest process lives on for seconds after it commits (clean-up, interpreter exit),
        so its exit time would misplace the moment the new documents became visible.
        """
        self._manifest = (manifest, mtime_ns(manifest))
        self.commit_at = None

    def sample(self) -> None:
        """One reading of every watched process tree (gone processes are skipped) and the manifest."""
        if self._manifest is not None and self.commit_at is None:
            path, before = self._manifest
            if mtime_ns(path) != before:
                self.commit_at = time.monotonic()
        self.peak_load1 = max(self.peak_load1, os.getloadavg()[0])
        with self._lock:
            watched = dict(self.watched)
        for name, pid in watched.items():
            try:
                proc = psutil.Process(pid)
                rss = proc.memory_info().rss
                for child in proc.children(recursive=True):
                    try:
                        rss += child.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                continue
            self.peaks_mb[name] = max(self.peaks_mb.get(name, 0.0), rss / 2**20)

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive():
            self.join(timeout=5)


def mtime_ns(path: Path) -> int | None:
    """A file's modification time, or None while it does not exist."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def vm_hwm_mb(pid: int) -> float | None:
    """A process's exact peak RSS (Linux VmHWM), or None where /proc does not tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class BackgroundIngest(threading.Thread):
    """`reportqa ingest` of the generated reports, started while the users are asking."""

    def __init__(self, folder: Path, data_dir: Path, sampler: RssSampler, delay: float):
        """Ingest `folder` into `data_dir` after `delay` seconds, its memory watched by `sampler`."""
        super().__init__(daemon=True, name="ingest")
        self.folder, self.data_dir, self.sampler, self.delay = folder, data_dir, sampler, delay
        self.started: float | None = None
        self.ended: float | None = None
        self.summary: dict | None = None
        self.error: str | None = None
        self.proc: subprocess.Popen | None = None

    def run(self) -> None:
        time.sleep(self.delay)
        self.started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                [*reportqa_cmd(), "ingest", "--json", "--data-dir", str(self.data_dir), str(self.folder)],
                env=server_env(self.data_dir), cwd=self.data_dir.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            self.sampler.watch("ingest", self.proc.pid)
            out, err = self.proc.communicate(timeout=INGEST_TIMEOUT_S)
            if self.proc.returncode != 0:
                self.error = f"ingest exited with {self.proc.returncode}: {(err or out)[-1000:]}"
            else:
                self.summary = json.loads(out)["summary"]
        except Exception as e:  # noqa: BLE001 - reported as a failure of the run, not raised in a thread
            self.error = error_text(e)
            stop(self.proc)
        finally:
            self.ended = time.monotonic()
