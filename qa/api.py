"""``POST /api/ask``: the answer as ``qa ask --json`` prints it, from the same ``qa serve`` as the web app.

For scripts and evaluators that want the JSON contract over HTTP without the page: no queue, no session, no
HTML. It listens where the app listens (127.0.0.1 unless the operator says otherwise) and answers through the
same pipeline object, so it follows index generations like the app and gives the same answers.

    curl -s http://127.0.0.1:7860/api/ask -H 'content-type: application/json' \
         -d '{"question": "Who led the review?"}'
"""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel, Field

from qa.answer import EmptyQuestion
from qa.render import Turn
from qa.safety import support_for
from qa.settings import Settings
from qa.store import IndexUnavailable

log = logging.getLogger(__name__)
PATH = "/api/ask"
FAILED = "The question could not be answered because of a fault in the server; its log says more."


class AskBody(BaseModel):
    question: str = Field(max_length=100_000)  # cut to the pipeline's limit, with a notice, like the CLI
    k: int | None = Field(default=None, ge=1, le=50)


def routes(pipeline, settings: Settings) -> list:
    """The route for ``FastAPI(routes=...)``, which Gradio's ``launch(app_kwargs=...)`` passes on."""
    import anyio
    from fastapi.responses import JSONResponse
    from fastapi.routing import APIRoute

    from qa.ui import log_question

    # Answers run on worker threads, as many at once as the app's own questions (settings.workers): more
    # would only queue inside the pipeline, and fewer would leave encoder passes to share unfilled.
    at_once = asyncio.Semaphore(settings.workers)

    def answer(body: AskBody) -> tuple[int, dict]:
        try:
            result = pipeline.ask(body.question, body.k)
        except EmptyQuestion as err:
            return 400, {"question": body.question, "error": str(err)}
        except IndexUnavailable as err:
            return 503, {"question": body.question, "error": str(err)}
        except Exception:  # a fault of ours: logged here, one plain line to the caller, never a traceback
            log.exception("answering through %s failed", PATH)
            return 500, {"question": body.question, "error": FAILED}
        log_question(settings.question_log, Turn(body.question, result, support_for(body.question)))
        return 200, result.to_dict()

    async def ask(body: AskBody) -> JSONResponse:
        async with at_once:
            status, content = await anyio.to_thread.run_sync(answer, body)
        return JSONResponse(content, status_code=status)

    return [APIRoute(PATH, ask, methods=["POST"], name="ask_json",
                     summary="Answer a question; the JSON of `qa ask --json`")]
