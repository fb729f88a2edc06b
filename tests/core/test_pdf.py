"""Joining PDFs (app.core.pdf.join_pdfs): the pages of every file, in order, with poppler's pdfunite and with
the pypdf fall-back used when poppler-utils is missing."""
import io
import shutil

import pytest
from pypdf import PdfReader, PdfWriter

from app.core import pdf


def _pdf(path, widths):
    writer = PdfWriter()
    for width in widths:
        writer.add_blank_page(width=width, height=100)
    with open(path, "wb") as fh:
        writer.write(fh)
    return str(path)


@pytest.mark.parametrize("tool", ["pdfunite", "pypdf"])
def test_join_keeps_every_page_in_order(tmp_path, monkeypatch, tool):
    if tool == "pdfunite" and shutil.which("pdfunite") is None:
        pytest.skip("poppler-utils is not installed")
    if tool == "pypdf":
        real = shutil.which
        monkeypatch.setattr(shutil, "which", lambda name: None if name == "pdfunite" else real(name))
    paths = [_pdf(tmp_path / "a.pdf", [101, 102]), _pdf(tmp_path / "b.pdf", [103]), _pdf(tmp_path / "c.pdf", [104])]
    out = io.BytesIO()
    pdf.join_pdfs(paths, out)
    widths = [round(float(p.mediabox.width)) for p in PdfReader(io.BytesIO(out.getvalue())).pages]
    assert widths == [101, 102, 103, 104]


def test_one_file_is_copied_and_none_is_refused(tmp_path):
    out = io.BytesIO()
    pdf.join_pdfs([_pdf(tmp_path / "a.pdf", [120])], out)
    assert len(PdfReader(io.BytesIO(out.getvalue())).pages) == 1
    with pytest.raises(ValueError):
        pdf.join_pdfs([], io.BytesIO())
