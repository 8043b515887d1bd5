from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.services import load_regions, sync_holidays


class Command(BaseCommand):
    help = "Muat data wilayah (552 Pemda) dan hari libur. Aman dijalankan berulang kali."

    def add_arguments(self, parser):
        this_year = timezone.now().year
        parser.add_argument("--from-year", type=int, default=2024)
        parser.add_argument("--to-year", type=int, default=this_year + 1)

    def handle(self, *args, from_year, to_year, **options):
        created, updated = load_regions()
        self.stdout.write(f"Wilayah: {created} baru, {updated} diperbarui.")
        created, updated = sync_holidays(range(from_year, to_year + 1))
        self.stdout.write(
            f"Hari libur {from_year}-{to_year}: {created} baru, {updated} diperbarui."
        )
