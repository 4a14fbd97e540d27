"""Against the naive LangChain pipeline (dense top-k from Chroma, first chunk as the answer), same run.

    .venv/bin/python benchmarks/versus_naive.py [--json out.json]

Both pipelines share one loaded index and model. Each is warmed on every eval question, then the
questions are timed alternating between the two (so drift in machine load hits both alike), wall time
around ask(). Accuracy is qa.evals.score_answer's answer_correct: the expected figure stated for an
answerable question, an abstention for an unanswerable one (the naive pipeline never abstains).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    from qa.answer import Pipeline
    from qa.evals import NaivePipeline, load_cases, score_answer
    from qa.index import LoadedIndex

    config = common.ensure_main_index()
    cases = load_cases(common.CASES)
    index = LoadedIndex(config.index_dir)
    pipelines = {"ours": Pipeline(config, index), "naive": NaivePipeline(config, index)}
    for pipeline in pipelines.values():
        for case in cases:
            pipeline.ask(case.question)
    times = {name: [] for name in pipelines}
    results = {name: [] for name in pipelines}
    for case in cases:
        for name, pipeline in pipelines.items():
            started = time.perf_counter()
            answer = pipeline.ask(case.question)
            times[name].append((time.perf_counter() - started) * 1000)
            results[name].append(score_answer(case, answer))

    def accuracy(rows, answerable=None):
        rows = [r for r in rows if answerable is None or r["answerable"] == answerable]
        return round(sum(r["answer_correct"] for r in rows) / len(rows), 4) if rows else None

    out = {"cases": len(cases), "answerable": sum(c.answerable for c in cases)}
    for name in pipelines:
        latency = common.summary(times[name])
        out[name] = {"p50_ms": latency["p50"], "p95_ms": latency["p95"], "accuracy": accuracy(results[name]),
                     "answerable_accuracy": accuracy(results[name], True),
                     "unanswerable_accuracy": accuracy(results[name], False)}
        print(f"{name:<6} p50 {latency['p50']:7.2f} ms  p95 {latency['p95']:7.2f} ms  accuracy "
              f"{out[name]['accuracy']:.1%} (answerable {out[name]['answerable_accuracy']:.1%}, "
              f"unanswerable {out[name]['unanswerable_accuracy'] or 0:.1%})")
    out["latency_ratio_p50"] = round(out["ours"]["p50_ms"] / out["naive"]["p50_ms"], 2)
    print(f"ours/naive p50 latency: {out['latency_ratio_p50']:.2f}x over {len(cases)} questions")
    return out


if __name__ == "__main__":
    common.cli(main, __doc__.splitlines()[0])
