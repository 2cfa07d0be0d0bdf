"""End to end in real headless Chromium: a rep hands a deal over, a CSM asks about it.

The app runs under uvicorn in a thread on a free loopback port with its own HANDOFF_HOME
(rules backend, hashing embedder), and Playwright drives Debian's Chromium against it exactly
as a person would: typing, choosing files, clicking. Console errors (a Content-Security-Policy
violation among them) fail the test. A screenshot of the brief page is written next to the
test's temporary files (``brief.png``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from api.users import create_user
from tests.api.helpers import DEMO_SOURCES, PASSWORD, WordHashEmbedder, make_settings
from tests.serve import serving

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's Chromium is not installed: apt-get install chromium"),
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, object]]:
    """The app under uvicorn in a thread; yields its base URL and the app."""
    app = create_app(make_settings(tmp_path / "home"), embedder=WordHashEmbedder())
    with serving(app, lifespan="on") as base_url:
        yield base_url, app


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _sign_in(page: object, base: str, email: str) -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/deals")  # type: ignore[attr-defined]


def test_rep_hands_over_and_csm_asks(server: tuple[str, object], browser: object,
                                     tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, app = server
    store = app.state.store  # type: ignore[attr-defined]
    create_user(store, "sam.delgado@example.com", "rep", team="EMEA", password=PASSWORD)
    create_user(store, "emma.novak@example.com", "csm", team="EMEA", password=PASSWORD)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore
    # A shared 2-core machine can be slow: wait long for pages, fail only on real problems.
    context.set_default_timeout(30_000)
    expect.set_options(timeout=20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    # The rep signs in, opens a deal and uploads the sample deal's sources.
    _sign_in(page, base, "sam.delgado@example.com")
    page.fill("input[name=name]", "Pinecrest Facility Services")
    page.click("button:has-text('New deal')")
    page.wait_for_url(f"{base}/deals/pinecrest-facility-services-*")
    deal_url = page.url
    page.set_input_files("input[name=files]", sorted(DEMO_SOURCES.iterdir()))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#upload-results .upload-accepted")).to_have_count(4, timeout=30_000)
    expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    expect(page.locator("#doc-list li")).to_have_count(4)

    # It builds the brief (rules backend); htmx polls the job and loads the brief.
    page.click("#brief-form button")
    expect(page.locator("#cat-stakeholders")).to_be_visible(timeout=60_000)
    expect(page.locator(".score-num")).to_contain_text("%")
    expect(page.locator("#cat-stakeholders")).to_contain_text("Rob Hennessy")
    expect(page.locator(".flag-warning").first).to_be_visible()  # verbal promises are marked
    page.screenshot(path=str(tmp_path / "brief.png"))

    # A click on a quote opens its source passage, highlighted, with speaker and time.
    quote = page.locator("#cat-stakeholders a.quote").first
    quoted = quote.inner_text().strip("“”")
    quote.click()
    mark = page.locator("#passage mark")
    expect(mark).to_be_visible()
    assert " ".join(mark.inner_text().split()).startswith(" ".join(quoted.split())[:60])
    expect(page.locator("#passage .passage-head strong")).not_to_be_empty()
    transcript = page.locator("#cat-stakeholders li.cite", has_text=".vtt").first
    transcript.locator("a.quote").click()
    expect(page.locator("#passage .speaker")).not_to_be_empty()
    expect(page.locator("#passage .stamp")).to_contain_text(":")
    page.screenshot(path=str(tmp_path / "passage.png"))

    # The rep answers a gap from the inbox; it becomes answered and cited.
    gap = page.locator("#gaps article.gap:not(.answered)").first
    gap_id = gap.get_attribute("id")
    gap.locator("input[name=answer]").fill("Mark Twomey (IT & Systems) evaluated the fit.")
    gap.locator("button[type=submit]").click()
    answered = page.locator(f"#{gap_id}")
    expect(answered).to_have_class("gap answered")
    expect(answered).to_contain_text("Mark Twomey (IT & Systems) evaluated the fit.")

    # ... and hands the deal to the CSM, then signs out.
    page.fill("#assign-form input[name=email]", "emma.novak@example.com")
    page.click("#assign-form button")
    expect(page.locator(".deal-head")).to_contain_text("emma.novak@example.com")
    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{base}/login")

    # The CSM sees the deal, asks a question and gets an answer with citations.
    _sign_in(page, base, "emma.novak@example.com")
    expect(page.locator("table.deals")).to_contain_text("Pinecrest Facility Services")
    page.goto(deal_url)
    expect(page.locator("#upload-form")).to_have_count(0)
    page.fill("#ask-form input[name=question]", "Who signs off the budget?")
    page.click("#ask-form button")
    answer = page.locator("#answers .answer").first
    expect(answer).to_be_visible(timeout=30_000)
    expect(answer.locator(".question")).to_have_text("Who signs off the budget?")
    expect(answer.locator("li.cite").first).to_be_visible()
    answer.locator("a.quote").first.click()
    expect(page.locator("#passage mark")).to_be_visible()
    page.screenshot(path=str(tmp_path / "answer.png"))

    # Switching to German relabels the brief.
    page.click(".langs a:has-text('DE')")
    expect(page.locator("#cat-account h2")).to_have_text("Kundenhintergrund und Kontext")

    assert problems == []
    context.close()
