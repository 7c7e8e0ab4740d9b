#!/usr/bin/env bash
# Installs everything EduQuality needs on a fresh Debian machine: system packages (Chinese
# fonts for PDFs, Chromium for browser tests, R with quantreg/lme4/psych for reference values,
# poppler and LibreOffice to check reports) and a virtual environment with the package.
# Idempotent: a second run with nothing changed returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(fonts-noto-cjk chromium poppler-utils libreoffice-calc-nogui
              r-base-core r-cran-psych r-cran-quantreg r-cran-lme4 postgresql)
PYTHON=${PYTHON:-python3}
stamp=.setup-stamp
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"

if [[ -f $stamp && "$(cat $stamp)" == "$want" && -x .venv/bin/eduquality ]]; then
  exit 0
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "[setup] installing system packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "[setup] creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "[setup] installing Python packages"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
echo "$want" > $stamp
echo "[setup] done"
