"""The reading side of the index: the generation CURRENT names, loaded once, held against deletion."""

from __future__ import annotations

import json
import logging
import os
import re
from bisect import bisect_right
from functools import cached_property
from pathlib import Path

import numpy as np

from qa import generations
from qa.embed import MODEL_NAME
from qa.query import Vocabulary
from qa.schema import Chunk, Document, Span
from qa.speakers import Speaker, speakers_of
from qa.store import IndexPaths, IndexUnavailable, VectorStore, failure_line
from qa.text import NUMBER_WORDS

FORMAT_VERSION = 2
_NOT_FAULTS = (KeyboardInterrupt, SystemExit, GeneratorExit)
_STATES_NUMBER = re.compile(r"\d|\b(?:" + "|".join(NUMBER_WORDS + ["hundred", "thousand", "million", "billion", "dozen"])
                            + r")s?\b", re.I)


class LoadedIndex:
    """Everything a query needs, loaded once per process from one complete generation: the Chroma
    collection, chunk table, sentence vectors, BM25 and documents. While it lives, a shared lock keeps
    `qa index` from deleting that generation; ``release()`` lets it go."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        try:
            self._lock = generations.ReaderLock(self.root)
        except generations.PointerUnreadable as err:
            raise IndexUnavailable(f"{err}; run `qa index --rebuild`") from None
        if self._lock.name is None:
            raise IndexUnavailable(f"no index in {self.root}: run `qa index` first")
        self.generation = self._lock.name
        self.paths = IndexPaths(generations.folder(self.root, self.generation))
        where = f"the index in {self.paths.root}"
        try:
            self.manifest = json.loads(self.paths.manifest.read_text())
            self.documents = {d["doc_id"]: Document.from_dict(d) for d in _read_jsonl(self.paths.documents)}
            self.chunks = [Chunk.from_dict(c) for c in _read_jsonl(self.paths.chunks)]
            self.sentence_vectors = np.load(self.paths.sentences)
            counts = json.loads(self.paths.vocabulary.read_text())
            self.vocabulary = Vocabulary(counts["document_frequency"], counts["chunks"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise IndexUnavailable(f"{where} is unreadable ({failure_line(err)}); run `qa index --rebuild`") from None
        if self.manifest.get("model") != MODEL_NAME or self.manifest.get("format") != FORMAT_VERSION:
            raise IndexUnavailable(f"{where} was built differently; run `qa index --rebuild`")
        self.chunk_row = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        # Each document's speakers, read when first asked for: (paragraph starts, (paragraph, speaker) pairs).
        self._speakers: dict[str, tuple[list[int], list[tuple[Span, Speaker]]]] = {}
        # sentence_rows[i] = (first row, row count) of chunk i in sentence_vectors
        counts = np.array([max(len(c.sentences), 1) for c in self.chunks], dtype=np.int64)
        firsts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else counts
        self.sentence_rows = list(zip(firsts.tolist(), counts.tolist()))
        whole = (int(counts.sum()) == self.sentence_vectors.shape[0] and len(self.chunks) == self.manifest.get("chunks")
                 and len(self.documents) == self.manifest.get("documents")
                 and all(c.doc_id in self.documents for c in self.chunks))
        if not whole:
            raise IndexUnavailable(f"{where} is incomplete; run `qa index --rebuild`")
        # The server the index was built on, unless this machine reaches it by another address.
        self.store = VectorStore(self.root, os.environ.get("QA_CHROMA_URL") or self.manifest.get("chroma_url", ""))

    @cached_property
    def collection(self):
        return self.store.open(self.generation)

    def query(self, vector: list[float], n: int) -> dict:
        """Chroma's nearest ``n``; a store that breaks while read is reported, not raised as a panic."""
        try:
            return self.collection.query(query_embeddings=[vector], n_results=n, include=["metadatas", "distances"])
        except IndexUnavailable:
            raise
        except _NOT_FAULTS:
            raise
        except BaseException as err:  # includes pyo3's PanicException on a corrupt page
            raise IndexUnavailable(f"the vector store of {self.paths.root} cannot be read ({failure_line(err)}); "
                                   "run `qa index --rebuild`") from None

    @cached_property
    def bm25(self):
        bm25s = import_bm25s()
        try:
            return bm25s.BM25.load(str(self.paths.bm25), show_progress=False) if self.chunks else None
        except _NOT_FAULTS:
            raise
        except BaseException as err:  # bm25s raises whatever numpy or json meets in a damaged file
            raise IndexUnavailable(f"the BM25 index in {self.paths.bm25} is unreadable ({failure_line(err)}); "
                                   "run `qa index --rebuild`") from None

    @cached_property
    def numeric_sentences(self) -> np.ndarray:
        """For each row of ``sentence_vectors``, whether its sentence states a number: where a question asking
        for a figure looks when the passages about it state none. Read once, when first asked for."""
        flags = []
        for chunk in self.chunks:
            text = self.documents[chunk.doc_id].text
            spans = chunk.sentences or (Span(chunk.start, chunk.end),)
            flags += [bool(_STATES_NUMBER.search(text, s.start, s.end)) for s in spans]
        return np.array(flags, dtype=bool)

    def document_text(self, doc_id: str) -> str:
        return self.documents[doc_id].text

    def speaker_at(self, doc_id: str, offset: int) -> Speaker | None:
        """Who says the paragraph of ``doc_id`` holding ``offset``, where the document names them."""
        if doc_id not in self._speakers:
            found = speakers_of(self.documents[doc_id].text)
            self._speakers[doc_id] = ([paragraph.start for paragraph, _ in found], found)
        starts, found = self._speakers[doc_id]
        at = bisect_right(starts, offset) - 1
        return found[at][1] if at >= 0 and offset < found[at][0].end else None

    def release(self) -> None:
        """Let `qa index` delete this generation once it is no longer current."""
        self._lock.release()


def import_bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # its import sets DEBUG, which prints every build
    return bm25s


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
