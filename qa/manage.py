"""Adding, listing and removing corpus documents. Every change ends in an ordinary incremental index run,
so only new or changed chunks are embedded and a removed document's chunks are deleted with it."""

from __future__ import annotations

import filecmp
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from qa.index import IndexReport, IndexUnavailable, LoadedIndex, build_index
from qa.ingest import READERS, SIDECAR_SUFFIX, corpus_files, doc_id_for, sidecar_of
from qa.settings import Settings


class CorpusError(ValueError):
    """A request the corpus cannot take as it stands; the message says what to do instead."""


@dataclass(frozen=True)
class AddResult:
    added: tuple[str, ...]  # file names now in the corpus folder
    unchanged: tuple[str, ...]  # already there with the same content
    rejected: tuple[tuple[str, str], ...]  # (file name, reason): unreadable, so taken out again
    ignored: tuple[str, ...]  # files in added folders that are not a supported type
    index: IndexReport | None = None

    def to_dict(self) -> dict:
        return {"added": list(self.added), "unchanged": list(self.unchanged),
                "rejected": [list(r) for r in self.rejected], "ignored": list(self.ignored),
                "index": self.index.to_dict() if self.index else None}


@dataclass(frozen=True)
class RemoveResult:
    doc_id: str
    removed_files: tuple[str, ...]
    index: IndexReport

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "removed_files": list(self.removed_files), "index": self.index.to_dict()}


@dataclass
class _Plan:
    copies: list[tuple[Path, Path]] = field(default_factory=list)  # (source, destination in the corpus)
    unchanged: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


# --- add -----------------------------------------------------------------------------------------


def add_documents(
    settings: Settings,
    sources: list[Path],
    link: bool = False,
    on_skip: Callable[[Path, str], None] | None = None,
    progress: bool = False,
) -> AddResult:
    """Copy (or symlink, with ``link``) files and the supported files of folders into the corpus folder,
    with their metadata sidecars, then update the index. Checks everything before touching anything:
    a name already taken by a different file, or a document id already used, is refused with a CorpusError.
    Files the index run cannot read (a scanned PDF, say) are taken out of the corpus again and reported."""
    corpus = settings.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    plan = _plan_additions(corpus, sources)
    for source, target in plan.copies:
        if link:
            target.symlink_to(source.resolve())
        else:
            shutil.copy2(source, target)
    copied = {target for _, target in plan.copies}
    documents = [target for target in copied if not target.name.endswith(SIDECAR_SUFFIX)]
    skipped: dict[Path, str] = {}

    def note_skip(path: Path, reason: str) -> None:
        skipped[Path(path)] = reason
        if on_skip:
            on_skip(path, reason)

    try:
        report = build_index(settings, progress=progress, on_skip=note_skip)
    except BaseException:  # the index could not take them (broken, disk full, interrupted): take them back out
        for target in copied:
            if target.exists() or target.is_symlink():
                target.unlink()
        raise
    rejected = sorted((target.name, skipped[target]) for target in documents if target in skipped)
    for name, _ in rejected:  # nothing of theirs reached the index; only what this call copied goes
        sidecar = sidecar_of(corpus / name)
        for path in (corpus / name, sidecar if sidecar in copied else None):
            if path is not None:
                path.unlink()
    return AddResult(
        added=tuple(sorted(t.name for t in documents if t not in skipped)),
        unchanged=tuple(plan.unchanged),
        rejected=tuple(rejected),
        ignored=tuple(plan.ignored),
        index=report,
    )


