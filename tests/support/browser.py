"""The browser side the tests share: the Jupyter token, which requests may leave the page, a fresh page.

Every request that is not loopback is aborted (the machine has no outside network, and a page that needs
one would not work offline for a stakeholder either).
"""

from __future__ import annotations

from typing import Any

TOKEN = "personalize-lab-browser-tests"
ALLOWED = ("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "ws://localhost", "data:", "blob:")


def new_page(browser: Any, dialogs: list[str], errors: list[str], height: int = 1000) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": height})

    def route(r: Any) -> None:
        if r.request.url.startswith(ALLOWED):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page
