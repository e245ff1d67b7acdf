"""The hosted order form in a real browser: Debian's Chromium driven by Playwright (no
browser download: `executable_path` is the system's). One real API process (uvicorn on
127.0.0.1) per module, on the module's database; each test signs up a company of its own.
Missing Chromium skips these tests, unless TRACKR_REQUIRE_BROWSER is set (CI sets it)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.factories import Caller, signup
from tests.order_form.helpers import enable_form
from tests.test_auth_cache import ROOT, _free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and not os.environ.get("TRACKR_REQUIRE_BROWSER"):
    pytest.skip("no system Chromium (apt-get install chromium)", allow_module_level=True)

MIN_FILL_SECONDS = 1.0
STYLE = {
    "header_color": "#112233",
    "button_color": "#AA5500",
    "button_text_color": "#FFFFFF",
    "font_family": "serif",
    "corner_radius": 10,
}


@pytest.fixture(scope="module")
def live_server(
    module_database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("browser-api")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": module_database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "browser-test-secret-key-long-enough-for-hs256",
        "DATA_DIR": str(data_dir),
        "DATABASE_POOL_SIZE": "2",
        "DATABASE_MAX_OVERFLOW": "2",
        "RATE_LIMIT_PER_MINUTE": "100000",
        "RATE_LIMIT_PUBLIC_PER_MINUTE": "100000",
        "PUBLIC_FORM_SUBMISSIONS_PER_IP_PER_MINUTE": "1000",
        "PUBLIC_FORM_MIN_FILL_SECONDS": str(MIN_FILL_SECONDS),
        "LOG_LEVEL": "WARNING",
        "DEMO_SEED": "false",
    }
    log = data_dir / "api.log"
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base_url, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the API exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base_url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the API did not start within 60 s: {log.read_text()[-2000:]}")


@pytest.fixture
async def api(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            await launched.close()


async def _company(api: httpx.AsyncClient) -> tuple[Caller, str]:
    admin = await signup(api, company_name="Browser Plumbing")
    form = await enable_form(api, admin, style=STYLE)
    return admin, str(form["slug"])


async def _fill(page: Page, **values: str) -> None:
    for name, value in values.items():
        await page.get_by_label(name).fill(value)


async def _pending(api: httpx.AsyncClient, admin: Caller) -> list[dict[str, Any]]:
    response = await api.get("/v1/orders?review_state=pending", headers=admin.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def _check_stored(api: httpx.AsyncClient, admin: Caller, email: str, message: str) -> None:
    orders = await _pending(api, admin)
    assert len(orders) == 1, orders
    order = orders[0]
    assert order["source"] == "public_form"
    assert order["referral"] == "Friend or family"
    customer = await api.get(f"/v1/customers/{order['customer_id']}", headers=admin.headers)
    assert customer.json()["email"] == email
    notes = await api.get(f"/v1/orders/{order['id']}/notes", headers=admin.headers)
    assert [n["body"] for n in notes.json()["data"]] == [message]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
async def test_fill_and_submit(api: httpx.AsyncClient, browser: Browser, javascript: bool) -> None:
    admin, slug = await _company(api)
    context = await browser.new_context(base_url=str(api.base_url), java_script_enabled=javascript)
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on(
        "response",
        lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    await page.goto(f"/f/{slug}")
    await expect(page.get_by_role("heading", name="Browser Plumbing")).to_be_visible()
    email = f"visitor-{'js' if javascript else 'nojs'}@example.com"
    message = "Our <b>boiler</b> is leaking"
    await _fill(
        page, **{"Your name *": "Vera Visitor", "Email *": email, "How can we help?": message}
    )
    await page.get_by_label("How did you hear about us?").select_option("Friend or family")
    await page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)  # a person's pace
    await page.get_by_role("button", name="Send request").click()
    thanks = page.locator("#thanks-message")
    await expect(thanks).to_have_text("Thanks! We will call you soon.")
    if javascript:
        assert page.url.endswith(f"/f/{slug}")  # no reload: the API answered the script
    await _check_stored(api, admin, email, message)
    # The page's own script and style ran under its CSP; nothing was refused but the
    # favicon the browser asks for on its own.
    assert [e for e in errors if "Failed to load resource" not in e] == []
    assert failed == []
    await context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
async def test_missing_required_field_shows_its_error_beside_it(
    api: httpx.AsyncClient, browser: Browser, javascript: bool
) -> None:
    admin, slug = await _company(api)
    context = await browser.new_context(base_url=str(api.base_url), java_script_enabled=javascript)
    page = await context.new_page()
    await page.goto(f"/f/{slug}")
    await _fill(page, **{"Your name *": "Vera Visitor"})
    await page.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)
    await page.get_by_role("button", name="Send request").click()
    error = page.locator("#f-email-error")
    await expect(error).to_have_text("is required")
    await expect(error).to_be_visible()
    email = page.get_by_label("Email *")
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(email).to_have_attribute("aria-describedby", "f-email-error")
    # Beside the field: in the same field group, right under its input.
    same_group = await error.evaluate(
        "e => e.closest('.field') === document.getElementById('f-email').closest('.field')"
    )
    assert same_group
    await expect(page.get_by_label("Your name *")).to_have_value("Vera Visitor")
    assert await _pending(api, admin) == []
    await context.close()


async def _pixel(browser: Browser, png: bytes) -> list[int]:
    """The centre pixel of a PNG screenshot, decoded by the browser itself (a blank page
    with a canvas: no image library needed)."""
    page = await browser.new_page()
    data_url = "data:image/png;base64," + base64.b64encode(png).decode()
    rgba: list[int] = await page.evaluate(
        """async (src) => {
            const img = new Image();
            img.src = src;
            await img.decode();
            const canvas = document.createElement('canvas');
            canvas.width = img.width; canvas.height = img.height;
            const ctx = canvas.getContext('2d');
            ctx.drawImage(img, 0, 0);
            return Array.from(ctx.getImageData(Math.floor(img.width / 2), 2, 1, 1).data);
        }""",
        data_url,
    )
    await page.close()
    return rgba[:3]


async def test_styled_form_matches_its_settings(api: httpx.AsyncClient, browser: Browser) -> None:
    _, slug = await _company(api)
    page = await browser.new_page(base_url=str(api.base_url))
    await page.goto(f"/f/{slug}")
    header = page.locator("header.masthead")
    button = page.get_by_role("button", name="Send request")
    assert await header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(17, 34, 51)"
    assert await button.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(170, 85, 0)"
    assert await button.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    assert await button.evaluate("e => getComputedStyle(e).borderTopLeftRadius") == "10px"
    assert "Georgia" in await page.locator("body").evaluate("e => getComputedStyle(e).fontFamily")
    # The screenshot agrees: what is painted is the settings' colours.
    assert await _pixel(browser, await header.screenshot()) == [17, 34, 51]
    assert await _pixel(browser, await button.screenshot()) == [170, 85, 0]
    await page.close()
