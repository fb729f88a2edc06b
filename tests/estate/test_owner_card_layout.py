"""The 业主档案卡 fits one A4 page with the longest realistic content of a house, and its narrow columns do not
break names, headers or dates in the middle (林晓/燕, 居民身/份证, 2026年12/月2日)."""
import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.estate.models import AccessCard, Owner, Ownership, Resident, Vehicle
from app.estate.services import prepare_person
from app.extensions import db
from tests.conftest import resident_id

pytestmark = pytest.mark.moment("2026-12-02 10:00")


@pytest.fixture
def crowded(app, estate):
    """Two current owners and four earlier ones, six residents, three cars and six cards: a busy house."""
    with app.app_context():
        h1 = estate["houses"][0]
        names = ["林晓燕", "欧阳建国", "周志强", "司马婉清", "诸葛明远", "慕容雪"]
        owners = []
        for i, name in enumerate(names):
            owner = Owner(kind="person", name=name, id_type="resident_id",
                          id_number=resident_id(f"19{70 + i}0101"), phone=f"1381234{5670 + i}",
                          emergency_contact=f"家属 1390000{1000 + i}")
            prepare_person(owner)
            owners.append(owner)
        db.session.add_all(owners)
        db.session.flush()
        for i, owner in enumerate(owners[2:]):
            db.session.add(Ownership(house_id=h1, owner_id=owner.id, share=Decimal("100"),
                                     certificate_no=f"浙(20{10 + i})杭州市不动产权第00{1234 + i}号",
                                     started_on=date(2008 + 3 * i, 3, 1), ended_on=date(2011 + 3 * i, 3, 1),
                                     end_reason="买卖（存量房交易）"))
        for owner in owners[:2]:
            db.session.add(Ownership(house_id=h1, owner_id=owner.id, share=Decimal("50"),
                                     certificate_no="浙(2020)杭州市不动产权第0099999号", started_on=date(2020, 12, 2)))
        for i, (name, relation) in enumerate([("林晓燕", "self"), ("欧阳建国", "spouse"), ("欧阳思远", "child"),
                                              ("欧阳思琪", "child"), ("林国栋", "parent"), ("张阿姨", "other")]):
            r = Resident(house_id=h1, name=name, relation=relation, phone=f"1370000{2000 + i}",
                         moved_in_on=date(2020, 12, 12))
            prepare_person(r)
            db.session.add(r)
        for i, plate in enumerate(["浙A4T0KF", "浙AD12345", "沪C77777"]):
            db.session.add(Vehicle(house_id=h1, plate=plate, brand="比亚迪", color="珍珠白"))
        for i in range(6):
            db.session.add(AccessCard(house_id=h1, kind="card", number=f"MJ-2020-00{i}", holder="欧阳建国",
                                      issued_on=date(2020, 12, 12), returned_on=date(2026, 12, 2) if i < 2 else None))
        db.session.commit()
        return {"house": h1, "names": names}


def test_a_busy_house_fits_one_page_without_broken_words(admin, crowded):
    from tests.pdf_layout import words

    pdf = admin.get(f"/print/owner-card?house={crowded['house']}").data
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    printed = {w[4] for page in words(pdf) for w in page}
    for whole in crowded["names"] + ["姓名", "居民身份证", "2020年12月2日", "2020年12月12日", "浙AD12345"]:
        assert whole in printed, whole
