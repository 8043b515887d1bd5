from django.core.management.base import BaseCommand, CommandError

from demo.scale import ScaleError, seed_scale


class Command(BaseCommand):
    help = (
        "Buat data skala nasional untuk benchmark: 20 Kanwil, semua wilayah, beberapa siklus "
        "laporan dengan reviu, perbaikan dan nilai. Bukan data demo; jangan di server produksi."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fraction",
            type=float,
            default=1.0,
            help="Bagian wilayah yang diberi data: 0.1 = setiap wilayah ke-10 (menurut kode).",
        )
        parser.add_argument("--cycles", type=int, default=5, help="Jumlah siklus (tahun).")
        parser.add_argument(
            "--regions", type=int, default=None, help="Batasi ke N wilayah pertama (untuk uji)."
        )
        parser.add_argument("--last-year", type=int, default=2025, help="Tahun siklus terakhir.")
        parser.add_argument(
            "--no-current",
            dest="current",
            action="store_false",
            help="Tanpa siklus tahun berjalan (putaran yang sedang berlangsung per hari ini).",
        )

    def handle(self, *args, fraction, cycles, regions, last_year, current, **options):
        if not 0 < fraction <= 1:
            raise CommandError("--fraction harus di antara 0 dan 1.")
        if cycles < 1:
            raise CommandError("--cycles minimal 1.")
        try:
            result = seed_scale(
                fraction=fraction,
                cycles=cycles,
                limit=regions,
                last_year=last_year,
                current=current,
                log=self.stdout.write,
            )
        except ScaleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Selesai: {result.regions} wilayah, {result.kanwil} Kanwil, "
            f"siklus {result.years[0]}-{result.years[-1]}"
        )
        for model, count in sorted(result.counts.items()):
            self.stdout.write(f"  {model:<16} {count:>9}")
        seconds = ", ".join(f"{name} {value:.1f} s" for name, value in result.seconds.items())
        self.stdout.write(f"Waktu: {seconds}")
