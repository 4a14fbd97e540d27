"""An index that never serves a half state: interrupted runs, damaged pieces, readers during a write."""

import json
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest

from qa import generations
from qa.index import current_paths
from tests.conftest import QA, ROOT, run_qa

QUESTION = "How much did MacAlister call for to transform the system?"


def _env(index_dir, corpus):
    return {"QA_INDEX_DIR": str(index_dir), "QA_CORPUS_DIR": str(corpus)}


def _no_traceback(out):
    assert "Traceback" not in out.stderr and "Panic" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An index of a corpus copy, built once; tests damage copies of it."""
    base = tmp_path_factory.mktemp("built")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    assert run_qa("index", env=_env(base / "index", corpus)).returncode == 0
    return base / "index", corpus


def _copy(built, tmp_path):
    index_dir, corpus = built
    shutil.copytree(index_dir, tmp_path / "index")
    return tmp_path / "index", corpus


def _long_article(path, paragraphs=400):
    body = "\n\n".join(f"Paragraph {i} of a long briefing on kinship carers in the borough of Exampleton, "
                       f"where {i * 7} families took part in the pilot." for i in range(paragraphs))
    path.write_text("Exampleton briefing\n\n" + body + "\n", encoding="utf-8")


def test_killed_index_then_removed_file_leaves_no_orphans(built, tmp_path):
    index_dir, corpus = _copy(built, tmp_path)
    corpus = shutil.copytree(corpus, tmp_path / "corpus")
    env = _env(index_dir, corpus)
    before = current_paths(index_dir)
    _long_article(corpus / "exampleton.txt")
    writer = subprocess.Popen([*QA, "index"], env={**os.environ, **env}, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    # Kill it once it is writing the new generation's vectors (its record table exists, side tables not yet).
    while time.time() < deadline:
        new = [p for p in (index_dir / "generations").iterdir() if p.name != before.root.name]
        if new and (new[0] / "records.sqlite").exists():
            break
        time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert current_paths(index_dir) == before  # readers never saw the half-written generation

    removed = run_qa("remove", "--json", "exampleton", env=env)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout)["removed_files"] == [str(corpus / "exampleton.txt")]
    check = run_qa("index", "--check", env=env)
    assert check.returncode == 0, check.stdout
    assert [p.name for p in (index_dir / "generations").iterdir()] == [current_paths(index_dir).root.name]
    asked = run_qa("ask", "--json", QUESTION, env=env)
    assert asked.returncode == 0 and "exampleton" not in json.loads(asked.stdout)["retrieved"]


def test_orphan_vectors_in_the_store_are_deleted_by_the_next_run(built, tmp_path):
    from qa.index import build_index
    from qa.settings import Settings
    from qa.store import VectorStore

    index_dir, corpus = _copy(built, tmp_path)
    settings = Settings.from_env({}, index_dir=index_dir, corpus_dir=corpus)
    name = generations.current(index_dir)
    collection = VectorStore(index_dir).open(name)
    collection.add(ids=["orphan"], embeddings=[[0.1] * 384], metadatas=[{"chunk_id": "x:0-1", "doc_id": "x"}],
                   documents=["left by an interrupted run"])
    assert run_qa("index", "--check", env=_env(index_dir, corpus)).returncode == 3
    (corpus / "touch.txt").write_text("A short note about family hubs opening in the spring.\n", encoding="utf-8")
    try:
        report = build_index(settings, progress=False)
    finally:
        (corpus / "touch.txt").unlink()
    assert report.repaired == 1
    assert run_qa("index", "--check", env=_env(index_dir, corpus)).returncode == 0


def _junk_page(index_dir):
    sqlite = current_paths(index_dir).chroma / "chroma.sqlite3"
    with open(sqlite, "r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xde\xad\xbe\xef" * 1024)


def _truncate_chroma(index_dir):
    sqlite = current_paths(index_dir).chroma / "chroma.sqlite3"
    os.truncate(sqlite, 1000)


DAMAGES = {
    "junk page in chroma.sqlite3": _junk_page,
    "truncated chroma.sqlite3": _truncate_chroma,
    "missing BM25": lambda d: shutil.rmtree(current_paths(d).bm25),
    "empty documents.jsonl": lambda d: current_paths(d).documents.write_text(""),
    "junk manifest.json": lambda d: current_paths(d).manifest.write_text("{junk"),
    "junk CURRENT": lambda d: (d / generations.POINTER).write_text("not json"),
    "missing HNSW files": lambda d: [shutil.rmtree(p) for p in current_paths(d).chroma.iterdir() if p.is_dir()],
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_damaged_piece_exits_3_in_one_line(built, tmp_path, damage):
    index_dir, corpus = _copy(built, tmp_path)
    env = _env(index_dir, corpus)
    DAMAGES[damage](index_dir)
    asked = run_qa("ask", "--json", QUESTION, env=env)
    check = run_qa("index", "--check", env=env)
    assert "Traceback" not in check.stderr
    if asked.returncode == 0:  # damage Chroma reads past (vectors still in its log) must not change answers
        assert "£2.6 billion" in json.loads(asked.stdout)["answer"]
        return
    assert asked.returncode == 3
    _no_traceback(asked)
    assert "qa index" in asked.stderr
    assert check.returncode == 3 and "BAD" in check.stdout


def test_rebuild_recovers_a_store_chroma_cannot_open(built, tmp_path):
    index_dir, corpus = _copy(built, tmp_path)
    env = _env(index_dir, corpus)
    _junk_page(index_dir)
    assert run_qa("ask", QUESTION, env=env).returncode == 3
    broken = current_paths(index_dir).root
    rebuilt = run_qa("index", "--rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert not broken.exists()  # the store Chroma could not open is gone, not reused
    assert run_qa("index", "--check", env=env).returncode == 0
    again = run_qa("ask", "--json", QUESTION, env=env)
    assert again.returncode == 0 and "£2.6 billion" in json.loads(again.stdout)["answer"]


def test_corrupt_record_table_exits_3_and_add_takes_its_file_back(built, tmp_path):
    index_dir, corpus = _copy(built, tmp_path)
    corpus = shutil.copytree(corpus, tmp_path / "corpus")
    env = _env(index_dir, corpus)
    current_paths(index_dir).records.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    note = tmp_path / "note.txt"
    note.write_text("A short note about family hubs opening in the spring.\n", encoding="utf-8")
    added = run_qa("add", str(note), env=env)
    assert added.returncode == 3, added.stderr
    _no_traceback(added)
    assert not (corpus / "note.txt").exists()
    assert run_qa("index", "--rebuild", env=env).returncode == 0


def test_rebuild_while_serving_fails_no_question(built, tmp_path):
    """The server's pipeline (qa.live) answers throughout a rebuild in another process, then moves to the
    new generation without a restart; the old generation is deleted once it lets go."""
    from qa.live import LivePipeline
    from qa.settings import Settings

    index_dir, corpus = _copy(built, tmp_path)
    live = LivePipeline(Settings.from_env({}, index_dir=index_dir, corpus_dir=corpus))
    first = live.index.generation
    expected = live.ask(QUESTION).answer
    failures, answers, done = [], [], threading.Event()

    def client():
        while not done.is_set():
            try:
                answers.append(live.ask(QUESTION).answer)
            except Exception as err:  # counted, not raised: the test reports how many failed
                failures.append(repr(err))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        rebuilt = run_qa("index", "--rebuild", env=_env(index_dir, corpus))
        time.sleep(1.0)  # questions after the switch
    finally:
        done.set()
        for t in threads:
            t.join()
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert failures == [] and len(answers) > 10 and set(answers) == {expected}
    assert first != live.index.generation == generations.current(index_dir)
    assert not (index_dir / "generations" / first).exists()


def test_readers_starting_during_a_write_all_answer(built, tmp_path):
    index_dir, corpus = _copy(built, tmp_path)
    env = {**os.environ, **_env(index_dir, corpus)}
    writer = subprocess.Popen([*QA, "index", "--rebuild"], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    codes = []
    while writer.poll() is None or not codes:
        out = run_qa("ask", "--json", QUESTION, env=_env(index_dir, corpus))
        codes.append((out.returncode, out.stderr[-300:]))
    assert writer.wait() == 0
    assert len(codes) >= 2 and all(code == 0 for code, _ in codes), codes
