"""Reading what the print forms produce, as a person would: the PDF's text and pictures of its
pages (PNG, in var/test-artifacts/ to look at)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium


def pdf_text(pdf: bytes) -> str:
    """All pages' text with whitespace (no-break spaces too) folded to single spaces."""
    document = pdfium.PdfDocument(pdf)
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return " ".join(text.split())


def pictures(pdf: bytes, folder: Path, name: str, scale: float = 1.5) -> list[Path]:
    """Each page as `<name>-p<N>.png`; the paths written."""
    document = pdfium.PdfDocument(pdf)
    written = []
    try:
        for number, page in enumerate(document, start=1):
            path = folder / f"{name}-p{number}.png"
            page.render(scale=scale).to_pil().save(path)
            written.append(path)
    finally:
        document.close()
    return written


def page_count(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()
