"""What a reader of a printed form would notice: text that runs into its neighbour.

`overlaps(pdf)` lists the pairs of words (poppler's `pdftotext -bbox`, each word with its box) that share a line
and overlap horizontally on a page: a long value spilling into the next column, a header over a header."""
import re
import subprocess
import tempfile

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def words(pdf: bytes) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, its words as (x0, y0, x1, y1, text)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        html = subprocess.run(["pdftotext", "-bbox", f.name, "-"], check=True, capture_output=True,
                              text=True).stdout
    pages = []
    for page in html.split("<page")[1:]:
        pages.append([(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in WORD.findall(page)])
    return pages


def overlaps(pdf: bytes, tolerance: float = 0.5) -> list[tuple[int, str, str]]:
    """(page number, word, word) for each pair of words on one line whose boxes overlap by more than
    `tolerance` points."""
    found = []
    for number, page in enumerate(words(pdf), start=1):
        for i, a in enumerate(page):
            for b in page[i + 1:]:
                same_line = min(a[3], b[3]) - max(a[1], b[1]) > (a[3] - a[1]) / 2
                if same_line and min(a[2], b[2]) - max(a[0], b[0]) > tolerance:
                    found.append((number, a[4], b[4]))
    return found