def _plan_additions(corpus: Path, sources: list[Path]) -> _Plan:
    plan = _Plan()
    documents: list[Path] = []
    sidecars: list[Path] = []  # named on their own; each must come with its document
    for source in map(Path, sources):
        if source.is_dir():
            for path in corpus_files(source):
                if path.suffix.lower() in READERS:
                    documents.append(path)
                else:
                    plan.ignored.append(str(path))
        elif not source.is_file():
            raise CorpusError(f"{source}: no such file or folder")
        elif source.name.endswith(SIDECAR_SUFFIX):
            sidecars.append(source)
        elif source.suffix.lower() not in READERS:
            raise CorpusError(f"{source}: unsupported file type '{source.suffix or source.name}' "
                              f"(supported: {', '.join(sorted(READERS))})")
        else:
            documents.append(source)
    described = {sidecar_of(doc) for doc in documents}
    for sidecar in sidecars:
        if sidecar not in described:
            raise CorpusError(f"{sidecar} is a metadata file: add the document it describes (its metadata comes "
                              "with it), or edit the copy in the corpus folder and run `qa index`")

    ids = Counter(doc_id_for(doc) for doc in documents)
    clashes = sorted(i for i, n in ids.items() if n > 1)
    if clashes:
        raise CorpusError(f"several files would get the document id '{clashes[0]}'; rename all but one")
    taken = {doc_id_for(p): p for p in corpus_files(corpus)}
    for doc in documents:
        if corpus.resolve() in doc.resolve().parents:  # already in the corpus folder: only index it
            plan.unchanged.append(doc.name)
            continue
        target = corpus / doc.name
        other = taken.get(doc_id_for(doc))
        if other is not None and other != target:
            raise CorpusError(f"{doc.name} would get the document id '{doc_id_for(doc)}', which {other} "
                              "already has; rename your file")
        for source, target in [(doc, target), *_sidecar_pair(doc, corpus)]:
            if not target.exists() and not target.is_symlink():
                plan.copies.append((source, target))
            elif _same_file(source, target):
                plan.unchanged.append(target.name)
            else:
                raise CorpusError(f"{target} already exists and differs from {source}; rename your file, or run "
                                  f"`qa remove {doc_id_for(doc)}` first to replace it")
    return plan


def _sidecar_pair(doc: Path, corpus: Path) -> list[tuple[Path, Path]]:
    sidecar = sidecar_of(doc)
    return [(sidecar, corpus / sidecar.name)] if sidecar else []


def _same_file(source: Path, target: Path) -> bool:
    try:
        return source.resolve() == target.resolve() or filecmp.cmp(source, target, shallow=False)
    except OSError:  # a dangling symlink in the corpus
        return False


def _delete_with_sidecar(path: Path) -> list[Path]:
    """Delete a corpus file and its sidecar; for symlinks only the link goes, never what it points to."""
    gone = []
    for item in (path, sidecar_of(path)):
        if item is not None and (item.exists() or item.is_symlink()):
            item.unlink()
            gone.append(item)
    return gone


# --- list ----------------------------------------------------------------------------------------


def list_documents(settings: Settings) -> list[dict]:
    """One row per indexed document: its metadata, page count (PDFs) and number of chunks."""
    index = LoadedIndex(settings.index_dir)
    chunks = Counter(chunk.doc_id for chunk in index.chunks)
    return [
        {"doc_id": d.doc_id, "title": d.title, "kind": d.kind, "outlet": d.outlet, "date": d.date,
         "pages": len(d.page_starts) or None, "chunks": chunks[d.doc_id], "url": d.url,
         "file": Path(d.source_path).name}
        for d in index.documents.values()
    ]


def unindexed_files(settings: Settings, listed: list[dict]) -> list[Path]:
    """Corpus files with no document in the index: new since the last `qa index`, or unreadable."""
    if not settings.corpus_dir.is_dir():
        return []
    indexed = {row["doc_id"] for row in listed}
    return [p for p in corpus_files(settings.corpus_dir) if doc_id_for(p) not in indexed]


# --- remove --------------------------------------------------------------------------------------


def remove_document(settings: Settings, doc_id: str, on_skip: Callable[[Path, str], None] | None = None) -> RemoveResult:
    """Delete the corpus file of ``doc_id`` (and its sidecar), then update the index, which deletes the
    document's chunks and embeds nothing else."""
    corpus = settings.corpus_dir
    files = [p for p in corpus_files(corpus) if doc_id_for(p) == doc_id] if corpus.is_dir() else []
    if len(files) > 1:  # only one of them was indexed; the others were skipped as duplicates
        indexed = _indexed_source(settings, doc_id)
        files = [p for p in files if str(p) == indexed] or files
    if not files and not _indexed_source(settings, doc_id):
        raise CorpusError(f"no document '{doc_id}' in {corpus}; `qa list` shows the document ids")
    removed = [path for file in files for path in _delete_with_sidecar(file)]
    report = build_index(settings, progress=False, on_skip=on_skip)
    return RemoveResult(doc_id, tuple(str(p) for p in removed), report)


def _indexed_source(settings: Settings, doc_id: str) -> str:
    try:
        doc = LoadedIndex(settings.index_dir).documents.get(doc_id)
    except IndexUnavailable:
        return ""
    return doc.source_path if doc else ""
