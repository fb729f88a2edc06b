"""Chinese first: every message of the app's catalog is translated, and so is every FAB string."""
import os
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
ZH_PO = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2), "__": None}


def _ids(messages):
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in messages}


def _catalog():
    with open(ZH_PO, "rb") as fh:
        return read_po(fh, locale="zh")


def test_every_message_of_the_zh_catalog_is_translated():
    catalog = _catalog()
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def test_every_string_of_the_app_is_in_the_catalog():
    catalog = _catalog()
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for sub in ("app", "templates"):
        found |= _ids(extract_from_dir(str(ROOT / sub), method_map=[(p.split("/", 1)[1], m) for p, m in method_map],
                                       keywords=KEYWORDS))
    missing = sorted(found - known - {""})
    assert missing == [], "run `make messages` and translate: " + repr(missing[:20])


def test_fab_strings_missing_from_fabs_own_zh_catalog_are_in_ours():
    import flask_appbuilder

    fab_dir = Path(flask_appbuilder.__file__).parent
    with open(fab_dir / "translations" / "zh" / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        fab_zh = read_mo(fh)
    fab_has = {m.id if isinstance(m.id, str) else m.id[0] for m in fab_zh if m.id and m.string}
    ours = {m.id for m in _catalog() if m.id and m.string}
    fab_strings = _ids(extract_from_dir(str(fab_dir), method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
                                        keywords=KEYWORDS))
    missing = sorted(s for s in fab_strings - fab_has - ours if s)
    assert missing == [], missing


@pytest.mark.parametrize("path", ["/login/"])
def test_pages_speak_chinese_by_default(client, path):
    html = client.get(path).get_data(as_text=True)
    assert "用户名" in html and "密码" in html
    assert "Username" not in html and "Password" not in html


def test_english_is_the_second_language(app, admin):
    resp = admin.get("/lang/en", follow_redirects=True)
    assert resp.status_code == 200
    html = admin.get("/houses/list/").get_data(as_text=True)
    assert "House number" in html and "房号" not in html
    admin.get("/lang/zh")
    assert "房号" in admin.get("/houses/list/").get_data(as_text=True)


def test_compiled_catalog_is_current():
    mo = ZH_PO.with_suffix(".mo")
    if not mo.exists():
        pytest.skip("catalog not compiled (make compiles it)")
    assert os.path.getmtime(mo) >= os.path.getmtime(ZH_PO) - 1, "run `make translations`"


def test_our_catalog_does_not_change_fabs_own_chinese():
    """Our catalog is merged over FAB's: a msgid both have must keep FAB's wording (e.g. Search → 搜索), except
    the few reworded on purpose (app.core.fab_messages.FAB_REWORDED: 以开始 → 开头是)."""
    import flask_appbuilder

    fab_dir = Path(flask_appbuilder.__file__).parent
    with open(fab_dir / "translations" / "zh" / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        fab = {m.id: m.string for m in read_mo(fh) if isinstance(m.id, str) and m.id and m.string}
    reworded = {"Starts with", "Not Starts with", "Ends with", "Not Ends with"}
    clashes = sorted(m.id for m in _catalog() if m.id in fab and m.string != fab[m.id] and m.id not in reworded)
    assert clashes == []


def test_template_strings_survive_jinjas_percent_formatting():
    """Jinja's _() always %-formats: a template string or its Chinese with a bare % breaks the page."""
    found = extract_from_dir(str(ROOT / "templates"), method_map=[("**.html", "jinja2")], keywords=KEYWORDS)
    template_ids = {m[2] for m in found if isinstance(m[2], str)}
    catalog = {m.id: m.string for m in _catalog() if isinstance(m.id, str)}
    broken = []
    for msgid in template_ids:
        for text in (msgid, catalog.get(msgid) or msgid):
            if "%(" in text:
                continue
            try:
                text % {}
            except (ValueError, TypeError):
                broken.append(text)
    assert broken == []


def test_every_column_label_of_our_views_is_chinese(app):
    """FAB makes an English label ("Name Pinyin") for any column without one: none may reach a page."""
    import re as _re

    from flask_appbuilder import ModelView
    from flask_babel import force_locale

    cjk = _re.compile(r"[\u4e00-\u9fff]")
    english = []
    with app.test_request_context(), force_locale("zh"):
        for view in app.appbuilder.baseviews:
            if not isinstance(view, ModelView) or not type(view).__module__.startswith("app."):
                continue
            if type(view).__module__ == "app.security.views":  # FAB's user admin: its own labels
                continue
            columns = set(view.list_columns) | set(view.search_columns) | set(view.show_columns or [])
            columns |= set(view.add_columns or []) | set(view.edit_columns or [])
            for column in columns:
                label = str(view.label_columns.get(column, column))
                if not cjk.search(label):
                    english.append(f"{type(view).__name__}.{column}: {label}")
    assert english == []
