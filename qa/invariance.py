"""Invariance tests (CheckList, Ribeiro et al., ACL 2020): the same question typed another way must get the
same answer. Each perturbation below is generated from every answerable case, seeded by the case id, so a
run is reproducible; the metric is the share of cases answered right as written that stay right perturbed.

>>> perturb("How much is going to kinship carers?", "typo_swap", "case-1")
'How much is going to kinship caerrs?'
"""

from __future__ import annotations

import random
import re
import zlib
from collections import defaultdict

# A filler or greeting in front, as people start a message.
FILLERS = ("ok so ", "hey ", "um ", "so like ", "hi, quick question: ", "ok ", "right so ", "hiya ")
# A request in front, the question left as it was typed: people ask a person, not a search box.
REQUESTS = ("can you tell me ", "do you know ", "can someone tell me ", "i was wondering ", "could u explain ",
            "i wanna know ", "does anyone know ", "pls tell me ")
# Text-speak for common words, as typed on a phone.
TEXT_SPEAK = {"what": "wat", "you": "u", "your": "ur", "are": "r", "because": "cos", "though": "tho",
              "government": "govt", "about": "abt", "people": "ppl", "would": "wud", "could": "cud",
              "should": "shud", "please": "pls", "what's": "wats", "whats": "wats", "before": "b4", "why": "y",
              "and": "n", "see": "c", "be": "b"}
# Not "2" for "to" nor "4" for "for": a number is never rewritten, so "4 areas" keeps its figure.
# An aside at the end, as people finish a message: chat abbreviations and the phrases they stand for.
ASIDES = (" tbh", " rn", " fr", " ngl", " atm", " btw", " imo", " to be honest", " right now", " at the moment",
          " these days", " for real")
PERTURBATIONS = ("filler", "request", "aside", "text_speak", "typo_swap", "typo_drop", "typo_double", "typo_short",
                 "space_drop", "no_apostrophes", "lower_no_punctuation", "title_case", "all_caps", "other_persona")
# A word of letters only, not the scale of a figure ("£2.6bn"): casing changes words, never figures.
_WORD = re.compile(r"(?<![\d£$€.,])\b[A-Za-z][A-Za-z'’]*\b")
TYPO_MIN_LENGTH = 6  # "a longer word": short words are too ambiguous for anyone to read back
# but two letters of a short word typed the wrong way round ("waht", "mcuh") are read back by anyone
SHORT_WORD = (4, 5)
_PERSONA_SUFFIX = re.compile(r"-(practitioner|young|evaluator)$")


def _rng(case_id: str, perturbation: str, seed: int) -> random.Random:
    return random.Random(zlib.crc32(f"{seed}:{perturbation}:{case_id}".encode()))


def perturb(question: str, perturbation: str, case_id: str, seed: int = 0) -> str | None:
    """The question perturbed, or None when the perturbation does not apply (nothing to change)."""
    rng = _rng(case_id, perturbation, seed)
    if perturbation in ("filler", "request"):
        first = question[:1].lower() if question[:1].isupper() and not question[1:2].isupper() else question[:1]
        return rng.choice(FILLERS if perturbation == "filler" else REQUESTS) + first + question[1:]
    if perturbation == "aside":
        body = question.rstrip()
        end = len(body) - len(body.rstrip("?.!"))
        return body[:len(body) - end] + rng.choice(ASIDES) + body[len(body) - end:]
    if perturbation == "text_speak":
        words = re.split(r"(\W+)", question)
        changed = [TEXT_SPEAK.get(w.lower()) if w.lower() in TEXT_SPEAK else w for w in words]
        return "".join(changed) if changed != words else None
    if perturbation.startswith("typo_"):
        return _typo(question, perturbation.removeprefix("typo_"), rng)
    if perturbation == "no_apostrophes":
        stripped = re.sub(r"['’]", "", question)
        return stripped if stripped != question else None
    if perturbation == "lower_no_punctuation":
        # Punctuation between digits belongs to a figure ("£2.6bn", "30,000") and stays.
        bare = re.sub(r"(?<!\d)[^\w\s£$€%]|[^\w\s£$€%](?!\d)", "", question.lower())
        bare = " ".join(bare.split())
        return bare if bare != question else None
    if perturbation == "space_drop":
        # The space bar missed between two words: "how many kids are incare"
        pairs = [m for m in re.finditer(r"(?<![\w£$€.,'’-])([A-Za-z]{2,}) ([A-Za-z]{2,})(?![\w'’-])", question)]
        if not pairs:
            return None
        m = rng.choice(pairs)
        return question[:m.start()] + m.group(1) + m.group(2) + question[m.end():]
    if perturbation in ("title_case", "all_caps"):
        # A phone set to capitalise every word, or caps lock: the casing says nothing of what is a name.
        cased = _WORD.sub(lambda m: m.group()[0].upper() + m.group()[1:] if perturbation == "title_case"
                          else m.group().upper(), question)
        return cased if cased != question else None
    raise ValueError(f"unknown perturbation {perturbation!r}")


