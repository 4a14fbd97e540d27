"""How a question was typed -> how it is read: contractions, text-speak, misspellings, spelling variants
and split compounds, so that a phone-typed question is analysed like the tidy one.

Maintained libraries do the general work: ``contractions`` knows apostrophe-less contractions ("wasnt",
"whod"), ``wordfreq`` says whether a word is English at all, ``symspellpy`` finds the nearest word to a
typo, ``lemminflect`` gives inflections. What they lack (chat abbreviations, greetings) is a shipped table,
``qa/data/textspeak.toml``. The corpus decides last: a word the documents use is never changed, and a typo
is corrected to a documents' word before a general English one. Figures, amounts and dates are never
touched: any token with a digit or a currency sign stays exactly as typed.

>>> QuestionNormaliser({"foster": 3, "carers": 5, "money": 2}).normalise("ok so wat r they doin abt fostr carers money").text
'what are they doing about foster carers money'
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from qa.english import closest, english_speller, in_lexicon, place_names, swapped, zipf
from qa.framing import CLAUSE_END, CORE, Framing, casing_says_nothing
from qa.text import SCALES

if TYPE_CHECKING:
    from symspellpy import SuggestItem

# A word this common in English (wordfreq's Zipf scale: 3 = once per million words) is a real word, never
# a typo to correct; below TYPO_ZIPF a word that is neither the documents' nor a contraction is taken for one.
REAL_WORD_ZIPF = 3.0
TYPO_ZIPF = 2.0
MIN_CORRECTED_LENGTH = 4  # shorter tokens are too ambiguous to correct ("mp" is "my", "up", "pm" ...)
# How much more common (on the Zipf scale: 100 times) a documents' word one edit away must be for a listed
# word to be read as a misspelling of it.
COMMON_MARGIN = 2.0
# A token in lower case and in no lexicon, one slip from a word the documents use, is asked about that word
# once the word is ten times commoner ("accomodation" 2.4, "accommodation" 4.1): the question is about them.
CORPUS_MARGIN = 1.0

OPENING_WORD_ZIPF = 5.5  # the commonest words: "what", "much", "tell"; not "began" (5.0), "dealing" (4.3)
RUN_TOGETHER_ZIPF = 3.5  # two words typed together are found this often ("ofthe" 3.3), a word of its own more
SLIP_COST = 2.0  # a slip (a letter, or the space) is a hundred times less likely than no slip
CORPUS_CREDIT = 1.0  # and the documents' own words ten times likelier than the rest of English
UNSEEN_ZIPF = 1.0  # a capitalised word rarer than this is no name people write ("Fairbrother" is 1.5)
COMMON_WORD_ZIPF = 4.0  # a word of three letters common enough to be half of two typed together ("job")
SHORT_WORD_ZIPF = 5.5  # and a word of two letters: "of", "is", "to", "in", not "ed" or "ho"
_TOKEN = re.compile(r"\S+")
# A run of capitalised words, with the small words names carry inside them ("Association of Directors of
# Children's Services"), and the small words themselves, which initials skip.
_NAMED_PHRASE = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:(?:of|and|for|the|in|on)\s+)*[A-Z][\w’'-]*)+")
_NAME_LINKS = {"of", "and", "for", "the", "in", "on"}
_NAME_JOINED = re.compile(r"([a-z]{2,})([A-Z][\w'’]*)")  # "theLGA", "doesMark": a word, then a name
# British and American spellings of one word: each pair is tried both ways round.
_SPELLING_VARIANTS = (("isation", "ization"), ("ise", "ize"), ("ising", "izing"), ("ised", "ized"),
                      ("our", "or"), ("lling", "ling"), ("lled", "led"), ("tre", "ter"), ("ogue", "og"),
                      ("ence", "ense"), ("mme", "m"), ("ae", "e"), ("oe", "e"))


@dataclass(frozen=True)
class Reading:
    """A question as typed and as read; ``changes`` lists each (typed, read as) replacement."""

    original: str
    text: str
    changes: tuple[tuple[str, str], ...] = ()
    nothing_asked: bool = False  # only greetings, fillers and asides ("hi", "ok so", "lol"): read as typed


@dataclass(frozen=True)
class _Tables:
    textspeak: dict[str, str]
    contractions: dict[str, str]
    framing: Framing


@cache
def _tables() -> _Tables:
    import contractions
    from lemminflect import getAllLemmas

    raw = tomllib.loads(resources.files("qa").joinpath("data/textspeak.toml").read_text(encoding="utf-8"))
    expansions = {k.lower().replace("’", "'"): v.lower() for k, v in contractions.contractions_dict.items()}
    for key, value in contractions.slang_dict.items():
        key = key.lower()
        # "shell", "lets" and "cause" are words in their own right; "cant" and "wont" are read as contractions.
        if "'" in key or key.endswith("nt") or not getAllLemmas(key):
            expansions.setdefault(key, value.lower())
    fillers = raw["fillers"]
    framing = Framing(frozenset(fillers["words"]), frozenset(fillers["trailing"]), frozenset(fillers["hedges"]),
                      frozenset(fillers["asides"]), tuple(sorted(fillers["requests"], key=lambda r: -len(r.split()))))
    return _Tables(raw["words"], expansions, framing)


def as_read(phrase: str) -> str:
    """``phrase`` with its text-speak read as questions are ("loads of money" -> "a lot of money"), so that
    a table keyed by everyday phrases matches the question as read."""
    return " ".join(_tables().textspeak.get(word, word) for word in phrase.lower().split())


class QuestionNormaliser:
    """Reads questions against one corpus's words.

    ``corpus_words`` maps each lower-case word of the documents to how often they use it; ``names`` holds
    those the documents write with a capital (their proper names), in the documents' own casing.
    """

    def __init__(self, corpus_words: Mapping[str, int], names: Mapping[str, str] | None = None,
                 extra_words: Iterable[str] = (), acronyms: Mapping[str, str] | None = None) -> None:
        from symspellpy import SymSpell

        self.words = dict(corpus_words)
        self.names = dict(names or {})
        # Words with a known meaning though the documents do not use them (the synonym table's keys).
        self.extra_words = frozenset(extra_words)
        self.hyphenated = {w.replace("-", ""): w for w in self.words if "-" in w}
        # Initials of the documents' multi-word names that they never abbreviate themselves ("ICHA").
        self.acronyms = {k: v for k, v in (acronyms or {}).items() if k not in self.words}
        self.tables = _tables()
        self.corpus_speller = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in self.words.items():
            if word.isalpha():
                self.corpus_speller.create_dictionary_entry(word, count)

    @classmethod
    def from_texts(cls, texts: Iterable[str], extra_words: Iterable[str] = ()) -> QuestionNormaliser:
        """Counts the words of the documents, and which of them the documents write as names."""
        counts: Counter[str] = Counter()
        cased: Counter[str] = Counter()
        for text in texts:
            for word in re.findall(r"[A-Za-z]+(?:['’][A-Za-z]+)?(?:-[A-Za-z]+)*", text):
                lower = word.lower().replace("’", "'")
                counts[lower] += 1
                if "-" in lower:
                    counts.update(lower.split("-"))
                if word[0].isupper():
                    cased[word] += 1
        acronyms: dict[str, str] = {}
        plurals: dict[str, str] = {}  # "RCCs": taken only where no name has those initials exactly
        for text in texts:
            for phrase in _NAMED_PHRASE.findall(text):
                # Every run of two or more of its capitalised words: "President of the Association of
                # Directors of Children’s Services" also holds "ADCS"; "Independent Children’s Homes
                # Association" is "ICHA".
                words = [m for m in re.finditer(r"\S+", phrase) if m.group().lower() not in _NAME_LINKS]
                for i in range(len(words) - 1):
                    for j in range(i + 2, len(words) + 1):
                        initials = "".join(w.group()[0] for w in words[i:j]).lower()
                        name = phrase[words[i].start():words[j - 1].end()]
                        acronyms.setdefault(initials, name)
                        plurals.setdefault(initials + "s", name)
        acronyms = {**plurals, **acronyms}
        names = {}
        for word, count in cased.most_common():
            lower = word.lower()
            # A name is written with its capital nearly always, not only at the start of a sentence.
            if lower not in names and count >= 0.8 * counts[lower]:
                names[lower] = word
        return cls(counts, names, extra_words, acronyms)

    # --- reading a question ----------------------------------------------------------------------

    def normalise(self, question: str) -> Reading:
        tokens = _TOKEN.findall(question)
        if casing_says_nothing(tokens):
            tokens = [self.recased(token) for token in tokens]
        read: list[str] = []
        changes: list[tuple[str, str]] = []
        for token in tokens:
            lead, core, trail = CORE.match(token).groups()
            if not core:
                read.append(token)
                continue
            after_number = bool(read) and read[-1][-1:].isdigit()
            opening = (not read or bool(CLAUSE_END.search(read[-1]))) and core[:1].isupper() and core[1:].islower()
            replacement = SCALES.get(core.lower()) if after_number else (
                opening and self.read_opening_word(core) or self.read_word(core))
            if replacement is None and after_number:
                replacement = self.read_word(core)
            if replacement is None:
                read.append(token)
            else:
                changes.append((core, replacement))
                read.append(f"{lead}{replacement}{trail}" if replacement else (trail if CLAUSE_END.search(trail) else ""))
        read = [word for token in self.join_compounds([t for t in read if t], changes) for word in token.split()]
        text = " ".join(self.tables.framing.without_framing(read, changes))
        return Reading(question, text or " ".join(tokens), tuple(changes), nothing_asked=bool(tokens) and not text)

    def recased(self, token: str) -> str:
        """A word of a question whose casing says nothing, cased as the documents write it: a name as they
        write it ("JOSH" -> "Josh"), any other word in lower case; figures as typed."""
        lead, core, trail = CORE.match(token).groups()
        if not core.replace("'", "").replace("’", "").isalpha():
            return token
        lower = core.lower()
        return f"{lead}{self.names.get(lower, lower)}{trail}"

    def read_opening_word(self, core: str) -> str | None:
        """A word opening a sentence has its capital for that, not for being a name: misspelt ("Waht",
        "Hwat"), it is read as in lower case, when what it is read as is a word so common ("what", "much")
        that a name one slip from it is unlikely ("Ealing" is not "dealing", nor "Bevan" "began")."""
        reading = self.read_word(core.lower())
        return reading if reading and zipf(reading.split()[0]) >= OPENING_WORD_ZIPF else None

    def read_word(self, core: str) -> str | None:
        """The words ``core`` stands for, or None to keep it as typed."""
        if re.search(r"[\d£$€]", core):
            return None  # figures, amounts and dates stay exactly as typed
        joined = _NAME_JOINED.fullmatch(core)
        if joined and self.is_whole_word(joined[1].lower()) and self.names.get(joined[2].lower()) == joined[2]:
            # a word run into a name the documents write so ("theLGA", "doesMark"): the name as typed
            return f"{self.read_word(joined[1]) or joined[1]} {joined[2]}"
        lower = core.lower().replace("’", "'")
        tables = self.tables
        if lower in self.words or lower in self.extra_words:
            return None
        if lower in tables.contractions and "'" in lower:
            return tables.contractions[lower]
        if lower.endswith("'s") and len(lower) > 3:  # "govt's", "stategy's": read the word, keep the 's
            base = self.read_word(core[:-2])
            whole = f"{base or lower[:-2]}'s"
            return tables.contractions.get(whole.lower(), whole if base else None)
        if lower in tables.textspeak:
            return tables.textspeak[lower]
        if lower in self.acronyms and (core.isupper() or zipf(lower) < REAL_WORD_ZIPF):
            return self.acronyms[lower]
        if lower in tables.contractions:
            return tables.contractions[lower]
        if lower in self.hyphenated:  # "wideranging" for the documents' "wide-ranging"
            return self.hyphenated[lower]
        if "-" in lower:
            joined = lower.replace("-", "")
            if self.knows_whole(joined):
                return joined
            parts = [self.read_word(p) for p in lower.split("-")]
            if any(p is not None for p in parts):
                return " ".join(p if p is not None else w for p, w in zip(parts, lower.split("-")))
            return None
        if not lower.isalpha():
            return None
        possessive = f"{lower[:-1]}'s"
        if lower.endswith("s") and possessive in self.words and not in_lexicon(lower):
            return f"{self.names.get(lower[:-1], lower[:-1])}'s"  # "childrens society": The Children's Society
        if re.search(r"(\w)\1\1", lower) and not in_lexicon(lower):
            # A letter held down for emphasis ("sooo", "pleaseee"): read with it twice, else once.
            for collapsed in (re.sub(r"(\w)\1{2,}", r"\1\1", lower), re.sub(r"(\w)\1{2,}", r"\1", lower)):
                if self.knows_whole(collapsed) or in_lexicon(collapsed):
                    return self.read_word(collapsed) or collapsed
        if lower.endswith("in") and not in_lexicon(lower) and in_lexicon(lower + "g"):
            return lower + "g"  # the dropped g of speech: "bein", "doin", "sayin"
        variant = self.corpus_variant(lower)
        if variant:
            return variant
        split = self.split_compound(lower, capitalised=core[0].isupper())
        if split:
            return split
        frequency = zipf(lower)
        if frequency < TYPO_ZIPF:
            return self.correct(lower, capitalised=core[0].isupper())
        if in_lexicon(lower):
            return None  # a real word ("bake", "Name") is what was meant, however near a documents' word
        if core[0].isupper() and len(lower) >= MIN_CORRECTED_LENGTH:
            # A capitalised word one edit from a name the documents use is that name misspelt ("Russel").
            names = [s for s in self.corpus_speller.lookup(lower, closest(), 1) if s.term in self.names]
            if names:
                return self.names[max(names, key=lambda s: s.count).term]
        if frequency < REAL_WORD_ZIPF + 1:
            # Common misspellings ("recieve", "shoud", "milion") are frequent enough to be listed as words;
            # one edit from a documents' word far more common than itself, the typed form is a slip.
            # Not shortened to a word of two letters: a third letter is no slip ("isa" is not "is").
            near = [s for s in self.corpus_speller.lookup(lower, closest(), 1) if len(s.term) >= min(3, len(lower))]
            margin = COMMON_MARGIN if core[0].isupper() else CORPUS_MARGIN  # "Ealing" is a place, not "dealing"
            common = [s for s in near if zipf(s.term) >= frequency + margin]
            if common:
                term = max(common, key=lambda s: s.count).term
                return self.names.get(term, term)
            if len(lower) >= MIN_CORRECTED_LENGTH and not core[0].isupper():
                # No English word either ("actualy"): a slip for a far commoner English word one edit away.
                # Not a capitalised word: that is likely a name ("Ealing" is not "eating").
                near = english_speller().lookup(lower, closest(), 1)
                common = [s for s in near if zipf(s.term) >= frequency + COMMON_MARGIN]
                if common:
                    return max(common, key=lambda s: s.count).term
        return None

    def corpus_variant(self, word: str) -> str | None:
        """The documents' spelling of a word they spell otherwise ("organization" -> "organisation"), or
        their inflection of a rare one ("trialling" -> "trial"); common words keep their own inflection,
        which the stemmer already matches."""
        forms = set()
        for old, new in _SPELLING_VARIANTS:
            for a, b in ((old, new), (new, old)):
                at = word.rfind(a)
                if at > 1:
                    forms.add(word[:at] + b + word[at + len(a):])
        if zipf(word) < REAL_WORD_ZIPF:
            from lemminflect import getAllInflections, getAllLemmas

            for form in {word, *forms}:
                for lemmas in getAllLemmas(form).values():
                    for lemma in lemmas:
                        forms.add(lemma)
                        forms.update(f for group in getAllInflections(lemma).values() for f in group)
        known = [f for f in forms if f in self.words and f != word]
        return max(known, key=lambda f: (self.words[f], f)) if known else None

    def split_compound(self, word: str, capitalised: bool = False) -> str | None:
        """Two words typed without the space between them ("fostercare", "whowas", "thereview"), when the
        whole is no word: the likeliest pair ("the review", not "there view"), if likelier than the nearest
        single word ("incare" is "in care", not "income"; "diffrent" is "different", not "diff rent"). A
        capitalised word is split only when it is no name anyone writes either ("Goodman" is a name)."""
        if len(word) < 4 or in_lexicon(word) or word in place_names() or \
                zipf(word) >= (UNSEEN_ZIPF if capitalised else RUN_TOGETHER_ZIPF):
            return None  # a word, a name or a place ("newcastle" is not "new castle")
        cuts = [(self.frequency(word[:cut]) + self.frequency(word[cut:]), cut) for cut in range(2, len(word) - 1)
                if self.is_whole_word(word[:cut]) and self.is_whole_word(word[cut:])]
        if not cuts:
            return None
        both, cut = max(cuts)
        left, right = word[:cut], word[cut:]
        # Weighed as a spelling corrector does: how often the words are written (wordfreq's Zipf is
        # log10 of a word's frequency per billion words, so two words cost 9 more than one), less a cost
        # for each slip (the missing space is one), more for the documents' own words.
        split = both - 9 - SLIP_COST + CORPUS_CREDIT * (left in self.words and right in self.words)
        single = max((zipf(s.term) - SLIP_COST * s.distance + CORPUS_CREDIT * ours
                      for s, ours in self.near(word, capitalised)), default=None)
        if single is not None and split < single:
            return None
        # a half may be text-speak or a contraction ("abtkids", "watdid")
        return " ".join(self.tables.textspeak.get(p) or self.tables.contractions.get(p) or self.names.get(p, p)
                        for p in (left, right))  # a name as the documents write it ("didjosh": "did Josh")

    def frequency(self, word: str) -> float:
        """A word's Zipf frequency; text-speak's is that of what it stands for ("abt": "about")."""
        return zipf(self.tables.textspeak.get(word, word).split()[0]) if word in self.tables.textspeak else zipf(word)

    def is_whole_word(self, part: str) -> bool:
        """A half of two words run together: a real word ("chaired", "levy"); of three letters, a common one
        ("job", not "ism") or text-speak ("abt"); of two, one of the commonest ("of", "is"): most short
        strings are some rare word."""
        if part in self.tables.textspeak and len(part) > 2:
            return True
        common = zipf(part)
        if len(part) == 2:
            return common >= SHORT_WORD_ZIPF
        return common >= (COMMON_WORD_ZIPF if len(part) == 3 else REAL_WORD_ZIPF) or (
            part in self.words and common >= REAL_WORD_ZIPF)

    def near(self, word: str, capitalised: bool = False) -> list[tuple[SuggestItem, bool]]:
        """The words nearest a typo (SymSpell suggestions), each with whether it is a documents' word: one
        edit away for a short word, two for a longer; a capitalised word, likely a name, only the documents'."""
        if len(word) < MIN_CORRECTED_LENGTH:
            return []
        distance = 1 if len(word) <= 5 else 2
        ours = self.corpus_speller.lookup(word, closest(), distance)
        theirs = [] if capitalised else english_speller().lookup(word, closest(), distance)
        nearest = min((s.distance for s in ours + theirs), default=None)
        return [(s, True) for s in ours if s.distance == nearest] + [(s, False) for s in theirs if s.distance == nearest]

    def correct(self, word: str, capitalised: bool = False) -> str | None:
        """The nearest documents' word to a typo, else the nearest common English word (a capitalised
        word, likely a name, only to a documents' word); None when nothing is near."""
        candidates = self.near(word, capitalised)
        if not candidates:
            return None
        # Of the nearest: one with the typed first letter (people rarely miss it: "wtas" is not "twas"); then
        # one with two letters the wrong way round ("worte" is "wrote", though the documents say "worth");
        # then a documents' word before an English one; then the commoner.
        best, _ = max(candidates, key=lambda c: (c[0].term[:1] == word[:1], swapped(word, c[0].term), c[1],
                                                  zipf(c[0].term) + math.log10(1 + c[0].count)))
        term = self.names.get(best.term, best.term)
        # An English word may be text-speak or a contraction itself ("gvot" is "govt", "whso" is "whos").
        return self.tables.textspeak.get(term) or self.tables.contractions.get(term) or term

    def join_compounds(self, tokens: list[str], changes: list[tuple[str, str]]) -> list[str]:
        """'well being' -> 'wellbeing', 'co op' -> 'coop' when the documents (or the synonym table) know
        the word written whole."""
        out: list[str] = []
        for token in tokens:
            word = token.rstrip(".,!?;:")
            if out and re.fullmatch(r"[A-Za-z]{2,}", out[-1]) and re.fullmatch(r"[A-Za-z]+", word):
                joined = (out[-1] + word).lower()
                if self.knows_whole(joined) and out[-1].lower() not in {"an", "the", "in", "to", "of", "on"}:
                    changes.append((f"{out[-1]} {word}", joined))
                    out[-1] = joined + token[len(word):]
                    continue
            out.append(token)
        return out

    def knows_whole(self, word: str) -> bool:
        return word in self.words or word in self.extra_words
