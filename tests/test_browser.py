"""The web app in a real browser: Debian's chromium driven by PyPI playwright (never `playwright install`).

Every page runs with the network cut off: any request to a host other than this machine is aborted and fails
the test, so the app is shown to render fully from its own server. Screenshots go to test-artifacts/browser/.
"""

import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

from qa.answer import Pipeline
from qa.index import build_index
from qa.settings import Settings
from qa.ui import EXAMPLES, build_app, launch_options
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "test-artifacts" / "browser"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
ASSET_TYPES = {"document", "stylesheet", "script", "font", "image"}
WAIT_MS = 90_000  # a first answer on a cold two-core machine can take a while
XSS_DOC = """Council <b>guide</b> for kinship carers <img src=x onerror="window.__xss=1">

The council said <script>window.__xss=1</script> its new guide for kinship carers is ready to read.

Families can find the kinship carers guide online <img src=x onerror="window.__xss=1"> on the council's care pages.

Template text ${window.__xss=1} {{constructor.constructor('window.__xss=1')()}} and [a link](javascript:window.__xss=1).
"""

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: `make browser` installs it"),
    # Gradio's queue statistics use pandas options that pandas 3 deprecates: not ours to fix.
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'", "ignore:The copy keyword is deprecated"),
]
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(pipeline: Pipeline, settings: Settings):
    app = build_app(pipeline, settings)
    port = _free_port()
    app.launch(prevent_thread_lock=True, quiet=True, **{**launch_options(settings), "server_port": port})
    return app, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def app_url(pipeline, settings):
    app, url = _serve(pipeline, settings)
    yield url
    app.close()


@pytest.fixture(scope="module")
def xss_url(tmp_path_factory):
    """The app over the shipped corpus plus a document full of markup that must never run."""
    root = tmp_path_factory.mktemp("xss")
    corpus = root / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "005_xss_test.txt").write_text(XSS_DOC, encoding="utf-8")
    settings = Settings.from_env({}, index_dir=root / "index", corpus_dir=corpus)
    build_index(settings, progress=False)
    app, url = _serve(Pipeline(settings), settings)
    yield url
    app.close()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(WAIT_MS)
        yield context
        context.close()


@pytest.fixture()
def page(browser_context):
    """A fresh tab whose requests may only reach this machine."""
    outside = []

    def only_local(route):
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    tab = browser_context.new_page()
    tab.route("**/*", only_local)
    missing = []  # assets that did not load: the page would not render fully
    tab.on("requestfailed", lambda r: missing.append(r.url) if r.resource_type in ASSET_TYPES else None)
    yield tab
    tab.close()
    assert outside == [], f"the page asked for something outside this machine: {outside}"
    assert missing == [], f"assets failed to load: {missing}"


def _open(page, url):
    page.goto(url, wait_until="load")
    expect(page.locator("#qa-question textarea")).to_be_visible()


def _ask(page, question):
    """Type a question, press Ask, wait for the reply."""
    replies = page.locator(".qa-answer, .qa-support")
    before = replies.count()
    page.locator("#qa-question textarea").fill(question)
    page.locator("#qa-ask").click()
    page.wait_for_function(f"document.querySelectorAll('.qa-answer, .qa-support').length > {before}",
                           timeout=WAIT_MS)
    expect(page.locator("#qa-question textarea")).to_have_value("")  # the reply has fully landed


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_page_renders_from_this_machine_alone(page, app_url):
    _open(page, app_url)
    expect(page.get_by_role("heading", name="Ask about the review of children's social care")).to_be_visible()
    for text in EXAMPLES:
        expect(page.get_by_role("button", name=text)).to_be_visible()
    expect(page.locator("#qa-details")).to_be_visible()
    assert "system-ui" in page.locator(".gradio-container").evaluate("e => getComputedStyle(e).fontFamily")
    _shot(page, "00-start")


def test_a_figure_question_shows_the_answer_and_its_citation(page, app_url):
    _open(page, app_url)
    _ask(page, "how much cash did the care review guy say they need")
    answer = page.locator(".qa-answer").last
    expect(answer).to_contain_text("£2.6")
    expect(answer).to_contain_text("[1]")
    expect(answer).to_contain_text("Sources:")
    card = page.locator("#qa-source-1")
    expect(card).to_be_visible()
    expect(card.locator("mark.qa-quote")).to_contain_text("£2.6")
    _shot(page, "01-answer")


