"""Uploaded photos are readable by the service's user only: the folder 0700, each file 0600."""
import io
import os
import stat

from app.security import roles
from tests.community.test_activities import _image, activity  # noqa: F401  (the fixture)


def test_uploaded_photos_and_their_folder_are_private(login_as, activity, photo_folder):  # noqa: F811
    old = os.umask(0o022)
    try:
        resp = login_as(roles.SERVICE).post(f"/activities/upload/{activity}",
                                            data={"photo": (io.BytesIO(_image("PNG")), "合影.png")},
                                            content_type="multipart/form-data", follow_redirects=True)
    finally:
        os.umask(old)
    assert "照片已上传" in resp.get_data(as_text=True)
    assert stat.S_IMODE(os.stat(photo_folder).st_mode) == 0o700
    stored = list(photo_folder.iterdir())
    assert len(stored) == 1 and stat.S_IMODE(os.stat(stored[0]).st_mode) == 0o600
