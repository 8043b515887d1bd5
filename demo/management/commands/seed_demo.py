from django.core.management.base import BaseCommand, CommandError

from accounts.models import Region
from demo.story import seed_demo


class Command(BaseCommand):
    help = "Buat data contoh (siklus 2025, Kanwil Kaltim, 7 aksi, pengguna contoh)."

    def handle(self, *args, **options):
        if not Region.objects.filter(code="64.71").exists():
            raise CommandError("Data wilayah belum dimuat: jalankan load_reference_data dulu.")
        result = seed_demo()
        self.stdout.write(f"Kanwil: {result.kanwil.name}")
        self.stdout.write("Siklus: " + ", ".join(str(cycle) for cycle in result.cycles))
        self.stdout.write("Pengguna contoh (hanya untuk demo, jangan dipakai di produksi):")
        for username, password, role in result.users:
            self.stdout.write(f"  {username:<22} {password:<22} {role}")
