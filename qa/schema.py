"""The typed records that cross the seams between modules: ingest -> index -> retrieve -> answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    """A cleaned source document. Citation offsets index into ``text``."""

    doc_id: str
    title: str
    text: str
    kind: str = "coverage"  # "coverage" (press) or "review" (the review's own reports)
    outlet: str = ""
    author: str = ""
    date: str = ""  # ISO date when known
    url: str = ""
    source_path: str = ""
    # Character offset where each page starts, for paged formats (PDF). Empty for others.
    page_starts: tuple[int, ...] = ()
    # (offset, heading) for each heading found in ``text``, in order (Markdown, DOCX, PDF bookmarks).
    sections: tuple[tuple[int, str], ...] = ()

    def page_at(self, offset: int) -> int | None:
        """1-based page number holding ``offset``, or None for documents without pages."""
        if not self.page_starts:
            return None
        page = 0
        for number, start in enumerate(self.page_starts):
            if start <= offset:
                page = number
            else:
                break
        return page + 1

    def section_at(self, offset: int) -> str:
        """The heading of the section holding ``offset``; empty before the first heading."""
        heading = ""
        for start, title in self.sections:
            if start > offset:
                break
            heading = title
        return heading

    def metadata(self) -> dict:
        meta = asdict(self)
        del meta["text"]
        meta["page_starts"] = list(self.page_starts)
        meta["sections"] = [list(s) for s in self.sections]
        return meta

    def to_dict(self) -> dict:
        return {**self.metadata(), "text": self.text}

    @classmethod
    def from_dict(cls, data: dict) -> Document:
        data = dict(data)
        data["page_starts"] = tuple(data.get("page_starts") or ())
        data["sections"] = tuple((int(start), str(title)) for start, title in data.get("sections") or ())
        return cls(**data)


@dataclass(frozen=True)
class Span:
    """A [start, end) character span inside a document's cleaned text."""

    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of one document, with its sentences as spans in the document text."""

    chunk_id: str
    doc_id: str
    title: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...] = ()
    page: int | None = None
    section: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["sentences"] = [[s.start, s.end] for s in self.sentences]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        data = dict(data)
        data["sentences"] = tuple(Span(a, b) for a, b in data.get("sentences") or ())
        return cls(**data)


@dataclass(frozen=True)
class Passage:
    """A chunk ranked for a question. ``rank`` is 0-based; scores are the signals that ranked it."""

    chunk: Chunk
    rank: int
    fused_score: float
    dense_score: float | None = None
    lexical_score: float | None = None


@dataclass(frozen=True)
class Citation:
    """A verbatim quote: ``quote == cleaned_text_of(doc_id)[start:end]``. ``n`` is the 1-based marker."""

    n: int
    doc_id: str
    title: str
    quote: str
    start: int
    end: int
    score: float
    page: int | None = None
    outlet: str = ""
    date: str = ""
    kind: str = ""
    url: str = ""
    section: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    timings_ms: dict = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    # The figure or name the answer leads with, when the question asked for one.
    figure: str = ""
    # Distinct document ids in retrieval rank order (for retrieval metrics).
    retrieved: tuple[str, ...] = ()
    # The question as the pipeline read it: contractions, text-speak and typos normalised.
    understood_as: str = ""
    # Which safeguarding cues the question met (see qa/safety.py); empty when none did.
    support: str = ""
    # Which reader wrote the answer shown ("extractive" or "generative"), whether every sentence of it
    # held against its cited passages (None for an abstention), why the configured reader's answer was
    # not shown (empty when it was), and the sentences the verifier dropped, with the reason for each.
    reader: str = "extractive"
    verified: bool | None = None
    fallback: str = ""
    dropped: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "understood_as": self.understood_as or self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "figure": self.figure,
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": dict(self.timings_ms),
            "notices": list(self.notices),
            "retrieved": list(self.retrieved),
            "support": self.support or None,
            "reader": self.reader,
            "verified": self.verified,
            "fallback": self.fallback or None,
            "dropped": [{"sentence": text, "reason": reason} for text, reason in self.dropped],
        }
