"""The web interface in a real browser: Playwright for Python driving Debian's Chromium.

Needs ``apt-get install -y chromium`` (``/usr/bin/chromium``) and ``pip install playwright`` (never
``playwright install``: the browser comes from Debian). Screenshots of the main pages are saved in
``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import ADMIN_TOKEN, served
from kg.settings import Settings
from kg.store import EmbeddedStore

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app over a private copy of the seeded store, served on a free loopback port."""
    from service import create_app

    copy = tmp_path_factory.mktemp("browser") / "store"
    source = EmbeddedStore(seeded_store, read_only=True)
    source.backup(copy)
    source.close()
    store = EmbeddedStore(copy)
    settings = Settings(store=str(copy), admin_token=ADMIN_TOKEN, query_timeout=30.0,
                        max_rows=5000, max_body=4 * 1024 * 1024, query_workers=2, threads=4)
    app = create_app(settings, store=store)
    try:
        with served(app) as base:
            yield base
    finally:
        app.extensions["klaster"].close()
        store.close()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def shoot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_main_pages_load_without_errors_and_are_screenshotted(site: str, page) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(site) else None)
    for path, name in [("/", "home"), ("/questions", "questions"), ("/search?q=batik", "search"),
                       ("/questions/linkages?sentra=id:sentra/wedoro", "question-linkages"),
                       ("/questions/corridor?kawasan=id:kawasan/karisma-pawirogo", "question-corridor"),
                       ("/questions/specialisation?commodity=15201", "question-specialisation"),
                       ("/upload", "upload"), ("/?lang=en", "home-en")]:
        response = page.goto(site + path)
        assert response is not None and response.status == 200, path
        assert page.locator("main, body").first.is_visible()
        shoot(page, name)
    assert problems == []
    assert outside == [], "the pages fetched something from outside the service"


def test_run_a_question_from_its_form_and_follow_a_link_to_a_sentra(site: str, page) -> None:
    page.goto(site + "/questions/technology-partners")
    page.get_by_label("sentra").select_option("id:sentra/wedoro")
    page.locator("#run").click()
    page.wait_for_url("**/questions/technology-partners?**")
    assert "sentra=id%3Asentra%2Fwedoro" in page.url
    rows = page.locator("table.results tbody tr")
    assert rows.count() >= 3
    network = page.locator("svg.network")
    network.scroll_into_view_if_needed()
    assert network.locator("circle").count() >= 4
    assert network.locator("path.edge").count() >= 3
    box = network.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200  # really drawn
    shoot(page, "question-technology-partners")
    link = page.locator('table.results a[href^="/id/sentra/"]').first
    target = link.get_attribute("href")
    assert target and target.startswith("/id/sentra/")
    with page.expect_navigation():
        link.click()
    assert page.url == site + target
    response = page.request.get(site + target)
    # The Linked Data pages (issue 6) answer /id/...; the link target is right either way.
    if response.status == 200:
        assert "sentra" in page.content().lower()
        shoot(page, "sentra-page")


def test_phone_sized_screen_has_no_sideways_scrolling_and_keyboard_reaches_everything(site: str, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        for path, name in [("/", "phone-home"),
                           ("/questions/technology-partners?sentra=id:sentra/wedoro", "phone-question")]:
            page.goto(site + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px"
            shoot(page, name)
        page.goto(site + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
        page.goto(site + "/")
        page.get_by_label("Cari sentra, wilayah, atau konsep").fill("sepatu")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?**")
        assert page.locator('table.results a[href^="/id/"]').count() >= 1
    finally:
        context.close()


def test_language_toggle_switches_and_sticks(site: str, page) -> None:
    page.goto(site + "/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.locator("a.lang").click()
    page.wait_for_url("**lang=en**")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Questions", exact=True).first.click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Questions"


def test_upload_a_bad_then_a_good_csv(site: str, page, tmp_path: Path) -> None:
    page.goto(site + "/")
    page.locator('a[href="/upload"]').first.click()
    page.wait_for_url("**/upload")
    bad = tmp_path / "sentra-bad.csv"
    shutil.copy(SUBMISSIONS / "region-unknown.csv", bad)
    page.locator("#file").set_input_files(str(bad))
    page.locator("#validate").click()
    status = page.locator("#status")
    sync_api.expect(status).to_contain_text("pelanggaran", timeout=60_000)
    findings = page.locator("#report table tr.violation")
    assert findings.count() >= 1
    assert findings.first.locator("td").nth(1).inner_text().strip().isdigit()  # the spreadsheet row
    shoot(page, "upload-bad")
    assert page.locator("#submit").is_disabled()

    good = tmp_path / "sentra-good.csv"
    shutil.copy(SUBMISSIONS / "good-sentra.csv", good)
    page.locator("#file").set_input_files(str(good))
    page.locator("#validate").click()
    sync_api.expect(status).to_contain_text("Sesuai", timeout=60_000)
    assert page.locator("#submit").is_enabled()
    page.locator("#token").fill(ADMIN_TOKEN)
    page.locator("#submit").click()
    sync_api.expect(status).to_contain_text("Tersimpan", timeout=60_000)
    shoot(page, "upload-good")
    assert page.locator('#report a[href^="/submissions/"]').count() == 1
