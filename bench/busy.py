"""A busy deadline day: officers save and then submit their report with evidence, all at once.

``prepare(n)`` picks ``n`` officers of regions with a period open in this year's cycle (made
by ``measure.ensure_current_cycle``) that have not sent its report, gives each a session and
prepares their two POSTs of the report form (save the draft with one PDF per required
document, then send it). ``Deadline`` runs them in background threads, one per officer, while
the benchmark measures the work pages; its ``result`` counts what was answered.
"""

import secrets
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from accounts.models import Role, User
from demo.story import specimen_pdf
from reporting.models import Period, ProgressStatus, Report, ReportStatus
from reporting.requirements import report_requirements

AUTH_BACKEND = settings.AUTHENTICATION_BACKENDS[-1]  # the one that checks passwords


@dataclass
class Officer:
    user_id: int
    region_id: int
    period_id: int
    cookie: str  # "sessionid=...; csrftoken=..."
    csrf: str
    fields: list  # [(name, value)] of the form, besides the files
    files: list  # [(name, filename, bytes)]


@dataclass
class BusyResult:
    saved: int = 0
    submitted: int = 0
    failed: int = 0
    seconds: list = field(default_factory=list)  # per POST
    elapsed: float = 0.0
    concurrency: int = 0
    left: int = 0  # officers who had not started when the measurement ended
    first_error: str = ""  # the first POST that raised instead of answering

    def summary(self):
        ordered = sorted(self.seconds) or [0.0]
        p50 = ordered[len(ordered) // 2] * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        rate = (self.saved + self.submitted) / self.elapsed if self.elapsed else 0.0
        return (
            f"{self.concurrency} officers at a time: {self.saved} drafts saved with evidence and "
            f"{self.submitted} reports sent, {self.left} officers not reached, "
            f"{self.failed} failed, {rate:.1f} POST/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms"
            + (f" (first failure: {self.first_error})" if self.first_error else "")
        )


def _open_period(cycle_periods, today):
    return [p for p in cycle_periods if p.opens_on <= today <= p.closes_on][-1]


def prepare(count):
    """Up to ``count`` officers with a session, a CSRF secret and their report form's data,
    of regions that have not sent this period's report: not started yet, or a draft (as on a
    deadline day, most have one: the seeded round in progress gives them drafts), whose
    revision the first POST carries."""
    today = timezone.now().date()
    year = today.year
    periods = list(Period.objects.filter(cycle__year=year).order_by("opens_on"))
    period = _open_period(periods, today)
    reports = Report.objects.filter(period=period)
    drafts = dict(reports.filter(status=ReportStatus.DRAFT).values_list("region", "revision"))
    # The bench users' region is left alone: the officer pages are measured on it.
    officers = (
        User.objects.filter(role=Role.OFFICER, username__startswith="skala.petugas.")
        .exclude(region__in=User.objects.filter(username="bench.officer").values("region"))
        .exclude(region__in=reports.exclude(status=ReportStatus.DRAFT).values("region"))
        .select_related("region")
        .order_by("username")
    )
    pdf = specimen_pdf("Data dukung", "bench", ["Contoh data dukung benchmark."])
    prepared = []
    for user in officers:
        blocks = report_requirements(user.region, period)
        if not blocks:
            continue
        csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = AUTH_BACKEND
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        fields, files = report_form_fields(blocks, csrf, pdf)
        if user.region_id in drafts:  # saved on top of the draft as it stands
            fields = with_revision(fields, drafts[user.region_id])
        prepared.append(
            Officer(
                user_id=user.pk,
                region_id=user.region_id,
                period_id=period.pk,
                cookie=f"sessionid={session.session_key}; csrftoken={csrf}",
                csrf=csrf,
                fields=fields,
                files=files,
            )
        )
        if len(prepared) == count:
            break
    return prepared


def report_form_fields(blocks, csrf, pdf):
    """The report form's fields as an officer fills them in: every action done with a
    narrative, one PDF per required document; ([(name, value)], [(name, filename, bytes)])."""
    fields = [
        ("csrfmiddlewaretoken", csrf),
        ("revision", "0"),
        ("notes", ""),
        ("proposals", ""),
    ]
    files = []
    for block in blocks:
        prefix = f"aksi-{block.action.pk}"
        fields += [
            (f"{prefix}-narrative", "Kegiatan sudah dilaksanakan sesuai rencana."),
            (f"{prefix}-progress", ProgressStatus.DONE),
        ]
        for requirement in block.requirements:
            files.append((f"dok-{requirement.pk}-files", "data-dukung.pdf", pdf))
    return fields, files


def with_revision(fields, revision):
    """The same fields on top of the report's ``revision`` (0: no report yet)."""
    return [(n, str(revision or 0) if n == "revision" else v) for n, v in fields]


def send_fields(fields, revision):
    """The same fields sent on top of the saved draft's revision, as the dialog's "Ya, kirim
    laporan" posts them ("confirmed" is what confirm.js adds once the officer accepts)."""
    return [*with_revision(fields, revision), ("kirim", "1"), ("confirmed", "1")]


def _multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, filename, content in files:
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


_REVISION_LOCK = threading.Lock()


def _current_revision(officer):
    """The report's revision after its draft was saved. One thread at a time reads it, on a
    connection closed at once: a hundred threads each keeping a connection would take the
    database's connection slots from the portal being measured."""
    from django.db import connection

    with _REVISION_LOCK:
        try:
            return (
                Report.objects.filter(region=officer.region_id, period=officer.period_id)
                .values_list("revision", flat=True)
                .first()
            )
        finally:
            connection.close()


def _post(url, officer, *, send):
    fields = list(officer.fields)
    if send:
        # The draft just saved moved the report's revision: send on top of it.
        fields = send_fields(fields, _current_revision(officer))
    body, content_type = _multipart(fields, officer.files if not send else [])
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Cookie": officer.cookie, "Content-Type": content_type},
    )
    try:
        with OPENER.open(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Deadline:
    """Officers saving and then submitting their report, ``concurrency`` at a time, each once,
    in background threads until every prepared officer has sent or the block ends."""

    def __init__(self, base_url, officers, concurrency=100):
        self.base_url, self.officers = base_url, officers
        self.concurrency = min(concurrency, len(officers))
        self.result = BusyResult()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.queue = list(officers)
        self.threads = []

    def _next(self):
        with self.lock:
            return self.queue.pop() if self.queue else None

    def _work(self):
        while not self.stop.is_set() and (officer := self._next()) is not None:
            url = f"{self.base_url}/laporan/periode/{officer.period_id}/"
            for send in (False, True):
                started = time.perf_counter()
                try:
                    status = _post(url, officer, send=send)
                except Exception as error:  # a refused connection or a timeout is a failure too
                    status = None
                    with self.lock:
                        self.result.first_error = self.result.first_error or repr(error)
                with self.lock:
                    self.result.seconds.append(time.perf_counter() - started)
                    if status != 302:
                        self.result.failed += 1
                    elif send:
                        self.result.submitted += 1
                    else:
                        self.result.saved += 1

    def __enter__(self):
        self.started = time.perf_counter()
        for _ in range(self.concurrency):
            thread = threading.Thread(target=self._work, daemon=True)
            thread.start()
            self.threads.append(thread)
        time.sleep(2)  # let the load build up before anything is measured
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=180)
        self.result.elapsed = time.perf_counter() - self.started
        self.result.concurrency = self.concurrency
        self.result.left = len(self.queue)
        from django.db import connections

        connections.close_all()
        return False
