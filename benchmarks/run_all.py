"""Run the four benchmarks, each in a process of its own, and write benchmarks/results.md + results.png.

    .venv/bin/python benchmarks/run_all.py [--full] [--only latency throughput scale versus_naive]

`make bench` runs this. --full also builds the 100k-chunk index with the real model (slow; see scale.py).
A part that fails is reported in results.md and makes the exit status 1; the other parts still run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

PARTS = ("latency", "throughput", "scale", "versus_naive", "load")
RESULTS_MD = common.BENCH / "results.md"
RESULTS_PNG = common.BENCH / "results.png"


def _cpu_seconds() -> tuple[float, float]:
    """(busy CPU seconds of the whole machine since boot, CPU seconds of this process's waited-for children)."""
    import resource

    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy / os.sysconf("SC_CLK_TCK"), children.ru_utime + children.ru_stime


def run_part(name: str, extra: list[str]) -> dict:
    out = common.DATA / "results" / f"{name}.json"
    out.unlink(missing_ok=True)
    print(f"\n== {name} ==", flush=True)
    started, (busy, ours) = time.perf_counter(), _cpu_seconds()
    proc = subprocess.run([sys.executable, str(common.BENCH / f"{name}.py"), "--json", str(out), *extra],
                          env=common.child_env(), cwd=common.ROOT)
    seconds = time.perf_counter() - started
    busy_after, ours_after = _cpu_seconds()
    # Cores kept busy by other processes meanwhile: machine-wide busy time less this benchmark's own.
    others = max(0.0, (busy_after - busy) - (ours_after - ours)) / seconds
    run = {"seconds": round(seconds, 1), "other_load_cores": round(others, 2)}
    if proc.returncode != 0 or not out.exists():
        return {"error": f"exit status {proc.returncode}", **run}
    result = {**json.loads(out.read_text()), **run}
    out.write_text(json.dumps(result, indent=2))
    return result


# --- the report ----------------------------------------------------------------------------------


def _met(value, target, higher_is_better=False) -> str:
    if value is None:
        return "n/a"
    return "yes" if (value >= target if higher_is_better else value <= target) else "**no**"


def _row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def targets_table(r: dict) -> list[str]:
    lines = [_row("figure", "target", "measured", "met?"), _row(*["---"] * 4)]
    lat, thr, sc = r.get("latency", {}), r.get("throughput", {}), r.get("scale", {})
    if "warm_ms" in lat:
        p50 = lat["warm_ms"]["wall"]["p50"]
        lines.append(_row("warm end-to-end p50 (incl. embed + rerank), eval questions", "≤ 50 ms", f"{p50:.1f} ms",
                          _met(p50, 50)))
        cold = lat["cold_first_output_s"]
        lines.append(_row("cold first answer (`qa ask` in a new process, median of 3)", "≤ 6 s", f"{cold:.2f} s",
                          _met(cold, 6)))
    for c in thr.get("corpora", []):
        lines.append(_row(f"indexing throughput, pipeline ÷ fastest raw encode ({c['corpus']}, {c['chunks']} chunks)",
                          "≥ 0.9", f"{c['ratio']:.2f} ({c['pipeline_chunks_per_s']} vs {c['raw_chunks_per_s']} chunks/s; "
                          f"{c['ratio_same_batch']:.2f} against raw at the indexer's batch size {c['pipeline_batch']}; "
                          f"{c['ratio_own_raw']:.2f} against the indexer's own encoder)",
                          _met(c["ratio"], 0.9, higher_is_better=True)))
    for c in thr.get("corpora", []):
        lines.append(_row(f"unchanged re-index, `qa index` new process ({c['corpus']})", "≤ 2 s",
                          f"{c['reindex_unchanged_cli_s']:.2f} s (in a warm process: "
                          f"{c['reindex_unchanged_in_process_s']:.2f} s)", _met(c["reindex_unchanged_cli_s"], 2)))
    big = [row for row in sc.get("rows", []) if row["size"] == 100000]
    for row in big:
        lines.append(_row(f"100k chunks ({row['encoder']} index): warm query p50", "≤ 100 ms",
                          f"{row['query_p50_ms']:.1f} ms", _met(row["query_p50_ms"], 100)))
        peak = max(row["build_peak_rss_mb"], row["query_peak_rss_mb"])
        lines.append(_row(f"100k chunks ({row['encoder']} index): peak RSS (build / query)", "≤ 4 GB",
                          f"{peak / 1024:.2f} GB ({row['build_peak_rss_mb']:.0f} / {row['query_peak_rss_mb']:.0f} MB)",
                          _met(peak, 4096)))
    return lines


def latency_section(lat: dict) -> list[str]:
    if "warm_ms" not in lat:
        return [f"Failed: {lat.get('error')}"]
    lines = [f"Warm: one `Pipeline`, {lat['warm_questions']} eval questions, each asked once before timing. "
             "`embed` is the question-encoding call inside retrieval (timed by wrapping it); `retrieve` is "
             "the rest of that stage (query analysis, Chroma, BM25, fusion).", "",
             _row("stage", "p50 ms", "p95 ms", "mean ms"), _row(*["---"] * 4)]
    for stage, s in lat["warm_ms"].items():
        label = {"total": "total (Pipeline.ask timings)", "wall": "end-to-end (wall around ask)"}.get(stage, stage)
        lines.append(_row(label, f"{s['p50']:.2f}", f"{s['p95']:.2f}", f"{s['mean']:.2f}"))
    runs = ", ".join(f"{x['first_output_s']:.2f}" for x in lat["cold_runs"])
    lines += ["", f"Cold: `qa ask {lat['question']!r}` in a new process, launch to first byte of the answer: "
              f"{runs} s (median {lat['cold_first_output_s']:.2f} s; the process exits after "
              f"{lat['cold_exit_s']:.2f} s). Where the time goes (median of 3 children timing themselves):", "",
              _row(*lat["cold_phases_s"]), _row(*["---"] * len(lat["cold_phases_s"])),
              _row(*(f"{v:.2f} s" if k != "peak_rss_mb" else f"{v:.0f} MB" for k, v in lat["cold_phases_s"].items()))]
    return lines


def throughput_section(thr: dict) -> list[str]:
    if "corpora" not in thr:
        return [f"Failed: {thr.get('error')}"]
    lines = [_row("corpus", "chunks", "runs", "raw encode by batch size", "own encoder, raw", "pipeline",
                  "ratio to fastest raw", "ratio to raw at same batch", "ratio to own raw",
                  "unchanged re-index (process / `qa index`)"), _row(*["---"] * 10)]
    for c in thr["corpora"]:
        by_batch = ", ".join(f"{b}: {x:.2f} s" for b, x in c["raw_s_by_batch"].items())
        lines.append(_row(c["corpus"], c["chunks"], c["repeats"], by_batch,
                          f"{c['own_raw_s']:.2f} s = {c['own_raw_chunks_per_s']} chunks/s",
                          f"{c['pipeline_s']:.2f} s = {c['pipeline_chunks_per_s']} chunks/s", f"{c['ratio']:.2f}",
                          f"{c['ratio_same_batch']:.2f}", f"{c['ratio_own_raw']:.2f}",
                          f"{c['reindex_unchanged_in_process_s']:.2f} s / {c['reindex_unchanged_cli_s']:.2f} s"))
    lines += ["", "Raw = `SentenceTransformer.encode` of the very chunk texts the indexer makes, model loaded and "
              "warmed (medians over the runs, alternating with the pipeline); own encoder, raw = the indexer's "
              "encoder (`qa.embed.encode`, the same vectors to within 1e-5, tests/test_embed.py) on those chunk texts at its batch size; "
              "pipeline = `build_index(rebuild=True)` in the same process with its imports done: reading, cleaning, "
              "splitting, encoding, Chroma, the record manager, BM25 and side tables. The pipeline encodes each "
              "chunk's sentences separately (it needs a vector per sentence to pick the answer), about 3 sequences "
              "per chunk, each with its own [CLS]/[SEP]. Unchanged re-index: `build_index` again in the warm "
              "process, and `qa index` as a new process (what a user waits for; median of 3)."]
    return lines


def scale_section(sc: dict) -> list[str]:
    if "rows" not in sc:
        return [f"Failed: {sc.get('error')}"]
    lines = [_row("chunks", "encoder", "build s", "unchanged re-index s", "disk MB", "peak RSS build MB",
                  "peak RSS query MB", "startup s (model + index)", "warm query p50 ms", "p95 ms"), _row(*["---"] * 10)]
    for r in sc["rows"]:
        lines.append(_row(f"{r['size']:,}", r["encoder"], f"{r['build_s']:.1f}", f"{r['reindex_unchanged_s']:.1f}",
                          f"{r['disk_mb']:.0f}", f"{r['build_peak_rss_mb']:.0f}", f"{r['query_peak_rss_mb']:.0f}",
                          f"{r['index_load_s']:.2f}", f"{r['query_p50_ms']:.1f}", f"{r['query_p95_ms']:.1f}"))
    est = sc.get("estimate")
    lines += ["", f"Synthetic corpora from `benchmarks/synthetic.py` (seeded; 3 sentences = 1 chunk each); "
              f"{sc['questions']} synthetic questions per size, each asked once to warm, then timed. "
              "\"model\": the real build with the packaged model (model load, ~constant, excluded and not shown). "
              "\"stand-in\": the same real build_index with only the encoder call replaced by a hash-seeded random "
              "unit vector per sentence (model still loaded, so RSS includes it): its build time is everything "
              "but the model's encoding; queries there are embedded by the real model."]
    if est:
        lines += ["", f"**The 100k build with the model was not run**: it would not fit `make bench`'s 30 minutes "
                  f"(`run_all.py --full` runs it). Estimate: {est['build_s']:.0f} s ≈ {est['build_s'] / 60:.0f} min = stand-in "
                  f"build at {est['size']:,} + the model's encoding time measured at {est['from_size']:,} "
                  f"({est['encoding_s_at_base']:.0f} s = model build − stand-in build) scaled by sentence count."]
    return lines


def naive_section(vn: dict) -> list[str]:
    if "ours" not in vn:
        return [f"Failed: {vn.get('error')}"]
    lines = [_row("pipeline", "p50 ms", "p95 ms", "answer accuracy", "answerable", "unanswerable (abstains)"),
             _row(*["---"] * 6)]
    for name, label in (("ours", "hybrid + rerank + abstention (ours)"), ("naive", "naive LangChain dense top-k")):
        x = vn[name]
        lines.append(_row(label, f"{x['p50_ms']:.2f}", f"{x['p95_ms']:.2f}", f"{x['accuracy']:.1%}",
                          f"{x['answerable_accuracy']:.1%}", f"{(x['unanswerable_accuracy'] or 0):.1%}"))
    lines += ["", f"Same run, same loaded index and model, {vn['cases']} eval questions ({vn['answerable']} "
              f"answerable) alternating between the two; p50 latency ratio ours ÷ naive = "
              f"{vn['latency_ratio_p50']:.2f}."]
    return lines


def load_section(ld: dict) -> list[str]:
    import load

    if "rows" not in ld:
        return [f"Failed: {ld.get('error')}"]
    return [*load.table(ld["rows"]), "", "`benchmarks/load.py`: a real `qa serve` on 127.0.0.1 (embedded Chroma, "
            "then a `chroma run` server); web app: each client a gradio_client asking the page's /ask event; JSON: "
            "each client one keep-alive connection posting to /api/ask. Answers compared with the same questions "
            "asked by one client alone. Targets (embedded, 32 clients): 0 errors, 0 differing, ≥ 40 questions/s, "
            "p95 ≤ 1 s."]


def write_report(results: dict, info: dict, seconds: float) -> None:
    lines = ["# Benchmarks", "",
             f"Written by `make bench` (`benchmarks/run_all.py`) on {info['date']} in {seconds / 60:.1f} min. "
             f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, no GPU; Python "
             f"{info['python']}, torch {info['torch']}, sentence-transformers {info['sentence_transformers']}, "
             f"chromadb {info['chromadb']}; commit {info['commit']}. Times are wall-clock on this machine; "
             "ratios are taken within one run.", "",
             "Other load: CPU cores kept busy by processes other than the benchmark while each part ran (out "
             "of 2; above ~0.1 the times are pessimistic): " + ", ".join(
                 f"{name} {r['other_load_cores']:.2f} ({r['seconds'] / 60:.1f} min)"
                 for name, r in results.items() if "other_load_cores" in r) + ".", "",
             "## Targets", "", *targets_table(results), "",
             "## 1. Query latency", "", *latency_section(results.get("latency", {})), "",
             "## 2. Indexing throughput", "", *throughput_section(results.get("throughput", {})), "",
             "## 3. Scale", "", f"![scale]({RESULTS_PNG.name})", "", *scale_section(results.get("scale", {})), "",
             "## 4. Against the naive LangChain pipeline", "", *naive_section(results.get("versus_naive", {})), "",
             "## 5. Load: concurrent app clients", "", *load_section(results.get("load", {})), ""]
    RESULTS_MD.write_text("\n".join(lines))


def plot(scale: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = scale.get("rows", [])
    panels = [("build_s", "build time (s)"), ("disk_mb", "index on disk (MB)"),
              ("peak", "peak RSS (MB)"), ("query_p50_ms", "warm query p50 (ms)")]
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.5))
    for ax, (key, title) in zip(axes.flat, panels):
        for encoder, marker in (("model", "o"), ("stand-in", "s")):
            points = sorted((r["size"], max(r["build_peak_rss_mb"], r["query_peak_rss_mb"]) if key == "peak"
                             else r[key]) for r in rows if r["encoder"] == encoder)
            if points:
                label = "real model" if encoder == "model" else "stand-in encoder"
                ax.plot(*zip(*points), marker=marker, label=label)
        if key == "build_s" and scale.get("estimate"):
            est = scale["estimate"]
            ax.plot([est["size"]], [est["build_s"]], marker="*", markersize=12, linestyle="none",
                    label="real model, estimated")
        if key == "query_p50_ms":
            ax.axhline(100, color="grey", linestyle="--", linewidth=0.8, label="target at 100k")
        if key == "peak":
            ax.axhline(4096, color="grey", linestyle="--", linewidth=0.8, label="target at 100k")
        ax.set_xscale("log")
        if key in ("build_s", "disk_mb"):
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("chunks")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("carereview-qa at scale (synthetic corpora, 2-core CPU)", fontsize=11)
    fig.tight_layout()
    fig.savefig(RESULTS_PNG, dpi=80)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="scale: also build 100k chunks with the real model")
    parser.add_argument("--only", nargs="*", choices=PARTS, help="run only these parts (keep the others' last figures)")
    parser.add_argument("--report", action="store_true", help="run nothing: rewrite the report from the last figures")
    args = parser.parse_args(argv)
    saved = common.DATA / "results" / "machine.json"
    if args.report and saved.exists():
        info = json.loads(saved.read_text())
    else:
        info = {**common.machine(), "date": time.strftime("%Y-%m-%d %H:%M")}
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(info))
    results = {}
    for name in PARTS:
        if not args.report and name in (args.only or PARTS):
            results[name] = run_part(name, ["--full"] if name == "scale" and args.full else [])
        elif (common.DATA / "results" / f"{name}.json").exists():  # --only: keep the last figures of the rest
            results[name] = json.loads((common.DATA / "results" / f"{name}.json").read_text())
    seconds = sum(r.get("seconds", 0) for r in results.values())  # the parts' own times, also under --report
    if "rows" in results.get("scale", {}):
        plot(results["scale"])
    write_report(results, info, seconds)
    print(f"\nwrote {RESULTS_MD.relative_to(common.ROOT)} and {RESULTS_PNG.relative_to(common.ROOT)} "
          f"({seconds / 60:.1f} min)")
    print("\n".join(targets_table(results)))
    failed = [name for name, r in results.items() if "error" in r]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
