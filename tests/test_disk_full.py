"""A full disk while indexing: the run says so, and the previous generation keeps answering."""

import errno
import shutil

import pytest

import qa.index
from qa import generations
from qa.answer import Pipeline
from qa.index import build_index
from qa.settings import Settings
from qa.store import IndexUnavailable


def test_disk_full_names_disk_space_and_keeps_the_previous_generation(settings, tmp_path, corpus_copy, monkeypatch):
    index_dir = tmp_path / "index"
    shutil.copytree(settings.index_dir, index_dir)
    ours = Settings.from_env({}, index_dir=index_dir, corpus_dir=corpus_copy)
    before = generations.current(index_dir)
    (corpus_copy / "note.txt").write_text("A short note about family hubs opening in the spring.\n", encoding="utf-8")

    def no_space(*args, **kwargs):  # where a real full disk stops a run: writing the new side tables
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(qa.index, "_write_side_tables", no_space)
    with pytest.raises(IndexUnavailable, match="no space left") as failed:
        build_index(ours, progress=False)
    assert "previous index still answers" in str(failed.value)
    assert generations.current(index_dir) == before
    assert [p.name for p in (index_dir / "generations").iterdir()] == [before]  # the half-built one is gone
    answer = Pipeline(ours).ask("How much did MacAlister call for to transform the system?")
    assert "£2.6 billion" in answer.answer
