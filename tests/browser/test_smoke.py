"""The page opens in a real Chromium."""


def test_page_title(server, page):
    page.goto(server.url + "/")
    assert "playground" in page.title().lower()
