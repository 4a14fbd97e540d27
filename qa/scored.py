"""A sentence scored against a question, and how much of a question's terms a sentence's words meet: the
evidence every later stage (choosing, cutting, verifying, abstaining) weighs.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.figures import Figure
from qa.query import Query, Term
from qa.schema import Passage, Span

# Calibrated on evals/cases.jsonl (see README, "Evaluation").
EVIDENCE_DENSE = 0.5  # evidence = this share of similarity + the rest from the question's words found


@dataclass(frozen=True)
class ScoredSentence:
    passage: Passage
    span: Span
    text: str
    dense: float
    coverage: float  # weighted share of the question's terms found here (half credit from context)
    score: float
    figure: Figure | None = None
    # Where the document states the figure when this sentence does not, cited too: the dateline its "today"
    # means, or the sentence naming who speaks in a quotation. The figure's offsets are then the document's.
    figure_at: Span | None = None

    @property
    def evidence(self) -> float:
        """How strongly this sentence bears on the question, 0..1; compared with the abstain threshold."""
        return self.weighed(self.coverage)

    def weighed(self, coverage: float) -> float:
        """Evidence with ``coverage`` of (some of) the question's terms in place of this sentence's own."""
        return EVIDENCE_DENSE * self.dense + (1 - EVIDENCE_DENSE) * coverage


def coverage(query: Query, words: set[str], context: set[str], context_credit: float = 0.5) -> float:
    return share(query.terms, words, context, context_credit)


def share(terms: tuple[Term, ...], words: set[str], context: set[str] = frozenset(),
          context_credit: float = 0.5) -> float:
    """The weighted share of ``terms`` found in ``words`` (``context_credit`` of a term found only in ``context``)."""
    total = sum(t.weight for t in terms)
    if not total:
        return 0.0
    found = 0.0
    for term in terms:
        if term.alternatives & words:
            found += term.weight
        elif term.alternatives & context:
            found += context_credit * term.weight
    return found / total
