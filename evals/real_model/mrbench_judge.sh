#!/usr/bin/env bash
# The LLM judge against MRBench's human labels with a REAL local model (NOT run in CI): SmolLM2-135M served by
# llama.cpp (start it first: bash evals/real_model/serve_llama.sh &). Prints coverage (scored/total per
# dimension), macro-F1 with 95% intervals, kappa and the confusion matrices, and the wall time.
#
#   bash evals/real_model/mrbench_judge.sh [LIMIT]
# LIMIT (default 12) = the first N responses of the dev file: a 135M model on 2 shared cores takes tens of
# seconds per response, so the whole file (860) is hours. Settings: LLAMA_PORT (8765), OUT, MRBENCH.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${LLAMA_PORT:-8765}"
LIMIT="${1:-12}"
OUT="${OUT:-eval-real-model/mrbench_llm.json}"
MRBENCH="${MRBENCH:-../shared/data/mrbench/mrbench_v2_dev.json}"
curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null || {
  echo "mrbench_judge: no model server on :$PORT (bash evals/real_model/serve_llama.sh)" >&2; exit 2; }
export OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY="${OPENAI_API_KEY:-dummy}"
export TEACH_LLM_MODEL="${TEACH_LLM_MODEL:-smollm2}"
started=$(date +%s)
.venv/bin/teach eval mrbench "$MRBENCH" --scorer llm --limit "$LIMIT" --out "$OUT" --confusion
echo "wall time: $(( $(date +%s) - started )) s for $LIMIT responses"
