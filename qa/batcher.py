"""Questions asked at the same time share one encoder pass; each still gets the vector it gets alone.

A question's encoder pass costs about 20 ms on one core, most of it fixed per pass (six layers of small
matrix products and their dispatch); eight questions in one pass cost about 10 ms each. Under load the app
has several questions waiting for the encoder at once, so the first of them to find the encoder free takes
every question waiting (up to ``max_batch``) and encodes them together with ``Encoder.encode_alone``, which
gives each the same bits as a pass of its own: the answers do not depend on who else is asking.

No question waits for company: a question that finds the encoder free is encoded at once, alone, so one
user on an idle server pays nothing for this. A batch forms only from questions that arrived while a pass
was running, which is exactly when waiting would have happened anyway.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np


@dataclass
class _Slot:
    text: str
    vector: np.ndarray | None = None
    error: BaseException | None = None
    taken: bool = False  # in a pass, running or done
    done: bool = False


class QuestionBatcher:
    """``encode(text)`` from any number of threads; at most ``passes`` encoder passes run at a time.

    >>> batcher = QuestionBatcher(load_model(2))
    >>> batcher.encode("Who led the review?").shape
    (384,)
    """

    def __init__(self, encoder, max_batch: int = 32, passes: int = 1) -> None:
        if max_batch < 1 or passes < 1:
            raise ValueError("max_batch and passes must be at least 1")
        self.encoder = encoder
        self.max_batch = max_batch
        self.passes = passes
        self._running = 0
        self._waiting: list[_Slot] = []
        self._changed = threading.Condition()

    def encode(self, text: str) -> np.ndarray:
        slot = _Slot(text)
        with self._changed:
            self._waiting.append(slot)
        while True:
            with self._changed:
                # A question already in a running pass waits for it; one still waiting may start a pass.
                while not slot.done and (slot.taken or self._running >= self.passes):
                    self._changed.wait()
                if slot.done:
                    break
                # The encoder is free: this thread runs the oldest waiting questions (its own among them,
                # unless more than max_batch wait; then it loops and its own goes in a later pass).
                batch, self._waiting = self._waiting[:self.max_batch], self._waiting[self.max_batch:]
                for s in batch:
                    s.taken = True
                self._running += 1
            try:
                vectors = self.encoder.encode_alone([s.text for s in batch])
                for s, vector in zip(batch, vectors):
                    s.vector = vector
            except BaseException as err:  # every question of the pass is told, not only the one running it
                for s in batch:
                    s.error = err
            with self._changed:
                for s in batch:
                    s.done = True
                self._running -= 1
                self._changed.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.vector
