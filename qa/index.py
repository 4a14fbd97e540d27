"""Documents -> Chunks in Chroma (dense) and a BM25 index (lexical), kept in step incrementally.

Each run writes a new generation (qa.generations) and switches to it once it is whole. A generation holds:
    chroma/          Chroma PersistentClient: one vector per chunk (telemetry off); on a Chroma server
                     (QA_CHROMA_URL) the generation's collection lives there instead
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
import importlib.metadata
import json
import logging
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from qa import generations
from qa.embed import MODEL_NAME, encode, sentence_texts, text_key
from qa.ingest import load_corpus
from qa.loaded import FORMAT_VERSION, LoadedIndex, import_bm25s  # noqa: F401  (LoadedIndex: importers find it here)
from qa.schema import Chunk, Document, Span
from qa.settings import Settings
from qa.store import COLLECTION, chroma_client  # noqa: F401  (qa.evals opens the embedded store by these)
from qa.store import (COSINE, RECORDS_NAMESPACE, IndexPaths, IndexUnavailable, VectorStore, copy_vectors,
                      failure_line, is_disk_full, reconcile)
from qa.text import content_words, sentence_spans

log = logging.getLogger(__name__)

_SENTENCE_BREAK = r"(?<=[.!?])\s+|(?<=[.!?][”\"’')])\s+"


@dataclass(frozen=True)
class IndexReport:
    documents: int
    chunks: int
    embedded: int
    skipped: int
    deleted: int
    skipped_files: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0
    repaired: int = 0  # vectors without a record deleted, plus records without a vector embedded again

    def to_dict(self) -> dict:
        return {**self.__dict__, "skipped_files": [list(x) for x in self.skipped_files]}


# --- chunking ------------------------------------------------------------------------------------


def split_document(doc: Document, chunk_chars: int = 500) -> list[Chunk]:
    """Sentence-aware chunks with their character offsets in the cleaned text, page and section; none is
    longer than ``chunk_chars``, whatever the whitespace.

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
        for split in splitter.split_text(doc.text[low:high]):
            start = doc.text.find(split, cursor, high)
            if start < 0:  # the splitter keeps text verbatim; this would be a bug, not bad input
                raise AssertionError(f"chunk not found in {doc.doc_id} after offset {cursor}")
            cursor = start + len(split)
            # The splitter leaves a piece with no separator in it whole (a 50 MB line of base64 would be one
            # chunk, and one encoder input): cut such pieces at the hard maximum.
            for offset in range(0, len(split), chunk_chars):
                piece = split[offset:offset + chunk_chars]
                chunks.append(_chunk(doc, start + offset, piece))
    return chunks


