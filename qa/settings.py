"""One settings object, read from environment variables (QA_*) and overridden by CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    # Number of passages shown as citations / nearest passages.
    top_k: int = 3
    # Candidates taken from each retriever (dense, BM25) before fusion.
    candidates: int = 20
    # Evidence score below which the answerer abstains; calibrated on evals/cases.jsonl.
    abstain_below: float = 0.35
    max_question_chars: int = 2000
    chunk_chars: int = 500
    host: str = "127.0.0.1"
    port: int = 7860
    # Where to append asked questions. Empty means questions are never written anywhere.
    question_log: str = ""
    threads: int = 2
    # Questions the app answers at once; each answer is the same as when asked alone. Questions answered
    # together share encoder passes (qa/batcher.py), so more at once cost less each: with 32 clients on
    # 2 cores, 4 gave about 14 questions a second, 32 about 27.
    workers: int = 32
    # "review" or "coverage": passages from documents of this kind rank ahead of others about as relevant,
    # and their sentences win near-ties when answering. Empty: no preference.
    prefer_kind: str = ""
    # A Chroma server ("http://127.0.0.1:8000") to keep the vectors in; empty: embedded Chroma in index_dir.
    chroma_url: str = ""
    # The language model that writes answers (see qa/llm.py): none (extractive answers, the default),
    # openai:MODEL, ollama:MODEL, gguf:PATH or smollm2. Its server, when it has one; seconds to wait for it;
    # how many of the top passages it is shown.
    llm: str = "none"
    llm_base_url: str = ""
    llm_timeout: float = 60.0
    llm_passages: int = 4

    def __post_init__(self) -> None:
        if self.prefer_kind not in ("", "review", "coverage"):
            raise ValueError("prefer_kind must be review, coverage or empty")
        if self.top_k < 1:
            raise ValueError("top_k must be at least 1")
        if self.candidates < self.top_k:
            raise ValueError("candidates must be at least top_k")
        if not 0.0 <= self.abstain_below <= 1.0:
            raise ValueError("abstain_below must be between 0 and 1")
        if self.max_question_chars < 10:
            raise ValueError("max_question_chars must be at least 10")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.llm_timeout <= 0 or self.llm_passages < 1:
            raise ValueError("llm_timeout must be positive and llm_passages at least 1")
        if self.chunk_chars < 100:
            raise ValueError("chunk_chars must be at least 100")

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> Settings:
        """Defaults, then QA_<FIELD> environment variables, then non-None keyword overrides."""
        environ = os.environ if environ is None else environ
        defaults = cls()
        values = {}
        for f in fields(cls):
            raw = environ.get(f"QA_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _coerce(getattr(defaults, f.name), raw)
        for name, value in overrides.items():
            if value is not None:
                values[name] = _coerce(getattr(defaults, name), value)
        return replace(defaults, **values)


def _coerce(default, value):
    if isinstance(default, Path):
        return Path(value).expanduser()
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}
    return type(default)(value)
