import shlex
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from piagam.signing import create_self_signed_pkcs12


class Command(BaseCommand):
    help = (
        "Buat kunci dan sertifikat swatanda (self-signed) untuk menandatangani piagam contoh. "
        "Hanya untuk demo: piagam resmi ditandatangani dengan sertifikat dari penerbit tepercaya."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=Path("var/signing/demo.p12"))
        parser.add_argument("--passphrase", required=True)
        parser.add_argument("--organisation", default="Portal Aksi HAM (contoh)")
        parser.add_argument("--days", type=int, default=730)

    def handle(self, *args, out, passphrase, organisation, days, **options):
        try:
            path = create_self_signed_pkcs12(
                out, passphrase=passphrase, organisation=organisation, days=days
            )
        except FileExistsError as error:
            raise CommandError(
                f"{out} sudah ada. Kunci lama tidak ditimpa karena piagam yang sudah "
                "ditandatangani dengannya tidak dapat diverifikasi lagi; hapus sendiri bila yakin."
            ) from error
        self.stdout.write(f"Kunci penandatanganan contoh dibuat: {path}")
        self.stdout.write("Tambahkan ke lingkungan (environment) worker dan web:")
        self.stdout.write(f"  PIAGAM_SIGNING_PKCS12={shlex.quote(str(path.resolve()))}")
        self.stdout.write(f"  PIAGAM_SIGNING_PASSPHRASE={shlex.quote(passphrase)}")
