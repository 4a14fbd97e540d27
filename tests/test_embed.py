"""qa.embed's own encoder against sentence-transformers' model on the same folder: the same vectors."""

import subprocess
import sys

import numpy as np
import pytest

from qa.embed import encode, load_model, reference_model, sentence_texts
from qa.index import split_document
from qa.ingest import load_corpus
from tests.conftest import CORPUS, ROOT

LONG = " ".join(f"The council spent £{n}m on placements in {2000 + n % 20}." for n in range(120))  # > 256 tokens

TEXTS = [
    "", " ", "\n", "a", ".", "£", "?!",
    "How much did MacAlister call for to transform the system?",
    "£2.6 billion over “five” years, the review’s ‘central’ ask — and 100,000 children.",
    "Café naïve résumé, Ærø, straße, 你好世界, 👶🏽 and a tab\there.",
    "  leading and trailing whitespace \n",
    "[CLS] [SEP] [PAD] [MASK] written out as text",
    LONG,
    LONG[:700],
]


@pytest.fixture(scope="module")
def texts():
    chunks = [c.text for doc in load_corpus(CORPUS) for c in split_document(doc, 500)][::6]
    return TEXTS + chunks + [s for chunk in chunks for s in sentence_texts(chunk)]


@pytest.fixture(scope="module")
def expected(texts):
    return reference(texts)


def reference(texts: list[str]) -> np.ndarray:
    return reference_model().encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)


def assert_same_vectors(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.shape == theirs.shape and ours.dtype == np.float32
    assert np.abs(ours - theirs).max() < 1e-5
    assert (ours * theirs).sum(axis=1).min() > 0.99999


@pytest.mark.parametrize("batch_size", [1, 3, 16, 64])
def test_vectors_match_sentence_transformers(batch_size, texts, expected):
    assert_same_vectors(encode(texts, batch_size=batch_size), expected)


def test_each_text_alone_matches_sentence_transformers():
    for text in TEXTS:
        assert_same_vectors(encode([text]), reference([text]))


def test_long_texts_are_cut_at_max_seq_length():
    model = load_model()
    assert len(model.tokenizer.encode(LONG).ids) == reference_model().max_seq_length < len(LONG.split())
    same_start, other_end = encode([LONG, LONG + " But the rest differs entirely."])
    assert np.abs(same_start - other_end).max() == 0


def test_rows_keep_the_order_given_and_empty_input_gives_no_rows():
    texts = ["a short one", LONG, "a somewhat longer sentence about kinship care and its costs", "x"]
    together = encode(texts, batch_size=2)
    alone = np.concatenate([encode([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-5
    assert encode([]).shape == (0, load_model().dimension)


def test_answering_does_not_import_sentence_transformers():
    """Their import (transformers, scikit-learn) is what made a cold `qa ask` take ~9 s."""
    probe = ("import sys; from qa.answer import Pipeline; from qa.embed import encode; encode(['a question?']); "
             "print(sorted({'sentence_transformers', 'transformers', 'sklearn'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
