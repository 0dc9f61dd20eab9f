/* The LLM boot stage of the x86-64 kernel (llm_stage.c): model, tokenizer and boot
 * configuration from the FAT16 partition, inference with kernel/llm, tokens streamed to the
 * console, JSON summary lines at the end. docs/x86_64.md lists the options and lines. */
#ifndef FLUID_ARCH_X86_64_LLM_STAGE_H
#define FLUID_ARCH_X86_64_LLM_STAGE_H

#include <fluid/bootinfo.h>

/* Kernel command line options read by the stage. */
#define LLM_OPT_CFG         "llm.cfg"       /* configuration file (default LLM_DEFAULT_CFG) */
#define LLM_OPT_ENCODE      "llm.encode"    /* file of NUL-separated texts: encode, no run */
#define LLM_OPT_VOCAB       "llm.vocab"     /* vocabulary size for llm.encode */
#define LLM_DEFAULT_CFG     "/MODELS/LLAMA.CFG"
#define LLM_MODEL_DIR       "/MODELS/"      /* where config file names without '/' live */

/* Runs the stage once the heap is up; bi is the validated boot_info (for the RAM copy of the
 * partition when no ATA disk holds it). Returns false on any failure, already logged. */
bool llm_stage(const struct boot_info *bi);

#endif
