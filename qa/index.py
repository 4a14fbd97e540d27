"""Documents -> Chunks in Chroma (dense) and a BM25 index (lexical), kept in step incrementally.

Layout of the index folder:
    chroma/          Chroma PersistentClient: one vector per chunk (telemetry off)
    records.sqlite   LangChain record manager: which chunk hashes are stored, so unchanged ones are skipped
    documents.jsonl  the cleaned documents, the text every citation offset points into
    chunks.jsonl     the chunk table (ids, offsets, sentence spans) in the order of the vectors below
    sentences.npy    one vector per chunk sentence, for answer selection
    bm25/            bm25s index over the chunk table
    vocabulary.json  in how many chunks each word occurs (question term weights)
    manifest.json    model, counts and format version; a mismatch is reported, never silently used
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np

from qa.embed import MODEL_NAME, encode, sentence_texts, text_key
from qa.ingest import load_corpus
from qa.query import Vocabulary
from qa.schema import Chunk, Document, Span
from qa.settings import Settings
from qa.text import content_words, sentence_spans

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
COLLECTION = "chunks"
_SENTENCE_BREAK = r"(?<=[.!?])\s+|(?<=[.!?][”\"’')])\s+"


class IndexUnavailable(RuntimeError):
    """The index is missing, broken or built differently; the message says what to run."""


@dataclass(frozen=True)
class IndexReport:
    documents: int
    chunks: int
    embedded: int
    skipped: int
    deleted: int
    skipped_files: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {**self.__dict__, "skipped_files": [list(x) for x in self.skipped_files]}


@dataclass(frozen=True)
class IndexPaths:
    root: Path

    chroma = property(lambda self: self.root / "chroma")
    records = property(lambda self: self.root / "records.sqlite")
    documents = property(lambda self: self.root / "documents.jsonl")
    chunks = property(lambda self: self.root / "chunks.jsonl")
    sentences = property(lambda self: self.root / "sentences.npy")
    bm25 = property(lambda self: self.root / "bm25")
    manifest = property(lambda self: self.root / "manifest.json")
    vocabulary = property(lambda self: self.root / "vocabulary.json")

    def clear(self, client) -> None:
        """Empty the index; ``client`` is a Chroma client on the chroma folder."""
        # The collection is dropped through Chroma, not by deleting its folder: a client this process
        # already opened on that folder would otherwise go on writing to a database that is gone.
        if COLLECTION in [c.name for c in client.list_collections()]:
            client.delete_collection(COLLECTION)
        shutil.rmtree(self.bm25, ignore_errors=True)
        for path in (self.records, self.documents, self.chunks, self.sentences, self.manifest, self.vocabulary):
            path.unlink(missing_ok=True)


# --- chunking ------------------------------------------------------------------------------------


def split_document(doc: Document, chunk_chars: int = 500) -> list[Chunk]:
    """Sentence-aware chunks with their character offsets in the cleaned text, page and section.

    Each section (see Document.sections) is split on its own, so no chunk runs across a heading. The
    splitter cuts at blank lines first and breaks a block only when it is longer than ``chunk_chars``,
    so a table, which ingest lays out as one block of rows, stays whole in one chunk when it fits.
    """
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_chars,
        chunk_overlap=0,
        separators=["\n\n", "\n", _SENTENCE_BREAK, "; ", ", ", " "],
        is_separator_regex=True,
        keep_separator="end",
        strip_whitespace=True,
    )
    edges = sorted({0, len(doc.text), *(start for start, _ in doc.sections)})
    chunks = []
    for low, high in zip(edges, edges[1:]):
        cursor = low
        for piece in splitter.split_text(doc.text[low:high]):
            start = doc.text.find(piece, cursor, high)
            if start < 0:  # the splitter keeps text verbatim; this would be a bug, not bad input
                raise AssertionError(f"chunk not found in {doc.doc_id} after offset {cursor}")
            end = start + len(piece)
            cursor = end
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}:{start}-{end}",
                    doc_id=doc.doc_id,
                    title=doc.title,
                    start=start,
                    end=end,
                    text=piece,
                    sentences=tuple(Span(start + s.start, start + s.end) for s in sentence_spans(piece)),
                    page=doc.page_at(start),
                    section=doc.section_at(start),
                )
            )
    return chunks


# --- building ------------------------------------------------------------------------------------


def chroma_client(path: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def build_index(
    settings: Settings,
    rebuild: bool = False,
    progress: bool = True,
    on_skip: Callable[[Path, str], None] | None = None,
) -> IndexReport:
    """Bring the index in line with the corpus folder, embedding only chunks that are new or changed."""
    started = time.perf_counter()
    paths = IndexPaths(settings.index_dir)
    skipped_files: list[tuple[str, str]] = []

    def note_skip(path: Path, reason: str) -> None:
        skipped_files.append((str(path), reason))
        (on_skip or (lambda p, r: log.warning("skipped %s: %s", p, r)))(path, reason)

    fingerprint = corpus_fingerprint(settings)
    manifest = None if rebuild else _unchanged_manifest(paths, fingerprint)
    if manifest is not None:  # same files, same settings, complete index: nothing can have changed
        for path, reason in manifest.get("skipped_files", []):
            note_skip(Path(path), reason)
        return IndexReport(documents=manifest["documents"], chunks=manifest["chunks"], embedded=0,
                           skipped=manifest["chunks"], deleted=0, skipped_files=tuple(skipped_files),
                           seconds=round(time.perf_counter() - started, 2))

    from langchain_chroma import Chroma
    from langchain_classic.indexes import SQLRecordManager
    from langchain_core.documents import Document as LCDocument
    from langchain_core.indexing import index
    from tqdm import tqdm

    from qa.embed import SentencePoolingEmbeddings

    documents = list(load_corpus(settings.corpus_dir, note_skip))
    chunks = [chunk for doc in documents for chunk in split_document(doc, settings.chunk_chars)]
    paths.root.mkdir(parents=True, exist_ok=True)
    client = chroma_client(paths.chroma)
    if rebuild:
        paths.clear(client)
    _check_model(paths, rebuild)

    bar = tqdm(total=len(chunks), desc="embedding chunks", unit="chunk", disable=not progress, leave=False)
    embedder = SentencePoolingEmbeddings(settings.threads, on_batch=bar.update)
    store = Chroma(
        collection_name=COLLECTION,
        embedding_function=embedder,
        client=client,
        # Given none, Chroma parses settings from the environment again (~30 ms) only to ignore them.
        client_settings=client.get_settings(),
        collection_metadata={"hnsw:space": "cosine"},
    )
    records = SQLRecordManager(f"chroma/{COLLECTION}", db_url=f"sqlite:///{paths.records}")
    records.create_schema()
    result = index(
        [LCDocument(page_content=c.text, metadata=_chunk_metadata(c)) for c in chunks],
        records,
        store,
        cleanup="full",
        source_id_key="doc_id",
        key_encoder="sha256",
        batch_size=256,
    )
    bar.close()
    _write_side_tables(paths, documents, chunks, embedder.sentence_vectors, rebuild,
                       {"corpus": fingerprint, "skipped_files": [list(x) for x in skipped_files]})
    report = IndexReport(
        documents=len(documents),
        chunks=len(chunks),
        embedded=result["num_added"] + result["num_updated"],
        skipped=result["num_skipped"],
        deleted=result["num_deleted"],
        skipped_files=tuple(skipped_files),
        seconds=round(time.perf_counter() - started, 2),
    )
    return report


def corpus_fingerprint(settings: Settings) -> str | None:
    """A hash of every file under the corpus folder (names and bytes) and of what shapes the index from
    them; None when there is no corpus folder."""
    root = Path(settings.corpus_dir)
    if not root.is_dir():
        return None
    digest = hashlib.sha256(json.dumps([FORMAT_VERSION, MODEL_NAME, settings.chunk_chars]).encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if not any(part.startswith(".") for part in path.relative_to(root).parts):
            digest.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _unchanged_manifest(paths: IndexPaths, fingerprint: str | None) -> dict | None:
    """The manifest, when the last run indexed exactly this corpus and left every part of the index."""
    if fingerprint is None or not paths.manifest.exists():
        return None
    try:
        manifest = json.loads(paths.manifest.read_text())
    except (OSError, ValueError):
        return None
    parts = (paths.chroma, paths.records, paths.documents, paths.chunks, paths.sentences, paths.vocabulary)
    if manifest.get("corpus") != fingerprint or not all(p.exists() for p in parts):
        return None
    if manifest.get("chunks") and not paths.bm25.exists():
        return None
    return manifest


def _chunk_metadata(chunk: Chunk) -> dict:
    meta = {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "title": chunk.title,
            "start": chunk.start, "end": chunk.end}
    if chunk.page is not None:
        meta["page"] = chunk.page
    if chunk.section:
        meta["section"] = chunk.section
    return meta


def _check_model(paths: IndexPaths, rebuild: bool) -> None:
    if rebuild or not paths.manifest.exists():
        return
    manifest = json.loads(paths.manifest.read_text())
    if manifest.get("model") != MODEL_NAME or manifest.get("format") != FORMAT_VERSION:
        raise IndexUnavailable(
            f"the index in {paths.root} was built with {manifest.get('model')} (format {manifest.get('format')}); "
            "run `qa index --rebuild`"
        )


def _write_side_tables(paths, documents, chunks, new_vectors, rebuild, stamp: dict) -> None:
    """The chunk table, sentence vectors, BM25 and manifest, rewritten whole after every index run."""
    bm25s = _bm25s()

    old_vectors = {} if rebuild else _load_sentence_vectors(paths)
    rows = []
    for chunk in chunks:
        vectors = new_vectors.get(text_key(chunk.text))
        if vectors is None:
            vectors = old_vectors.get(chunk.chunk_id)
        if vectors is None or len(vectors) != max(len(chunk.sentences), 1):
            # Stored in Chroma by an earlier run whose side tables were lost: encode this chunk again.
            vectors = encode(sentence_texts(chunk.text))
        rows.append(vectors)
    matrix = np.concatenate(rows) if rows else np.zeros((0, 384), dtype=np.float32)

    _write_jsonl(paths.documents, [d.to_dict() for d in documents])
    _write_jsonl(paths.chunks, [c.to_dict() for c in chunks])
    np.save(paths.sentences, matrix)
    chunk_words = [content_words(c.text) for c in chunks]
    frequency = Counter(word for words in chunk_words for word in set(words))
    paths.vocabulary.write_text(json.dumps({"chunks": len(chunks), "document_frequency": frequency}))
    shutil.rmtree(paths.bm25, ignore_errors=True)
    if chunks:
        retriever = bm25s.BM25()
        retriever.index([words or ["_"] for words in chunk_words], show_progress=False)
        retriever.save(str(paths.bm25), show_progress=False)
    paths.manifest.write_text(json.dumps({
        "format": FORMAT_VERSION, "model": MODEL_NAME, "documents": len(documents), "chunks": len(chunks),
        "sentences": int(matrix.shape[0]), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **stamp,
    }, indent=2))


def _load_sentence_vectors(paths: IndexPaths) -> dict[str, np.ndarray]:
    if not (paths.chunks.exists() and paths.sentences.exists()):
        return {}
    try:
        matrix = np.load(paths.sentences)
        out, row = {}, 0
        for line in paths.chunks.read_text(encoding="utf-8").splitlines():
            chunk = Chunk.from_dict(json.loads(line))
            n = max(len(chunk.sentences), 1)
            out[chunk.chunk_id] = matrix[row:row + n]
            row += n
        return out
    except (OSError, ValueError, KeyError):
        return {}


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(path)


# --- reading -------------------------------------------------------------------------------------


class LoadedIndex:
    """Everything a query needs, loaded once per process: the Chroma collection, chunk table,
    sentence vectors, BM25 and documents."""

    def __init__(self, root: Path) -> None:
        root = Path(root)
        self.paths = IndexPaths(root)
        if not self.paths.manifest.exists():
            raise IndexUnavailable(f"no index in {root}: run `qa index` first")
        try:
            self.manifest = json.loads(self.paths.manifest.read_text())
            self.documents = {d["doc_id"]: Document.from_dict(d) for d in _read_jsonl(self.paths.documents)}
            self.chunks = [Chunk.from_dict(c) for c in _read_jsonl(self.paths.chunks)]
            self.sentence_vectors = np.load(self.paths.sentences)
            counts = json.loads(self.paths.vocabulary.read_text())
            self.vocabulary = Vocabulary(counts["document_frequency"], counts["chunks"])
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise IndexUnavailable(f"the index in {root} is unreadable ({err}); run `qa index --rebuild`") from None
        if self.manifest.get("model") != MODEL_NAME or self.manifest.get("format") != FORMAT_VERSION:
            raise IndexUnavailable(f"the index in {root} was built differently; run `qa index --rebuild`")
        self.chunk_row = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        # sentence_rows[i] = (first row, row count) of chunk i in sentence_vectors
        counts = np.array([max(len(c.sentences), 1) for c in self.chunks], dtype=np.int64)
        firsts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else counts
        self.sentence_rows = list(zip(firsts.tolist(), counts.tolist()))
        if int(counts.sum()) != self.sentence_vectors.shape[0] or len(self.chunks) != self.manifest.get("chunks"):
            raise IndexUnavailable(f"the index in {root} is incomplete; run `qa index --rebuild`")

    @cached_property
    def collection(self):
        try:
            return chroma_client(self.paths.chroma).get_collection(COLLECTION)
        except Exception as err:  # chromadb raises several types for a missing or corrupt store
            raise IndexUnavailable(f"the vector store in {self.paths.chroma} cannot be opened ({err}); "
                                   "run `qa index --rebuild`") from None

    @cached_property
    def bm25(self):
        bm25s = _bm25s()
        try:
            return bm25s.BM25.load(str(self.paths.bm25), show_progress=False) if self.chunks else None
        except (OSError, ValueError) as err:
            raise IndexUnavailable(f"the BM25 index is unreadable ({err}); run `qa index --rebuild`") from None

    def document_text(self, doc_id: str) -> str:
        return self.documents[doc_id].text


def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # its import sets DEBUG, which prints every build
    return bm25s


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
