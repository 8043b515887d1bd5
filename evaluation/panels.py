"""What evaluation adds to reporting's pages (see reporting.panels)."""

from reporting import panels
from reporting.models import ReportStatus

from .recaps import region_positions


def officer_standing(request, *, region, cycle):
    """The region's annual positions in its Kanwil and nationally, once it is ranked."""
    if region is None or cycle is None:
        return None
    standing = region_positions(region, cycle)
    if standing is None:
        return None
    return "evaluation/_standing.html", {"standing": standing, "cycle": cycle}


def is_scored(report, closed):
    """A period's score means something once its report is verified or reporting has closed
    (then an unsent report scores 0); before that there is nothing to explain yet."""
    return closed or (report is not None and report.status == ReportStatus.VERIFIED)


def score_link_in_row(request, *, region, period, report, closed):
    """ "Rincian nilai" beside a scored period on the officer's home page."""
    if region is None or not is_scored(report, closed):
        return None
    return "evaluation/_score_link.html", {"region": region, "period": period, "small": True}


def score_link_on_report(request, *, report, closed):
    """ "Rincian nilai" on the report page, once the report's period is scored."""
    if not is_scored(report, closed):
        return None
    return "evaluation/_score_link.html", {"region": report.region, "period": report.period}


def connect():
    panels.register(panels.OFFICER_HOME, officer_standing)
    panels.register(panels.OFFICER_HOME_ROW, score_link_in_row)
    panels.register(panels.REPORT_PAGE, score_link_on_report)
