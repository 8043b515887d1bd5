"""The award certificate (piagam) as a PDF/A-3b document, rendered from plain data.

This is the only module that imports WeasyPrint. It knows nothing about models: the caller
(a Celery task) builds a `PiagamContent` and stores the bytes it gets back.

The piagam's wording is fixed Bahasa Indonesia and is not marked for translation, unlike the
portal's UI: it is an official document issued under Indonesian regulation, and its text must
not change with the language of whoever (or whichever worker) happens to render it.
"""

import functools
import mimetypes
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .wording import category_sentence, indonesian_date, indonesian_decimal

PDF_VARIANT = "pdf/a-3b"
TEMPLATE = "piagam/piagam.html"


@dataclass(frozen=True)
class PiagamContent:
    """Everything printed on one piagam, already decided by the caller."""

    number: str
    recipient: str
    categories: tuple[str, ...]
    year: int
    score: Decimal
    place: str
    issued_on: date
    signatory_name: str
    signatory_nip: str
    signatory_title: str
    issuer_name: str
    verification_url: str
    specimen: bool = False


class ResourceRefused(ValueError):
    """The piagam referenced something other than the portal's own static files."""


class PiagamRenderError(RuntimeError):
    """WeasyPrint could not produce the piagam; the task should fail, not retry."""


def qr_svg(url: str) -> str:
    # Error level M (boosted by segno when the size allows) survives a crease or a stamp on a
    # printed piagam; make_qr avoids Micro QR, which most phone cameras cannot read.
    return segno.make_qr(url, error="m").svg_inline(scale=1, omitsize=True, border=4)


def static_root() -> Path:
    return (Path(settings.BASE_DIR) / "static").resolve()


def piagam_static_dir() -> Path:
    return static_root() / "piagam"


def piagam_base_url() -> str:
    # The trailing slash makes relative references in the template resolve inside the folder.
    return piagam_static_dir().as_uri() + "/"


def stylesheet_path() -> Path:
    return piagam_static_dir() / "piagam.css"


class StaticOnlyFetcher(URLFetcher):
    """Fetch only the portal's own static files and data: URIs.

    Recipient names and URLs come from data, and the renderer runs on a worker that can reach
    the database and the network: nothing on a piagam may make it open a socket or read a file
    outside static/. `fail_on_errors` turns a refusal into a failed render instead of a piagam
    silently missing a picture.
    """

    def __init__(self, root: Path):
        super().__init__(fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            parts = urlsplit(url)
            path = Path(url2pathname(parts.path)).resolve()
            if parts.netloc in ("", "localhost") and path.is_relative_to(self.root):
                if path.is_file():
                    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
                    )
        raise ResourceRefused(f"Piagam may not load {url!r}")


@dataclass(frozen=True)
class Renderer:
    """What one worker process keeps between renders: fonts, parsed CSS, the fetcher."""

    font_config: FontConfiguration
    stylesheet: CSS
    fetcher: StaticOnlyFetcher
    base_url: str

    def html_to_pdf(self, html: str) -> bytes:
        document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
        try:
            return document.write_pdf(
                stylesheets=[self.stylesheet],
                font_config=self.font_config,
                pdf_variant=PDF_VARIANT,
            )
        except FatalURLFetchingError as error:
            # WeasyPrint's fatal error is a BaseException; Celery and callers expect Exception.
            raise PiagamRenderError(str(error)) from (error.__cause__ or error)


@functools.cache
def get_renderer() -> Renderer:
    # Built on first use, not at import: the web process imports nothing from here, and a
    # worker pays the fontconfig scan and the CSS parse once instead of on every piagam.
    # Celery's prefork workers render one piagam at a time per process, so sharing is safe.
    font_config = FontConfiguration()
    fetcher = StaticOnlyFetcher(static_root())
    stylesheet = CSS(
        filename=stylesheet_path(),
        base_url=piagam_base_url(),
        url_fetcher=fetcher,
        font_config=font_config,
    )
    return Renderer(font_config, stylesheet, fetcher, piagam_base_url())


def render_piagam_html(content: PiagamContent) -> str:
    """The piagam as HTML; render it with base_url=piagam_base_url() and stylesheet_path()."""
    return render_to_string(
        TEMPLATE,
        {
            "piagam": content,
            "category_sentence": category_sentence(content.categories, content.year),
            "score": indonesian_decimal(content.score),
            "issued_on": indonesian_date(content.issued_on),
            # segno writes only path data computed from the URL, never the URL itself.
            "qr_svg": mark_safe(qr_svg(content.verification_url)),  # noqa: S308
        },
    )


def render_piagam(content: PiagamContent) -> bytes:
    return get_renderer().html_to_pdf(render_piagam_html(content))
