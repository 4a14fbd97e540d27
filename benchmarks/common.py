"""What the benchmark scripts share: paths, the offline environment, the benchmark's own index, statistics."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
DATA = BENCH / "data"  # ignored by git: generated corpora and indexes
CORPUS = ROOT / "corpus"
CASES = ROOT / "evals" / "cases.jsonl"
MAIN_INDEX = DATA / "index-corpus"  # the shipped corpus, indexed apart from ./index so no run disturbs it

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "TOKENIZERS_PARALLELISM": "false", "GRADIO_ANALYTICS_ENABLED": "False"}
for _key, _value in OFFLINE.items():
    os.environ.setdefault(_key, _value)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def settings(corpus_dir: Path = CORPUS, index_dir: Path = MAIN_INDEX):
    """Default settings (QA_* variables ignored, so the figures don't depend on the caller's shell)."""
    from qa.settings import Settings

    return Settings.from_env({}, corpus_dir=corpus_dir, index_dir=index_dir)


def ensure_main_index():
    """The shipped corpus indexed in MAIN_INDEX (incremental: nothing is embedded when it is up to date)."""
    from qa.index import build_index

    config = settings()
    build_index(config, progress=False)
    return config


def eval_questions() -> list[str]:
    from qa.evals import load_cases

    return [case.question for case in load_cases(CASES)]


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in 0..100."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2),
            "mean": round(sum(values) / len(values), 2) if values else float("nan")}


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def dir_size_mb(path: Path) -> float:
    """Disk usage (allocated blocks, like du) of everything under ``path``, in MB."""
    total = 0
    for item in Path(path).rglob("*"):
        if item.is_file() and not item.is_symlink():
            total += item.stat().st_blocks * 512
    return round(total / 1e6, 1)


def child_env(**extra) -> dict:
    return {**os.environ, **OFFLINE, "PYTHONUNBUFFERED": "1", **extra}


def run_json_child(args: list[str], timeout: float | None = None) -> dict:
    """Run ``python args...`` in a new process whose last stdout line is JSON; return that object."""
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=child_env(), cwd=ROOT,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict:
    import importlib.metadata as md

    def version(name):
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return "-"

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "qa"], capture_output=True,
                                    text=True, cwd=ROOT).stdout.strip())
    except OSError:
        commit, dirty = "", False
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory / 1024 / 1024, 1),
            "python": platform.python_version(), "torch": version("torch"),
            "sentence_transformers": version("sentence-transformers"), "chromadb": version("chromadb"),
            "commit": commit + (" (qa/ modified)" if dirty else "")}


def cli(main, description: str) -> None:
    """Run a benchmark's main() from the command line; --json writes what it returns."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    known, rest = parser.parse_known_args()
    result = main(rest)
    if known.json:
        known.json.parent.mkdir(parents=True, exist_ok=True)
        known.json.write_text(json.dumps(result, indent=2))
