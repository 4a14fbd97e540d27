"""Index generations: every `qa index` writes a complete new generation and then switches to it at once.

Layout of the index folder:
    CURRENT                 {"generation": NAME}: the one generation readers open; replaced by a rename
    write.lock              held by the one `qa index` (or `qa add` / `qa remove`) writing at a time
    generations/NAME/       a complete index (see qa.index.IndexPaths), never changed once CURRENT names it
    generations/NAME/reader.lock   held shared by every process that reads NAME

Why: a reader that opens CURRENT always finds every piece of one finished run, however a writer is
interrupted (killed, out of disk); a failed run leaves at most a generation no one points to, which the
next run deletes. An old generation is deleted only once no reader holds its lock.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

POINTER = "CURRENT"
FOLDER = "generations"
READER_LOCK = "reader.lock"
# What an index folder held before generations; removed by the first run that writes a generation.
LEGACY = ("chroma", "bm25", "records.sqlite", "documents.jsonl", "chunks.jsonl", "sentences.npy",
          "manifest.json", "vocabulary.json")


class PointerUnreadable(ValueError):
    """CURRENT exists but does not name a generation."""


def new_name() -> str:
    """Sortable by time and unique across processes."""
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def folder(root: Path, name: str) -> Path:
    return Path(root) / FOLDER / name


def current(root: Path) -> str | None:
    """The generation CURRENT names, None when there is none yet."""
    pointer = Path(root) / POINTER
    try:
        data = json.loads(pointer.read_text(encoding="utf-8"))
        name = data["generation"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise PointerUnreadable(f"{pointer} is unreadable ({err})") from None
    if not isinstance(name, str) or "/" in name or not name:
        raise PointerUnreadable(f"{pointer} names no generation")
    return name


def pointer_stamp(root: Path) -> tuple[int, int] | None:
    """Changes whenever CURRENT is replaced (a rename gives a new inode): a cheap test between questions."""
    try:
        stat = os.stat(Path(root) / POINTER)
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def switch(root: Path, name: str) -> None:
    """Point CURRENT at ``name``: written to a temporary file, flushed, renamed over the old pointer."""
    root = Path(root)
    tmp = root / f".{POINTER}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({"generation": name, "switched_at": time.strftime("%Y-%m-%dT%H:%M:%S")}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, root / POINTER)
    _fsync_dir(root)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def writing(root: Path):
    """Exclusive right to write generations; a second writer waits for the first."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "write.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another `qa index` is writing %s; waiting for it", root)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


class ReaderLock:
    """A shared lock on the generation CURRENT names, taken so that no writer deletes it while it is read.

    The pointer is read again after locking: a writer may have switched (and then been free to delete the
    generation) between the first read and the lock.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.name: str | None = None
        self._file = None
        for _ in range(20):
            name = current(self.root)
            if name is None:
                return
            lock_path = folder(self.root, name) / READER_LOCK
            try:
                handle = open(lock_path, "a+")
            except FileNotFoundError:  # deleted by a writer that switched meanwhile: read the pointer again
                continue
            fcntl.flock(handle, fcntl.LOCK_SH)
            if current(self.root) == name and lock_path.exists():
                self.name, self._file = name, handle
                return
            handle.close()
        raise PointerUnreadable(f"{self.root / POINTER} keeps changing; try again")

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __del__(self) -> None:
        self.release()


def collect_if_idle(root: Path, keep: set[str], drop_store=None) -> list[str]:
    """``collect``, only if no writer holds the write lock (it may be building a generation right now)."""
    root = Path(root)
    with open(root / "write.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return []
        return collect(root, keep, drop_store)


def collect(root: Path, keep: set[str], drop_store=None) -> list[str]:
    """Called with the write lock held. Delete every generation but ``keep`` that no reader holds; ``drop_store(name)`` removes what a
    generation keeps outside its folder (its collection on a Chroma server). Returns the names deleted."""
    root = Path(root)
    gone = []
    base = root / FOLDER
    for path in sorted(base.iterdir()) if base.is_dir() else []:
        if path.name in keep or not path.is_dir():
            continue
        try:
            with open(path / READER_LOCK, "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if drop_store is not None:
                    drop_store(path.name)
                shutil.rmtree(path)
        except BlockingIOError:  # a reader still answers from it; a later run deletes it
            continue
        except OSError as err:
            log.warning("could not delete old generation %s: %s", path, err)
            continue
        gone.append(path.name)
    for name in LEGACY if keep else ():
        legacy = root / name
        if legacy.is_dir():
            shutil.rmtree(legacy, ignore_errors=True)
        elif legacy.exists():
            legacy.unlink()
    return gone
