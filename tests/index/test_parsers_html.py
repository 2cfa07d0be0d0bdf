"""HTML to text: layout like a mail client, hidden text kept on lines of its own and marked."""

from __future__ import annotations

import pytest

from index.parsers.html import html_to_lines, html_to_text


def rendered(markup: str) -> list[tuple[str, bool]]:
    return [(line.text, line.hidden) for line in html_to_lines(markup) if line.text]


@pytest.mark.parametrize(
    "hidden_span",
    [
        '<span style="display:none">secret</span>',
        '<span style="DISPLAY: none !important">secret</span>',
        '<span style="visibility:hidden">secret</span>',
        '<span style="color:#fff">secret</span>',
        '<span style="color: rgb(255, 255, 255)">secret</span>',
        '<font color="white">secret</font>',
        '<span style="font-size:0px">secret</span>',
        '<span style="font-size:0">secret</span>',
        '<span style="mso-hide:all">secret</span>',
        '<span style="opacity:0">secret</span>',
        '<div style="max-height:0;overflow:hidden">secret</div>',
        '<span hidden>secret</span>',
        '<table bgcolor="#f5f5f5"><tr><td style="color:#F5F5F5">secret</td></tr></table>',
    ],
)
def test_hidden_text_is_kept_and_marked(hidden_span):
    lines = rendered(f"<p>Visible start. {hidden_span} Visible end.</p>")

    assert ("secret", True) in lines
    assert all(hidden is False for text, hidden in lines if "Visible" in text)
    assert "secret" not in html_to_text(f"<p>Visible. {hidden_span}</p>")


def test_white_text_on_a_dark_background_is_visible():
    lines = rendered('<div style="background-color:#1a1a1a"><span style="color:#fff">'
                     "Go-live is 1 June.</span></div>")

    assert lines == [("Go-live is 1 June.", False)]


def test_hidden_state_is_inherited_by_nested_elements():
    lines = rendered('<div style="display:none"><p>one</p><p><b>two</b></p></div><p>three</p>')

    assert lines == [("one", True), ("two", True), ("three", False)]


def test_class_rules_in_style_blocks_hide_text():
    markup = "<style>.pre { display: none; }</style><div class='pre'>preheader</div><p>Hi</p>"

    assert rendered(markup) == [("preheader", True), ("Hi", False)]


def test_layout_lines_breaks_lists_tables_and_quotes():
    markup = (
        "<div>Hi Tom,</div><div><br></div><div>line one<br>line two</div>"
        "<ul><li>Pilot in Hamburg</li><li>Then Bremen</li></ul>"
        "<table><tr><th>Seats</th><th>Price</th></tr><tr><td>120</td><td></td>"
        "<td>96,000 EUR</td></tr></table>"
        "<blockquote>On Mon, Tom wrote:<br>Can we start in April?</blockquote>"
    )

    assert [line.text for line in html_to_lines(markup)] == [
        "Hi Tom,", "", "line one", "line two", "",
        "- Pilot in Hamburg", "- Then Bremen", "",
        "Seats | Price", "120 | 96,000 EUR", "",
        "> On Mon, Tom wrote:", "> Can we start in April?",
    ]


def test_scripts_styles_comments_and_entities():
    markup = ("<html><head><title>x</title><script>var a = 1;</script></head><body>"
              "<!-- tracking --><p>Preis:&nbsp;96.000&nbsp;&euro; &amp; Schulung</p></body></html>")

    assert rendered(markup) == [("Preis: 96.000 € & Schulung", False)]


def test_outlook_paragraphs_are_lines_and_empty_ones_are_breaks():
    markup = ('<p class="MsoNormal">Hi Tom,</p><p class="MsoNormal">&nbsp;</p>'
              '<p class="MsoNormal">thanks.</p><p class="MsoNormal">Anna</p>')

    assert [line.text for line in html_to_lines(markup)] == ["Hi Tom,", "", "thanks.", "Anna"]


def test_plain_string_that_looks_like_a_url_is_still_text():
    assert rendered("https://flowbase.io/pricing") == [("https://flowbase.io/pricing", False)]
