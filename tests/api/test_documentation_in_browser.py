"""Swagger UI and ReDoc render in a real browser under the portal's CSP: their assets come from
the portal (drf-spectacular-sidecar) and nothing they need is refused. The one thing refused
is ReDoc's own advertising logo from its CDN: the portal loads nothing from elsewhere."""

import pytest

from tests.support import in_browser

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_and_redoc_render_without_csp_violations(live_server, regions):
    def steps(browser):
        seen = {}
        for path, ready in [
            ("/api/v1/docs/", ".swagger-ui .opblock"),
            ("/api/v1/redoc/", "[data-section-id]"),
        ]:
            page = browser.new_page()
            refused = []
            page.on(
                "console",
                lambda message, refused=refused: (
                    refused.append(message.text)
                    if ("Content Security Policy" in message.text or "Refused" in message.text)
                    and "https://cdn.redoc.ly/" not in message.text
                    else None
                ),
            )
            page.goto(live_server.url + path)
            page.wait_for_selector(ready, timeout=20000)
            seen[path] = refused
            page.close()
        return seen

    assert in_browser(steps) == {"/api/v1/docs/": [], "/api/v1/redoc/": []}
