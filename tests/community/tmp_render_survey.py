from app.security import roles
from tests.community.survey_data import surveyed  # noqa


def test_render(login_as, surveyed):
    resp = login_as(roles.MANAGER).get(f"/survey-results/report?campaign={surveyed['h2']}")
    open("/tmp/survey_report.pdf", "wb").write(resp.data)
    for url in ["/survey-results/?campaign=%d" % surveyed["h2"], "/survey-templates/show/%d" % surveyed["template"],
                "/survey-campaigns/show/%d" % surveyed["h2"], "/survey-campaigns/list/", "/survey-templates/list/",
                "/survey-campaign-admin/", "/survey-template-edit/", "/survey-entry/%d" % surveyed["h2"],
                "/survey-entry/import/%d" % surveyed["h2"], "/survey-entry/template/%d" % surveyed["h2"]]:
        r = login_as(roles.ADMIN).get(url)
        print(url, r.status_code, len(r.data))
