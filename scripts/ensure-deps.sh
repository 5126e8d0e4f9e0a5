#!/usr/bin/env bash
# Installs what Lathe needs on a fresh machine: npm packages, and the Debian packages behind
# the built-in XGBoost, Python script mode and the compatibility tests. As root it installs
# them; otherwise it prints the exact command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(libxgboost0 python3-xgboost python3-sklearn python3-numpy python3-boto3 awscli postgresql)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Lathe needs these Debian packages: ${missing[*]}"
    echo "Install them with:  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (better-sqlite3 compiles from source: about a minute)"
  npm ci --no-audit --no-fund
fi
