"""Question -> ranked Passages: dense (Chroma) and BM25 candidates fused by reciprocal rank."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from qa.embed import encode_question
from qa.index import LoadedIndex
from qa.schema import Passage
from qa.text import content_words

RRF_K = 60  # the constant from Cormack et al. (2009); damps the weight of the very first ranks
# Added to the fused score of a passage of the preferred kind: worth one first place in one ranking, so it
# reorders passages of similar relevance without lifting an unrelated one over a strong match.
PREFER_BONUS = 1.0 / (RRF_K + 1)


@dataclass(frozen=True)
class Retrieval:
    passages: tuple[Passage, ...]
    query_vector: np.ndarray
    embed_ms: float = 0.0  # encoding the question, a part of the search


class HybridRetriever:
    """Dense and lexical candidates, fused by reciprocal rank fusion.

    >>> retriever = HybridRetriever(LoadedIndex(settings.index_dir), candidates=20)
    >>> retriever.search("How much did MacAlister call for?", limit=8).passages[0].chunk.doc_id
    """

    def __init__(self, index: LoadedIndex, candidates: int = 20, threads: int = 2, prefer_kind: str = "") -> None:
        if candidates < 1:
            raise ValueError("candidates must be at least 1")
        self.index = index
        self.candidates = candidates
        self.threads = threads
        self.prefer_kind = prefer_kind

    def dense(self, query_vector: np.ndarray) -> list[tuple[int, float]]:
        """(chunk row, cosine similarity), best first."""
        n = min(self.candidates, len(self.index.chunks))
        if n == 0:
            return []
        hits = self.index.query(query_vector.tolist(), n)
        rows = []
        for meta, distance in zip(hits["metadatas"][0], hits["distances"][0]):
            row = self.index.chunk_row.get(meta.get("chunk_id"))
            if row is not None:
                rows.append((row, 1.0 - float(distance)))
        return rows

    def by_sentence(self, query_vector: np.ndarray, numeric: bool = False) -> list[tuple[int, float]]:
        """(chunk row, cosine similarity of its sentence nearest the question), best first; with ``numeric``,
        of its nearest sentence stating a number."""
        rows = self.index.sentence_rows
        if not rows:
            return []
        similarity = self.index.sentence_vectors @ query_vector
        if numeric:
            similarity = np.where(self.index.numeric_sentences, similarity, -np.inf)
        best = np.maximum.reduceat(similarity, [first for first, _ in rows])
        n = min(self.candidates, len(best))
        top = np.argpartition(-best, n - 1)[:n]
        return [(int(i), float(best[i])) for i in sorted(top, key=lambda i: -best[i]) if best[i] > -np.inf]

    def lexical(self, tokens: list[str]) -> list[tuple[int, float]]:
        """(chunk row, BM25 score), best first; only chunks sharing at least one word."""
        bm25 = self.index.bm25
        if not tokens or bm25 is None:
            return []
        scores = bm25.get_scores(tokens)
        n = min(self.candidates, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        return [(int(i), float(scores[i])) for i in sorted(top, key=lambda i: -scores[i]) if scores[i] > 0]

    def lexical_passages(self, tokens: list[str], limit: int, after: tuple[Passage, ...]) -> tuple[Passage, ...]:
        """``after`` followed by the best BM25 matches of ``tokens`` that it lacks, ranked after it."""
        return self._after(after, [(row, None, score) for row, score in self.lexical(tokens)[:limit]])

    def sentence_passages(self, query_vector: np.ndarray, limit: int,
                          after: tuple[Passage, ...], numeric: bool = False) -> tuple[Passage, ...]:
        """``after`` followed by the chunks it lacks among the ``limit`` holding the sentences nearest the
        question (with ``numeric``, the nearest stating a number). A chunk of many topics (a list of
        recommendations) is far from the question as a whole though one of its sentences answers it: the
        small-to-big lookup of a parent-document retriever."""
        nearest = self.by_sentence(query_vector, numeric)[:limit]
        return self._after(after, [(row, score, None) for row, score in nearest])

    def _after(self, after: tuple[Passage, ...],
               extra: list[tuple[int, float | None, float | None]]) -> tuple[Passage, ...]:
        """``after`` followed by the chunks of ``extra`` (row, dense score, lexical score) it lacks."""
        have = {p.chunk.chunk_id for p in after}
        extra = [e for e in extra if self.index.chunks[e[0]].chunk_id not in have]
        return after + tuple(Passage(self.index.chunks[row], len(after) + i, 0.0, dense, lexical)
                             for i, (row, dense, lexical) in enumerate(extra))

    def search(self, question: str, limit: int = 8, lexical_terms: list[str] | None = None,
               query_vector: np.ndarray | None = None) -> Retrieval:
        """``question`` is embedded (unless its ``query_vector`` is given); ``lexical_terms`` (default: its
        content words) go to BM25."""
        started = time.perf_counter()
        if query_vector is None:
            query_vector = encode_question(question, self.threads)
        embed_ms = round((time.perf_counter() - started) * 1000, 2)
        tokens = lexical_terms if lexical_terms is not None else content_words(question)
        dense, lexical = self.dense(query_vector), self.lexical(tokens)
        fused: dict[int, float] = {}
        for ranking in (dense, lexical):
            for rank, (row, _) in enumerate(ranking):
                fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        if self.prefer_kind:
            for row in fused:
                if self.index.documents[self.index.chunks[row].doc_id].kind == self.prefer_kind:
                    fused[row] += PREFER_BONUS
        dense_score, lexical_score = dict(dense), dict(lexical)
        order = sorted(fused, key=lambda row: -fused[row])[:limit]
        passages = tuple(
            Passage(self.index.chunks[row], rank, fused[row], dense_score.get(row), lexical_score.get(row))
            for rank, row in enumerate(order)
        )
        return Retrieval(passages, query_vector, embed_ms)
