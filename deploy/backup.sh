#!/usr/bin/env bash
# Backup and restore of the portal's database and media (evidence files and signed piagam).
#
#   deploy/backup.sh backup  [DEST_DIR]     # makes DEST_DIR/ranham-<UTC time>/ (default var/backups)
#   deploy/backup.sh restore BACKUP_DIR     # into the DATABASE_URL and MEDIA_ROOT now set
#
# The database and media root are those the portal's settings read (DATABASE_URL,
# MEDIA_ROOT, VAR_DIR): PostgreSQL is dumped with pg_dump (custom format) and restored with
# pg_restore into the named database (created if missing, refused if it already has tables
# unless RESTORE_CLEAN=1); SQLite is copied with `sqlite3 .backup`. Media is a tar archive
# with a SHA-256 list of its files, checked after restoring.
#
# With a bucket (STORAGE_URL or AWS_*), the media archive holds the bucket's objects that the
# database names (every evidence file and piagam PDF): they are copied out with
# `manage.py move_files --to-local` into a staging folder, each SHA-256 checked against its
# row, and a restore puts them back with `move_files --to-bucket` after the database.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"

die() { echo "backup: $*" >&2; exit 1; }

# ENGINE NAME HOST PORT USER PASSWORD MEDIA_ROOT, as the portal's settings see them.
load_settings() {
  eval "$(cd "$ROOT" && DJANGO_SETTINGS_MODULE=ranham_portal.settings "$PY" - <<'PYEOF'
import shlex
import django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
engine = "postgresql" if "postgresql" in db["ENGINE"] else "sqlite" if "sqlite" in db["ENGINE"] else db["ENGINE"]
values = {"DB_ENGINE": engine, "DB_NAME": db["NAME"], "DB_HOST": db.get("HOST") or "",
          "DB_PORT": db.get("PORT") or "", "DB_USER": db.get("USER") or "",
          "DB_PASSWORD": db.get("PASSWORD") or "", "MEDIA_DIR": settings.MEDIA_ROOT,
          "BUCKET": "1" if settings.OBJECT_STORAGE else "0"}
for key, value in values.items():
    print(f"{key}={shlex.quote(str(value))}")
PYEOF
)"
  export PGPASSWORD="$DB_PASSWORD"
  PG_ARGS=()
  [ -n "$DB_HOST" ] && PG_ARGS+=(-h "$DB_HOST")
  [ -n "$DB_PORT" ] && PG_ARGS+=(-p "$DB_PORT")
  [ -n "$DB_USER" ] && PG_ARGS+=(-U "$DB_USER")
  return 0
}

# pg_dump refuses a server of a newer major version, and a dump made by an older pg_dump may
# miss what the newer server has: say so before anything is written.
check_pg_dump_version() {
  local server client
  server="$(psql "${PG_ARGS[@]}" -d "$DB_NAME" -tAc "SHOW server_version_num")" \
    || die "cannot reach the database $DB_NAME"
  server=$(( server / 10000 ))
  client="$(pg_dump --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')"
  if [ "$client" -lt "$server" ]; then
    die "pg_dump is version $client but the server is PostgreSQL $server: install the client tools of version $server or newer (postgresql-client-$server), or run the server on version $client"
  fi
}

backup() {
  local dest_root="${1:-$ROOT/var/backups}"
  load_settings
  [ "$DB_ENGINE" = postgresql ] && check_pg_dump_version
  local stamp dest
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  dest="$dest_root/ranham-$stamp"
  mkdir -p "$dest"
  case "$DB_ENGINE" in
    postgresql)
      pg_dump "${PG_ARGS[@]}" --format=custom --no-owner --no-privileges \
        --file "$dest/database.dump" "$DB_NAME" ;;
    sqlite)
      [ -f "$DB_NAME" ] || die "no SQLite database at $DB_NAME"
      sqlite3 "$DB_NAME" ".backup '$dest/database.sqlite3'" ;;
    *) die "unsupported database engine $DB_ENGINE" ;;
  esac
  if [ "$BUCKET" = "1" ]; then
    MEDIA_DIR="$(mktemp -d)"
    trap 'rm -rf "$MEDIA_DIR"' EXIT
    (cd "$ROOT" && MEDIA_ROOT="$MEDIA_DIR" "$PY" manage.py move_files --to-local) >&2 \
      || die "could not copy the bucket's objects"
  fi
  mkdir -p "$MEDIA_DIR"
  (cd "$MEDIA_DIR" && find . -type f ! -name '.*.tmp' -print0 | sort -z \
    | xargs -0 -r sha256sum) > "$dest/media.sha256"
  tar -C "$MEDIA_DIR" --exclude='.*.tmp' -czf "$dest/media.tar.gz" .
  {
    echo "created_at=$stamp"
    echo "engine=$DB_ENGINE"
    echo "storage=$([ "$BUCKET" = "1" ] && echo bucket || echo local)"
    echo "media_files=$(wc -l < "$dest/media.sha256")"
  } > "$dest/MANIFEST"
  echo "$dest"
}

restore() {
  local src="${1:?usage: backup.sh restore BACKUP_DIR}"
  [ -f "$src/MANIFEST" ] || die "$src is not a backup (no MANIFEST)"
  load_settings
  local engine
  engine="$(sed -n 's/^engine=//p' "$src/MANIFEST")"
  [ "$engine" = "$DB_ENGINE" ] || die "backup is $engine, DATABASE_URL is $DB_ENGINE"
  case "$DB_ENGINE" in
    postgresql)
      if ! psql "${PG_ARGS[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
        createdb "${PG_ARGS[@]}" "$DB_NAME"
      fi
      local tables
      tables="$(psql "${PG_ARGS[@]}" -d "$DB_NAME" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
      local clean=()
      if [ "$tables" != "0" ]; then
        [ "${RESTORE_CLEAN:-0}" = "1" ] || die "$DB_NAME already has $tables tables (RESTORE_CLEAN=1 replaces them)"
        clean=(--clean --if-exists)
      fi
      pg_restore "${PG_ARGS[@]}" --no-owner --no-privileges --exit-on-error --single-transaction \
        "${clean[@]}" -d "$DB_NAME" "$src/database.dump" ;;
    sqlite)
      if [ -s "$DB_NAME" ] && [ "${RESTORE_CLEAN:-0}" != "1" ]; then
        die "$DB_NAME exists (RESTORE_CLEAN=1 replaces it)"
      fi
      mkdir -p "$(dirname "$DB_NAME")"
      sqlite3 "$DB_NAME" ".restore '$src/database.sqlite3'" ;;
  esac
  local target="$MEDIA_DIR"
  if [ "$BUCKET" = "1" ]; then
    MEDIA_DIR="$(mktemp -d)"
    trap 'rm -rf "$MEDIA_DIR"' EXIT
  fi
  mkdir -p "$MEDIA_DIR"
  tar -C "$MEDIA_DIR" -xzf "$src/media.tar.gz"
  (cd "$MEDIA_DIR" && sha256sum --quiet -c "$src/media.sha256") || die "media files differ from the backup"
  if [ "$BUCKET" = "1" ]; then
    (cd "$ROOT" && MEDIA_ROOT="$MEDIA_DIR" "$PY" manage.py move_files --to-bucket) >&2 \
      || die "could not put the files back into the bucket"
    target="the bucket"
  fi
  echo "restored $src into $DB_ENGINE:$DB_NAME and $target"
}

case "${1:-}" in
  backup) shift; backup "$@" ;;
  restore) shift; restore "$@" ;;
  *) echo "usage: $0 backup [DEST_DIR] | restore BACKUP_DIR" >&2; exit 2 ;;
esac
