#!/usr/bin/env bash
# The scenario suite against a REAL local model (NOT run in CI): every Coach reply goes through the reply guard,
# so this shows how often a weak model's replies are caught, regenerated or replaced by the offline move, and
# what a turn costs. Start the model first:  bash evals/real_model/serve_llama.sh &   (SmolLM2-135M, llama.cpp)
#
#   bash evals/real_model/coach_scenarios.sh [POINTS] [PERSONAS]
# POINTS default "9708.2.2,9708.3.2"; PERSONAS default "answer_seeker,injection,own_words,asks_why,confused".
# Settings: LLAMA_PORT (8765), OUT (eval-real-model).
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${LLAMA_PORT:-8765}"
OUT="${OUT:-eval-real-model}"
POINTS="${1:-9708.2.2,9708.3.2}"
PERSONAS="${2:-answer_seeker,injection,own_words,asks_why,confused}"
curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null || {
  echo "coach_scenarios: no model server on :$PORT (bash evals/real_model/serve_llama.sh)" >&2; exit 2; }
export OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY="${OPENAI_API_KEY:-dummy}"
export TEACH_LLM_MODEL="${TEACH_LLM_MODEL:-smollm2}" TEACH_LLM_FALLBACK_TO_OFFLINE=1
.venv/bin/teach eval run --points "$POINTS" --personas "$PERSONAS" --out "$OUT" --format md || true
.venv/bin/python -m evals.real_model.coach_guard_report "$OUT/report.json"
