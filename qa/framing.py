"""How a question is framed, as against what it asks: greetings and fillers at the start of a clause
("ok so"), hedges and asides anywhere ("or something", "tbh"), a request in front of the question ("can
you tell me", "do you know"). Each says nothing asked, so the question is read without it; a question asked
indirectly after a request ("what kinship care is", "if they can stay till 21") is read as asked directly
("what is kinship care", "can they stay till 21"). The phrases are the ``[fillers]`` table of
``qa/data/textspeak.toml``, read after text-speak. Capitals may frame a question too: typed throughout, or
on every word ("How Much Did They Ask For"), they tell no name apart.

>>> framing = Framing(fillers=frozenset({"ok", "so"}), requests=("can you tell me",))
>>> " ".join(framing.without_framing("ok so can you tell me what kinship care is".split(), []))
'what is kinship care'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CORE = re.compile(r"^([^\w£$€]*)(.*?)([^\w%]*)$")  # a token's punctuation before, its word, its punctuation after
CLAUSE_END = re.compile(r"[.!?,;:]$")
# Verbs that move in front of the subject of a direct question ("what is it", "can they"). Not "do", "does"
# and "did": a question asked indirectly has none ("what he did"), so one after the subject is a direct one.
AUXILIARIES = frozenset({"is", "are", "was", "were", "am", "will", "would", "can", "could", "should", "shall",
                         "may", "might", "must", "has", "have", "had"})
_COPULAS = frozenset({"is", "are", "was", "were", "am"})
_WH = frozenset({"what", "who", "when", "where", "why", "how", "which", "whose"})
_HOW_WHAT = frozenset({"much", "many", "long", "old", "soon", "far", "often", "big"})
# What follows the verb of a subject asked about indirectly ("when the review was launched", "what the
# review is about"): a participle, "be", a preposition or the clause's end; not a subject, as in the direct
# "what charity is Mark Russell the boss of".
_AFTER_INDIRECT = frozenset({"be", "been", "being", "going", "in", "on", "at", "for", "about", "like", "with", "from",
                             "to", "by", "when", "if", "because", "after", "before", "now", "then", "called"})
_PARTICIPLE = re.compile(r"(?:ed|en)$")
_REACH = 6  # how far into an indirect question its verb is looked for
TITLE_CASE_WORDS = 4  # fewer words all capitalised may all be a name ("Josh MacAlister?")


@dataclass(frozen=True)
class Framing:
    fillers: frozenset[str] = frozenset()
    trailing: frozenset[str] = frozenset()  # fillers wherever they end a clause, not only at its start
    hedges: frozenset[str] = frozenset()  # two-word hedges after any word ("or something")
    asides: frozenset[str] = frozenset()  # phrases that say nothing asked wherever they stand ("to be honest")
    requests: tuple[str, ...] = ()  # phrases that ask for what follows them ("can you tell me")

    def without_framing(self, tokens: list[str], changes: list[tuple[str, str]]) -> list[str]:
        """``tokens`` without what only frames the question; each dropped or moved phrase is added to
        ``changes`` as (typed, read as)."""
        # Asides may stand before a request too ("ok so tbh can you tell me"): requests are looked for again.
        tokens = self.drop_asides(self.drop_requests(tokens, changes), changes)
        return self.drop_fillers(self.drop_requests(tokens, changes), changes)

    def drop_asides(self, tokens: list[str], changes: list[tuple[str, str]]) -> list[str]:
        """A hedge after a word ("a teacher or something", "money and stuff") or an aside anywhere ("to be
        honest", "right now") says nothing asked; a clause end it carried stays with the word before it."""
        phrases = self.asides | self.hedges
        if not phrases:
            return tokens
        cores = [CORE.match(t).group(2).lower() for t in tokens]
        longest = max(len(p.split()) for p in phrases)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(longest, len(tokens) - i), 0, -1):
                phrase = " ".join(cores[i:i + n])
                known = phrase in self.asides or (len(out) > 1 and phrase in self.hedges)
                if known and not any(CLAUSE_END.search(t) for t in tokens[i:i + n - 1]):
                    changes.append((" ".join(tokens[i:i + n]), ""))
                    if out and not CLAUSE_END.search(out[-1]):
                        out[-1] += CORE.match(tokens[i + n - 1]).group(3)
                    i += n
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def drop_fillers(self, tokens: list[str], changes: list[tuple[str, str]]) -> list[str]:
        """Greetings and fillers at the start or end of a clause ("or nah, by how much") say nothing asked."""

        def is_filler(token: str, words: frozenset[str] = self.fillers) -> bool:
            return CORE.match(token).group(2).lower() in words

        out: list[str] = []
        clause_start = True
        for token in tokens:
            ends_clause = bool(CLAUSE_END.search(token))
            if (clause_start and is_filler(token)) or (ends_clause and is_filler(token, self.trailing)):
                changes.append((token, ""))
                clause_start = clause_start or ends_clause
                continue
            out.append(token)
            clause_start = bool(CLAUSE_END.search(token))
        while out and is_filler(out[-1]) and len(out) > 1:
            changes.append((out.pop(), ""))
        return out

    def drop_requests(self, tokens: list[str], changes: list[tuple[str, str]]) -> list[str]:
        """A request opening a clause ("can you tell me", "do you know") with a question after it: the
        question, read as asked directly."""
        cores = [CORE.match(t).group(2).lower() for t in tokens]
        out: list[str] = []
        i = 0
        while i < len(tokens):
            # "ok so can you tell me": only fillers before it in its clause
            opening = next((j for j in range(len(out) - 1, -1, -1) if CLAUSE_END.search(out[j])), -1)
            starts_clause = all(CORE.match(t).group(2).lower() in self.fillers for t in out[opening + 1:])
            request = next((r for r in self.requests if starts_clause and cores[i:i + len(r.split())] == r.split()
                            and i + len(r.split()) < len(tokens)), None)
            if request is None:
                out.append(tokens[i])
                i += 1
                continue
            n = len(request.split())
            changes.append((" ".join(tokens[i:i + n]), ""))
            end = next((j + 1 for j in range(i + n, len(tokens)) if CLAUSE_END.search(tokens[j])), len(tokens))
            asked = tokens[i + n:end]
            direct = as_asked_directly(asked)
            if direct != asked:
                changes.append((" ".join(asked), " ".join(direct)))
            out.extend(direct)
            i = end
        return out


