"""房屋清册 PDF: checked by its text; rare characters print as themselves."""
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.estate.models import Building, Community, House, Unit
from app.estate.services import prepare
from app.extensions import db


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_building_roster_lists_its_houses_in_order(admin, estate):
    resp = admin.get(f"/print/roster?building={estate['b1']}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pages, text = _text(resp.data)
    assert pages == 1
    for expected in ("房屋清册", "翠湖花园", "1号楼", "1-1-0101", "1-1-0102", "1-1-0201", "1-2-0101", "89.50", "住宅",
                     "自住", "第 1 页 共 1 页"):
        assert expected in text, expected
    assert "2-1-0301" not in text  # another building
    assert text.index("1-1-0101") < text.index("1-1-0102") < text.index("1-1-0201") < text.index("1-2-0101")


def test_community_batch_prints_one_section_per_building(admin, estate):
    resp = admin.get(f"/print/roster?community={estate['community']}")
    pages, text = _text(resp.data)
    assert pages == 2
    assert "1-1-0101" in text and "2-1-0301" in text and "锦绣华庭" not in text


def test_building_list_action_prints_the_chosen_buildings(admin, estate):
    resp = admin.post("/buildings/action_post", data={"action": "print_roster", "rowid": [str(estate["b2"])]})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    _, text = _text(resp.data)
    assert "2-1-0301" in text and "1-1-0101" not in text


def test_rare_characters_print_as_themselves(app, admin):
    rare = "喆堃燚䶮𠮷"
    with app.app_context():
        c = Community(name=f"{rare}苑", code="R1")
        b = Building(community=c, code="1", name="1号楼")
        u = Unit(building=b, code="1", name="1单元")
        h = House(unit=u, room_no="0101", floor=1, building_area=Decimal("50.00"), usage="residential",
                  status="vacant", layout=rare)
        prepare(h)
        db.session.add_all([c, b, u, h])
        db.session.commit()
        bid = b.id
    resp = admin.get(f"/print/roster?building={bid}")
    _, text = _text(resp.data)
    for ch in rare:
        assert ch in text, ch
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", "-"], input=resp.data, capture_output=True).stdout.decode()
        names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
        assert names and all("Noto-Sans-CJK-SC" in name for name in names), names  # no fallback font


def test_roster_without_choice_goes_back_to_buildings(admin):
    resp = admin.get("/print/roster")
    assert resp.status_code == 302 and "/buildings/list/" in resp.headers["Location"]


@pytest.mark.parametrize("lang,title", [("en", "House roster")])
def test_roster_in_english(admin, estate, lang, title):
    admin.get(f"/lang/{lang}")
    _, text = _text(admin.get(f"/print/roster?building={estate['b1']}").data)
    admin.get("/lang/zh")
    assert title in text and "Page 1 of 1" in text


def test_too_many_buildings_at_once_is_refused_with_a_message(app, admin, estate, monkeypatch):
    from app.estate import printing

    monkeypatch.setattr(printing, "MAX_BUILDINGS_PER_PRINT", 1)
    resp = admin.get(f"/print/roster?community={estate['community']}", follow_redirects=True)
    assert resp.mimetype == "text/html"
    assert "一次最多打印 1 栋楼，本次选择了 2 栋" in resp.get_data(as_text=True)


def test_house_page_prints_its_buildings_roster(admin, estate):
    resp = admin.get(f"/print/roster?house={estate['houses'][0]}")
    _, text = _text(resp.data)
    assert "1-1-0101" in text and "2-1-0301" not in text
