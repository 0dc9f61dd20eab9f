/* VGA text console: 80x25 cells of (character, attribute) at 0xB8000, scrolled in software,
 * hardware cursor moved through the CRTC index/data ports (IBM VGA technical reference). */
#include "kernel/core/console.h"
#include "kernel/arch/x86/io.h"

#define VGA_TEXT_BUFFER     0xB8000
#define VGA_COLS            80
#define VGA_ROWS            25
#define VGA_ATTR_DEFAULT    0x07    /* light grey on black */
#define VGA_TAB_WIDTH       8
#define CRTC_INDEX          0x3D4
#define CRTC_DATA           0x3D5
#define CRTC_CURSOR_HIGH    0x0E
#define CRTC_CURSOR_LOW     0x0F

static volatile uint16_t *const vga_cells = (volatile uint16_t *)VGA_TEXT_BUFFER;
static unsigned vga_row, vga_col;

static uint16_t vga_cell(char c)
{
    return (uint16_t)(uint8_t)c | (uint16_t)(VGA_ATTR_DEFAULT << 8);
}

static void vga_move_cursor(void)
{
    uint16_t pos = (uint16_t)(vga_row * VGA_COLS + vga_col);
    outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
    outb(CRTC_DATA, pos >> 8);
    outb(CRTC_INDEX, CRTC_CURSOR_LOW);
    outb(CRTC_DATA, pos & 0xFF);
}

static void vga_scroll(void)
{
    for (unsigned i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
        vga_cells[i] = vga_cells[i + VGA_COLS];
    for (unsigned i = 0; i < VGA_COLS; i++)
        vga_cells[(VGA_ROWS - 1) * VGA_COLS + i] = vga_cell(' ');
    vga_row = VGA_ROWS - 1;
}

void vga_init(void)
{
    for (unsigned i = 0; i < VGA_ROWS * VGA_COLS; i++)
        vga_cells[i] = vga_cell(' ');
    vga_row = vga_col = 0;
    vga_move_cursor();
}

static void vga_newline(void)
{
    vga_col = 0;
    if (++vga_row == VGA_ROWS)
        vga_scroll();
}

void vga_putc(char c)
{
    if (c == '\n') {
        vga_newline();
    } else if (c == '\r') {
        vga_col = 0;
    } else if (c == '\t') {
        do
            vga_putc(' ');
        while (vga_col % VGA_TAB_WIDTH);
        return;
    } else {
        vga_cells[vga_row * VGA_COLS + vga_col] = vga_cell(c);
        if (++vga_col == VGA_COLS)
            vga_newline();
    }
    if (c == '\n')
        vga_move_cursor();
}
