"""A small reader for the HTML the server sends (stdlib parser, no extra dependency)."""

import json
from html.parser import HTMLParser


class Document(HTMLParser):
    """Every start tag with its attributes, the <title>, and the text of each <script>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.title_text: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._open: tuple[str, dict] | None = None
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag in ("title", "script"):
            self._open, self._text = (tag, attributes), []

    def handle_endtag(self, tag):
        if self._open and tag == self._open[0]:
            text = "".join(self._text)
            if tag == "title":
                self.title_text.append(text)
            else:
                self.scripts.append((self._open[1], text))
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._text.append(data)

    # --- Questions the tests ask ---------------------------------------------------------

    def all(self, tag: str, **attrs) -> list[dict]:
        return [
            attributes
            for name, attributes in self.tags
            if name == tag and all(attributes.get(k) == v for k, v in attrs.items())
        ]

    @property
    def title(self) -> str:
        assert len(self.title_text) == 1, f"{len(self.title_text)} <title> elements"
        return self.title_text[0].strip()

    def meta(self, **attrs) -> str:
        found = self.all("meta", **attrs)
        assert len(found) == 1, f"{len(found)} <meta {attrs}>"
        return found[0]["content"]

    def link(self, rel: str) -> str:
        found = self.all("link", rel=rel)
        assert len(found) == 1, f"{len(found)} <link rel={rel}>"
        return found[0]["href"]

    @property
    def json_ld(self) -> list:
        return [
            json.loads(text)
            for attributes, text in self.scripts
            if attributes.get("type") == "application/ld+json"
        ]

    def json_ld_of_type(self, schema_type: str) -> dict:
        found = [
            item
            for item in self.json_ld
            if schema_type
            in (item["@type"] if isinstance(item["@type"], list) else [item["@type"]])
        ]
        assert len(found) == 1, f"{len(found)} JSON-LD items of type {schema_type}"
        return found[0]
