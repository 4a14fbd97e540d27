"""Who says each paragraph of a document, where news copy leaves it to the reader.

An article names a speaker once ("Anne Longfield, Children's Commissioner for England, said: “...") and then
quotes them for paragraphs on end, or closes a quotation with "he added". A sentence of such a quotation
("I hear from older children in care who ...") names nobody, yet it is what "what did Longfield say happens
to older children?" asks for. This module reads those conventions once per document so that the reader can
weigh a quoted sentence by its speaker, and say who said it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.figures import Figure, named_things_in, people_in, title_of
from qa.schema import Span
from qa.text import sentence_spans

SPEECH_VERBS = (r"said|says|added|adds|warned|warns|argued|argues|commented|comments|explained|stated|told|insisted"
                r"|claimed|described|describes")
# "X said", "X, ..., said:" (the speaker before the verb, after the last sentence or quotation end)
_SPEAKER_FIRST = re.compile(rf"(?:^|[.!?”\"]\s+)(?P<who>[^.!?“”\"]{{2,200}}?)\s*,?\s+(?:{SPEECH_VERBS})\b", re.M)
# "“...,” he added." / "“...,” said Claire Coutinho." / "“...,” Coles added."
_SPEAKER_AFTER = re.compile(rf"[,.!?][”\"]\s*(?:(?:{SPEECH_VERBS})\s+(?P<after>[^.!?“\"]{{2,120}})|"
                            rf"(?P<before>[^.!?“\"]{{2,120}}?)\s+(?:{SPEECH_VERBS})\b)")
_AUXILIARY = re.compile(r"(?:\s+(?:has|have|had|also|then|later|previously))+$", re.I)  # "MacAlister has warned"
_PRONOUN = re.compile(r"^(?:he|she|they)$", re.I)
_OPENS_QUOTE = re.compile(r"^\s*[“\"‘]")
_INTRODUCES = re.compile(r":\s*[“\"]")  # a colon before a quotation: what follows is someone's words


@dataclass(frozen=True)
class Speaker:
    """A paragraph's speaker: their name as the document writes it, and where it is written."""

    name: str
    named_at: Span  # in the document: the mention of the name
    naming: Span | None = None  # the sentence holding that mention, which a citation of "who said it" quotes
    title: str = ""  # what that sentence calls them: "Chair of the LGA Children and Young People Board"

    @property
    def named_in(self) -> Span:
        """The sentence naming them, or the mention itself where no sentence was found."""
        return self.naming or self.named_at


def speakers_of(text: str) -> list[tuple[Span, Speaker]]:
    """(paragraph, speaker) for each paragraph of ``text`` that quotes or reports someone, in order."""
    found: list[tuple[Span, Speaker]] = []
    people: list[Speaker] = []  # everyone named so far, for a surname alone ("Mr MacAlister said")
    last: Speaker | None = None  # who spoke last, for "he added"
    previous: Speaker | None = None  # who spoke in the paragraph before
    at = 0
    for line in text.split("\n"):
        paragraph = Span(at, at + len(line))
        at = paragraph.end + 1
        if not line.strip():
            continue
        speaker = _named_in(line, paragraph.start, people, last)
        if speaker is None and _OPENS_QUOTE.match(line):
            speaker = previous  # a quotation running on from the paragraph before
        people += [Speaker(f.text, Span(paragraph.start + f.start, paragraph.start + f.end)) for f in people_in(line)]
        if speaker is not None:
            found.append((paragraph, speaker))
            last = speaker
        previous = speaker
    naming = {who.named_at: _sentence_around(text, who.named_at) for _, who in found}
    return [(paragraph, replace(who, naming=naming[who.named_at], title=_title(text, who, naming[who.named_at])))
            for paragraph, who in found]


def _title(text: str, who: Speaker, sentence: Span | None) -> str:
    if sentence is None:
        return ""
    at = who.named_at.start - sentence.start
    return title_of(text[sentence.start:sentence.end], Figure("person", at, at + len(who.name), who.name)).strip()


def _sentence_around(text: str, span: Span) -> Span | None:
    line_end = text.find("\n", span.end)
    line = sentence_spans(text, text.rfind("\n", 0, span.start) + 1, len(text) if line_end < 0 else line_end)
    return next((s for s in line if s.start <= span.start < s.end), None)


def _named_in(line: str, offset: int, people: list[Speaker], last: Speaker | None) -> Speaker | None:
    for pattern, groups in ((_SPEAKER_FIRST, ("who",)), (_SPEAKER_AFTER, ("after", "before"))):
        for m in pattern.finditer(line):
            for group in groups:
                if m.group(group):
                    speaker = _resolved(m.group(group), offset + m.start(group), people, last)
                    if speaker is not None:
                        return speaker
    colon = _INTRODUCES.search(line)
    named = people_in(line[:colon.start()]) if colon else []
    if named:  # "The Department said Gavin Williamson would give a speech saying: “...": the last one named
        return _resolved(named[-1].text, offset + named[-1].start, people, last)
    return None


def _resolved(phrase: str, offset: int, people: list[Speaker], last: Speaker | None) -> Speaker | None:
    """The speaker a phrase before or after "said" names: a person, "he" or "she" (the last speaker), a
    surname alone (the person named before with it), or a body ("the Independent Children's Homes
    Association said")."""
    phrase = _AUXILIARY.sub("", phrase.strip())
    if _PRONOUN.match(phrase):
        return last
    named = people_in(phrase)
    if named:
        figure = named[-1]  # the name nearest the verb: "Chair of the ... Board, Cllr Anntoinette Bramble said"
        speaker = Speaker(figure.text, Span(offset + figure.start, offset + figure.end))
        people.append(speaker)
        return speaker
    word = re.fullmatch(r"(?:Mr|Mrs|Ms|Dr|Cllr)?\.?\s*([A-Z][\w'’-]+)", phrase)
    if word:
        surname = word.group(1)
        earlier = next((p for p in reversed(people) if p.name.split()[-1] == surname), None)
        speaker = earlier or Speaker(surname, Span(offset + word.start(1), offset + word.end(1)))
        return speaker
    bodies = [f for f in named_things_in(phrase) if " " in f.text]
    if bodies:
        return Speaker(bodies[-1].text, Span(offset + bodies[-1].start, offset + bodies[-1].end))
    return None
