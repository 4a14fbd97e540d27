"""Load: concurrent clients against a real `qa serve` over loopback, embedded and Chroma server mode.

    python benchmarks/load.py [--clients 32] [--per-client 8] [--endpoints ui json] [--json OUT]

Two endpoints of the same server, measured one after the other and reported apart:
- ui: the web app's ask event, each client sending what the page sends when Ask is pressed (one POST to
  /gradio_api/run/predict in a session of its own, on a keep-alive connection) and reading the chat and sources
  it gets back: what a person using the app waits for;
- json: POST /api/ask (qa/api.py), each client one keep-alive HTTP connection: the JSON of `qa ask --json`.

First every question is asked by one client alone (the reference answers); then all clients ask at once, each
its share of questions, bounded in count (clients x per-client) and time (--time-limit). Reported per mode and
endpoint: errors, answers different from the single-client ones, questions a second, p50 and p95 latency.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

QUESTIONS = ["How much did MacAlister call for to transform the system?", "Who led the review?",
             "how much money is going on foster carers?", "How many children are in care in Scotland?",
             "When was the review launched?", "what is kinship care?", "How much will Family Help cost?",
             "who is the children's minister?"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def page_client(port: int):
    """One visitor of the page: a keep-alive connection, a session of its own (as a browser tab has) and the
    body the page posts when Ask is pressed, from the config the page itself is built from."""
    import httpx

    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
    config = http.get("/config").raise_for_status().json()
    button = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "qa-ask")
    event = next(d["id"] for d in config["dependencies"] if [button, "click"] in d["targets"])
    return http, {"fn_index": event, "trigger_id": button, "session_hash": uuid.uuid4().hex[:11]}


def ask_page(visitor, question: str) -> tuple[str, float]:
    """What the page sends when Ask is pressed (the event is off the queue, qa/ui.py) and what it shows."""
    http, body = visitor
    started = time.perf_counter()
    reply = http.post("/gradio_api/run/predict", json={"data": [question, None, False], **body})
    reply.raise_for_status()
    chat, _, sources = reply.json()["data"][:3]  # the session's state stays on the server: None here
    messages = chat["value"] if isinstance(chat, dict) else chat  # the first answer comes as an update
    return json.dumps([messages[-1]["content"], sources]), time.perf_counter() - started


def json_client(port: int):
    import httpx

    return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)


def ask_json(http, question: str) -> tuple[str, float]:
    started = time.perf_counter()
    reply = http.post("/api/ask", json={"question": question})
    reply.raise_for_status()
    answer = reply.json()
    answer.pop("timings_ms")  # the one field that differs between two askings
    return json.dumps(answer, sort_keys=True), time.perf_counter() - started


ENDPOINTS = {"ui": (page_client, ask_page), "json": (json_client, ask_json)}


def measure(port: int, clients: int, per_client: int, time_limit: float, endpoint: str = "ui") -> dict:
    connect, ask_one = ENDPOINTS[endpoint]
    single = connect(port)
    reference = {q: ask_one(single, q)[0] for q in QUESTIONS}
    apps = [connect(port) for _ in range(clients)]
    deadline = time.time() + time_limit

    def run(i: int) -> list[tuple[bool, bool, float]]:
        rows = []
        for j in range(per_client):
            if time.time() > deadline:
                break
            question = QUESTIONS[(i + j) % len(QUESTIONS)]
            try:
                answer, seconds = ask_one(apps[i], question)
                rows.append((False, answer != reference[question], seconds))
            except Exception:  # counted as an error: the figure the benchmark reports
                rows.append((True, False, 0.0))
        return rows

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        rows = [row for rows in pool.map(run, range(clients)) for row in rows]
    wall = time.perf_counter() - started
    latencies = [s for error, _, s in rows if not error]
    return {"endpoint": endpoint, "clients": clients, "questions": len(rows), "errors": sum(e for e, _, _ in rows),
            "different": sum(d for _, d, _ in rows), "per_second": round(len(latencies) / wall, 1),
            "p50_s": round(common.percentile(latencies, 50), 3), "p95_s": round(common.percentile(latencies, 95), 3)}


def serve_and_measure(mode: str, args) -> list[dict]:
    env = {**os.environ, **common.OFFLINE}
    work = common.DATA / f"load-{mode}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    processes = []
    try:
        if mode == "server":
            chroma_port = free_port()
            processes.append(subprocess.Popen(
                [str(Path(sys.executable).with_name("chroma")), "run", "--host", "127.0.0.1", "--port",
                 str(chroma_port), "--path", str(work / "chroma")], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env))
            wait_for(chroma_port)
            env["QA_CHROMA_URL"] = f"http://127.0.0.1:{chroma_port}"
        env.update(QA_INDEX_DIR=str(work / "index"), QA_CORPUS_DIR=str(common.CORPUS))
        subprocess.run([sys.executable, "-m", "qa.cli", "index"], env=env, check=True, cwd=common.ROOT,
                       stdout=subprocess.DEVNULL)
        port = free_port()
        processes.append(subprocess.Popen([sys.executable, "-m", "qa.cli", "serve", "--port", str(port)], env=env,
                                          cwd=common.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(port)
        return [{"mode": mode, **measure(port, args.clients, args.per_client, args.time_limit, endpoint)}
                for endpoint in args.endpoints]
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=30)


LABELS = {"ui": "web app (ask event)", "json": "JSON (POST /api/ask)"}


def table(rows: list[dict]) -> list[str]:
    lines = ["| mode | endpoint | clients | questions | errors | answers differing from single-client | questions/s "
             "| p50 | p95 |", "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['mode']} | {LABELS[r['endpoint']]} | {r['clients']} | {r['questions']} | {r['errors']} | {r['different']} | "
              f"{r['per_second']} | {r['p50_s']:.2f} s | {r['p95_s']:.2f} s |" for r in rows]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--per-client", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=180.0, help="seconds of load per mode at most")
    parser.add_argument("--modes", nargs="*", default=["embedded", "server"], choices=["embedded", "server"])
    parser.add_argument("--endpoints", nargs="*", default=["ui", "json"], choices=list(ENDPOINTS))
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    rows = [row for mode in args.modes for row in serve_and_measure(mode, args)]
    print("\n".join(table(rows)))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
