#!/usr/bin/env bash
# Run a command again whenever it exits on its own, as Docker's restart policy does in
# production: for `make run` (Procfile.dev), where honcho would otherwise stop everything
# when the worker exits. A stop (TERM/INT from honcho or Ctrl-C) is passed on and ends it.
#
#   deploy/respawn.sh COMMAND [ARGS...]
set -u
child=0
stopping=0
stop() {
  stopping=1
  [ "$child" -ne 0 ] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT
while :; do
  "$@" &
  child=$!
  wait "$child"
  status=$?
  # wait returns early when a signal arrives: wait again for the command to finish.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
  [ "$stopping" -eq 1 ] && exit "$status"
  echo "respawn: '$1' exited with status $status; starting it again in 2 s" >&2
  sleep 2 &
  wait $!
  [ "$stopping" -eq 1 ] && exit "$status"
done
