"""Who hears of what: a region's officers and the evaluators of the Kanwil covering it."""

from collections import defaultdict

from accounts.days import ministry_zone
from accounts.models import KanwilProvince, Region, Role, User


def officers_of(region):
    return User.objects.filter(role=Role.OFFICER, region=region, is_active=True).select_related(
        "region"
    )


def evaluators_of(region):
    """The evaluators of the Kanwil whose provinces include the region's."""
    return User.objects.filter(
        role=Role.EVALUATOR,
        is_active=True,
        kanwil__provinces__province_id=region.province_id,
    ).select_related("kanwil")


def kanwil_zones():
    """{kanwil id: its seat's zone name} in one query (the first province, as Kanwil.zone)."""
    zones = {}
    for kanwil_id, time_zone in KanwilProvince.objects.order_by("kanwil_id", "pk").values_list(
        "kanwil_id", "province__time_zone"
    ):
        zones.setdefault(kanwil_id, time_zone)
    return zones


def regions_in_zones(zones):
    return Region.objects.filter(time_zone__in=zones)


def evaluators_in_zones(zones):
    """Active evaluators whose Kanwil seat is in one of the zones, grouped by Kanwil id."""
    seats = kanwil_zones()
    kanwils = [k for k, zone in seats.items() if zone in zones]
    grouped = defaultdict(list)
    for user in User.objects.filter(role=Role.EVALUATOR, is_active=True, kanwil_id__in=kanwils):
        grouped[user.kanwil_id].append(user)
    return grouped


def zone_name_of(user, seats=None):
    """The zone name of a person's 08.00 (accounts.days.user_zone, without its query)."""
    if user.is_officer and user.region_id:
        return user.region.time_zone
    if user.is_evaluator and user.kanwil_id:
        seats = seats if seats is not None else kanwil_zones()
        return seats.get(user.kanwil_id, ministry_zone().key)
    return ministry_zone().key
