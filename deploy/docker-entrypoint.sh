#!/bin/sh
# The container's entry point: `docker run IMAGE crawl` and `docker run IMAGE kremlin-watch crawl`
# both run `kremlin-watch crawl`, and `docker run IMAGE sh` (or python, …) runs that program.
#
# The first argument is taken as a program when it names an executable file, as a path or on PATH;
# anything else (a subcommand, an option such as --help, or nothing) goes to `kremlin-watch`.
# A file on PATH rather than `command -v`, which also finds shell builtins and functions (`export`
# is a kremlin-watch subcommand and a builtin).
set -eu

is_program() {
    case "$1" in
        */*) [ -f "$1" ] && [ -x "$1" ]; return ;;
    esac
    remaining="$PATH:"
    while [ -n "$remaining" ]; do
        directory="${remaining%%:*}"
        remaining="${remaining#*:}"
        if [ -f "${directory:-.}/$1" ] && [ -x "${directory:-.}/$1" ]; then
            return 0
        fi
    done
    return 1
}

if [ "$#" -eq 0 ] || ! is_program "$1"; then
    set -- kremlin-watch "$@"
fi
exec "$@"
