"""Markdown is only ever shown after the allowlist sanitiser has seen it."""

import re

import pytest

from clinic_site.articles.markup import render, render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=5></circle></svg>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">hi</p>',
    '<form action="https://evil.example"><input name=q></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<a href="&#106;avascript:alert(1)">entity</a>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<style>body{display:none}</style>",
    "<details open ontoggle=alert(1)>x</details>",
    '<a href="vbscript:msgbox(1)">vb</a>',
    "<!-- <script>alert(1)</script> -->",
    "<scr<script>ipt>alert(1)</script>",
    "```\n<script>alert(1)</script>\n```",
    '<img src="x" alt="" onmouseover="alert(1)">',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_render_inert(payload):
    html = render_markdown(f"Intro.\n\n{payload}\n\nOutro.")

    lowered = html.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered and "<object" not in lowered and "<embed" not in lowered
    assert "<svg" not in lowered and "<math" not in lowered and "<style" not in lowered
    assert "<form" not in lowered and "<meta" not in lowered and "<base" not in lowered
    assert not re.search(r"\son\w+\s*=", lowered), "event handler attribute survived"
    assert not re.search(r"(href|src)\s*=\s*\"?\s*(javascript|data|vbscript):", lowered)
    assert "style=" not in lowered


def test_script_in_a_code_block_is_shown_as_text():
    html = render_markdown("```\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;" in html


def test_links_get_noopener():
    html = render_markdown("[a site](https://example.org/page)")
    assert 'href="https://example.org/page"' in html
    assert 'rel="noopener noreferrer"' in html


def test_ordinary_markdown_survives():
    html = render_markdown(
        "## Side effects\n\nSome **bold** and *italic* text.\n\n- one\n- two\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert '<h2 id="side-effects">Side effects</h2>' in html
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert "<li>one</li>" in html
    assert "<table>" in html


def test_a_level_one_heading_is_not_allowed_in_the_body():
    # The page title is the only h1; a stray '# ' must not add another.
    html = render_markdown("# Another title\n\nText.")
    assert "<h1" not in html
    assert "Another title" in html


def test_second_level_headings_are_collected_for_the_table_of_contents():
    rendered = render("Intro\n\n## First\n\ntext\n\n### Sub\n\n## Second & more\n\ntext")
    assert rendered.headings == [
        {"id": "first", "title": "First"},
        {"id": "second-more", "title": "Second & more"},
    ]


def test_rendering_the_same_text_again_gives_a_fresh_copy_to_each_caller():
    # Renders are kept (the same texts come back on every save and import): what one
    # caller does with its result must not show up in the next caller's.
    text = "## Kept\n\nThe same words, rendered twice."
    first = render(text)
    first.headings.append({"id": "added", "title": "Added by the first caller"})
    first.headings[0]["title"] = "Changed by the first caller"

    second = render(text)

    assert second.headings == [{"id": "kept", "title": "Kept"}]
    assert second.html == first.html and "<h2" in second.html
