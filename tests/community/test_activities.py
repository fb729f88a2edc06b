"""社区文化活动: the form (budget in yuan as Decimal, times, texts) refuses bad input in Chinese and saves nothing;
photos are JPEG or PNG by their content, at most 5 MB, kept under the instance folder and shown on the page; the
activity drafts its 活动通知 in one click."""
import io
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.community.models import Activity, ActivityPhoto, Announcement
from app.extensions import db
from app.security import roles
from tests.community.conftest import within
from tests.conftest import flashes


def _form(community_id, **kw):
    data = {"community": str(community_id), "title": "中秋游园会", "starts_at": "2026-09-25 19:00:00",
            "ends_at": "2026-09-25 21:00:00", "place": "小区中心广场", "organiser": "客服部 王芳",
            "budget": "3500.50", "plan": "猜灯谜、做月饼、亲子游戏"}
    data.update(kw)
    return data


def _count(app, model):
    return within(app, lambda: db.session.scalar(select(func.count()).select_from(model)))


@pytest.fixture
def activity(app, office, login_as):
    resp = login_as(roles.SERVICE).post("/activities/add", data=_form(office["community"]))
    assert resp.status_code == 302
    return within(app, lambda: db.session.scalar(select(Activity.id)))


def _image(fmt: str, size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def test_the_desk_records_an_activity_with_its_budget_in_yuan(app, office, activity, login_as):
    def stored():
        a = db.session.get(Activity, activity)
        return a.budget, a.created_by_name, str(a.starts_at)

    budget, by, starts = within(app, stored)
    assert budget == Decimal("3500.50") and isinstance(budget, Decimal) and by == roles.SERVICE
    assert starts == "2026-09-25 19:00:00"
    html = login_as(roles.SERVICE).get(f"/activities/show/{activity}").get_data(as_text=True)
    assert "¥3,500.50" in html and "中秋游园会" in html and "小区中心广场" in html and "尚无照片" in html
    # afterwards: participants and summary
    resp = login_as(roles.MANAGER).post(f"/activities/edit/{activity}", data=dict(
        _form(office["community"]), participants="126", summary="约120位业主参加，气氛热烈。"))
    assert resp.status_code == 302
    assert within(app, lambda: db.session.get(Activity, activity).participants) == 126


@pytest.mark.parametrize("field, value, message", [
    ("budget", "abc", "不是有效的小数"),
    ("budget", "1.005", "预算（元）最多保留两位小数"),
    ("budget", "-1", "预算（元）必须在 0.00 到 9999999.99 之间"),
    ("budget", "100000000", "预算（元）必须在 0.00 到 9999999.99 之间"),
    ("ends_at", "2026-09-25 18:00:00", "必须晚于开始时间"),
    ("starts_at", "九月", "不是有效的日期与时间值"),
    ("title", "", None),
    ("title", "<script>alert(1)</script>", "标题不能包含HTML标签或脚本代码"),
    ("title", "会" * 41, "字段长度不能超过 40 个字符"),
    ("place", "", None),
    ("organiser", "<b>王芳</b>", "组织者不能包含HTML标签或脚本代码"),
    ("plan", "x" * 2001, None),
    ("community", "999999", None),
])
def test_bad_activity_input_is_refused_and_nothing_saved(app, office, login_as, field, value, message):
    resp = login_as(roles.SERVICE).post("/activities/add", data=_form(office["community"], **{field: value}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Traceback" not in html
    assert message in html if message else ("has-error" in html or "alert-danger" in html)
    assert "<script>alert(1)</script>" not in html
    assert _count(app, Activity) == 0


def test_photos_jpeg_and_png_are_kept_and_shown(app, activity, login_as, photo_folder):
    client = login_as(roles.SERVICE)
    for name, data in (("游园会.JPG", _image("JPEG")), ("合影.png", _image("PNG"))):
        resp = client.post(f"/activities/upload/{activity}", data={"photo": (io.BytesIO(data), name),
                                                                   "caption": "猜灯谜"},
                           content_type="multipart/form-data", follow_redirects=True)
        assert "照片已上传" in resp.get_data(as_text=True)
    photos = within(app, lambda: [(p.id, p.content_type, p.stored_name, p.original_name, p.width)
                                  for p in db.session.scalars(select(ActivityPhoto).order_by(ActivityPhoto.id))])
    assert [(p[1], p[3], p[4]) for p in photos] == [("image/jpeg", "游园会.JPG", 64), ("image/png", "合影.png", 64)]
    assert sorted(f.name for f in photo_folder.iterdir()) == sorted(p[2] for p in photos)
    assert not any(p[2].startswith(("游园会", "合影")) for p in photos)  # our own names, not the uploader's
    html = client.get(f"/activities/show/{activity}").get_data(as_text=True)
    for photo_id, *_rest in photos:
        assert f'src="/activities/photo/{photo_id}"' in html
    resp = client.get(f"/activities/photo/{photos[1][0]}")
    assert resp.status_code == 200 and resp.mimetype == "image/png" and resp.data == _image("PNG")
    # the committee reads no activities: neither the page nor the photos
    committee = login_as(roles.COMMITTEE)
    assert committee.get(f"/activities/photo/{photos[1][0]}").status_code in (302, 403)
    # removing a photo removes its file
    client.post(f"/activities/delete-photo/{photos[0][0]}")
    assert [f.name for f in photo_folder.iterdir()] == [photos[1][2]]
    assert _count(app, ActivityPhoto) == 1


def _png_truncated() -> bytes:
    return _image("PNG", (400, 300))[:200]


@pytest.mark.parametrize("name, data, message", [
    ("照片.png", b"this is not a picture at all, only text", "不是JPEG或PNG图片（按文件内容检查）"),
    ("照片.jpg", b"GIF89a" + b"\x00" * 100, "不是JPEG或PNG图片"),
    ("照片.jpg", b"<?php system($_GET['c']); ?>", "不是JPEG或PNG图片"),
    ("照片.png", None, "不是JPEG或PNG图片"),  # a truncated PNG
    ("照片.gif", "png", "只能上传JPEG或PNG格式的照片"),  # a real PNG named .gif
    ("照片.html", "jpeg", "只能上传JPEG或PNG格式的照片"),
    ("照片", "jpeg", "只能上传JPEG或PNG格式的照片"),
    ("照片.jpg", b"", "请选择要上传的照片"),
    ("大照片.jpg", "big", "最多只能上传5 MB"),
])
def test_bad_photos_are_refused_and_nothing_kept(app, activity, login_as, photo_folder, name, data, message):
    if data is None:
        data = _png_truncated()
    elif data == "png":
        data = _image("PNG")
    elif data == "jpeg":
        data = _image("JPEG")
    elif data == "big":
        data = _image("JPEG") + b"\x00" * (5 * 1024 * 1024)
    resp = login_as(roles.SERVICE).post(f"/activities/upload/{activity}",
                                        data={"photo": (io.BytesIO(data), name)},
                                        content_type="multipart/form-data", follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and any(message in f for f in flashes(html)), flashes(html)
    assert _count(app, ActivityPhoto) == 0
    assert not photo_folder.exists() or list(photo_folder.iterdir()) == []


def test_an_upload_without_a_file_or_to_no_activity(app, activity, login_as):
    client = login_as(roles.SERVICE)
    html = client.post(f"/activities/upload/{activity}", data={}, follow_redirects=True).get_data(as_text=True)
    assert "请选择要上传的照片" in html
    assert client.post("/activities/upload/999999", data={}).status_code == 404
    assert client.get("/activities/photo/999999").status_code == 404
    assert client.post("/activities/delete-photo/999999").status_code == 404
    assert login_as(roles.COMMITTEE).post(f"/activities/upload/{activity}", data={
        "photo": (io.BytesIO(_image("PNG")), "a.png")}, content_type="multipart/form-data").status_code in (302, 403)
    assert _count(app, ActivityPhoto) == 0


def test_the_activity_drafts_its_notice_in_one_click(app, activity, login_as):
    client = login_as(roles.SERVICE)
    resp = client.post(f"/activities/notice/{activity}")
    assert resp.status_code == 302 and "/notice-draft/edit/" in resp.headers["Location"]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "关于举办“中秋游园会”的通知" in html and "活动时间：2026年9月25日 19:00至21:00" in html
    assert "活动地点：小区中心广场" in html and "咨询及报名电话：0571-88886666。" in html

    def made():
        notice = db.session.scalar(select(Announcement))
        return notice.notice_type, notice.state, notice.activity_id

    assert within(app, made) == ("activity", "draft", activity)
    page = client.get(f"/activities/show/{activity}").get_data(as_text=True)
    assert "关于举办“中秋游园会”的通知" in page and "草稿" in page
    assert login_as(roles.CASHIER).post(f"/activities/notice/{activity}").status_code in (302, 403)
    assert _count(app, Announcement) == 1
