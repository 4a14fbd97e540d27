"""What general English says of a word, whatever the documents: how common it is (``wordfreq``), whether
a lexicon knows it (``lemminflect``), the nearest common words to a typo (``symspellpy``).
"""

from __future__ import annotations

import re
import threading
from functools import cache

ENGLISH_WORDS = 30_000  # the most frequent English words a typo may be corrected to


def closest():
    from symspellpy import Verbosity

    return Verbosity.CLOSEST


def swapped(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with two neighbouring letters the wrong way round, the commonest slip
    of the thumb ("waht" is "what", not "want")."""
    return len(typed) == len(word) and sorted(typed) == sorted(word) and typed != word


def in_lexicon(word: str) -> bool:
    from lemminflect import getAllLemmas

    return bool(getAllLemmas(word))


def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


_english_lock = threading.Lock()


@cache
def _english_speller():
    """A SymSpell dictionary of the most frequent English words: built once per process, when a question
    first has a word that is neither the documents' nor listed English (about 0.7 s)."""
    from symspellpy import SymSpell
    from wordfreq import top_n_list

    speller = SymSpell(max_dictionary_edit_distance=2, prefix_length=5)
    words = [w for w in top_n_list("en", ENGLISH_WORDS) if w.isalpha()]
    for rank, word in enumerate(words):
        speller.create_dictionary_entry(word, len(words) - rank)
    return speller


def english_speller():
    with _english_lock:  # the app answers several questions at once: build it once, not once per thread
        return _english_speller()


@cache
def place_names() -> frozenset[str]:
    """One-word names of the countries and of the UK's subdivisions, lower case, from pycountry (ISO 3166)."""
    import pycountry

    names = [c.name for c in pycountry.countries] + [getattr(c, "common_name", "") for c in pycountry.countries]
    names += [s.name for s in pycountry.subdivisions.get(country_code="GB")]
    parts = (part.strip() for name in names for part in re.sub(r"\[.*?\]", "", name).split(","))
    return frozenset(p.lower() for p in parts if p.isalpha() and p.lower() != "the")  # "Gambia, The", not "U.S."
