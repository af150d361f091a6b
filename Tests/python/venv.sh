#!/usr/bin/env bash
# Creates (once) the Python venv the end-to-end tests use for third-party
# clients, under .build/venv (ignored by git, never the system Python), with
# the pinned packages of Tests/python/requirements.txt. Prints the venv's
# python. Quick when nothing changed: the venv remembers the requirements it
# was built from and is rebuilt only when they differ.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.build/venv"
requirements="$root/Tests/python/requirements.txt"
stamp="$venv/requirements.installed"
if [ -x "$venv/bin/python" ] && cmp -s "$requirements" "$stamp"; then
  echo "$venv/bin/python"
  exit 0
fi
echo "creating $venv" >&2
rm -rf "$venv"
mkdir -p "$root/.build"
python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
cp "$requirements" "$stamp"
echo "$venv/bin/python"
