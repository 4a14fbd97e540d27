"""Indexing throughput: the full pipeline (build_index) vs raw SentenceTransformer.encode, same run.

    .venv/bin/python benchmarks/throughput.py [--chunks 1000] [--json out.json]

For each corpus (the shipped one, and a synthetic one of --chunks chunks), in one process with the models
loaded and the indexer's modules imported (once-per-process costs, excluded on both sides):
  raw      = SentenceTransformer.encode of exactly the chunk texts the indexer makes (normalised), at batch
             16, 64 and the indexer's own batch size; the fastest is the yardstick;
  own raw  = the indexer's encoder (qa.embed.encode) on the same chunk texts, for comparison;
  pipeline = build_index(rebuild=True) into a fresh folder: reading, cleaning, splitting, sentence
             encoding, Chroma, the LangChain record manager, BM25 and the side tables.
Ratio = pipeline chunks/s / raw chunks/s (also given against raw at the indexer's own batch size, and
against own raw).
Then the no-change re-index: build_index again in this warm process, and `qa index` in a new process
(median of --runs), which is what a user waits for.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import synthetic  # noqa: E402

# Raw encode runs at these batch sizes and at the pipeline's; the fastest is the physical limit. On this
# 2-core CPU small batches win (less padding, activations that stay in cache).
RAW_BATCHES = (16, 64)


def chunk_texts(corpus: Path, chunk_chars: int) -> list[str]:
    from qa.index import split_document
    from qa.ingest import load_corpus

    return [c.text for doc in load_corpus(corpus) for c in split_document(doc, chunk_chars)]


def pipeline_batch_size() -> int:
    """The batch size the indexer encodes with (qa.embed.encode's default)."""
    import inspect

    from qa.embed import encode

    return inspect.signature(encode).parameters["batch_size"].default


def raw_encode_seconds(texts: list[str], threads: int, batch_size: int) -> float:
    from qa.embed import reference_model

    model = reference_model()
    model_threads = torch_threads(threads)
    started = time.perf_counter()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                 show_progress_bar=False)
    seconds = time.perf_counter() - started
    torch_threads(model_threads)
    return seconds


def own_encode_seconds(texts: list[str], threads: int) -> float:
    from qa.embed import encode

    started = time.perf_counter()
    encode(texts, threads)
    return time.perf_counter() - started


def torch_threads(count: int) -> int:
    """Set torch's intra-op threads (qa.embed keeps them at one); return the previous count."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    return previous


def cli_reindex_seconds(config, runs: int) -> list[float]:
    qa = Path(sys.executable).with_name("qa")
    command = [str(qa)] if qa.exists() else [sys.executable, "-m", "qa.cli"]
    command += ["--index-dir", str(config.index_dir), "index", "--corpus", str(config.corpus_dir)]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, env=common.child_env(), cwd=common.ROOT)
        times.append(round(time.perf_counter() - started, 3))
        if proc.returncode != 0 or "embedded 0" not in proc.stdout:
            raise RuntimeError(f"`qa index` re-run was not a no-change run: {proc.stdout}{proc.stderr[-2000:]}")
    return times


def warm_up(threads: int, texts: list[str]) -> None:
    """Once per process costs, paid before any timing on all sides: the models' loads and first batches,
    and the imports the indexer does on its first call."""
    import bm25s  # noqa: F401
    import chromadb  # noqa: F401
    import langchain_chroma  # noqa: F401
    import langchain_classic.indexes  # noqa: F401
    import langchain_core.indexing  # noqa: F401

    from qa.embed import encode, reference_model

    reference_model().encode(texts[:64], batch_size=64)
    encode(texts[:64], threads)


def measure(name: str, corpus: Path, runs: int, repeats: int) -> dict:
    from qa.index import build_index

    index_dir = common.DATA / f"throughput-{name}"
    shutil.rmtree(index_dir, ignore_errors=True)
    config = common.settings(corpus, index_dir)
    texts = chunk_texts(corpus, config.chunk_chars)
    warm_up(config.threads, texts)
    batches = sorted({pipeline_batch_size(), *RAW_BATCHES}, reverse=True)
    raws, owns, pipelines = {b: [] for b in batches}, [], []
    for _ in range(repeats):  # alternating, so that drift in machine load hits all alike
        for batch in batches:
            raws[batch].append(raw_encode_seconds(texts, config.threads, batch))
        owns.append(own_encode_seconds(texts, config.threads))
        started = time.perf_counter()
        report = build_index(config, rebuild=True, progress=False)
        pipelines.append(time.perf_counter() - started)
        if report.chunks != len(texts):
            raise RuntimeError(f"the index has {report.chunks} chunks, the raw run encoded {len(texts)}")
    raw_by_batch = {b: statistics.median(v) for b, v in raws.items()}
    best_batch = min(raw_by_batch, key=raw_by_batch.get)
    raw, own, pipeline = raw_by_batch[best_batch], statistics.median(owns), statistics.median(pipelines)
    same = raw_by_batch[pipeline_batch_size()]

    started = time.perf_counter()
    again = build_index(config, progress=False)
    warm_reindex = time.perf_counter() - started
    if again.embedded:
        raise RuntimeError(f"re-index of an unchanged corpus embedded {again.embedded} chunks")
    cli = cli_reindex_seconds(config, runs)
    result = {
        "corpus": name, "chunks": len(texts), "chars": sum(map(len, texts)), "repeats": repeats,
        "raw_s_by_batch": {b: round(x, 2) for b, x in raw_by_batch.items()}, "raw_best_batch": best_batch,
        "raw_s": round(raw, 2), "raw_chunks_per_s": round(len(texts) / raw, 1),
        "own_raw_s": round(own, 2), "own_raw_chunks_per_s": round(len(texts) / own, 1),
        "pipeline_batch": pipeline_batch_size(),
        "pipeline_s": round(pipeline, 2), "pipeline_chunks_per_s": round(len(texts) / pipeline, 1),
        "ratio": round(raw / pipeline, 3), "ratio_same_batch": round(same / pipeline, 3),
        "ratio_own_raw": round(own / pipeline, 3),
        "reindex_unchanged_in_process_s": round(warm_reindex, 3),
        "reindex_unchanged_cli_s": round(statistics.median(cli), 3), "reindex_unchanged_cli_runs": cli,
    }
    print(f"{name}: {len(texts)} chunks  raw encode {result['raw_chunks_per_s']} chunks/s (batch {best_batch}), "
          f"pipeline {result['pipeline_chunks_per_s']} chunks/s -> ratio {result['ratio']:.2f} "
          f"({result['ratio_same_batch']:.2f} against raw at the pipeline's batch size; own encoder raw "
          f"{result['own_raw_chunks_per_s']} chunks/s, ratio {result['ratio_own_raw']:.2f}); unchanged re-index "
          f"{warm_reindex:.2f} s in process, {result['reindex_unchanged_cli_s']:.2f} s as `qa index`")
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=1000, help="size of the synthetic corpus")
    parser.add_argument("--runs", type=int, default=3, help="`qa index` no-change runs (median reported)")
    args = parser.parse_args(argv)
    corpora = {"shipped": common.CORPUS, f"synthetic-{args.chunks}": synthetic.generate(args.chunks)}
    # The shipped corpus takes seconds: median of 5 alternating runs. The synthetic one: one run.
    return {"corpora": [measure(name, path, args.runs, 5 if name == "shipped" else 1)
                        for name, path in corpora.items()]}


if __name__ == "__main__":
    common.cli(main, __doc__.splitlines()[0])
