"""The statement as a PDF, drawn by WeasyPrint from an HTML template.

The font is Noto Sans from npm (@fontsource/noto-sans, pinned by package-lock.json and read from
node_modules, never fetched): its latin, latin-ext, cyrillic and cyrillic-ext subsets hold every Kazakh
letter (ә ғ қ ң ө ұ ү һ і) and the tenge sign ₸ (U+20B8, in latin-ext), in the regular and bold weights.
WeasyPrint loads nothing else: its URL fetcher refuses every address outside that package, so a name
that looks like a URL can never make the server fetch anything.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language

from .queries import Statement

FONT_PACKAGE = Path(settings.BASE_DIR) / "node_modules" / "@fontsource" / "noto-sans"
SUBSETS = ("latin", "latin-ext", "cyrillic", "cyrillic-ext")
WEIGHTS = (400, 700)
FONT_FAMILY = "Noto Sans"
STYLESHEET = Path(__file__).with_name("statement.css")


def font_stylesheets() -> list[Path]:
    """Fontsource's own @font-face rules, one file per subset and weight (each names its unicode-range)."""
    return [FONT_PACKAGE / f"{subset}-{weight}.css" for subset in SUBSETS for weight in WEIGHTS]


def _family(subset: str) -> str:
    return f"{FONT_FAMILY} {subset}"


def font_css() -> str:
    """Fontsource's rules with one family name per subset, and the page's font list naming them all.

    WeasyPrint names an embedded font after its family, weight and style only, so subsets sharing the
    family "Noto Sans" would be merged into one PDF font with the wrong glyphs (a Cyrillic "л" drawn from
    the Latin file). One family per subset keeps them apart; Pango still takes each character from the
    first family in the list that has it."""
    rules = [
        path.read_text().replace(f"font-family: '{FONT_FAMILY}';", f"font-family: '{_family(subset)}';")
        for path in font_stylesheets()
        for subset in SUBSETS
        if path.name.startswith(f"{subset}-") and path.name[len(subset) + 1 :][:1].isdigit()
    ]
    families = ", ".join(f"'{_family(subset)}'" for subset in SUBSETS)
    rules.append(f"html, .page-number {{ font-family: {families}; }}")
    rules.append(f"@page {{ @bottom-right {{ font-family: {families}; }} }}")
    return "\n".join(rules)


def font_files() -> list[Path]:
    """The font files those rules load (WeasyPrint takes the first source it reads: the woff2)."""
    return [
        FONT_PACKAGE / "files" / f"noto-sans-{subset}-{weight}-normal.woff2"
        for subset in SUBSETS
        for weight in WEIGHTS
    ]


def _fetcher():
    from weasyprint.urls import URLFetcher

    root = FONT_PACKAGE.resolve()

    class LocalFontFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
            if path is None or not path.is_relative_to(root):
                raise ValueError(f"not fetched: {url}")
            return super().fetch(url, headers)

    return LocalFontFetcher(allowed_protocols=("file",))


def statement_pdf(statement: Statement, *, title: str) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, and only this download needs it.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _fetcher()
    fonts = FontConfiguration()
    stylesheets = [
        CSS(string=font_css(), base_url=f"{FONT_PACKAGE.as_uri()}/", url_fetcher=fetcher, font_config=fonts),
        CSS(filename=str(STYLESHEET), url_fetcher=fetcher, font_config=fonts),
    ]
    html = render_to_string(
        "statements/statement_pdf.html",
        {"statement": statement, "title": title, "language": get_language()},
    )
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=stylesheets, font_config=fonts)