def test_plain_language_mode_explains_care_words_on_the_spot(page, app_url):
    _open(page, app_url)
    _ask(page, "how much money is going to kinship carers")
    answer = page.locator(".qa-answer").last
    expect(answer).to_contain_text("£9m")
    expect(answer.locator("abbr").filter(has_text="kinship carers")).to_be_visible()
    expect(answer.locator(".qa-words")).to_contain_text("Kinship carer: A relative or family friend")
    _shot(page, "07-plain-words")  # the README picture: docs/app.png is a copy


def test_opening_a_source_shows_the_whole_document_scrolled_to_the_highlight(page, app_url):
    _open(page, app_url)
    _ask(page, "What is the estimated cost of setting up the proposed Family Help service?")
    card = page.locator("#qa-source-1")
    card.locator("details.qa-doc summary").click()
    mark = card.locator("mark.qa-target")
    expect(mark).to_be_visible()
    expect(mark).to_contain_text("£2 billion")
    expect(mark).to_be_in_viewport()
    inside = mark.evaluate("""m => { const box = m.closest('.qa-doc-text').getBoundingClientRect();
                                     const r = m.getBoundingClientRect();
                                     return r.top >= box.top - 1 && r.bottom <= box.bottom + 1; }""")
    assert inside, "the highlight is not scrolled into the document view"
    _shot(page, "02-source-open")


def test_an_unanswerable_question_gets_the_honest_message(page, app_url):
    _open(page, app_url)
    _ask(page, "What is the capital of France?")
    answer = page.locator(".qa-answer").last
    expect(answer).to_contain_text("These documents don")
    expect(answer).to_contain_text("Closest passages")
    expect(page.locator("#qa-sources")).to_contain_text("Closest passages")
    _shot(page, "03-unanswerable")


def test_a_distress_message_shows_the_support_panel_first(page, app_url):
    _open(page, app_url)
    _ask(page, "I want to run away from my foster home")
    panel = page.locator(".qa-support").last
    for number in ("0800 1111", "116 123", "0808 800 5792", "999"):
        expect(panel).to_contain_text(number)
    expect(panel).to_contain_text("Coram Voice")
    expect(page.locator("#qa-sources .qa-support")).to_be_in_viewport()  # the side panel leads with it too
    _shot(page, "04-support")


def test_example_buttons_ask_their_question(page, app_url):
    _open(page, app_url)
    page.get_by_role("button", name=EXAMPLES[1]).click()
    expect(page.locator(".qa-answer").last).to_contain_text("£2 billion")


def test_the_details_switch_shows_ids_and_scores(page, app_url):
    _open(page, app_url)
    _ask(page, "how much cash did the care review guy say they need")
    expect(page.locator(".qa-answer").last).not_to_contain_text("score")
    page.locator("#qa-details input").check()
    expect(page.locator(".qa-answer").last).to_contain_text("score")
    expect(page.locator(".qa-answer").last).to_contain_text("document 0")
    expect(page.locator("#qa-source-1")).to_contain_text("characters")
    _shot(page, "05-details")


def test_markup_in_documents_and_questions_runs_nothing(page, xss_url):
    _open(page, xss_url)
    _ask(page, "What did the council say about its new guide for kinship carers?")
    _ask(page, '<img src=x onerror="window.__xss=1"> <script>window.__xss=1</script> kinship guide?')
    sources = page.locator("#qa-sources")
    expect(sources).to_contain_text("<script>window.__xss=1</script>")  # shown as text
    sources.locator("details.qa-doc summary").first.click()
    expect(page.locator(".qa-doc-text").first).to_contain_text('<img src=x onerror="window.__xss=1">')
    page.locator("#qa-details input").check()
    expect(page.locator(".qa-answer").last).to_contain_text("score")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#qa-sources img, .qa-answer img, #qa-chat script").count() == 0
    _shot(page, "06-xss-inert")
