"""Benchmark: the 房屋清册 (house roster) PDF, Chinese text against Latin text.

Renders through the project's one renderer, app.core.pdf.render_pdf, with
print/estate/house_roster.html and the sections of app.estate.printing.roster_sections,
as roster_pdf does: one building (one page) and a whole community of many buildings
(one section, one page, per building). Each is rendered twice from identical data:
in Chinese (zh UI, Chinese names and layouts) and in Latin letters only (en UI,
ASCII names and layouts). Every render runs in a forked child, so that its peak
memory is its own and not the one of the render before.

    python bench/pdf.py [--pages 500] [--houses-per-building 14] [--repeat 5] [--trace-batch]

Figures are printed, never asserted. The temporary database and PDFs are removed.
"""
import argparse
import io
import math
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from decimal import Decimal

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))

from bench.common import in_child, make_app, print_table, proc_memory_mb, upgrade_quietly  # noqa: E402

TEMPLATE = "estate/house_roster.html"

# (Chinese, English, lowest and highest gross floor area in m²)
LAYOUTS = [
    ("一室一厅", "1 bed 1 living", 45, 62),
    ("两室一厅", "2 bed 1 living", 68, 92),
    ("两室两厅", "2 bed 2 living", 82, 105),
    ("三室两厅", "3 bed 2 living", 108, 145),
    ("四室两厅", "4 bed 2 living", 150, 198),
]
STATUS_WEIGHTS = {"occupied": 70, "rented": 12, "vacant": 12, "renovating": 4, "undelivered": 2}

VARIANTS = {
    "CJK": {"locale": "zh", "community": "翠湖花园", "code": "BENCH-ZH",
            "building": "{}号楼", "unit": "{}单元", "layout": 0},
    "Latin": {"locale": "en", "community": "Green Lake Garden", "code": "BENCH-EN",
              "building": "Block {}", "unit": "Unit {}", "layout": 1},
}

# Han characters, CJK punctuation and symbols (：　㎡), full-width forms (＿), rare Han planes.
CJK_CHAR = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")


def build_community(variant: dict, buildings: int, per_building: int, seed: int = 2026) -> tuple[int, int]:
    """One community of `buildings` buildings, one unit each, `per_building` houses on two per floor.

    The random figures come from `seed`, so both variants get the same areas, floors and
    statuses; only the text differs. Returns the ids of the community and of its first building.
    """
    from sqlalchemy import insert

    from app.estate.models import Building, Community, House, Unit
    from app.extensions import db

    rng = random.Random(seed)
    floors = math.ceil(per_building / 2)
    community = Community(name=variant["community"], code=variant["code"])
    db.session.add(community)
    db.session.flush()
    blocks = [Building(community_id=community.id, code=str(n), name=variant["building"].format(n), floors=floors)
              for n in range(1, buildings + 1)]
    db.session.add_all(blocks)
    db.session.flush()
    units = [Unit(building_id=b.id, code="1", name=variant["unit"].format(1)) for b in blocks]
    db.session.add_all(units)
    db.session.flush()
    rows = []
    for n, unit in enumerate(units, start=1):
        for i in range(per_building):
            floor, room = i // 2 + 1, i % 2 + 1
            layout = rng.choice(LAYOUTS)
            gross = Decimal(rng.randint(layout[2] * 100, layout[3] * 100)) / 100
            shop = floor == 1 and n % 5 == 1
            room_no = f"{floor:02d}{room:02d}"
            rows.append({
                "community_id": community.id, "building_id": unit.building_id, "unit_id": unit.id,
                "room_no": room_no, "house_no": f"{n}-1-{room_no}", "floor": floor,
                "building_area": gross, "inner_area": (gross * Decimal("0.78")).quantize(Decimal("0.01")),
                "layout": None if shop else layout[variant["layout"]],
                "usage": "shop" if shop else "residential",
                "status": rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0],
            })
    db.session.execute(insert(House), rows)
    db.session.commit()
    return community.id, blocks[0].id


