#!/bin/sh
# A stand-in for the `incus` CLI, because there is no Incus here: it accepts
# the subset fleets/examples/incus_connector.ts uses and runs the command on
# this machine. `incus info NAME` fails for names starting with "missing".
#   incus [--project P] info NAME
#   incus [--project P] exec NAME -- CMD...
set -eu
if [ "${1:-}" = "--project" ]; then shift 2; fi
case "${1:-}" in
  info)
    case "${2:-}" in
      missing*) echo "Error: Instance not found" >&2; exit 1 ;;
      *) echo "Name: $2"; echo "Status: RUNNING" ;;
    esac
    ;;
  exec)
    shift 2
    [ "${1:-}" = "--" ] && shift
    exec "$@"
    ;;
  *)
    echo "fake incus: unsupported command: $*" >&2
    exit 2
    ;;
esac
