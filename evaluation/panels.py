"""What evaluation adds to reporting's pages (see reporting.panels)."""

from reporting import panels

from .recaps import region_positions


def officer_standing(request, *, region, cycle):
    """The region's annual positions in its Kanwil and nationally, once it is ranked."""
    if region is None or cycle is None:
        return None
    standing = region_positions(region, cycle)
    if standing is None:
        return None
    return "evaluation/_standing.html", {"standing": standing, "cycle": cycle}


def connect():
    panels.register(panels.OFFICER_HOME, officer_standing)
