"""The profile-guided recompile loop's parts (docs/pgo.md); tools/pgo.py drives them.

    build     candidate builds of a module, instrumented builds, host runners over .mod sets
    measure   profiles by QEMU -icount, host cycles or a hardware log; candidates' costs
    profraw   LLVM raw profiles from an instrumented module's dumped counters
    report    report.json, report.md and chart.svg of a loop"""