def _typo(question: str, kind: str, rng: random.Random) -> str | None:
    if kind == "short":
        words = [m for m in re.finditer(r"[A-Za-z]+", question) if SHORT_WORD[0] <= len(m.group()) <= SHORT_WORD[1]]
        kind = "swap"
    else:
        words = [m for m in re.finditer(r"[A-Za-z]+", question) if len(m.group()) >= TYPO_MIN_LENGTH]
    if not words:
        return None
    m = rng.choice(words)
    word = m.group()
    at = rng.randrange(1, len(word) - 1)  # the first letter stays: people rarely get it wrong
    if kind == "swap":
        if word[at] == word[at + 1]:
            return None
        typo = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    elif kind == "drop":
        typo = word[:at] + word[at + 1:]
    elif kind == "double":
        typo = word[:at] + word[at] + word[at:]
    else:
        raise ValueError(f"unknown typo kind {kind!r}")
    return question[:m.start()] + typo + question[m.end():]


def persona_groups(case_ids: list[str]) -> dict[str, list[str]]:
    """Cases that ask the same thing in each persona's voice: ids that differ only in the persona suffix."""
    groups: dict[str, list[str]] = defaultdict(list)
    for case_id in case_ids:
        if _PERSONA_SUFFIX.search(case_id):
            groups[_PERSONA_SUFFIX.sub("", case_id)].append(case_id)
    return {k: v for k, v in groups.items() if len(v) > 1}


def run_invariance(ask_and_score, cases, results: list[dict], seed: int = 0) -> dict:
    """Per perturbation: how many right answers were tried, how many stayed right, the share kept, and the
    cases that broke. ``ask_and_score(case, question)`` returns a scored result for the case's question
    replaced by ``question``."""
    right = {r["id"] for r in results if r["answerable"] and r["answer_correct"]}
    by_id = {c.id: c for c in cases}
    table = {}
    for perturbation in PERTURBATIONS:
        tried, broken = 0, []
        if perturbation == "other_persona":
            correct = {r["id"]: r["answer_correct"] for r in results}
            for group in persona_groups([c.id for c in cases if c.answerable]).values():
                for case_id in group:
                    if case_id not in right:
                        continue
                    for other in group:
                        if other != case_id:
                            tried += 1
                            if not correct[other]:
                                broken.append({"id": case_id, "question": by_id[other].question})
        else:
            for case in cases:
                if case.id not in right:
                    continue
                question = perturb(case.question, perturbation, case.id, seed)
                if question is None:
                    continue
                tried += 1
                result = ask_and_score(case, question)
                if not result["answer_correct"]:
                    broken.append({"id": case.id, "question": question, "answer": result["answer"][:200]})
        kept = tried - len(broken)
        table[perturbation] = {"tried": tried, "kept": kept, "rate": round(kept / tried, 4) if tried else None,
                               "broken": broken}
    return table