def as_asked_directly(tokens: list[str]) -> list[str]:
    """A question asked indirectly ("what kinship care is", "whether they accepted it") as asked directly
    ("what is kinship care", "did they accept it"); a direct one, or one this cannot tell, as it is."""
    cores = [CORE.match(t).group(2).lower() for t in tokens]
    if not cores:
        return tokens
    if cores[0] in ("if", "whether"):
        return _yes_no(tokens, cores)
    if cores[0] not in _WH:
        return tokens
    start = 1
    if cores[0] == "how" and cores[1:2] and cores[1] in _HOW_WHAT:
        start = 2 + (cores[1] in ("much", "many"))  # "how many kids are ...": the kids are what is asked about
    elif cores[0] in ("which", "whose"):
        start = 2  # "which charity is ...": the charity is what is asked about
    if start >= len(cores) or cores[start] in AUXILIARIES | {"do", "does", "did"}:
        return tokens  # already direct: "what is kinship care", "how many kids are in care"
    verb = next((j for j in range(start + 1, min(len(cores), start + _REACH)) if cores[j] in AUXILIARIES), None)
    if verb is None:
        return tokens
    following = cores[verb + 1] if verb + 1 < len(cores) else ""
    if following and following not in _AFTER_INDIRECT and not _PARTICIPLE.search(following):
        return tokens  # "what charity is mark russell the boss of": a subject follows the verb, so it is direct
    if not following and cores[verb] not in _COPULAS:
        return tokens  # "what rights i have": a verb of its own, not one moved
    return _front(tokens, verb, start)


def _yes_no(tokens: list[str], cores: list[str]) -> list[str]:
    """ "if they can stay till 21" -> "can they stay till 21"; "whether the government accepted it" -> "did
    the government accept it"."""
    from lemminflect import getInflection, getLemma

    for j in range(1, min(len(cores), _REACH + 1)):
        if cores[j] in AUXILIARIES:
            return _front(tokens[1:], j - 1, 0)
        lemma = next(iter(getLemma(cores[j], upos="VERB")), cores[j]) if cores[j].isalpha() else cores[j]
        if j > 1 and lemma != cores[j] and cores[j] in getInflection(lemma, tag="VBD"):
            lead, _, trail = CORE.match(tokens[j]).groups()
            return ["did"] + tokens[1:j] + [f"{lead}{lemma}{trail}"] + tokens[j + 1:]
    return tokens


def _front(tokens: list[str], verb: int, at: int) -> list[str]:
    """``tokens`` with the verb at ``verb`` moved to position ``at``; punctuation ending the clause stays at
    its end."""
    lead, word, trail = CORE.match(tokens[verb]).groups()
    rest = tokens[:verb] + tokens[verb + 1:]
    if trail and verb == len(tokens) - 1 and rest:
        rest[-1] += trail
        trail = ""
    return rest[:at] + [f"{lead}{word}{trail}"] + rest[at:]


def casing_says_nothing(tokens: list[str]) -> bool:
    """Whether a question is typed in capitals throughout or with every word capitalised (caps lock, a
    phone set to capitalise words), so that its capitals do not tell its names from its other words. A
    question in sentence case has some word of three letters or more in lower case ("did", "the")."""
    words = [w for w in (CORE.match(t).group(2) for t in tokens) if w.isalpha() and len(w) >= 3]
    return len(words) >= TITLE_CASE_WORDS and all(w[0].isupper() for w in words)
