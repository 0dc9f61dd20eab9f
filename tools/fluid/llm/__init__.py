"""The LLM host tools (docs/llm.md, docs/x86_64.md): llama2.c checkpoint formats (fmt),
synthetic models (synth), version-2 conversion (export_v2) and the benchmarks of the inference
engine on Linux (bench) and in the booted x86-64 kernel (bench_kernel). Their command lines
are tools/synth_model.py, tools/export_v2.py, tools/bench_llama.py and
tools/bench_llama_kernel.py; the engine's host CLI is tools/llm/llm_cli.c."""
