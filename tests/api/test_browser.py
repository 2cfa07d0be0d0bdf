"""The rep's and the CSM's journeys in real headless Chromium, at 1366 and 390 pixels wide.

The app runs under uvicorn in a thread on a free loopback port with its own HANDOFF_HOME
(rules backend, hashing embedder), and Playwright drives Debian's Chromium against it as a
person would: clicking, typing, downloading. The journeys read a hand-built brief of the demo
deal (:mod:`tests.api.demo_brief`) whose citations point into the uploaded demo sources, so
they check what a person sees, not today's rules wording; the first test builds a brief with
the rules backend through the page and checks only its shape.

Console errors (a Content-Security-Policy violation among them) fail a test. Screenshots go
to ``$HANDOFF_TEST_ARTEFACTS`` (default: ``reports/browser/`` in the repository), one per
journey step that a reviewer would want to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.users import assign, create_user
from extractor.review import save_brief
from tests.api.demo_brief import FACTS_EN, demo_brief
from tests.api.helpers import DEMO_SOURCES, PASSWORD, WordHashEmbedder, bearer, make_settings
from tests.serve import serving

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(os.environ.get("HANDOFF_TEST_ARTEFACTS", REPO / "reports" / "browser"))
HEIGHT = 768
WIDTHS = (1366, 390)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's Chromium is not installed: apt-get install chromium"),
]

# Everything rendered outside the viewport's width, by any visible element.
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  let worst = document.documentElement.scrollWidth - width;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;  // folded away
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.position === 'fixed') continue;
    worst = Math.max(worst, Math.ceil(r.right - width), Math.ceil(-r.left));
  }
  return worst;
}"""


