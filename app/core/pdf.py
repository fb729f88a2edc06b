"""The one PDF renderer: Jinja templates in templates/print/ through WeasyPrint.

Every form extends templates/print/base.html (A4, margins, header with the
community's name, 第 N 页 共 M 页, Noto Sans CJK SC with lang="zh-CN").
"""
import ctypes.util
import logging
import os
import subprocess

from flask import current_app, render_template

log = logging.getLogger(__name__)

CJK_FONT_FAMILY = "Noto Sans CJK SC"


def render_pdf(template: str, **context) -> bytes:
    """Render templates/print/<template> to PDF bytes."""
    from weasyprint import HTML

    html = render_template(f"print/{template}", page_counter=page_counter_css, **context)
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def join_pdfs(paths: list[str], out) -> None:
    """Join the PDF files `paths`, in order, into the binary file `out`.

    poppler's pdfunite copies page by page into its output, in a process of its own, using a few MB whatever
    the number of pages; pypdf (the fall-back when poppler-utils is missing) holds every page in memory until
    it writes, so a batch of thousands of pages would cost hundreds of MB."""
    import shutil
    import tempfile

    if not paths:
        raise ValueError("nothing to join")
    if len(paths) == 1:
        with open(paths[0], "rb") as fh:
            shutil.copyfileobj(fh, out)
        return
    pdfunite = shutil.which("pdfunite")
    if pdfunite is None:
        from pypdf import PdfWriter

        log.warning("pdfunite (poppler-utils) is missing: joining PDFs in memory. Install it: "
                    "apt-get install poppler-utils")
        writer = PdfWriter()
        for path in paths:
            writer.append(path)
        writer.write(out)
        return
    with tempfile.TemporaryDirectory(prefix="pm-join-") as tmp:
        joined = os.path.join(tmp, "joined.pdf")
        subprocess.run([pdfunite, *paths, joined], check=True, capture_output=True, timeout=600)
        with open(joined, "rb") as fh:
            shutil.copyfileobj(fh, out)


def page_counter_css(text: str):
    """Turn a translated "Page {page} of {pages}" into CSS content with page counters."""
    import re

    from markupsafe import Markup

    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", str(text)):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "").replace('"', "") + '"')
    return Markup(" ".join(parts))


def harfbuzz_subset_available() -> bool:
    """WeasyPrint subsets fonts with libharfbuzz-subset; without it each PDF costs seconds."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


def cjk_font_available() -> bool:
    try:
        out = subprocess.run(
            ["fc-list", f":family={CJK_FONT_FAMILY}", "family"],
            capture_output=True, text=True, timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return CJK_FONT_FAMILY in out


def status() -> dict:
    return {"harfbuzz_subset": harfbuzz_subset_available(), "cjk_font": cjk_font_available()}


def log_startup_check(app) -> None:
    if os.environ.get("PM_SKIP_PDF_CHECK"):
        return
    state = status()
    app.config["PM_PDF_STATUS"] = state
    if not state["harfbuzz_subset"]:
        log.warning(
            "libharfbuzz-subset0 is missing: every PDF will take seconds instead of a tenth of one. "
            "Install it: apt-get install libharfbuzz-subset0"
        )
    if not state["cjk_font"]:
        log.warning(
            "Font %s is missing: Chinese text in PDFs will print as boxes. "
            "Install it: apt-get install fonts-noto-cjk", CJK_FONT_FAMILY,
        )