def render_job(sections, pdf_path: str | None, repeat: int, trace: bool):
    """The child's work: render `repeat` times (median seconds, peak RSS of the first), or once traced.

    The last PDF is written to `pdf_path` when one is given.
    """
    from app.core.pdf import render_pdf

    def work() -> dict:
        if trace:
            tracemalloc.start()
        seconds, peak_rss = [], None
        for _ in range(1 if trace else repeat):
            start = time.perf_counter()
            pdf = render_pdf(TEMPLATE, sections=sections, printed_on=date.today())
            seconds.append(time.perf_counter() - start)
            if peak_rss is None:  # the memory of one render, not of several in a row
                peak_rss = proc_memory_mb()["VmHWM"]
        result = {"seconds": statistics.median(seconds), "runs": len(seconds), "peak_rss_mb": peak_rss}
        if trace:
            result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        if pdf_path:
            with open(pdf_path, "wb") as fh:
                fh.write(pdf)
        return result

    return work


def pdf_facts(path: str) -> dict:
    """Real page count, size, and the text of the first and last pages (pypdf)."""
    from pypdf import PdfReader

    with open(path, "rb") as fh:
        data = fh.read()
    reader = PdfReader(io.BytesIO(data))
    return {
        "pages": len(reader.pages),
        "kb": len(data) / 1024,
        "first_text": reader.pages[0].extract_text(),
        "last_text": reader.pages[-1].extract_text(),
    }


