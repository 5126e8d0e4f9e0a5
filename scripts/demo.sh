#!/usr/bin/env bash
# The main demo on the embedded default: start Lathe, train built-in XGBoost on a real
# dataset (breast cancer, binary classification) with `lathe train`, show its metrics, deploy
# the model on an endpoint, send it validation rows as CSV, compare its predictions with the
# true labels, and delete the endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npm run --silent build

data_dir=$(mktemp -d -t lathe-demo-XXXXXX)
port=${LATHE_DEMO_PORT:-7071}
log="$data_dir/server.log"
node dist/cli/main.js serve --port "$port" --data-dir "$data_dir" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
head -n 2 "$log"
echo

lathe() { node dist/cli/main.js --endpoint-url "http://127.0.0.1:$port" --data-dir "$data_dir" "$@"; }

echo "== lathe train: built-in XGBoost on test/fixtures/datasets/breast-cancer"
lathe train --algorithm xgboost \
  --train test/fixtures/datasets/breast-cancer/train.csv \
  --validation test/fixtures/datasets/breast-cancer/validation.csv \
  --hp num_round=100 --hp objective=binary:logistic --hp eval_metric=auc \
  --hp max_depth=4 --hp eta=0.1 --hp early_stopping_rounds=10 \
  --name demo-breast-cancer

echo
echo "== lathe jobs"
lathe jobs list

echo
echo "== lathe deploy: serve the trained model on an endpoint"
lathe deploy demo-breast-cancer --name demo-breast-cancer

echo
echo "== lathe invoke: 12 validation rows as CSV (label column dropped)"
rows=$(head -n 12 test/fixtures/datasets/breast-cancer/validation.csv)
cut -d, -f2- <<<"$rows" >"$data_dir/rows.csv"
predictions=$(lathe invoke demo-breast-cancer --content-type text/csv --body "@$data_dir/rows.csv")
paste <(cut -d, -f1 <<<"$rows") <(printf '%s\n' "$predictions") | awk -F'\t' '
  BEGIN { printf "  %-10s  %-11s  %s\n", "true label", "P(label=1)", "predicted"; right = 0 }
  { p = ($2 >= 0.5) ? 1 : 0; right += (p == $1); printf "  %-10s  %-11.4f  %s\n", $1, $2, p }
  END { printf "  %d of %d right\n", right, NR }'

echo
echo "== lathe endpoints"
lathe endpoints list
lathe endpoints delete demo-breast-cancer
echo
echo "The same server answers the AWS CLI, boto3 and the JS SDK; see README.md."
