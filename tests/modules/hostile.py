"""What each hostile test module (tests/modules/bad/hostile_*.c) must end in, in the kernel,
where modules run in ring 3, and in the host runner alike: the status, and for a fault the
exception vector (a page fault is where a module reached for memory that is not its own)."""
GP, PF = 13, 14
MODULES = {
    "hostile_cli_loop": ("fault", GP), "hostile_cli_hlt": ("fault", GP),
    "hostile_hlt": ("fault", GP), "hostile_pic_mask": ("fault", GP),
    "hostile_exit_port": ("fault", GP), "hostile_reset_port": ("fault", GP),
    "hostile_lidt": ("fault", GP), "hostile_lgdt": ("fault", GP),
    "hostile_wrmsr": ("fault", GP), "hostile_int_gate": ("fault", GP),
    "hostile_gs_cpu_block": ("fault", GP),
    "hostile_idt_zero": ("fault", PF), "hostile_forge": ("fault", PF),
    "hostile_stack_smash": ("fault", PF), "hostile_code_write": ("fault", PF),
    "hostile_popf_loop": ("timeout", None),
    "hostile_clobber": ("ok", None),
}
GS_CPU_BLOCK_SELECTOR = 9 << 3   # hostile_gs_cpu_block.c: the i686 kernel's SEL_CPU_LOCAL
FORGE_READS_FIRST = 0x100000    # hostile_forge.c: KERNEL_LOAD_ADDR, where its search starts
# In the host runner SIDT is answered by Linux (UMIP emulation: a fixed dummy base near the
# top of the 32-bit address space), which may fall inside the process's own stack mapping, so
# the write may or may not fault there; only the kernel's verdict is asserted for it.
KERNEL_ONLY = {"hostile_idt_zero"}
