"""Questions encoded together (qa/batcher.py) get the very vectors, and so the very answers, they get alone."""

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from qa.batcher import QuestionBatcher
from qa.embed import load_model
from tests.conftest import ROOT
from tests.test_embed import TEXTS

QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "evals" / "cases.jsonl").read_text().splitlines()
             if line.strip()][:120]


@pytest.fixture(scope="module")
def encoder():
    return load_model(2)


@pytest.fixture(scope="module")
def alone(encoder):
    return {text: encoder.encode([text], 16)[0] for text in QUESTIONS + TEXTS}


def test_a_pass_of_many_texts_gives_each_the_bits_it_gets_alone(encoder, alone):
    rng = random.Random(12)
    texts = QUESTIONS + TEXTS  # lengths from 1 token to the 256-token cut, several of each length
    for _ in range(12):
        batch = rng.sample(texts, rng.randint(1, 40))
        together = encoder.encode_alone(batch)
        for text, vector in zip(batch, together):
            assert np.array_equal(vector, alone[text]), text


class CountingEncoder:
    """The real encoder, counting its passes and holding the first one until told, so that others queue."""

    def __init__(self, encoder):
        self.encoder, self.passes, self.release = encoder, [], threading.Event()

    def encode_alone(self, texts):
        self.passes.append(len(texts))
        if len(self.passes) == 1:
            self.release.wait(30)
        return self.encoder.encode_alone(texts)


def test_questions_waiting_for_the_encoder_share_a_pass_and_keep_their_own_vectors(encoder, alone):
    counting = CountingEncoder(encoder)
    batcher = QuestionBatcher(counting, max_batch=8, passes=1)
    questions = QUESTIONS[:21]
    with ThreadPoolExecutor(len(questions)) as pool:
        first = pool.submit(batcher.encode, questions[0])
        while not counting.passes:
            threading.Event().wait(0.01)
        rest = [pool.submit(batcher.encode, q) for q in questions[1:]]
        while len(batcher._waiting) < len(rest):  # all queued behind the held pass
            threading.Event().wait(0.01)
        counting.release.set()
        vectors = [first.result(30)] + [f.result(30) for f in rest]
    assert counting.passes == [1, 8, 8, 4]
    for question, vector in zip(questions, vectors):
        assert np.array_equal(vector, alone[question])


def test_a_question_on_an_idle_encoder_is_encoded_at_once_alone(encoder, alone):
    counting = CountingEncoder(encoder)
    counting.release.set()
    batcher = QuestionBatcher(counting)
    for question in QUESTIONS[:3]:
        assert np.array_equal(batcher.encode(question), alone[question])
    assert counting.passes == [1, 1, 1]


def test_a_failed_pass_reaches_every_question_in_it_and_the_next_pass_works(encoder, alone):
    class FailingOnce:
        calls = 0

        def encode_alone(self, texts):
            FailingOnce.calls += 1
            if FailingOnce.calls == 1:
                raise RuntimeError("encoder failed")
            return encoder.encode_alone(texts)

    batcher = QuestionBatcher(FailingOnce())
    with pytest.raises(RuntimeError, match="encoder failed"):
        batcher.encode(QUESTIONS[0])
    assert np.array_equal(batcher.encode(QUESTIONS[1]), alone[QUESTIONS[1]])


def test_concurrent_answers_are_the_answers_given_one_at_a_time(pipeline):
    questions = QUESTIONS[:48]
    one_at_a_time = [pipeline.ask(q).to_dict() for q in questions]
    with ThreadPoolExecutor(16) as pool:
        together = list(pool.map(lambda q: pipeline.ask(q).to_dict(), questions))
    for single, concurrent in zip(one_at_a_time, together):
        single.pop("timings_ms"), concurrent.pop("timings_ms")
        assert concurrent == single


def test_with_two_passes_at_once_no_pass_runs_empty(encoder, alone):
    counting = CountingEncoder(encoder)
    counting.release.set()
    batcher = QuestionBatcher(counting, max_batch=4, passes=2)
    questions = QUESTIONS[:40]
    with ThreadPoolExecutor(16) as pool:
        vectors = list(pool.map(batcher.encode, questions))
    assert 0 not in counting.passes and sum(counting.passes) == len(questions)
    for question, vector in zip(questions, vectors):
        assert np.array_equal(vector, alone[question])
