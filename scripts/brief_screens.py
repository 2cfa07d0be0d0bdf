"""How long the demo deal's brief page is, in screens, as a rep and a CSM see it.

    python scripts/brief_screens.py [--widths 1366,390] [--height 768] [--shots DIR]

Builds the bundled demo deal with the rules backend in a temporary HANDOFF_HOME, serves the
web app on loopback and opens the deal page in Debian's Chromium (``/usr/bin/chromium``)
through Playwright. Prints, per viewport width: the page height in pixels and in screens
(height / viewport height), the number of items on the page, and by how many pixels the page
scrolls sideways; once as served (the details folded under the summary) and once with every
section open (``?expand=1``; a page that has no folded sections is the same both times).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api.app import create_app  # noqa: E402
from api.users import assign, create_user  # noqa: E402
from handoff.settings import get_settings  # noqa: E402
from tests.serve import serving  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PASSWORD = "measure-the-brief"
SOURCES = REPO / "handoff" / "demo_deal" / "sources"


def _deal(client: TestClient, token: str) -> str:
    auth = {"Authorization": f"Bearer {token}"}
    deal = client.post("/api/deals", json={"name": "Pinecrest Facility Services"},
                       headers=auth).json()["id"]
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream"))
             for p in sorted(SOURCES.iterdir())]
    client.post(f"/api/deals/{deal}/documents", files=files, headers=auth)
    job = client.post(f"/api/deals/{deal}/brief", headers=auth).json()
    while job["status"] not in ("succeeded", "failed"):
        time.sleep(0.2)
        job = client.get(f"/api/jobs/{job['id']}", headers=auth).json()
    if job["status"] != "succeeded":
        raise SystemExit(f"the brief failed: {job.get('error')}")
    return str(deal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--widths", default="1366,390")
    parser.add_argument("--height", type=int, default=768)
    parser.add_argument("--shots", type=Path, default=None,
                        help="write a full-page screenshot per user and width here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home:
        settings = get_settings(home=Path(home), backend="rules", database_url=None,
                                openai_base_url=None, openai_api_key=None,
                                offering_path=REPO / "handoff" / "demo_deal" / "offering.yaml",
                                secret_key="measure-only")
        app = create_app(settings)
        with TestClient(app) as client:
            store = app.state.store
            _, token = create_user(store, "rep@example.com", "rep", password=PASSWORD)
            create_user(store, "csm@example.com", "csm", password=PASSWORD)
            deal = _deal(client, token)
            assign(store, "csm@example.com", deal)
        with serving(create_app(settings), lifespan="on") as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            print(f"{'user':5} {'width':>5} {'page':8} {'height px':>10} {'screens':>8} "
                  f"{'items':>6} {'sideways px':>12}")
            for who, width, expand in ((w, int(x), e) for w in ("rep", "csm")
                                       for x in args.widths.split(",") for e in (0, 1)):
                page = browser.new_page(viewport={"width": width, "height": args.height})
                page.goto(f"{base}/login")
                page.fill("input[name=email]", f"{who}@example.com")
                page.fill("input[name=password]", PASSWORD)
                page.click("form button[type=submit]")
                page.wait_for_url(f"{base}/deals")
                page.goto(f"{base}/deals/{deal}?lang=en&expand={expand}")
                height = page.evaluate("document.documentElement.scrollHeight")
                sideways = page.evaluate("document.documentElement.scrollWidth"
                                         " - document.documentElement.clientWidth")
                items = page.locator("article.item").count()
                shown = "expanded" if expand else "served"
                print(f"{who:5} {width:5d} {shown:8} {height:10d} "
                      f"{height / args.height:8.1f} {items:6d} {sideways:12d}")
                if args.shots:
                    args.shots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.shots / f"{who}-{width}-{shown}.png"),
                                    full_page=True)
                page.close()
            browser.close()


if __name__ == "__main__":
    main()
