"""Safeguarding: notice a message that signals distress or danger, and offer a calm support panel first.

The cues and the panel's words live in ``qa/data/support.toml`` so they can be reviewed without reading code.
``support_for()`` is a pure function of the message; the web app shows its panel above any answer, and the
CLI can print ``panel.to_text()`` the same way.

>>> support_for("how much is the foster allowance rise?") is None
True
>>> support_for("my step dad hits me").reason
'abuse'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

# How much commoner in English (Zipf) a cue word must be than a rare token one slip from it, for the token
# to be read as that word ("hts" 2.7 is "hits" 4.2); a real word stays itself ("hat" is no "hit").
CUE_MARGIN = 1.0
_STRAIGHTEN = str.maketrans({"‘": "'", "’": "'", "`": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class Contact:
    name: str
    number: str
    about: str

    @property
    def dial(self) -> str:
        """The number as a tel: link target (digits only)."""
        return re.sub(r"\D", "", self.number)


@dataclass(frozen=True)
class SupportPanel:
    heading: str
    intro: str
    contacts: tuple[Contact, ...]
    closing: str
    # Which group of cues matched (self_harm, abuse, unsafe, running_away, not_heard): for tests and logs,
    # never shown.
    reason: str = ""
    # The message discloses harm done to the person: show the panel and this note, never an article quote.
    disclosure: bool = False
    disclosure_note: str = ""

    def to_text(self) -> str:
        lines = [self.heading, self.intro, ""]
        lines += [f"  {c.name}: {c.number}. {c.about}" for c in self.contacts]
        return "\n".join([*lines, "", self.closing])


@dataclass(frozen=True)
class _SupportData:
    cues: tuple[tuple[str, re.Pattern], ...]
    panel: SupportPanel
    disclosure_reasons: frozenset[str]


@cache
def _load() -> _SupportData:
    raw = tomllib.loads(resources.files("qa").joinpath("data/support.toml").read_text(encoding="utf-8"))
    cues = tuple((reason, re.compile(pattern)) for reason, patterns in raw["cues"].items() for pattern in patterns)
    panel = raw["panel"]
    contacts = tuple(Contact(**c) for c in panel["contacts"])
    disclosure = raw["disclosure"]
    return _SupportData(cues, SupportPanel(panel["heading"], panel["intro"], contacts, panel["closing"],
                                           disclosure_note=disclosure["note"]),
                        frozenset(disclosure["reasons"]))


@cache
def _reader():
    """The question normaliser without any corpus: contractions, text-speak and misspellings read the same
    way as for answering, so "i dont feel safe" and "ppl hurt me" meet the cues written for tidy English."""
    from qa.normalise import QuestionNormaliser

    return QuestionNormaliser({})


@cache
def _cue_speller():
    """The words the cues are written with, as a spelling dictionary. A slip in one of them ("my carer hts
    me", "i dont feel saf") is read as that word, though the question normaliser leaves tokens this short
    alone: a cry for help missed costs far more than a panel shown once too often."""
    from symspellpy import SymSpell

    from qa.english import zipf

    speller = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
    for _, cue in _load().cues:
        for word in set(re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", cue.pattern))):
            speller.create_dictionary_entry(word, max(1, round(100 * zipf(word))))
    return speller


def _read_as_cues(text: str) -> str:
    """``text`` with each rare token one slip from a far commoner cue word read as that word."""
    from symspellpy import Verbosity

    from qa.english import in_lexicon, zipf
    from qa.normalise import REAL_WORD_ZIPF

    words = []
    for word in text.split():
        core = word.strip(".,!?;:'\"")
        frequency = zipf(core) if core.isalpha() and len(core) >= 3 and not in_lexicon(core) else 99
        if frequency < REAL_WORD_ZIPF:
            near = _cue_speller().lookup(core, Verbosity.CLOSEST, 1 if len(core) <= 5 else 2)
            common = [s for s in near if zipf(s.term) >= frequency + CUE_MARGIN]
            if common:
                # A letter left out is the commonest slip on a phone: "saf" is "safe" before it is "say".
                best = max(common, key=lambda s: (_holds_in_order(s.term, core), s.count))
                word = word.replace(core, best.term)
        words.append(word)
    return " ".join(words)


def _holds_in_order(word: str, typed: str) -> bool:
    letters = iter(word)
    return all(letter in letters for letter in typed)


def normalise_message(message: str) -> str:
    """Lower case, straight apostrophes, single spaces: the form the cues are written against."""
    return " ".join(str(message or "").translate(_STRAIGHTEN).lower().split())


def support_for(message: str) -> SupportPanel | None:
    """The support panel when ``message`` signals distress or danger, else None. The cues are tried on the
    message as typed and as read after normalisation."""
    data = _load()
    typed = normalise_message(message)
    if not typed:
        return None
    read = normalise_message(_reader().normalise(typed).text)
    texts = dict.fromkeys((typed, read, _read_as_cues(typed), _read_as_cues(read)))
    for reason, cue in data.cues:
        if any(cue.search(text) for text in texts):
            return replace(data.panel, reason=reason, disclosure=reason in data.disclosure_reasons)
    return None
