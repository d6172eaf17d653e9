"""Screenshots of the main pages for docs/ (run by hand after `habeas demo --no-serve`):

    .venv/bin/python scripts/screenshots.py [--lang es]

Starts the real server on a spare port, signs in as a dedicated account and saves PNGs in
docs/screenshots/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
HABEAS = str(ROOT / ".venv" / "bin" / "habeas")
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screenshot-account-password-1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="en")
    parser.add_argument("--port", default="8765")
    args = parser.parse_args()
    user = f"capturas-{args.lang}"
    subprocess.run(
        [
            HABEAS,
            "users",
            "create",
            user,
            "--role",
            "governor",
            "--facility",
            "cecot",
            "--facility",
            "modelo",
            "--language",
            args.lang,
            "--password-stdin",
            "--first-name",
            "Capturas",
        ],
        input=PASSWORD + "\n",
        text=True,
        check=False,
        capture_output=True,
    )
    # A governor must pass a second factor (issue #8); this throwaway server on the demo database
    # asks none, so that the dedicated account can sign in with its password alone.
    env = dict(os.environ, HABEAS_SECURE_COOKIES="0", HABEAS_SECOND_FACTOR_ROLES="")
    server = subprocess.Popen(
        [HABEAS, "serve", "--bind", f"127.0.0.1:{args.port}", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"),
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale=args.lang)
            page.goto(base + "/accounts/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/facilities/**")
            suffix = "" if args.lang == "en" else f"-{args.lang}"
            page.screenshot(path=str(OUT / f"roll-board{suffix}.png"), full_page=False)
            page.click(".tile >> nth=0")
            page.click("table a >> nth=0")
            page.wait_for_load_state()
            page.screenshot(path=str(OUT / f"person-record{suffix}.png"), full_page=True)
            page.goto(base + "/facilities/cecot/intake/")
            page.screenshot(path=str(OUT / f"intake-form{suffix}.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"saved in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
