"""Chroma server mode: a real `chroma run` on 127.0.0.1, indexed and asked as in embedded mode."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.load import free_port, wait_for
from qa import generations
from tests.conftest import run_qa

QUESTIONS = ["How much did MacAlister call for to transform the system?", "Who led the review?",
             "How many children are in care in Scotland?", "how much money is going on foster carers?"]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).with_name("chroma")
    server = subprocess.Popen([str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(port, 60)
    except RuntimeError:
        server.kill()
        raise
    yield url
    server.terminate()
    server.wait(timeout=30)


def _answers(env):
    out = run_qa("ask", "--json", "-", env=env, input="\n".join(QUESTIONS) + "\n")
    assert out.returncode == 0, out.stderr
    return [{k: row[k] for k in ("answer", "abstained", "citations", "retrieved")}
            for row in map(json.loads, out.stdout.splitlines())]


def test_server_mode_gives_the_embedded_answers(settings, chroma_url, tmp_path, corpus_copy):
    from qa.store import server_client

    env = {"QA_INDEX_DIR": str(tmp_path / "index"), "QA_CORPUS_DIR": str(corpus_copy), "QA_CHROMA_URL": chroma_url}
    built = run_qa("index", env=env)
    assert built.returncode == 0, built.stderr
    assert not (generations.folder(tmp_path / "index", generations.current(tmp_path / "index")) / "chroma").exists()
    assert _answers(env) == _answers({"QA_INDEX_DIR": str(settings.index_dir)})
    assert run_qa("index", "--check", env=env).returncode == 0

    # An update writes a new collection on the server and drops the old one.
    first = generations.current(tmp_path / "index")
    shutil.copy(corpus_copy / "000_774ab4eb27a3c628.txt", corpus_copy / "copy_of_000.txt")
    update = json.loads(run_qa("index", "--json", env=env).stdout)
    assert update["embedded"] > 0 and update["skipped"] == 76
    names = {c.name for c in server_client(chroma_url).list_collections()}
    assert f"chunks-{generations.current(tmp_path / 'index')}" in names and f"chunks-{first}" not in names
