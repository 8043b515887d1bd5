"""Reports, evidence, their events and versions, scores and the audit trail are read-only
in the Django admin: they change through the portal's services alone."""

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from accounts.services import audit
from evaluation.models import Score
from reporting.models import Evidence, Report, ReportEvent, ReportStatus, ReportVersion
from tests.reporting.scenes import late_and_on_time

READ_ONLY = {
    "reporting_report": lambda: Report.objects.first(),
    "reporting_evidence": lambda: Evidence.objects.first(),
    "reporting_reportevent": lambda: ReportEvent.objects.first(),
    "reporting_reportversion": lambda: ReportVersion.objects.first(),
    "evaluation_score": lambda: Score.objects.first(),
    "accounts_auditevent": lambda: AuditEvent.objects.first(),
}


@pytest.fixture
def period(balikpapan, samarinda, officer_balikpapan, officer_samarinda, admin_user):
    period = late_and_on_time(balikpapan, samarinda, officer_balikpapan, officer_samarinda)
    audit(AuditAction.CYCLE_RULES_CHANGED, period.cycle, by=admin_user, details={})
    return period


@pytest.mark.django_db
def test_an_admin_post_to_change_a_report_is_refused_and_changes_nothing(
    client_for, admin_user, period, balikpapan
):
    # given
    report = Report.objects.get(region=balikpapan)

    # when
    response = client_for(admin_user).post(
        reverse("admin:reporting_report_change", args=[report.pk]),
        {"status": ReportStatus.VERIFIED, "notes": "Diubah lewat admin", "proposals": ""},
    )

    # then
    assert response.status_code == 403
    report.refresh_from_db()
    assert (report.status, report.notes) == (ReportStatus.SUBMITTED, "")


@pytest.mark.django_db
def test_evidence_cannot_be_moved_to_another_report_in_the_admin(
    client_for, admin_user, period, balikpapan, samarinda
):
    # given
    evidence = Evidence.objects.get(report__region=balikpapan)
    other = Report.objects.get(region=samarinda)

    # when
    response = client_for(admin_user).post(
        reverse("admin:reporting_evidence_change", args=[evidence.pk]),
        {"report": other.pk, "requirement": evidence.requirement_id},
    )

    # then
    assert response.status_code == 403
    evidence.refresh_from_db()
    assert evidence.report.region == balikpapan


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(READ_ONLY))
def test_the_change_page_shows_the_row_without_a_save_button(client_for, admin_user, period, model):
    row = READ_ONLY[model]()

    response = client_for(admin_user).get(reverse(f"admin:{model}_change", args=[row.pk]))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(READ_ONLY))
def test_the_delete_view_is_refused_and_the_row_stays(client_for, admin_user, period, model):
    # given
    row = READ_ONLY[model]()
    url = reverse(f"admin:{model}_delete", args=[row.pk])
    client = client_for(admin_user)

    # when
    shown = client.get(url)
    posted = client.post(url, {"post": "yes"})

    # then
    assert (shown.status_code, posted.status_code) == (403, 403)
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(READ_ONLY))
def test_the_bulk_delete_action_is_not_offered_and_does_nothing(
    client_for, admin_user, period, model
):
    # given
    row = READ_ONLY[model]()
    client = client_for(admin_user)

    # when
    listed = client.get(reverse(f"admin:{model}_changelist"))
    client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )

    # then
    assert "delete_selected" not in listed.content.decode()
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(READ_ONLY))
def test_nothing_can_be_added_in_the_admin(client_for, admin_user, period, model):
    response = client_for(admin_user).get(reverse(f"admin:{model}_add"))

    assert response.status_code == 403


@pytest.mark.django_db
def test_audit_events_are_append_only(period):
    event = AuditEvent.objects.get()

    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(object_repr="diubah")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().object_repr == str(period.cycle)