# Which elements stick out (the failure message names them).
WHO_SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;
    if (r.right > width || r.left < 0) {
      const owner = (el.closest('[id]') || {}).id;
      out.push(`${el.tagName}.${el.className} in #${owner} ${r.left}-${r.right}`);
    }
  }
  return out.slice(0, 8).join('; ');
}"""


def shot(page: Any, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app with a rep and a CSM (with profiles) and the demo deal holding the brief."""
    home = tmp_path_factory.mktemp("browser") / "home"
    app = create_app(make_settings(home), embedder=WordHashEmbedder())
    with serving(app, lifespan="on") as base_url:
        import httpx

        store = app.state.store
        _, token = create_user(store, "sam.delgado@example.com", "rep", team="EMEA",
                               password=PASSWORD, display_name="Sam Delgado",
                               title="Account Executive", phone="+353 1 555 0199")
        create_user(store, "emma.novak@example.com", "csm", team="EMEA", password=PASSWORD,
                    display_name="Emma Novak", title="Customer Success Manager",
                    phone="+353 21 555 0100")
        with httpx.Client(base_url=base_url, timeout=60) as client:  # the running server
            deal = client.post("/api/deals", json={"name": "Pinecrest Facility Services"},
                               headers=bearer(token)).json()["id"]
            files = [("files", (p.name, p.read_bytes(), "application/octet-stream"))
                     for p in sorted(DEMO_SOURCES.iterdir())]
            r = client.post(f"/api/deals/{deal}/documents", files=files, headers=bearer(token))
            assert r.status_code == 200, r.text
        save_brief(store, demo_brief(store, deal, "Pinecrest Facility Services"))
        assign(store, "emma.novak@example.com", deal)
        yield {"base": base_url, "deal": deal, "app": app}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Person:
    """One signed-in browser page at one width, collecting console errors."""

    def __init__(self, browser: Any, base: str, email: str, width: int) -> None:
        from playwright.sync_api import expect

        self.context = browser.new_context(viewport={"width": width, "height": HEIGHT},
                                           accept_downloads=True)
        # A shared 2-core machine can be slow: wait long, fail only on real problems.
        self.context.set_default_timeout(30_000)
        expect.set_options(timeout=20_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.goto(f"{base}/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form[action='/login'] button[type=submit]")
        self.page.wait_for_url(f"{base}/deals")

    def close(self) -> None:
        assert self.problems == []
        self.context.close()


def _facts(page: Any) -> dict[str, str]:
    return {el.get_attribute("data-fact"): " ".join(el.locator(".fact-value").inner_text()
                                                    .split())
            for el in page.locator("#key-facts .fact").all()}


def _in_view(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    view = page.viewport_size
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= view["width"] + 0.5, (box, view)
    assert box["y"] + box["height"] <= view["height"] + 0.5, (box, view)
    return box


def _opens_next_to(page: Any, opener: Any) -> None:
    """Click ``opener``; the passage overlay opens in view, beside it, with the quote marked."""
    from playwright.sync_api import expect

    opener.scroll_into_view_if_needed()
    opener.click()
    expect(page.locator("#passage-overlay")).to_be_visible()
    expect(page.locator("#passage mark")).to_be_visible()
    near = opener.bounding_box()
    box = _in_view(page, "#passage-overlay")
    below = abs(box["y"] - (near["y"] + near["height"]))
    above = abs((box["y"] + box["height"]) - near["y"])
    assert min(below, above) < 40, (box, near)  # next to the quote, not a screen away
    mark = page.locator("#passage mark").bounding_box()
    assert box["y"] <= mark["y"] <= box["y"] + box["height"]  # the quote is in the overlay's view


@pytest.mark.parametrize("width", WIDTHS)
def test_rep_reviews_the_brief_in_one_click_each(server: dict[str, Any], browser: Any,
                                                  width: int) -> None:
    from playwright.sync_api import expect

    base, deal = server["base"], server["deal"]
    rep = Person(browser, base, "sam.delgado@example.com", width)
    page = rep.page
    page.goto(f"{base}/deals/{deal}?lang=en")

    # Summary first: the key facts strip says what the brief says.
    assert _facts(page) == FACTS_EN
    expect(page.locator("#people .person-name")).to_have_text(
        ["Deirdre Collins", "Rob Hennessy", "Alan Cotter"])
    expect(page.locator("#promises li")).to_have_count(1)
    expect(page.locator("#promises")).to_contain_text("Polish and Portuguese")
    assert page.evaluate(SIDEWAYS) <= 0, page.evaluate(WHO_SIDEWAYS)
    shot(page, f"rep-{width}-summary")

    # One click confirms, without a reload; Undo takes it back.
    page.evaluate("window.__stayed = 'yes'")
    page.click("#contents a[href='#cat-commitments']")
    promise = page.locator("#item-Ipromise")
    expect(promise).to_be_visible()
    promise.locator("button[data-action=confirm]").click()
    expect(page.locator("#item-Ipromise")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("#item-Ipromise .done-note")).to_have_text("Confirmed.")
    expect(page.locator("#item-Ipromise .flag").filter(has_text="confirmed by rep")).to_be_visible()
    assert page.evaluate("window.__stayed") == "yes", "the page was reloaded"
    page.locator("#item-Ipromise button[data-action=undo]").click()
    expect(page.locator("#item-Ipromise")).to_have_attribute("data-status", "extracted")

    # Reject, then restore from the same place.
    page.click("#contents a[href='#cat-risks']")
    page.locator("#item-Irisk button[data-action=reject]").click()
    expect(page.locator("#item-Irisk")).to_have_attribute("data-status", "rejected")
    page.locator("#item-Irisk button[data-action=restore]").click()
    expect(page.locator("#item-Irisk")).to_have_attribute("data-status", "extracted")
    assert page.evaluate("window.__stayed") == "yes"

    # A conflict is resolved with a note: which side holds.
    conflict = page.locator("#conflict-Cweeks")
    conflict.locator("details.resolve > summary").click()
    conflict.locator("input[name=holds][value='1']").check()
    conflict.locator("input[name=note]").fill("Told Deirdre: 8 to 10 weeks, live 1 August")
    conflict.locator("button[type=submit]").click()
    expect(page.locator("#conflict-Cweeks .resolution")).to_contain_text(
        "Resolved: side 2 (offering.yaml) holds — Note: Told Deirdre: 8 to 10 weeks")
    assert page.evaluate("window.__stayed") == "yes"
    page.locator("#conflict-Cweeks button:has-text('Undo')").click()
    expect(page.locator("#conflict-Cweeks .resolution")).to_have_count(0)

    # Bulk reject a category, then undo it from the notice.
    page.click("#contents a[href='#cat-risks']")
    page.locator("#cat-risks .bulk-form button").click()
    expect(page.locator("#notice")).to_contain_text("1 items rejected.")
    expect(page.locator("#rejected")).to_contain_text("tight control")
    page.locator("#notice button").click()
    expect(page.locator("#rejected")).to_have_count(0)

    # The intro email names the CSM and signs with the rep's profile; it is edited, then
    # downloaded as edited.
    page.locator("#draft-email > summary").click()
    area = page.locator("#draft-email textarea")
    text = area.input_value()
    assert "I would like to introduce Emma Novak, our Customer Success Manager" in text
    assert text.rstrip().endswith("Sam Delgado\nAccount Executive\n"
                                  "+353 1 555 0199 · sam.delgado@example.com")
    assert "Hello Rob," in text
    area.fill(text.replace("Hello Rob,", "Hi Rob,"))
    with page.expect_download() as info:
        page.locator("#draft-email button[type=submit]").click()
    downloaded = Path(info.value.path()).read_text(encoding="utf-8")
    assert downloaded.startswith("Subject: ") and "Hi Rob," in downloaded
    assert info.value.suggested_filename == f"{deal}-intro-email-en.md"
    assert page.evaluate(SIDEWAYS) <= 0, page.evaluate(WHO_SIDEWAYS)
    shot(page, f"rep-{width}-reviewed")
    rep.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_csm_reads_the_summary_opens_quotes_and_asks(server: dict[str, Any], browser: Any,
                                                     width: int) -> None:
    from playwright.sync_api import expect

    base, deal = server["base"], server["deal"]
    csm = Person(browser, base, "emma.novak@example.com", width)
    page = csm.page
    page.goto(f"{base}/deals/{deal}?lang=en")

    assert _facts(page) == FACTS_EN
    header = page.locator("header.top").bounding_box()
    assert header["width"] <= width and header["height"] < 160, header  # the header fits
    assert page.evaluate(SIDEWAYS) <= 0, page.evaluate(WHO_SIDEWAYS)
    expect(page.locator("#upload-form")).to_have_count(0)
    expect(page.locator("button[data-action=confirm]")).to_have_count(0)

    # A fact's quote opens in an overlay next to it, the quote highlighted.
    chip = page.locator("#key-facts .fact[data-fact=go_live] a.chip").first
    _opens_next_to(page, chip)
    expect(page.locator("#passage mark")).to_contain_text("Go-live target 1 Aug.")
    expect(page.locator("#passage .passage-head strong")).to_have_text(
        "salesforce-notes-pinecrest.csv")
    shot(page, f"csm-{width}-overlay")
    page.keyboard.press("Escape")
    expect(page.locator("#passage-overlay")).to_be_hidden()

    # A promise's quote from the call: speaker and time in the passage head.
    _opens_next_to(page, page.locator("#promises a.chip").first)
    expect(page.locator("#passage .speaker")).to_have_text("Sam Delgado")
    expect(page.locator("#passage .stamp")).to_contain_text(":")
    page.locator("#passage-close").click()
    expect(page.locator("#passage-overlay")).to_be_hidden()

    # Ask: one cited sentence, kept in the history; what the sources lack goes to the rep.
    page.fill("#ask-form input[name=question]", "When is the go-live?")
    page.click("#ask-form button")
    answer = page.locator("#answers .answer").first
    expect(answer.locator(".question")).to_contain_text("When is the go-live?")
    expect(answer.locator(".answer-text")).to_contain_text("1 Aug")
    expect(answer.locator(".answer-text")).to_contain_text("[1]")
    assert "Message-ID" not in answer.locator(".answer-text").inner_text()
    _opens_next_to(page, answer.locator("a.quote").first)
    page.keyboard.press("Escape")
    page.fill("#ask-form input[name=question]", "Which insurance broker do they use?")
    page.click("#ask-form button")
    unanswered = page.locator("#answers .answer").first
    expect(unanswered).to_have_class("answer unsupported")
    unanswered.locator("button:has-text('Send to the rep')").click()
    expect(page.locator("#answers .answer").first.locator(".sent")).to_have_text(
        "Sent to the rep.")
    shot(page, f"csm-{width}-asked")
    page.reload()
    expect(page.locator("#answers .answer .question").first).to_contain_text(
        "Which insurance broker do they use?")  # the history survives a reload
    expect(page.locator("#gaps")).to_contain_text("Which insurance broker do they use?")

    # German throughout: labels, dates.
    page.click(".langs a:has-text('DE')")
    expect(page.locator("#key-facts .fact[data-fact=contract] dt")).to_have_text(
        "Vertragswert und Laufzeit")
    expect(page.locator("#key-facts .fact[data-fact=go_live] .fact-value")).to_have_text(
        "1. August 2026")
    expect(page.locator("#key-facts .fact[data-fact=contract] .fact-value")).to_have_text(
        "€54,000 pro Jahr · Laufzeit 12 Monate")
    assert page.evaluate(SIDEWAYS) <= 0, page.evaluate(WHO_SIDEWAYS)
    shot(page, f"csm-{width}-de")
    page.click(".langs a:has-text('EN')")
    csm.close()


def test_rep_uploads_and_builds_a_brief_with_the_rules(server: dict[str, Any],
                                                       browser: Any) -> None:
    """The whole flow through the page; only the brief's shape is checked, not its words."""
    from playwright.sync_api import expect

    base = server["base"]
    rep = Person(browser, base, "sam.delgado@example.com", 1366)
    page = rep.page
    page.fill("input[name=name]", "Pinecrest rebuilt")
    page.click("button:has-text('New deal')")
    page.wait_for_url(f"{base}/deals/pinecrest-rebuilt-*")
    page.set_input_files("input[name=files]", sorted(DEMO_SOURCES.iterdir()))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#upload-results .upload-accepted")).to_have_count(4, timeout=30_000)
    expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    page.click("#brief-form button")
    expect(page.locator("#key-facts .fact")).to_have_count(7, timeout=60_000)
    expect(page.locator("#people")).to_contain_text("Rob Hennessy")
    expect(page.locator("#contents li")).to_have_count(7)
    expect(page.locator("details.category[open]")).to_have_count(0)  # details stay folded
    rep.close()
