"""Fixtures and helpers for the browser tests: Debian's chromium driven by PyPI playwright (never `playwright
install`), a served app, tabs of desktop and phone size, and axe-core.

Every tab runs with the network cut off: any request to a host other than this machine is aborted and fails
the test, so the app is shown to render fully from its own server. Screenshots go to test-artifacts/browser/.
A test module imports the fixtures it uses by name (``from tests.browser import page, app_url``).
"""

import json
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

from qa.answer import Pipeline
from qa.index import build_index
from qa.settings import Settings
from qa.ui import build_app, launch_options
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "test-artifacts" / "browser"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
ASSET_TYPES = {"document", "stylesheet", "script", "font", "image"}
WAIT_MS = 90_000  # a first answer on a cold two-core machine can take a while
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# npm's axe-core, installed by `make test` from package.json / package-lock.json, injected into the page.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
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
# The seriousness axe-core gives a failed rule; these two fail a test.
BLOCKING = ("critical", "serious")
expect = sync_api.expect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(pipeline: Pipeline, settings: Settings):
    app = build_app(pipeline, settings)
    port = free_port()
    app.launch(prevent_thread_lock=True, quiet=True, **{**launch_options(settings), "server_port": port})
    return app, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def app_url(pipeline, settings):
    app, url = serve(pipeline, settings)
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
    app, url = serve(Pipeline(settings), settings)
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


def _tab(context, viewport):
    """A fresh tab of this size whose requests may only reach this machine; checked when the test ends."""
    outside = []

    def only_local(route):
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    tab = context.new_page()
    tab.set_viewport_size(viewport)
    tab.route("**/*", only_local)
    missing = []  # assets that did not load: the page would not render fully
    tab.on("requestfailed", lambda r: missing.append(r.url) if r.resource_type in ASSET_TYPES else None)
    yield tab
    tab.close()
    assert outside == [], f"the page asked for something outside this machine: {outside}"
    assert missing == [], f"assets failed to load: {missing}"


@pytest.fixture()
def page(browser_context):
    """A desktop tab (1280×900)."""
    yield from _tab(browser_context, DESKTOP)


@pytest.fixture()
def phone(browser_context):
    """A phone-sized tab (390×844)."""
    yield from _tab(browser_context, PHONE)


@pytest.fixture(params=["desktop", "phone"])
def any_tab(request, browser_context):
    """Each test using it runs once on a desktop and once on a phone."""
    yield from _tab(browser_context, DESKTOP if request.param == "desktop" else PHONE)


def open_app(page, url):
    page.goto(url, wait_until="load")
    expect(page.locator("#qa-question textarea")).to_be_visible()


def ask(page, question):
    """Type a question, press Ask, wait for the reply."""
    before = page.locator(".qa-first").count()  # the first reply of each question carries it
    page.locator("#qa-question textarea").fill(question)
    page.locator("#qa-ask").click()
    page.wait_for_function(f"document.querySelectorAll('.qa-first').length > {before}", timeout=WAIT_MS)
    expect(page.locator("#qa-question textarea")).to_have_value("")  # the reply has fully landed
    settle(page)


def settle(page):
    """Wait until Gradio has finished updating: while an event runs it fades its outputs (class "pending"), and
    they fade back in."""
    page.wait_for_function("""() => {
        if (document.querySelector('.gradio-container .pending')) return false;
        const faded = (el) => el && (getComputedStyle(el).opacity !== '1' || faded(el.parentElement));
        return ![...document.querySelectorAll('#qa-sources [class^="qa-"], #qa-chat .qa-first')].some(faded);
    }""", timeout=WAIT_MS)


def shot(page, name, full_page=True):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)




def axe_violations(page) -> list[dict]:
    """axe-core's failed rules on the page as it stands (every rule axe runs by default)."""
    assert AXE.exists(), "axe-core is not installed: `make axe` runs `npm ci`"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))  # inline, from node_modules: nothing is fetched
    return page.evaluate("""async () => (await axe.run(document)).violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary)}))""")


def assert_accessible(page, where: str) -> None:
    """No critical or serious axe-core violation."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert blocking == [], f"axe-core, {where}: " + json.dumps(blocking, indent=1)
