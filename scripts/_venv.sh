# Shared by scripts/play and scripts/test: create .venv and (re)install when pyproject.toml changed.
# Usage: . scripts/_venv.sh EXTRA   (EXTRA is "" or "test")
set -eu
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
EXTRA=${1:-}
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for cand in python3.13 python3.12 python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PY=$cand; break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "Gesprekstrainer needs Python 3.11 or newer (python3.11+ not found on PATH)." >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "Setting up $VENV (first run; this takes a minute)..." >&2
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
fi
STAMP="$VENV/.installed-${EXTRA:-base}"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
  echo "Installing Gesprekstrainer${EXTRA:+ with [$EXTRA] extras} into .venv..." >&2
  if [ -n "$EXTRA" ]; then SPEC="$ROOT[$EXTRA]"; else SPEC="$ROOT"; fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$SPEC" >&2
  touch "$STAMP"
fi
