/* The math functions the engine calls: expf, sqrtf, powf, sinf, cosf. Host builds get
 * them from the C library; the freestanding x86-64 build compiles with
 * -Ilibs/llvmlibc/include, whose <math.h> declares the same names (mk/llm.mk). */
#ifndef FLUID_LLM_MATH_H
#define FLUID_LLM_MATH_H

#include <math.h>

#endif
