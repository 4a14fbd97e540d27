"""Whose words a sentence is, and who or what it is about: the speaker of its quotation, the one a "He
suggested ..." refers to, and whether it is what the person a question names said of what it asks about."""

from __future__ import annotations

import re

from qa.index import LoadedIndex
from qa.query import Query, Term
from qa.scored import ScoredSentence, share
from qa.speakers import SPEECH_VERBS
from qa.text import content_words, sentence_before

SAID_BY_SHARE = 0.5  # of the name asked about ("Rachel de Souza"), weighted by rarity: "Souza" alone will do
SAID_ABOUT_SHARE = 0.15  # of what they are asked to have said it of: more than a common word ("care")
# What a sentence naming someone reports them saying or urging: "Longfield said", "MacAlister called for".
REPORTING = re.compile(rf"\b(?:{SPEECH_VERBS}|call(?:s|ed|ing)? for|suggest(?:s|ed)?|welcom(?:es|ed)|urg(?:es|ed)"
                       r"|propos(?:es|ed)|recommend(?:s|ed)?|believ(?:es|ed)|think|thinks|thought)\b", re.I)
_PRONOUN_START = re.compile(r"\W*(?:he|she|they|his|her|their)\b", re.I)


class Attribution:
    """Reads who speaks in and who is spoken of by the sentences of one index."""

    def __init__(self, index: LoadedIndex) -> None:
        self.index = index

    def attributed(self, query: Query, sentences: list[ScoredSentence]) -> list[tuple[ScoredSentence, float]]:
        """Those of ``sentences`` that say what the one the question names said (reporting what they said,
        or in a quotation of theirs, named with their title where it starts) of what the question asks
        about: Claire Coutinho's praise of the reforms says nothing of a tax, and "the review will be led
        by Josh MacAlister" is not his. Each with the share of what was asked about that it says."""
        heard, phrases = [], self.phrases_asked(query)
        for sentence in sentences:
            own, naming = set(content_words(sentence.text)), self.naming_words(sentence)
            theirs = share(query.said_by, naming) >= SAID_BY_SHARE or (
                share(query.said_by, own) >= SAID_BY_SHARE and REPORTING.search(sentence.text))
            # "Commenting on the review, Zahawi said: ..." says what the quotation is of.
            told = share(query.said_about, own, naming) if query.said_about else 0.0
            words = own | naming
            # the phrase itself, or all of one phrase the documents put for it ("care experienced")
            says_phrase = not phrases or any({a.word, b.word} <= words or any(t.parts and t.parts <= words for t in (a, b))
                                             for a, b in phrases)
            if theirs and says_phrase and (not query.said_about or told >= SAID_ABOUT_SHARE):
                heard.append((sentence, told))
        return heard

    def phrases_asked(self, query: Query) -> list[tuple[Term, Term]]:
        """Two words of what someone is asked to have said something about, side by side in the question,
        that the documents also write side by side ("care leavers", "windfall tax"): one of them alone ("the
        care system") is something else."""
        return [(a, b) for a, b in query.said_about_pairs
                if any(re.search(rf"\b{re.escape(a.word)}\w*\s+{re.escape(b.word)}", d.text, re.I)
                       for d in self.index.documents.values())]

    def voiced(self, sentence: ScoredSentence) -> bool:
        """The sentence says what someone said or thinks: it quotes them, or reports it."""
        return (self.index.speaker_at(sentence.passage.chunk.doc_id, sentence.span.start) is not None
                or bool(REPORTING.search(sentence.text)))

    def about_words(self, sentence: ScoredSentence) -> set[str]:
        """Who or what ``sentence`` is about: its words, those naming its speaker, those of the sentence
        before and of its document's title."""
        doc = self.index.documents[sentence.passage.chunk.doc_id]
        previous = sentence_before(doc.text, sentence.span.start)
        return set(content_words(f"{sentence.text} {previous} {doc.title}")) | self.naming_words(sentence)

    def naming_words(self, sentence: ScoredSentence) -> set[str]:
        """The words saying who speaks or acts in ``sentence`` where they stand outside it: the sentence
        naming the speaker of its quotation, the one before a "He suggested ..."."""
        text = self.index.documents[sentence.passage.chunk.doc_id].text
        naming: set[str] = set()
        if _PRONOUN_START.match(sentence.text):
            naming |= set(content_words(sentence_before(text, sentence.span.start)))
        speaker = self.index.speaker_at(sentence.passage.chunk.doc_id, sentence.span.start)
        if speaker is not None:
            at = speaker.named_in
            naming |= set(content_words(speaker.name)) | set(content_words(text[at.start:at.end]))
        return naming
