"""Where a generation's vectors live: an embedded Chroma folder per generation, or a collection per
generation on a Chroma server (``QA_CHROMA_URL``). Also the failures of either, named for an operator.
"""

from __future__ import annotations

import errno
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

log = logging.getLogger(__name__)

COLLECTION = "chunks"
COSINE = {"hnsw:space": "cosine"}
RECORDS_NAMESPACE = f"chroma/{COLLECTION}"  # kept from before generations, so old record tables still match
# Exceptions that are the operator's to send, not a broken store's: never turned into "unreadable".
_NOT_STORE_FAILURES = (KeyboardInterrupt, SystemExit, GeneratorExit)


class IndexUnavailable(RuntimeError):
    """The index is missing, broken or built differently; the message says what to run."""


@dataclass(frozen=True)
class IndexPaths:
    """The files of one generation (see qa.generations for the folder around them)."""

    root: Path

    chroma = property(lambda self: self.root / "chroma")
    records = property(lambda self: self.root / "records.sqlite")
    documents = property(lambda self: self.root / "documents.jsonl")
    chunks = property(lambda self: self.root / "chunks.jsonl")
    sentences = property(lambda self: self.root / "sentences.npy")
    bm25 = property(lambda self: self.root / "bm25")
    manifest = property(lambda self: self.root / "manifest.json")
    vocabulary = property(lambda self: self.root / "vocabulary.json")


def chroma_client(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def server_client(url: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname:
        raise ValueError(f"chroma_url {url!r} names no host")
    return chromadb.HttpClient(host=parsed.hostname, port=parsed.port or 8000, ssl=parsed.scheme == "https",
                               settings=ChromaSettings(anonymized_telemetry=False))


class VectorStore:
    """Opens, creates and drops the collection of a generation; ``url`` empty means embedded Chroma."""

    def __init__(self, index_root: Path, url: str = "") -> None:
        self.index_root = Path(index_root)
        self.url = url
        self._server = None

    def client(self, generation: str):
        if not self.url:
            return chroma_client(self.index_root / "generations" / generation / "chroma")
        if self._server is None:
            self._server = server_client(self.url)
        return self._server

    def collection_name(self, generation: str) -> str:
        # Embedded: each generation has its own folder, so the name can stay the same (the baseline in
        # qa.evals opens it by that name). On a server all generations share one namespace.
        return f"{COLLECTION}-{generation}" if self.url else COLLECTION

    def create(self, generation: str):
        return self.client(generation).get_or_create_collection(
            self.collection_name(generation), metadata=COSINE, embedding_function=None)

    def open(self, generation: str):
        where = self.url or str(self.index_root / "generations" / generation / "chroma")
        try:
            return self.client(generation).get_collection(self.collection_name(generation), embedding_function=None)
        except _NOT_STORE_FAILURES:
            raise
        except BaseException as err:  # chromadb raises many types, and a Rust panic that is a BaseException
            raise IndexUnavailable(f"the vector store in {where} cannot be opened ({failure_line(err)}); "
                                   "run `qa index --rebuild`") from None

    def drop(self, generation: str) -> None:
        """Remove a generation's collection from the server; embedded ones go with their folder."""
        if not self.url:
            return
        try:
            self.client(generation).delete_collection(self.collection_name(generation))
        except _NOT_STORE_FAILURES:
            raise
        except BaseException as err:  # already gone, or the server is down: not worth failing a run for
            log.info("could not drop collection of %s: %s", generation, failure_line(err))


def copy_vectors(source, target, batch: int = 1000) -> int:
    """Every vector of ``source`` into ``target``, with its id, text and metadata: a new generation starts
    from the old one's vectors, so only new or changed chunks are embedded."""
    copied, offset = 0, 0
    while True:
        page = source.get(include=["embeddings", "metadatas", "documents"], limit=batch, offset=offset)
        if not page["ids"]:
            return copied
        target.add(ids=page["ids"], embeddings=page["embeddings"], metadatas=page["metadatas"],
                   documents=page["documents"])
        copied += len(page["ids"])
        offset += batch


def stored_ids(collection, batch: int = 5000) -> set[str]:
    ids, offset = set(), 0
    while True:
        page = collection.get(include=[], limit=batch, offset=offset)
        if not page["ids"]:
            return ids
        ids.update(page["ids"])
        offset += batch


def reconcile(collection, records) -> tuple[int, int]:
    """Make the store's ids equal the record manager's: vectors no record knows (an interrupted write) are
    deleted, records whose vector is missing are forgotten so that the chunk is embedded again.
    Returns (orphans deleted, records forgotten)."""
    in_store = stored_ids(collection)
    recorded = set(records.list_keys())
    orphans = sorted(in_store - recorded)
    missing = sorted(recorded - in_store)
    if orphans:
        collection.delete(ids=orphans)
    if missing:
        records.delete_keys(missing)
    return len(orphans), len(missing)


def is_disk_full(err: BaseException) -> bool:
    """Out of space, however it is reported: ENOSPC, SQLite's "disk is full", Chroma's failed compaction."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(err).lower()
        if any(s in text for s in ("no space left", "disk is full", "disk full", "failed to apply logs")):
            return True
        err = err.__cause__ or err.__context__
    return False


def failure_line(err: BaseException) -> str:
    """The exception's type and first line: enough to name the fault, without a traceback."""
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0][:200]}" if text else type(err).__name__
