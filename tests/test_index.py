
from qa.index import LoadedIndex, build_index, current_paths, split_document
from qa.ingest import load_corpus
from qa.settings import Settings
from tests.conftest import CORPUS


def test_chunks_carry_offsets_into_the_cleaned_text():
    for doc in load_corpus(CORPUS):
        chunks = split_document(doc, 500)
        assert chunks
        for chunk in chunks:
            assert doc.text[chunk.start:chunk.end] == chunk.text
            assert len(chunk.text) <= 500
            for s in chunk.sentences:
                assert chunk.start <= s.start < s.end <= chunk.end


def test_incremental_indexing(tmp_path, corpus_copy):
    settings = Settings.from_env({}, index_dir=tmp_path / "index", corpus_dir=corpus_copy)
    first = build_index(settings, progress=False)
    assert first.documents == 5 and first.embedded == first.chunks > 0

    again = build_index(settings, progress=False)
    assert (again.embedded, again.deleted, again.skipped) == (0, 0, first.chunks)

    changed = corpus_copy / "003_c72cb608ef573adf.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA new closing paragraph about kinship care.\n",
                       encoding="utf-8")
    (corpus_copy / "000_774ab4eb27a3c628.txt").unlink()
    update = build_index(settings, progress=False)
    assert update.documents == 4
    assert 0 < update.embedded < first.chunks and update.deleted > 0
    index = LoadedIndex(settings.index_dir)
    assert "000_774ab4eb27a3c628" not in index.documents
    assert index.collection.count() == len(index.chunks) == update.chunks
    assert {m["doc_id"] for m in index.collection.get(include=["metadatas"])["metadatas"]} == set(index.documents)

    rebuilt = build_index(settings, rebuild=True, progress=False)
    assert rebuilt.embedded == rebuilt.chunks == update.chunks


def test_lost_side_tables_are_recomputed(tmp_path, corpus_copy):
    settings = Settings.from_env({}, index_dir=tmp_path / "index", corpus_dir=corpus_copy)
    build_index(settings, progress=False)
    current_paths(settings.index_dir).sentences.unlink()
    report = build_index(settings, progress=False)
    assert report.embedded == 0
    index = LoadedIndex(settings.index_dir)
    assert index.sentence_vectors.shape[0] == sum(max(len(c.sentences), 1) for c in index.chunks)


def test_the_fingerprint_covers_the_rules_that_shape_chunks(settings, monkeypatch):
    """A change to the cleaning or splitting code must make `qa index` read the corpus again."""
    from qa import index

    assert set(index.SHAPING_MODULES) >= {"ingest.py", "layout.py", "text.py", "index.py"}
    with_all = index.corpus_fingerprint(settings)
    monkeypatch.setattr(index, "SHAPING_MODULES", ("text.py", "index.py"))
    assert index.corpus_fingerprint(settings) != with_all
