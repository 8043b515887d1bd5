from django.core.management.base import BaseCommand

from demo.matrix_sample import SAMPLE_MATRIX, sample_workbook


class Command(BaseCommand):
    help = "Tulis ulang contoh matriks Aksi HAM (XLSX) yang dimuat demo."

    def handle(self, *args, **options):
        SAMPLE_MATRIX.parent.mkdir(parents=True, exist_ok=True)
        SAMPLE_MATRIX.write_bytes(sample_workbook())
        self.stdout.write(f"Ditulis: {SAMPLE_MATRIX}")
