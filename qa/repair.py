"""`qa index --check`: the state of each piece of the current generation, changing nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa import generations
from qa.loaded import FORMAT_VERSION, import_bm25s
from qa.settings import Settings
from qa.store import RECORDS_NAMESPACE, IndexPaths, IndexUnavailable, VectorStore, failure_line


@dataclass(frozen=True)
class Piece:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok ' if self.ok else 'BAD'}  {self.name}: {self.detail}"

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def check_index(settings: Settings) -> list[Piece]:
    """One Piece per part of the index, in the order a reader opens them. A bad piece ends in advice."""
    root = Path(settings.index_dir)
    try:
        name = generations.current(root)
    except generations.PointerUnreadable as err:
        return [Piece("pointer", False, f"{err}; run `qa index --rebuild`")]
    if name is None:
        return [Piece("pointer", False, f"no index in {root}; run `qa index`")]
    paths = IndexPaths(generations.folder(root, name))
    others = sorted(p.name for p in (root / generations.FOLDER).iterdir() if p.name != name)
    pieces = [Piece("pointer", True, f"generation {name}" + (f" ({len(others)} older or unfinished waiting "
                                                               "to be deleted)" if others else ""))]
    manifest = _check(pieces, "manifest", lambda: _manifest(paths))
    chunk_ids = _check(pieces, "chunk table", lambda: _chunk_ids(paths))
    _check(pieces, "documents", lambda: _documents(paths, manifest))
    _check(pieces, "sentence vectors", lambda: f"{np.load(paths.sentences).shape[0]} sentences")
    _check(pieces, "vocabulary", lambda: f"{json.loads(paths.vocabulary.read_text())['chunks']} chunks counted")
    _check(pieces, "BM25", lambda: _bm25(paths, chunk_ids))
    url = (manifest or {}).get("chroma_url", settings.chroma_url)
    _check(pieces, "vector store", lambda: _vectors(VectorStore(root, url), name, chunk_ids))
    _check(pieces, "record table", lambda: _records(paths))
    if manifest and chunk_ids is not None and manifest.get("chunks") != len(chunk_ids):
        pieces.append(Piece("counts", False, f"manifest says {manifest.get('chunks')} chunks, the table has "
                                              f"{len(chunk_ids)}; run `qa index --rebuild`"))
    return pieces


def _check(pieces: list[Piece], name: str, probe):
    """Run one probe; its value (or a description) is recorded, any failure named in one line."""
    try:
        value = probe()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as err:  # a probe may meet any fault of a damaged file, a Rust panic included
        detail = str(err) if isinstance(err, IndexUnavailable) else f"{failure_line(err)}; run `qa index --rebuild`"
        pieces.append(Piece(name, False, detail))
        return None
    detail = value[1] if isinstance(value, tuple) else value
    pieces.append(Piece(name, True, detail))
    return value[0] if isinstance(value, tuple) else None


def _manifest(paths: IndexPaths):
    manifest = json.loads(paths.manifest.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexUnavailable(f"format {manifest.get('format')}, expected {FORMAT_VERSION}; run `qa index --rebuild`")
    return manifest, f"{manifest['documents']} documents, {manifest['chunks']} chunks, built {manifest.get('built_at')}"


def _chunk_ids(paths: IndexPaths):
    ids = [json.loads(line)["chunk_id"] for line in paths.chunks.read_text(encoding="utf-8").splitlines() if line]
    return set(ids), f"{len(ids)} chunks"


def _documents(paths: IndexPaths, manifest: dict | None) -> str:
    rows = [json.loads(line) for line in paths.documents.read_text(encoding="utf-8").splitlines() if line]
    if manifest and len(rows) != manifest.get("documents"):
        raise IndexUnavailable(f"{len(rows)} documents, the manifest says {manifest.get('documents')}; "
                               "run `qa index --rebuild`")
    return f"{len(rows)} documents, {sum(len(r['text']) for r in rows)} characters"


def _bm25(paths: IndexPaths, chunk_ids) -> str:
    if not chunk_ids:
        return "empty corpus: none needed"
    retriever = import_bm25s().BM25.load(str(paths.bm25), show_progress=False)
    n = retriever.scores["num_docs"]
    if n != len(chunk_ids):
        raise IndexUnavailable(f"{n} chunks indexed, the table has {len(chunk_ids)}; run `qa index --rebuild`")
    return f"{n} chunks"


def _vectors(store: VectorStore, name: str, chunk_ids) -> str:
    collection = store.open(name)
    metadatas = collection.get(include=["metadatas"])["metadatas"]
    stored = {m.get("chunk_id") for m in metadatas}
    if chunk_ids is not None and (stored != chunk_ids or len(metadatas) != len(chunk_ids)):
        raise IndexUnavailable(f"{len(metadatas)} vectors, {len(stored - chunk_ids)} not in the chunk table, "
                               f"{len(chunk_ids - stored)} missing; run `qa index`")
    if metadatas:  # reading metadata does not touch the vector index; a search does
        probe = collection.get(limit=1, include=["embeddings"])["embeddings"][0]
        collection.query(query_embeddings=[list(probe)], n_results=1)
    return f"{len(metadatas)} vectors, one per chunk, searchable" + (f", on {store.url}" if store.url else "")


def _records(paths: IndexPaths) -> str:
    from langchain_classic.indexes import SQLRecordManager

    if not paths.records.exists():  # opening would create an empty one
        raise IndexUnavailable(f"{paths.records} is missing; run `qa index --rebuild`")
    records = SQLRecordManager(RECORDS_NAMESPACE, db_url=f"sqlite:///{paths.records}")
    return f"{len(records.list_keys())} records"
