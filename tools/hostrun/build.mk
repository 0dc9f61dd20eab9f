# How the host runner (tools/hostrun) is built: included by mk/modules.mk and read by
# tools/fluid/pgo/build.py (which links copies of it with other registries), so keep to
# `NAME := words` lines. Not position-independent: call_on_stack (hostrun.c) finds its saved
# ESP by absolute address, since no register it could address it through survives a module.
HOSTRUN_BASE_CFLAGS := -m32 -msse2 -O2 -g -std=gnu11 -fno-pie -D_GNU_SOURCE -I. -Iinclude
HOSTRUN_LDFLAGS := -m32 -no-pie
HOSTRUN_SRCS := tools/hostrun/hostrun.c kernel/bench/module_loader.c kernel/bench/json.c kernel/arch/x86/exceptions.c kernel/bench/suite_stats.c kernel/bench/suite_run.c kernel/bench/profile.c kernel/bench/fprof.c kernel/core/format.c kernel/lib/sort.c kernel/lib/crc32.c kernel/bench/planner.c kernel/bench/suite_adapt.c kernel/bench/offer.c
