"""What each notice says: title, body and the exact page, in the active language.

Every function returns a ``compose(user)`` callable for ``services.notify``.
"""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.days import zone_abbreviation


def day_text(day):
    return formats.date_format(day, "l, j F Y")


def moment_text(moment, zone):
    local = timezone.localtime(moment, zone)
    return _("%(day)s pukul %(time)s %(zone)s") % {
        "day": day_text(local.date()),
        "time": local.strftime("%H.%M"),
        "zone": zone_abbreviation(zone),
    }


def deadline_text(day, region):
    return _("%(day)s pukul 23.59 %(zone)s") % {
        "day": day_text(day),
        "zone": region.zone_abbreviation,
    }


def report_url(user, report):
    if user.is_officer:
        if report.is_editable_by_reporter:
            return reverse("reporting:report-edit", args=[report.period_id])
        return reverse("reporting:report-detail", args=[report.pk])
    return reverse("evaluation:review", args=[report.pk])


def submitted(report, *, resubmitted):
    def compose(user):
        values = {"region": report.region.name, "period": report.period}
        if resubmitted:
            title = _("%(region)s mengirim ulang laporan %(period)s") % values
        else:
            title = _("%(region)s mengirim laporan %(period)s") % values
        body = _("Dikirim %(when)s. Laporan menunggu pemeriksaan Kanwil.") % {
            "when": moment_text(report.last_submitted_at, report.region.zone)
        }
        return title, body, report_url(user, report)

    return compose


def returned(report, revision_request):
    def compose(user):
        title = _("Laporan %(period)s dikembalikan untuk perbaikan") % {"period": report.period}
        lines = []
        if revision_request is not None:
            if revision_request.note:
                lines.append(_("Catatan Kanwil: %(note)s") % {"note": revision_request.note})
            for item in revision_request.items.all():
                line = f"- {item.requirement.name}: {item.get_reason_display()}"
                if item.note:
                    line += f" ({item.note})"
                lines.append(line)
        lines.append(
            _(
                "Perbaiki dan kirim ulang dalam %(days)s hari kerja agar nilai responsivitas "
                "tidak berkurang."
            )
            % {"days": report.period.cycle.revision_sla_days}
        )
        return title, "\n".join(lines), report_url(user, report)

    return compose


def verified(report, score):
    def compose(user):
        title = _("Laporan %(period)s terverifikasi") % {"period": report.period}
        if score is None:
            body = _("Laporan telah diverifikasi Kanwil.")
        else:
            body = _(
                "Nilai akhir (F) %(final)s: kelengkapan (C) %(c)s, ketepatan waktu (T) %(t)s, "
                "responsivitas (R) %(r)s."
            ) % {
                "final": formats.number_format(score.final, 2),
                "c": formats.number_format(score.completeness, 2),
                "t": formats.number_format(score.timeliness, 2),
                "r": formats.number_format(score.responsiveness, 2),
            }
        return title, body, report_url(user, report)

    return compose


def extension_requested(request):
    def compose(user):
        title = _("%(region)s meminta perpanjangan %(period)s") % {
            "region": request.region.name,
            "period": request.period,
        }
        body = _("Batas yang diminta: %(due)s. Alasan: %(reason)s") % {
            "due": deadline_text(request.due_on, request.region),
            "reason": request.reason,
        }
        return title, body, reverse("reporting:extension-requests")

    return compose


def extension_decided(request):
    def compose(user):
        values = {"period": request.period}
        if request.status == "granted":
            title = _("Perpanjangan %(period)s dikabulkan") % values
            body = _("Batas lapor baru: %(due)s.") % {
                "due": deadline_text(request.granted_due_on, request.region)
            }
        else:
            title = _("Perpanjangan %(period)s ditolak") % values
            body = _("Batas lapor tetap. Alasan: %(reason)s") % {"reason": request.decision_reason}
        if request.decision_reason and request.status == "granted":
            body += " " + _("Catatan: %(reason)s") % {"reason": request.decision_reason}
        return title, body, reverse("reporting:officer-home")

    return compose


def piagam_issued(certificate):
    def compose(user):
        title = _("Piagam penghargaan %(year)s terbit untuk %(recipient)s") % {
            "year": certificate.year,
            "recipient": certificate.recipient,
        }
        body = _("Nomor %(number)s. Unduh piagam dari tautan berikut.") % {
            "number": certificate.number or "-"
        }
        return title, body, reverse("piagam:certificate-pdf", args=[certificate.pk])

    return compose


def period_opened(period, region, due_on):
    def compose(user):
        title = _("Pelaporan %(period)s dibuka") % {"period": period}
        body = _("Batas lapor %(region)s: %(due)s.") % {
            "region": region.name,
            "due": deadline_text(due_on, region),
        }
        return title, body, reverse("reporting:report-edit", args=[period.pk])

    return compose


def deadline(period, region, due_on, days_left):
    def compose(user):
        if days_left == 0:
            title = _("Hari ini batas lapor %(period)s") % {"period": period}
        else:
            title = _("Batas lapor %(period)s tinggal %(days)s hari") % {
                "period": period,
                "days": days_left,
            }
        body = _("Laporan %(region)s belum dikirim. Batas: %(due)s.") % {
            "region": region.name,
            "due": deadline_text(due_on, region),
        }
        return title, body, reverse("reporting:report-edit", args=[period.pk])

    return compose


def reminder(period, region, due_on, sender):
    def compose(user):
        title = _("Kanwil mengingatkan: laporan %(period)s belum dikirim") % {"period": period}
        body = _("%(who)s mengingatkan bahwa laporan %(region)s belum dikirim. Batas: %(due)s.") % {
            "who": sender.shown_name,
            "region": region.name,
            "due": deadline_text(due_on, region),
        }
        return title, body, reverse("reporting:report-edit", args=[period.pk])

    return compose


def return_unanswered(revision_request, working_days):
    report = revision_request.report

    def compose(user):
        title = _("Perbaikan laporan %(period)s belum dikirim") % {"period": report.period}
        body = _(
            "Laporan dikembalikan %(when)s dan sudah %(days)s hari kerja belum dikirim ulang."
        ) % {
            "when": moment_text(revision_request.returned_at, report.region.zone),
            "days": working_days,
        }
        return title, body, report_url(user, report)

    return compose


def review_overdue(report, working_days):
    def compose(user):
        title = _("Laporan %(region)s %(period)s menunggu %(days)s hari kerja") % {
            "region": report.region.name,
            "period": report.period,
            "days": working_days,
        }
        body = _("Batas layanan pemeriksaan: %(sla)s hari kerja.") % {
            "sla": report.period.cycle.review_sla_days
        }
        return title, body, report_url(user, report)

    return compose
