"""Query latency: cold (a new `qa ask` process until its answer arrives) and warm p50/p95 per stage.

    .venv/bin/python benchmarks/latency.py [--runs 3] [--json out.json]

Cold: the `qa ask` console script in a new process, timed from launch to the first byte of its answer
(stdout unbuffered, as on a terminal), median of --runs; then the same path cut into phases in a child
that times itself. Warm: one Pipeline over the shipped corpus; every eval question is asked once to warm
up, then each is timed once. "embed" is the question-encoding call inside retrieval, as Pipeline.ask times
it; "retrieve" below is the rest of that stage (Chroma, BM25, fusion).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

STAGES = ("embed", "retrieve", "rerank", "answer", "total", "wall")


def cold_runs(question: str, runs: int) -> list[dict]:
    """Wall time of `qa ask QUESTION` in a new process: to its first output byte and to its exit."""
    qa = Path(sys.executable).with_name("qa")
    command = [str(qa)] if qa.exists() else [sys.executable, "-m", "qa.cli"]
    command += ["--index-dir", str(common.MAIN_INDEX), "ask", question]
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=common.child_env(),
                                cwd=common.ROOT)
        first = proc.stdout.read(1)
        first_byte = time.perf_counter() - started
        rest = proc.stdout.read()
        proc.wait()
        if proc.returncode != 0 or not first:
            raise RuntimeError(f"qa ask failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
        out.append({"first_output_s": round(first_byte, 3), "exit_s": round(time.perf_counter() - started, 3),
                    "answer": (first + rest).decode().splitlines()[0]})
    return out


def phases_child(question: str) -> dict:
    """Runs in a new process: the cold path of `qa ask` cut into its phases, in seconds."""
    marks = [("start", time.perf_counter())]
    from qa.answer import Pipeline
    from qa.embed import load_model

    marks.append(("import qa", time.perf_counter()))
    config = common.settings()
    load_model(config.threads)
    marks.append(("load model", time.perf_counter()))
    pipeline = Pipeline(config)
    marks.append(("load index tables", time.perf_counter()))
    pipeline.index.collection, pipeline.index.bm25
    marks.append(("open Chroma + BM25", time.perf_counter()))
    pipeline.ask(question)
    marks.append(("first ask", time.perf_counter()))
    phases = {name: round(t - marks[i][1], 3) for i, (name, t) in enumerate(marks[1:])}
    return {**phases, "peak_rss_mb": common.peak_rss_mb()}


def warm(questions: list[str]) -> dict:
    from qa.answer import Pipeline

    pipeline = Pipeline(common.settings())
    for question in questions:  # warm-up: model, stores, caches
        pipeline.ask(question)
    samples = {stage: [] for stage in STAGES}
    for question in questions:
        started = time.perf_counter()
        answer = pipeline.ask(question)
        wall = (time.perf_counter() - started) * 1000
        t = answer.timings_ms
        samples["embed"].append(t["embed"])
        samples["retrieve"].append(t["retrieve"] - t["embed"])
        for stage in ("rerank", "answer", "total"):
            samples[stage].append(t[stage])
        samples["wall"].append(wall)
    return {stage: common.summary(values) for stage, values in samples.items()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="cold runs (median reported)")
    parser.add_argument("--phases-child", metavar="QUESTION", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phases_child:
        print(json.dumps(phases_child(args.phases_child)))
        return {}

    common.ensure_main_index()
    questions = common.eval_questions()
    question = questions[0]
    print(f"cold: `qa ask` in a new process, {args.runs} runs: {question!r}")
    runs = cold_runs(question, args.runs)
    for run in runs:
        print(f"  first output after {run['first_output_s']:.2f} s, exit after {run['exit_s']:.2f} s")
    phase_runs = [common.run_json_child([__file__, "--phases-child", question]) for _ in range(args.runs)]
    phases = {name: round(statistics.median(r[name] for r in phase_runs), 3) for name in phase_runs[0]}
    print("  phases (median): " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items() if k != "peak_rss_mb"))

    print(f"warm: one Pipeline, {len(questions)} eval questions (each asked once before timing)")
    stages = warm(questions)
    for stage, s in stages.items():
        print(f"  {stage:<9} p50 {s['p50']:8.2f} ms   p95 {s['p95']:8.2f} ms")
    return {
        "question": question,
        "cold_runs": runs,
        "cold_first_output_s": round(statistics.median(r["first_output_s"] for r in runs), 3),
        "cold_exit_s": round(statistics.median(r["exit_s"] for r in runs), 3),
        "cold_phases_s": phases,
        "warm_questions": len(questions),
        "warm_ms": stages,
    }


if __name__ == "__main__":
    common.cli(main, __doc__.splitlines()[0])
