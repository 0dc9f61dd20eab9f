/* The LLM boot stage of the x86-64 kernel (kernel/llm/stage.c): model, tokenizer and boot
 * configuration from the FAT16 partition, inference with kernel/llm, tokens streamed to the
 * console, JSON summary lines at the end. docs/x86_64.md lists the options and lines. */
#ifndef FLUID_KERNEL_LLM_STAGE_H
#define FLUID_KERNEL_LLM_STAGE_H

#include <fluid/types.h>

/* Kernel command line options read by the stage. */
#define LLM_OPT_CFG         "llm.cfg"       /* configuration file (default LLM_DEFAULT_CFG) */
#define LLM_OPT_ENCODE      "llm.encode"    /* file of NUL-separated texts: encode, no run */
#define LLM_OPT_VOCAB       "llm.vocab"     /* vocabulary size for llm.encode */
#define LLM_DEFAULT_CFG     "/MODELS/LLAMA.CFG"
#define LLM_MODEL_DIR       "/MODELS/"      /* where config file names without '/' live */

/* The stage (kernel/core/stages.h), run once the heap is up; it reads the partition through
 * the validated boot_info (kernel_boot_info) when no ATA disk holds it. Returns false on any
 * failure, already logged. */
bool llm_stage(void);

#endif
