"""HTML reader: the main text of a web page (an article, a notice), without its navigation, sidebars, ads and footer.

The page is untrusted: its markup only ever becomes text. Nothing is fetched, no entity is resolved
from outside, no script runs, and tags written as text in the page ("&lt;b&gt;") stay text.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Iterable, Iterator

import lxml.etree
import lxml.html

from .errors import InputError

# Page furniture that is never main text; taken out before trafilatura looks at the page.
_FURNITURE_XPATH = (
    "//script | //style | //noscript | //template | //nav | //aside"
    " | //*[@role='navigation' or @role='complementary' or @role='search']"
    # A site banner or footer, not an article's own header or footer.
    " | //header[not(ancestor::article or ancestor::main or ancestor::section)] | //footer[not(ancestor::article or ancestor::main or ancestor::section)]"
    " | //*[@role='banner' or @role='contentinfo'][not(ancestor::article or ancestor::main or ancestor::section)]"
)
_FALLBACK_DROP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "head", "title", "iframe", "object", "embed", "svg", "math"}

# Elements that end a line: in trafilatura's XML and in plain HTML.
_BLOCKS = {
    # trafilatura's output
    "doc", "main", "head", "p", "list", "item", "table", "row", "cell", "quote", "code", "lb",
    # HTML
    "html", "body", "address", "article", "blockquote", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "hgroup", "hr", "legend", "li", "menu", "ol", "option", "pre", "section", "summary",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "br",
}
_PRESERVE = {"pre", "code"}
_CELLS = {"cell", "td", "th"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def html_text(path: str, markup: str) -> str:
    """Main text of a page, one paragraph, heading, list item or table cell per line."""
    tree = _parse(path, markup)
    _strip_furniture(tree)
    lines = _trafilatura_lines(copy.deepcopy(tree))
    if not lines:
        lines = _fallback_lines(tree)
    if not lines:
        raise InputError(path, "is an HTML page with no text")
    return "\n".join(lines)


def _parse(path: str, markup: str) -> lxml.html.HtmlElement:
    markup = _XML_DECLARATION.sub("", markup.replace("\x00", ""), count=1)
    if not markup.strip():
        raise InputError(path, "is an HTML page with no text")
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
    )
    try:
        tree = lxml.html.document_fromstring(markup.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as e:
        raise InputError(path, f"is HTML that cannot be parsed ({' '.join(str(e).split()) or type(e).__name__})") from None
    return tree


def _strip_furniture(tree: lxml.html.HtmlElement) -> None:
    for element in tree.xpath(_FURNITURE_XPATH):
        parent = element.getparent()
        if parent is not None:
            element.drop_tree()  # keeps the tail text, which belongs to the parent


def _trafilatura_lines(tree: lxml.html.HtmlElement) -> list[str]:
    import trafilatura

    logger = logging.getLogger("trafilatura")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        xml = trafilatura.extract(
            tree,
            output_format="xml",
            include_tables=True,
            include_comments=False,
            include_links=False,
            include_formatting=False,
            include_images=False,
            with_metadata=False,
        )
    except Exception:  # trafilatura is best-effort; the plain fallback below still reads the page
        return []
    finally:
        logger.setLevel(level)
    if not xml:
        return []
    try:
        doc = lxml.etree.fromstring(
            xml.encode("utf-8"), parser=lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        )
    except lxml.etree.XMLSyntaxError:
        return []
    main = doc.find("main")
    return list(block_lines(main if main is not None else doc, drop=("comments",)))


def _fallback_lines(tree: lxml.html.HtmlElement) -> list[str]:
    body = tree.find("body")
    root = body if body is not None else tree
    return list(block_lines(root, drop=_FALLBACK_DROP))


def block_lines(root: lxml.etree._Element, drop: Iterable[str] = ()) -> Iterator[str]:
    """Text of an element tree, a new line at every block element and line break; whitespace collapsed."""
    drop = set(drop)
    parts: list[str] = []

    def flush() -> Iterator[str]:
        for piece in "".join(parts).split("\n"):
            line = " ".join(_CONTROL.sub(" ", piece).split())
            if line:
                yield line
        parts.clear()

    def walk(element: lxml.etree._Element, preserve: bool) -> Iterator[str]:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        if tag in drop or not isinstance(element.tag, str):  # comments and processing instructions carry no text
            return
        block = tag in _BLOCKS
        preserve = preserve or tag in _PRESERVE
        if block:
            yield from flush()
        if tag in _CELLS and element is not root:  # one cell, one line, even when it holds paragraphs or a list
            parts.append(" ".join(block_lines(element, drop)))
            yield from flush()
            return
        if element.text:
            parts.append(_spacing(element.text, preserve))
        for child in element:
            yield from walk(child, preserve)
            if child.tail:
                parts.append(_spacing(child.tail, preserve))
        if block:
            yield from flush()

    yield from walk(root, False)
    yield from flush()


def _spacing(text: str, preserve: bool) -> str:
    """Inside <pre> a newline is a line; elsewhere it is a space, as a browser shows it."""
    return text if preserve else text.replace("\r", " ").replace("\n", " ")
