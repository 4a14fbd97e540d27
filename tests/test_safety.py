"""Safeguarding cues in both directions: messages that signal distress show the panel; ordinary questions don't."""

import json

import pytest

from qa import safety
from qa.safety import support_for
from tests.conftest import ROOT

TRIGGERS = {
    "self_harm": [
        "I want to kill myself",
        "i keep cutting myself and i dont know what to do",
        "I've been self-harming again",
        "sometimes I feel suicidal",
        "I don't want to be alive anymore",
        "i want to end it all",
    ],
    "abuse": [
        "my step dad hits me when he's drunk",
        "my foster carer hurts me",
        "I'm being abused at home",
        "someone at my placement touched me",
        "he keeps threatening me",
        "my foster carer hits me",
        "ppl hurt me",
        "my foster carr hits me",
        "im bein hurt",
        "my foster carer hts me",  # a slip in the cue word itself, too short for the question normaliser
        "ppl at my placement hrt me",
        "my carer is abusng me",
    ],
    "unsafe": [
        "I don't feel safe at home",
        "I’m scared to go back to my placement",
        "i feel unsafe in my children's home",
        "im in danger",
        "my mum threw me out last night",
        "i dont feel safe",
        "i dnt feel safe at my placement",
        "i dont feel saf",  # a letter left out: "safe", not the commoner "say"
        "im scard to go home",
        "i feel unsaf at home",
    ],
    "running_away": [
        "I want to run away from my foster home",
        "i'm going to run away tonight",
        "I ran away from my placement",
        "thinking about running away, what happens if I do",
        "I've escaped from my children's home",
    ],
    "not_heard": [
        "nobody listens to me at my placement",
        "nobody at my placement listens to me",
        "my social worker never listens to me",
        "they dont listen 2 me",
        "i feel like no one is listening",
        "im not being listened to",
    ],
}

ORDINARY = [
    "How much did the review say it would cost to fix the system?",
    "What does the review say about domestic abuse?",
    "who would deal with the really serious abuse cases in the new system",
    "when were arthur and star killed",
    "How will children in care be kept safe?",
    "Why do children run away from care?",
    "Who runs the Family Help service?",
    "I am a foster carer, how much is the allowance rise?",
    "I'm a care leaver, what support is there for me?",
    "I left care last year, what does the review say about care leavers?",
    "Does the review help teenagers at risk of exploitation?",
    "what harm did the market do to children's homes",
    "What is a kinship carer?",
    "i.e. what is a looked-after child",
    "does anyone listen to children in care",
    "who listens to care leavers",
    "they listen to me at my new placement",
    "wat r they doin abt foster carers money",
    "my hat is red",  # a real word one letter from a cue word ("hit") is itself
    "what did the review say abt safe places for kids",
]


@pytest.mark.parametrize("reason,message", [(r, m) for r, ms in TRIGGERS.items() for m in ms])
def test_distress_messages_show_the_support_panel(reason, message):
    panel = support_for(message)
    assert panel is not None, message
    assert panel.reason == reason


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_questions_do_not(message):
    assert support_for(message) is None


def test_no_evaluation_question_triggers_the_panel():
    # Over a thousand real questions in casual and precise phrasings, some about abuse, killings and safety.
    questions = [json.loads(line)["question"] for path in sorted((ROOT / "evals").glob("*.jsonl"))
                 for line in path.open(encoding="utf-8")]
    assert len(questions) > 1000
    assert [q for q in questions if support_for(q) is not None] == []


def test_the_panel_names_every_service_with_its_number():
    panel = support_for("I want to run away")
    numbers = {c.name: c.number for c in panel.contacts}
    assert numbers["Childline"] == "0800 1111"
    assert numbers["Samaritans"] == "116 123"
    assert numbers["Coram Voice: Always Heard"] == "0808 800 5792"
    assert numbers["Emergency"] == "999"
    text = panel.to_text()
    for number in numbers.values():
        assert number in text
    assert [c.dial for c in panel.contacts][0] == "08001111"


def test_the_data_file_is_read_once():
    safety._load.cache_clear()
    for message in ["hello", "my dad hits me", "how much is Family Help?"]:
        support_for(message)
    assert safety._load.cache_info().misses == 1


def test_empty_and_odd_input():
    assert support_for("") is None
    assert support_for(None) is None
    assert support_for("   I   WANT   TO   RUN   AWAY   ") is not None


def test_a_disclosure_is_marked_and_carries_its_note():
    panel = support_for("my foster carer hits me")
    assert panel.disclosure and "can't help with this" in panel.disclosure_note
    assert not support_for("I don't feel safe at home").disclosure  # distress, not a disclosure of harm


def test_a_disclosure_gets_the_panel_and_no_article_quote(pipeline):
    for message in ("my foster carer hits me", "ppl hurt me", "my foster carer hts me"):
        answer = pipeline.ask(message)
        assert answer.support == "abuse" and answer.abstained
        assert answer.citations == () and answer.answer == support_for(message).disclosure_note
    answer = pipeline.ask("i dont feel safe, how much is going to foster carers")
    assert answer.support == "unsafe"  # the panel first, then the answer the articles give
