"""Scale: build time, disk size, peak RSS and warm query latency on synthetic corpora of 1k-100k chunks.

    .venv/bin/python benchmarks/scale.py [--full] [--json out.json]

Each build and each query series runs in a process of its own, so peak RSS (VmHWM) is that of one job.
Builds use the real build_index (reading, splitting, LangChain indexing API + SQL record manager, embedded
Chroma, BM25, side tables) with the real model loaded. Encoding 100k chunks (300k sentences) with the
model takes about 35 minutes on 2 cores, past the 30-minute budget of `make bench`, so by default:
  - "model" rows (1k, 10k): the real encoder; build time is what a user waits for (model load excluded,
    reported apart);
  - "stand-in" rows (1k, 10k, 100k): the same build with the encoder call replaced by a hash-seeded random
    unit vector per sentence, so the time is everything except the model's encoding. The 100k build time
    with the model is then an ESTIMATE: stand-in time at 100k + 10 x the model's encoding share measured
    at 10k (encoding is linear in the text). Query latency at 100k is real: the real model embeds each
    question and searches the 100k store; only the stored vectors are random.
--full also builds 100k with the real model (about 40 minutes here) and reports it measured.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import synthetic  # noqa: E402

QUESTIONS = 50
DEFAULT_PLAN = [(1000, "model"), (10000, "model"), (1000, "stand-in"), (10000, "stand-in"), (100000, "stand-in")]


def index_dir(size: int, encoder: str) -> Path:
    return common.DATA / f"index-{size}-{encoder}"


def stand_in_encode(texts: list[str], threads: int = 2, batch_size: int = 64):
    """A unit vector per text, seeded by its hash: what the model gives in shape, none of its cost."""
    import numpy as np

    out = np.empty((len(texts), 384), dtype=np.float32)
    for row, text in enumerate(texts):
        seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
        vector = np.random.default_rng(seed).standard_normal(384, dtype=np.float32)
        out[row] = vector / np.linalg.norm(vector)
    return out


def build_child(size: int, encoder: str) -> dict:
    import qa.embed
    import qa.index
    from qa.index import build_index

    folder = index_dir(size, encoder)
    shutil.rmtree(folder, ignore_errors=True)
    config = common.settings(synthetic.corpus_dir(size), folder)
    started = time.perf_counter()
    qa.embed.load_model(config.threads)  # loaded in both modes, so peak RSS includes the model
    model_load = time.perf_counter() - started
    if encoder == "stand-in":
        qa.embed.encode = qa.index.encode = stand_in_encode
    started = time.perf_counter()
    report = build_index(config, rebuild=True, progress=False)
    build = time.perf_counter() - started
    started = time.perf_counter()
    again = build_index(config, progress=False)
    reindex = time.perf_counter() - started
    assert again.embedded == 0, again
    from qa import generations  # the manifest is in the index's current generation

    manifest = json.loads((generations.folder(folder, generations.current(folder)) / "manifest.json").read_text())
    return {"chunks": report.chunks, "sentences": manifest["sentences"], "model_load_s": round(model_load, 2),
            "build_s": round(build, 2), "reindex_unchanged_s": round(reindex, 2), "build_peak_rss_mb": common.peak_rss_mb()}


def query_child(size: int, encoder: str) -> dict:
    from qa.answer import Pipeline

    started = time.perf_counter()  # a new process until it can answer: model, index tables, Chroma, BM25
    pipeline = Pipeline(common.settings(synthetic.corpus_dir(size), index_dir(size, encoder)))
    pipeline.index.collection, pipeline.index.bm25
    load = time.perf_counter() - started
    questions = synthetic.questions(QUESTIONS)
    for question in questions:
        pipeline.ask(question)
    walls, stages = [], {"retrieve": [], "rerank": [], "answer": []}
    for question in questions:
        started = time.perf_counter()
        answer = pipeline.ask(question)
        walls.append((time.perf_counter() - started) * 1000)
        for stage in stages:
            stages[stage].append(answer.timings_ms[stage])
    wall = common.summary(walls)
    return {"index_load_s": round(load, 2), "query_p50_ms": wall["p50"], "query_p95_ms": wall["p95"],
            **{f"{stage}_p50_ms": common.summary(v)["p50"] for stage, v in stages.items()},
            "query_peak_rss_mb": common.peak_rss_mb()}


def measure(size: int, encoder: str) -> dict:
    synthetic.generate(size)
    print(f"{size:>7} chunks, {encoder:<8} building ...", end="", flush=True)
    row = {"size": size, "encoder": encoder}
    row.update(common.run_json_child([__file__, "--child", "build", str(size), encoder]))
    row["disk_mb"] = common.dir_size_mb(index_dir(size, encoder))
    print(f" {row['build_s']:.1f} s, {row['disk_mb']:.0f} MB, peak {row['build_peak_rss_mb']:.0f} MB; querying ...",
          end="", flush=True)
    row.update(common.run_json_child([__file__, "--child", "query", str(size), encoder]))
    print(f" p50 {row['query_p50_ms']:.1f} ms, p95 {row['query_p95_ms']:.1f} ms, peak {row['query_peak_rss_mb']:.0f} MB")
    return row


def estimate_model_build(rows: list[dict], size: int) -> dict | None:
    """Model build time at ``size`` from the stand-in build there and the model's encoding share measured at
    the largest size built both ways (encoding scales linearly with the amount of text)."""
    by = {(r["size"], r["encoder"]): r for r in rows}
    if (size, "model") in by or (size, "stand-in") not in by:
        return None
    both = [s for s in sorted({r["size"] for r in rows}) if (s, "model") in by and (s, "stand-in") in by]
    if not both:
        return None
    base = both[-1]
    encoding = by[(base, "model")]["build_s"] - by[(base, "stand-in")]["build_s"]
    scale = by[(size, "stand-in")]["sentences"] / by[(base, "stand-in")]["sentences"]
    return {"size": size, "from_size": base, "encoding_s_at_base": round(encoding, 1),
            "build_s": round(by[(size, "stand-in")]["build_s"] + encoding * scale, 1)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="also build 100k chunks with the real model (slow)")
    parser.add_argument("--sizes", type=int, nargs="*", help="only these sizes (default 1000 10000 100000)")
    parser.add_argument("--child", nargs=3, metavar=("JOB", "SIZE", "ENCODER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        job, size, encoder = args.child
        print(json.dumps((build_child if job == "build" else query_child)(int(size), encoder)))
        return {}
    plan = DEFAULT_PLAN + ([(100000, "model")] if args.full else [])
    if args.sizes:
        plan = [(s, e) for s, e in plan if s in args.sizes]
    rows = [measure(size, encoder) for size, encoder in plan]
    estimate = estimate_model_build(rows, max(s for s, _ in plan))
    if estimate:
        print(f"estimated build with the model at {estimate['size']} chunks: {estimate['build_s']:.0f} s "
              f"(stand-in build + encoding measured at {estimate['from_size']}, scaled)")
    return {"rows": rows, "estimate": estimate, "questions": QUESTIONS}


if __name__ == "__main__":
    common.cli(main, __doc__.splitlines()[0])