def _chunk(doc: Document, start: int, piece: str) -> Chunk:
    end = start + len(piece)
    return Chunk(
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


# --- building ------------------------------------------------------------------------------------


def build_index(
    settings: Settings,
    rebuild: bool = False,
    progress: bool = True,
    on_skip: Callable[[Path, str], None] | None = None,
) -> IndexReport:
    """Bring the index in line with the corpus folder, embedding only chunks that are new or changed.

    The result is a new generation, switched to only once complete (see qa.generations); the one readers
    use meanwhile is never written. ``rebuild`` starts from nothing and never reads the old generation, so
    it recovers from any broken piece of it."""
    started = time.perf_counter()
    root = Path(settings.index_dir)
    skipped_files: list[tuple[str, str]] = []

    def note_skip(path: Path, reason: str) -> None:
        skipped_files.append((str(path), reason))
        (on_skip or (lambda p, r: log.warning("skipped %s: %s", p, r)))(path, reason)

    fingerprint = corpus_fingerprint(settings)
    store = VectorStore(root, settings.chroma_url)
    with generations.writing(root):
        try:
            old = generations.current(root)
        except generations.PointerUnreadable as err:
            if not rebuild:
                raise IndexUnavailable(f"{err}; run `qa index --rebuild`") from None
            old = None
        old_paths = IndexPaths(generations.folder(root, old)) if old else None
        manifest = None if rebuild or old_paths is None else _unchanged_manifest(old_paths, fingerprint, settings)
        if manifest is not None:  # same files, same settings, complete generation: nothing can have changed
            generations.collect(root, {old}, store.drop)  # what an interrupted run left behind
            for path, reason in manifest.get("skipped_files", []):
                note_skip(Path(path), reason)
            return IndexReport(documents=manifest["documents"], chunks=manifest["chunks"], embedded=0,
                               skipped=manifest["chunks"], deleted=0, skipped_files=tuple(skipped_files),
                               seconds=round(time.perf_counter() - started, 2))
        name = generations.new_name()
        paths = IndexPaths(generations.folder(root, name))
        paths.root.mkdir(parents=True)
        try:
            counts = _build_generation(settings, store, None if rebuild else old, name, fingerprint, progress,
                                       note_skip, skipped_files)
            generations.switch(root, name)
        except BaseException as err:
            # Nothing points at the half-built generation: delete it, so a full disk gets its space back.
            store.drop(name)
            shutil.rmtree(paths.root, ignore_errors=True)
            if is_disk_full(err):
                raise IndexUnavailable(f"no space left on the disk holding {root} ({failure_line(err)}); free "
                                       "some space and run `qa index` again. The previous index still answers.") from None
            raise
        generations.collect(root, {name}, store.drop)
    return IndexReport(**counts, skipped_files=tuple(skipped_files), seconds=round(time.perf_counter() - started, 2))


def _build_generation(settings, store: VectorStore, old: str | None, name: str, fingerprint, progress,
                      note_skip, skipped_files) -> dict:
    """Write generation ``name`` whole: the old one's vectors copied, then LangChain's indexing API embeds
    what is new and deletes what went, then the side tables. Returns the report's counts."""
    from langchain_chroma import Chroma
    from langchain_classic.indexes import SQLRecordManager
    from langchain_core.documents import Document as LCDocument
    from langchain_core.indexing import index
    from sqlalchemy.exc import SQLAlchemyError
    from tqdm import tqdm

    from qa.embed import SentencePoolingEmbeddings

    root = Path(settings.index_dir)
    paths = IndexPaths(generations.folder(root, name))
    old_paths = IndexPaths(generations.folder(root, old)) if old else None
    documents = list(load_corpus(settings.corpus_dir, note_skip, _sources(old_paths)))
    chunks = [chunk for doc in documents for chunk in split_document(doc, settings.chunk_chars)]
    if old_paths is not None:
        _check_model(old_paths)
    collection = store.create(name)
    if old_paths is not None:
        copy_vectors(store.open(old), collection)
        if old_paths.records.exists():
            shutil.copy2(old_paths.records, paths.records)
    try:
        records = SQLRecordManager(RECORDS_NAMESPACE, db_url=f"sqlite:///{paths.records}")
        records.create_schema()
        orphans, forgotten = reconcile(collection, records)
    except SQLAlchemyError as err:
        raise IndexUnavailable(f"the record table {old_paths.records if old_paths else paths.records} is "
                               f"unreadable ({failure_line(err)}); run `qa index --rebuild`") from None
    if orphans or forgotten:
        log.warning("repaired the vector store: %d vectors no record knew deleted, %d chunks to embed again",
                    orphans, forgotten)

    bar = tqdm(total=len(chunks), desc="embedding chunks", unit="chunk", disable=not progress, leave=False)
    embedder = SentencePoolingEmbeddings(settings.threads, on_batch=bar.update)
    lc_store = Chroma(
        collection_name=collection.name,
        embedding_function=embedder,
        client=store.client(name),
        # Given none, Chroma parses settings from the environment again (~30 ms) only to ignore them.
        client_settings=store.client(name).get_settings(),
        collection_metadata=COSINE,
    )
    result = index(
        [LCDocument(page_content=c.text, metadata=_chunk_metadata(c)) for c in chunks],
        records,
        lc_store,
        cleanup="full",
        source_id_key="doc_id",
        key_encoder="sha256",
        batch_size=256,
    )
    bar.close()
    stored = collection.count()
    if stored != len(chunks):  # the indexing API keeps them equal; anything else must not be switched to
        raise IndexUnavailable(f"the new index holds {stored} vectors for {len(chunks)} chunks; "
                               "run `qa index --rebuild`")
    _write_side_tables(paths, documents, chunks, embedder.sentence_vectors, old_paths,
                       {"corpus": fingerprint, "generation": name, "chroma_url": settings.chroma_url,
                        "skipped_files": [list(x) for x in skipped_files]})
    return dict(documents=len(documents), chunks=len(chunks), embedded=result["num_added"] + result["num_updated"],
                skipped=result["num_skipped"], deleted=result["num_deleted"], repaired=orphans + forgotten)


def current_paths(root: Path) -> IndexPaths:
    """The files of the generation readers use now (where `documents.jsonl` holds the cited texts)."""
    name = generations.current(root)
    if name is None:
        raise IndexUnavailable(f"no index in {root}: run `qa index` first")
    return IndexPaths(generations.folder(root, name))


# The code that turns files into chunks: cleaning (ingest), PDF and Word layout (layout), sentence spans
# (text) and splitting (here).
SHAPING_MODULES = ("ingest.py", "layout.py", "text.py", "index.py")


def corpus_fingerprint(settings: Settings) -> str | None:
    """A hash of every file under the corpus folder (names and bytes) and of what shapes the index from
    them; None when there is no corpus folder."""
    root = Path(settings.corpus_dir)
    if not root.is_dir():
        return None
    # the stemmer's dictionary (lemminflect) shapes the lexical tables as the rules do
    digest = hashlib.sha256(json.dumps([FORMAT_VERSION, MODEL_NAME, settings.chunk_chars,
                                        importlib.metadata.version("lemminflect")]).encode())
    for rules in SHAPING_MODULES:  # a change to the cleaning or splitting rules is a change to the index
        digest.update(Path(__file__).with_name(rules).read_bytes())
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if not any(part.startswith(".") for part in path.relative_to(root).parts):
            digest.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _unchanged_manifest(paths: IndexPaths, fingerprint: str | None, settings: Settings) -> dict | None:
    """The manifest, when the current generation indexed exactly this corpus into the same store and
    every part of it is there."""
    if fingerprint is None or not paths.manifest.exists():
        return None
    try:
        manifest = json.loads(paths.manifest.read_text())
    except (OSError, ValueError):
        return None
    parts = (paths.records, paths.documents, paths.chunks, paths.sentences, paths.vocabulary)
    if manifest.get("corpus") != fingerprint or manifest.get("chroma_url", "") != settings.chroma_url:
        return None
    if not all(p.exists() for p in parts) or (not settings.chroma_url and not paths.chroma.exists()):
        return None
    if manifest.get("chunks") and not paths.bm25.exists():
        return None
    return manifest


def _sources(paths: IndexPaths | None) -> dict[str, str]:
    """doc id -> the file it was read from, in generation ``paths`` (nothing if unreadable: a rebuild)."""
    try:
        rows = paths.documents.read_text(encoding="utf-8").splitlines() if paths else []
        return {row["doc_id"]: row["source_path"] for row in map(json.loads, filter(None, rows))}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _chunk_metadata(chunk: Chunk) -> dict:
    meta = {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "title": chunk.title,
            "start": chunk.start, "end": chunk.end}
    if chunk.page is not None:
        meta["page"] = chunk.page
    if chunk.section:
        meta["section"] = chunk.section
    return meta


def _check_model(paths: IndexPaths) -> None:
    try:
        manifest = json.loads(paths.manifest.read_text())
    except (OSError, ValueError) as err:
        raise IndexUnavailable(f"the index manifest {paths.manifest} is unreadable ({failure_line(err)}); "
                               "run `qa index --rebuild`") from None
    if not isinstance(manifest, dict) or manifest.get("model") != MODEL_NAME or manifest.get("format") != FORMAT_VERSION:
        raise IndexUnavailable(
            f"the index in {paths.root} was built with {manifest.get('model')} (format {manifest.get('format')}); "
            "run `qa index --rebuild`"
        )


def _write_side_tables(paths, documents, chunks, new_vectors, old_paths, stamp: dict) -> None:
    """The chunk table, sentence vectors, BM25 and manifest of a new generation; the manifest goes last,
    as it is what says the generation is whole."""
    bm25s = import_bm25s()

    old_vectors = _load_sentence_vectors(old_paths) if old_paths is not None else {}
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