def measure(variant: dict, tmp: str, label: str, building_ids, community_ids, repeat: int, trace: bool) -> dict:
    """Query the roster sections, render them in a child (and once more traced), check the PDF."""
    from app.estate import printing
    from app.estate.printing import roster_sections

    # The web answer caps a print at MAX_BUILDINGS_PER_PRINT buildings; this measures the renderer
    # on a batch beyond it (500 pages), so the cap is lifted here.
    printing.MAX_BUILDINGS_PER_PRINT = 10**6
    start = time.perf_counter()
    sections = roster_sections(building_ids, community_ids)
    query_s = time.perf_counter() - start
    path = os.path.join(tmp, label.replace(" ", "-") + ".pdf")
    result = in_child(render_job(sections, path, repeat, trace=False))
    result["traced_peak_mb"] = in_child(render_job(sections, None, 1, trace=True))["traced_peak_mb"] if trace else None
    facts = pdf_facts(path)
    os.remove(path)

    problems = []
    first_no, last_no = sections[0]["houses"][0].house_no, sections[-1]["houses"][-1].house_no
    title = "房屋清册" if variant["locale"] == "zh" else "House roster"
    if title not in facts["first_text"] or first_no not in facts["first_text"]:
        problems.append(f"page 1 lacks {title!r} or {first_no}")
    if last_no not in facts["last_text"]:
        problems.append(f"the last page lacks {last_no}")
    if facts["pages"] != len(sections):
        problems.append(f"{facts['pages']} pages for {len(sections)} buildings (a building ran over one page)")
    result.update(
        query_s=query_s, pages=facts["pages"], kb=facts["kb"], problems=problems,
        houses=sum(len(s["houses"]) for s in sections),
        cjk_chars=sorted(set(CJK_CHAR.findall(facts["first_text"]))),
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500, help="buildings in the batch, one page each")
    parser.add_argument("--houses-per-building", type=int, default=14,
                        help="houses per building; 14 still fit one A4 page in English, where "
                             "labels such as 'Owner-occupied' wrap (Chinese alone fits 24)")
    parser.add_argument("--repeat", type=int, default=5, help="renders of the one-page roster (median)")
    parser.add_argument("--trace-batch", action="store_true",
                        help="also measure the batch under tracemalloc (about 5 times slower)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # figures and stderr progress lines in order

    from flask_babel import force_locale

    import weasyprint
    from app.core import pdf as pdf_module
    from app.core.audit import set_cli_actor
    from app.estate.printing import roster_sections
    from app.extensions import db

    started = time.perf_counter()
    print("房屋清册 PDF benchmark (bench/pdf.py)")
    print(f"  Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    print(f"  libharfbuzz-subset available: {pdf_module.harfbuzz_subset_available()}; "
          f"{pdf_module.CJK_FONT_FAMILY} installed: {pdf_module.cjk_font_available()}")

    with tempfile.TemporaryDirectory(prefix="pm-bench-pdf-") as tmp:
        app = make_app("sqlite:///" + os.path.join(tmp, "bench.db"))
        with app.app_context():
            upgrade_quietly()
            set_cli_actor("bench")
            t0 = time.perf_counter()
            ids = {name: build_community(v, args.pages, args.houses_per_building)
                   for name, v in VARIANTS.items()}
            print(f"  data: {len(VARIANTS)} communities x {args.pages} buildings x {args.houses_per_building} "
                  f"houses, identical but for the text (built in {time.perf_counter() - t0:.1f} s, SQLite)")

            with app.test_request_context():
                # The first render of a process loads the fonts, the first one of a locale its
                # catalog: do both here, so that the forked children start warm.
                for name, variant in VARIANTS.items():
                    with force_locale(variant["locale"]):
                        first = roster_sections(building_ids=[ids[name][1]])
                        t0 = time.perf_counter()
                        pdf_module.render_pdf(TEMPLATE, sections=first, printed_on=date.today())
                        print(f"  first render of {name} in this process (1 page, warm-up): "
                              f"{time.perf_counter() - t0:.2f} s")
                print()

                results = {}
                cases = [("1 building", True), (f"{args.pages} buildings", False)]
                for case, single in cases:
                    for name, variant in VARIANTS.items():
                        community_id, first_building_id = ids[name]
                        with force_locale(variant["locale"]):
                            results[(case, name)] = measure(
                                variant, tmp, f"{case}-{name}",
                                building_ids=[first_building_id] if single else (),
                                community_ids=() if single else [community_id],
                                repeat=args.repeat if single else 1, trace=single or args.trace_batch,
                            )
                        print(f"  done: {case}, {name}", file=sys.stderr, flush=True)

            db.session.remove()
            db.engine.dispose()

    rows = []
    for (case, name), r in results.items():
        runs = f" (median of {r['runs']})" if r["runs"] > 1 else ""
        rows.append([
            f"{case}, {name}", r["pages"], r["houses"], f"{r['query_s']:.2f}", f"{r['seconds']:.2f}{runs}",
            f"{r['pages'] / r['seconds']:.1f}", f"{r['kb']:,.0f}", f"{r['peak_rss_mb']:,.0f}",
            f"{r['peak_rss_mb'] - r['start_rss_mb']:,.0f}",
            f"{r['traced_peak_mb']:,.1f}" if r["traced_peak_mb"] is not None else "-",
        ])
    print_table(
        ["case", "pages", "houses", "query s", "render s", "pages/s", "PDF kB",
         "peak RSS MB", "RSS growth MB", "tracemalloc peak MB"],
        rows,
    )
    print()
    for case, _ in cases:
        ratio = results[(case, "CJK")]["seconds"] / results[(case, "Latin")]["seconds"]
        print(f"CJK/Latin render-time ratio, {case}: {ratio:.2f}")
    print("pages: counted in the produced PDFs with pypdf; render s: render_pdf only (query s: roster_sections);")
    print("peak RSS: VmHWM of the forked child that rendered; RSS growth: that minus its VmRSS at the start;")
    print("tracemalloc peak: Python allocations of a separate, traced render"
          + ("" if args.trace_batch else " (batch skipped: tracing is ~5x slower; --trace-batch)") + ".")
    latin_cjk = results[(cases[0][0], "Latin")]["cjk_chars"]
    print(f"CJK characters left in the Latin page (hard-coded in the template): {' '.join(latin_cjk) or 'none'}")
    for (case, name), r in results.items():
        for problem in r["problems"]:
            print(f"CHECK FAILED: {case}, {name}: {problem}")
    print(f"total wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
