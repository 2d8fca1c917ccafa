"""A run's folder on disk: how it is laid out, written and checked.

Everything is written to a temporary file and moved into place with
``os.replace``, so a file is either absent or whole. Replications arrive in
chunks, each saved as its own file as soon as it finishes; ``outcomes.csv`` and
``rounds.csv`` are assembled from them, in replication order, at the end. The
manifest says how far the study got (running, interrupted, failed, complete).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import errno
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from sim.errors import PeacesimError

FORMAT = 1
CHUNKS = "chunks"
SCENARIO = "scenario.yaml"
MANIFEST = "manifest.json"
OUTCOMES = "outcomes.csv"
ROUNDS = "rounds.csv"
SUMMARY = "summary.json"
REPORT = "report.html"
FIGURES = "figures"
_CHUNK = re.compile(r"^(outcomes|rounds)-(\d{9})-(\d{9})\.csv$")


class FolderError(PeacesimError):
    """A results folder that cannot be used as asked (exists, damaged, locked)."""


def cell(value) -> str:
    """How a value is written to CSV: shortest exact float text, empty for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def csv_text(header: Sequence[str] | None, rows: Sequence[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator:
    """Open a temporary file that replaces ``path`` only once fully written and synced, so
    readers see the old file or the new one, never half; on any error it is removed."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    try:
        with open(tmp, mode, **text) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):  # a full disk, a read-only folder: one clear line
            raise FolderError(f"{exc.filename or path}: cannot write: {exc.strerror or exc}; "
                              "files already saved are intact") from None
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see ``atomic_file``)."""
    with atomic_file(path) as fh:
        fh.write(text)


def read_json(path: Path) -> dict:
    """A JSON file peacesim wrote (summary, manifest), as plain data."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FolderError(f"{path}: unreadable ({exc}); the file is missing or damaged") \
            from None


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_folder_name(name: str, fingerprint: str) -> str:
    """``<UTC time>-<8-char hash>``, e.g. ``20261125T081500Z-1a2b3c4d``."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{hashlib.sha256(fingerprint.encode()).hexdigest()[:8]}"


def create(folder: Path, files: Mapping[str, str] | None = None, chunks: bool = True) -> Path:
    """Make a new results folder holding ``files`` ({name: text}); refuse an existing one.

    The folder is built under a hidden name and renamed into place, so it
    appears with its first files (the scenario and the manifest) or not at all:
    a study killed at any moment never leaves a folder without a manifest.
    """
    refuse_existing(folder)
    staging = folder.with_name(f".{folder.name}.new{os.getpid()}")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        if chunks:
            (staging / CHUNKS).mkdir()
        for name, text in (files or {}).items():
            write_atomic(staging / name, text)
        if folder.exists():  # appeared meanwhile: still never overwrite it
            raise FolderError(f"{folder}: already exists; peacesim never overwrites results")
        os.rename(staging, folder)
    except OSError as exc:
        raise FolderError(f"{folder}: cannot create the results folder: "
                          f"{exc.strerror or exc}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def refuse_existing(folder: Path) -> None:
    """Results are never overwritten: an existing folder is refused (before any work, by
    the callers that can, and again when it is created)."""
    if folder.exists():
        raise FolderError(f"{folder}: already exists; peacesim never overwrites results "
                          "(choose another --out, or --resume it if it is unfinished)")


class Lock:
    """An exclusive lock on a results folder, held while a process writes to it.

    A POSIX record lock (``lockf``): it belongs to this process only, so worker processes
    forked while it is held do not keep it alive after a crash of the main process.
    """

    def __init__(self, folder: Path):
        self.path = folder / ".lock"
        self.fh = None

    def __enter__(self) -> Lock:
        try:
            self.fh = open(self.path, "a")
        except OSError as exc:
            raise FolderError(f"{self.path.parent}: cannot lock the folder: {exc.strerror}") \
                from None
        try:
            fcntl.lockf(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self.fh.close()
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                raise FolderError(f"{self.path.parent}: another peacesim process is writing "
                                  "to this folder") from None
            raise FolderError(f"{self.path.parent}: cannot lock the folder: {exc.strerror}") \
                from None
        return self

    def __exit__(self, *exc) -> None:
        fcntl.lockf(self.fh, fcntl.LOCK_UN)
        self.fh.close()


# --- manifest ------------------------------------------------------------------------------

def manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def write_manifest(folder: Path, manifest: dict) -> None:
    write_atomic(folder / MANIFEST, manifest_text(manifest))


def mark(folder: Path, manifest: dict, status: str, error: str | None = None) -> None:
    """Record how a study or sweep stopped; best effort, because it is called while another
    error (perhaps a full disk) is already on its way to the user."""
    manifest.update(status=status, ended=now())
    if error:
        manifest["error"] = error
    with contextlib.suppress(PeacesimError):
        write_manifest(folder, manifest)


def read_manifest(folder: Path, kind: str = "run", check: bool = True) -> dict:
    """The manifest of a ``kind`` folder ("run" or "sweep"), checked enough to resume it;
    with ``check``, the files it keeps checksums of too (``check_files``)."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise FolderError(f"{folder}: not a peacesim {kind} folder (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise FolderError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise FolderError(f"{path}: the manifest should be a JSON object")
    needed = {"format": int, "seed": int, "runs": int, "chunk_size": int, "status": str}
    for key, expected in needed.items():
        if not isinstance(manifest.get(key), expected) or isinstance(manifest.get(key), bool):
            raise FolderError(f"{path}: '{key}' should be {expected.__name__}, "
                              f"found {manifest.get(key)!r}")
    found = manifest.get("kind", "run")
    if found != kind:
        raise FolderError(f"{folder}: a {found} folder, not a {kind} folder (use peacesim "
                          f"{found} for it)")
    if manifest["format"] != FORMAT:
        raise FolderError(f"{path}: folder format {manifest['format']}, this peacesim reads "
                          f"format {FORMAT}")
    if manifest["chunk_size"] < 1 or manifest["runs"] < 1 or manifest["seed"] < 0:
        raise FolderError(f"{path}: runs, chunk_size and seed must be positive")
    if check:
        check_files(folder, manifest)
    return manifest


# --- chunks --------------------------------------------------------------------------------

def chunk_path(folder: Path, kind: str, start: int, stop: int) -> Path:
    return folder / CHUNKS / f"{kind}-{start:09d}-{stop:09d}.csv"


def write_chunk(folder: Path, start: int, stop: int, outcomes: str, rounds: str) -> None:
    """Save one finished chunk (its CSV text: ``csv_text``); rounds first, so a chunk counts
    as done only when both are on disk."""
    if rounds:
        write_atomic(chunk_path(folder, "rounds", start, stop), rounds)
    write_atomic(chunk_path(folder, "outcomes", start, stop), outcomes)


def done_chunks(folder: Path, header: Sequence[str], round_header: Sequence[str],
                rounds_sample: int) -> dict[int, int]:
    """{start: stop} of chunks whose outcome file, and round file where the chunk keeps
    rounds (replications below ``rounds_sample``), are on disk and whole.

    A chunk file with the wrong header, a wrong number of rows or rows out of
    order is damage a person made: it is reported, never silently redone.
    """
    done = {}
    directory = folder / CHUNKS
    if not directory.is_dir():
        return done
    played = list(header).index("rounds")
    for path in sorted(directory.iterdir()):
        match = _CHUNK.match(path.name)
        if not match or match[1] != "outcomes":
            continue
        start, stop = int(match[2]), int(match[3])
        rows = _check_chunk(path, header, [str(i) for i in range(start, stop)], played)
        kept = [str(start + i) for i, row in enumerate(rows[1:]) if start + i < rounds_sample
                for _ in range(int(row[played]))]
        if kept:  # the rows of every round those replications played
            _check_chunk(chunk_path(folder, "rounds", start, stop), round_header, kept,
                         also=path)
        done[start] = stop
    return done


def _check_chunk(path: Path, header: Sequence[str], runs: list[str], counts: int = 0,
                 also: Path | None = None) -> list[list[str]]:
    """The rows of chunk file ``path``, checked to hold ``header`` and one row per entry of
    ``runs`` (the replication index each row starts with), and whole numbers in column
    ``counts``; ``also``: the other file of the chunk, to move away with it."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error):
        rows = []
    if rows and rows[0] == list(header) and [r[0] if r else "" for r in rows[1:]] == runs \
            and all(len(r) == len(header) and r[counts].isdigit() for r in rows[1:]):
        return rows
    them = f"it and {also.name}" if also else "it"
    raise FolderError(f"{path}: damaged or missing chunk (expected {len(runs)} rows of "
                      f"replications {runs[0]} to {runs[-1]} with {len(header)} columns); "
                      f"move {them} away to have the chunk run again")


def assemble(folder: Path, kind: str, name: str, header: Sequence[str]) -> tuple[int, str]:
    """Concatenate the chunk files of ``kind`` into ``name``, in replication order, streaming.

    Returns the number of rows written and the file's checksum (``checksum``).
    """
    parts = []
    for path in (folder / CHUNKS).iterdir():
        match = _CHUNK.match(path.name)
        if match and match[1] == kind:
            parts.append((int(match[2]), path))
    rows, digest = 0, hashlib.sha256()
    with atomic_file(folder / name) as out:
        for line in _lines(header, sorted(parts)):
            out.write(line)
            digest.update(line.encode())
            rows += 1
    return rows - 1, digest.hexdigest()


def _lines(header: Sequence[str], parts: list[tuple[int, Path]]) -> Iterator[str]:
    yield ",".join(header) + "\n"
    for _, path in parts:
        with open(path, encoding="utf-8", newline="") as fh:
            next(fh)
            yield from fh


# --- checksums: a folder edited or damaged by hand is refused, not misread ----------------------

def checksum(text: str) -> str:
    """SHA-256 of a file's text as peacesim writes it (UTF-8)."""
    return hashlib.sha256(text.encode()).hexdigest()


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def study_key(scenario_checksum: str, seed: int, rounds_sample: int) -> str:
    """What every saved replication of a study depends on: its scenario file (by its
    checksum), its seed and how many replications keep their rounds (recorded in the
    manifest as ``study``)."""
    return checksum(f"{scenario_checksum}|{seed}|{rounds_sample}")


def check_files(folder: Path, manifest: dict) -> None:
    """Refuse a folder whose scenario.yaml or seed changed since the study started, or
    whose tables changed since it finished (their checksums are in the manifest)."""
    key = manifest.get("study")
    if key is not None:
        try:
            scenario = file_checksum(folder / SCENARIO)
        except OSError as exc:
            raise FolderError(f"{folder / SCENARIO}: unreadable ({exc})") from None
        if study_key(scenario, manifest["seed"], manifest.get("rounds_sample", 0)) != key:
            raise FolderError(f"{folder}: {SCENARIO} or the manifest's seed was edited since "
                              "the study started, so the saved replications no longer match "
                              "them; restore the original, or start a new study")
    for name, expected in (manifest.get("files") or {}).items():
        path = folder / name
        if not path.is_file() or file_checksum(path) != expected:
            raise FolderError(f"{path}: missing or changed since the study finished (its "
                              "checksum differs from the manifest's); the file is damaged "
                              "or was edited")


def read_rows(path: Path) -> Iterator[dict]:
    """Rows of a CSV as dicts of text, one at a time."""
    with open(path, newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def remove_chunks(folder: Path) -> None:
    directory = folder / CHUNKS
    if directory.is_dir():
        for path in directory.iterdir():
            path.unlink()
        directory.rmdir()
