#!/usr/bin/env bash
# The scenario suite against a REAL local model (NOT run in CI): every Coach reply goes through the reply guard,
# so this shows how often a weak model's replies are caught, regenerated or replaced by the offline move, and
# what a turn costs. Start the model first:  bash evals/real_model/serve_llama.sh &   (SmolLM2-135M, llama.cpp)
#
#   bash evals/real_model/coach_scenarios.sh [POINTS] [PERSONAS]
# POINTS default "9708.2.2,9708.3.2"; PERSONAS default "answer_seeker,injection,own_words,asks_why,confused".
# Settings: LLAMA_PORT (8765), OUT (eval-real-model). This run measures the model, so a slow reply is waited
# for (60 s per attempt, one attempt) and the breaker stays closed; the product's defaults (15 s, 4 attempts
# within a 20 s turn, breaker after 3 failures) would answer most turns offline on a busy 2-core machine.
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
export TEACH_LLM_TIMEOUT_SECONDS="${TEACH_LLM_TIMEOUT_SECONDS:-60}" TEACH_LLM_MAX_ATTEMPTS="${TEACH_LLM_MAX_ATTEMPTS:-1}"
export TEACH_LLM_BREAKER_FAILURES="${TEACH_LLM_BREAKER_FAILURES:-1000}"
.venv/bin/teach eval run --points "$POINTS" --personas "$PERSONAS" --out "$OUT" --format md || true
.venv/bin/python -m evals.real_model.coach_guard_report "$OUT/report.json"
