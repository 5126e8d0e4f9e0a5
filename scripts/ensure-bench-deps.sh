#!/usr/bin/env bash
# The benchmarks' peers and load generator (not needed by the tests): SageMaker's XGBoost
# serving stack replicated (gunicorn + gevent + Flask + Python xgboost) and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
packages=(python3-flask gunicorn python3-gevent wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The benchmarks need: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi
