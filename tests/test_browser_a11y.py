"""Accessibility and the phone layout in a real browser: axe-core on every state, desktop and phone, the
accessible names Chrome exposes, the keyboard path to the sources, and what a phone's screen shows.

Fixtures and helpers: tests/browser.py.
"""

import pytest

from tests.browser import (  # noqa: F401  (fixtures are found by name)
    PHONE, any_tab, app_url, ask, assert_accessible, axe_violations, browser_context, expect, open_app, page,
    phone, pytestmark, settle, shot,
)

FIGURE = "how much money is going to kinship carers"
DISTRESS = "I want to run away from my foster home"


def test_the_axe_check_finds_a_real_contrast_failure(page, app_url):
    """The harness itself: axe-core is loaded and reports grey-on-white text as serious."""
    open_app(page, app_url)
    page.evaluate("""() => { const p = document.createElement('p'); p.id = 'qa-bad';
                             p.style.cssText = 'color:#bbbbc2;background:#fff'; p.textContent = 'faint words';
                             document.querySelector('#qa-sources').append(p); }""")
    failed = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert failed.get("color-contrast") == "serious"


def test_every_state_passes_axe_core(any_tab, app_url):
    """First load, a plain answer, details mode, the support panel and the whole-article view."""
    tab = any_tab
    size = "phone" if tab.viewport_size == PHONE else "desktop"
    open_app(tab, app_url)
    assert_accessible(tab, f"{size}, first load")
    ask(tab, FIGURE)
    assert_accessible(tab, f"{size}, plain answer")
    tab.locator("#qa-details input").check()
    expect(tab.locator(".qa-answer").last).to_contain_text("score")
    settle(tab)
    assert_accessible(tab, f"{size}, details mode")
    tab.locator("#qa-details input").uncheck()
    expect(tab.locator(".qa-answer").last).not_to_contain_text("score")
    settle(tab)
    tab.locator("#qa-source-1 details.qa-doc summary").click()
    expect(tab.locator("#qa-source-1 mark.qa-target")).to_be_visible()
    assert_accessible(tab, f"{size}, whole article open")
    ask(tab, DISTRESS)
    expect(tab.locator("#qa-chat .qa-support").last).to_be_visible()
    assert_accessible(tab, f"{size}, support panel")


def test_a_phone_first_screen_holds_the_box_ask_and_examples(phone, app_url):
    open_app(phone, app_url)
    expect(phone.locator("#qa-question textarea")).to_be_in_viewport(ratio=1)
    expect(phone.locator("#qa-ask")).to_be_in_viewport(ratio=1)
    in_view = [b.is_visible() and b.evaluate("b => b.getBoundingClientRect().bottom <= innerHeight")
               for b in phone.locator("#qa-examples button").all()]
    assert sum(in_view) >= 3, f"examples on the first screen: {in_view}"
    shot(phone, "10-phone-start")


def _top_line_in_view(tab, locator) -> bool:
    """The first line of the element (its top 24 px) is inside the viewport."""
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top + 24 <= innerHeight; }")


def test_after_an_answer_a_phone_shows_its_first_line(phone, app_url):
    open_app(phone, app_url)
    for question in (FIGURE, "How much would the new Family Help service cost to set up?"):
        ask(phone, question)
        newest = phone.locator("#qa-chat .qa-first").last
        phone.wait_for_timeout(300)  # the scroll runs on the next animation frame
        assert _top_line_in_view(phone, newest), f"the answer to {question!r} starts outside the screen"
    shot(phone, "08-phone-answer", full_page=False)  # what the phone shows: docs/app-phone.png is a copy


def test_after_a_distress_message_a_phone_shows_the_panel_heading(phone, app_url):
    open_app(phone, app_url)
    ask(phone, FIGURE)
    ask(phone, DISTRESS)
    phone.wait_for_timeout(300)
    heading = phone.locator("#qa-chat .qa-support-heading").last
    assert _top_line_in_view(phone, heading)
    expect(phone.locator("#qa-chat .qa-support").last).to_contain_text("0800 1111")


def test_chrome_names_bot_messages_by_their_text_not_their_markup(page, app_url):
    open_app(page, app_url)
    ask(page, FIGURE)
    ask(page, DISTRESS)
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    names = [n.get("name", {}).get("value", "") for n in nodes]
    messages = [n for n in names if "message" in n.lower() or n.startswith(("Answer:", "You asked:"))]
    assert any(n.startswith("Answer: £9m") for n in names), messages[:5]
    assert not [n for n in names if "<" in n], [n for n in names if "<" in n][:3]


def test_the_sources_are_a_few_tab_presses_from_the_question_box(page, app_url):
    open_app(page, app_url)
    ask(page, FIGURE)
    page.locator("#qa-question textarea").focus()
    for presses in range(1, 8):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#qa-source-1')"):
            break
    else:
        pytest.fail("the first source is not within 7 Tab presses of the question box")
    assert presses <= 3, f"{presses} Tab presses from the box to the first source"
