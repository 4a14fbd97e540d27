"""The pipeline a long-running server asks: always the current generation, moved to between questions.

`qa index` switches generations while `qa serve` runs. Each question reads the pointer's inode (one
stat); when it changed, a Pipeline on the new generation is built once and later questions go to it. A
question already running finishes on the generation it started with, whose files stay readable.
"""

from __future__ import annotations

import logging
import threading

from qa import generations
from qa.answer import Pipeline
from qa.loaded import LoadedIndex
from qa.schema import Answer
from qa.settings import Settings
from qa.store import IndexUnavailable, VectorStore

log = logging.getLogger(__name__)


class LivePipeline:
    """``ask()`` and ``index`` as on Pipeline, on whichever generation is current; safe from many threads.

    >>> live = LivePipeline(Settings.from_env())
    >>> live.ask("Who led the review?").answer   # after `qa index --rebuild` too, without a restart
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.index_dir
        self._switching = threading.Lock()
        self._stamp = generations.pointer_stamp(self.root)
        self._pipeline = Pipeline(settings)

    @property
    def pipeline(self) -> Pipeline:
        stamp = generations.pointer_stamp(self.root)
        if stamp != self._stamp:
            with self._switching:  # one thread loads the new generation; the others wait for it
                if stamp != self._stamp:
                    self._move(stamp)
        return self._pipeline

    @property
    def index(self) -> LoadedIndex:
        return self.pipeline.index

    def ask(self, question: str, top_k: int | None = None) -> Answer:
        return self.pipeline.ask(question, top_k)

    def _move(self, stamp) -> None:
        try:
            pipeline = Pipeline(self.settings, index=LoadedIndex(self.root))
        except IndexUnavailable as err:  # keep answering from the generation already loaded
            log.warning("staying on the loaded index: %s", err)
            self._stamp = stamp
            return
        old, self._pipeline, self._stamp = self._pipeline, pipeline, stamp
        log.info("moved to index generation %s", pipeline.index.generation)
        old.index.release()
        # The writer could not delete the old generation while this server held it: do it now, unless a
        # writer is busy (it deletes what it can itself when done).
        generations.collect_if_idle(self.root, {pipeline.index.generation},
                                    VectorStore(self.root, pipeline.index.store.url).drop)
