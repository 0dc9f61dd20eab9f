#!/usr/bin/env python3
"""Write the FAT16 fuzz seed corpus (small trimmed images, bare and behind an MBR) into
OUTDIR; `make fuzz` starts from it. The image code is fluid.fatimg.

Usage: fatimg.py seeds OUTDIR"""
import sys

from fluid import fatimg

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "seeds":
        fatimg.write_seeds(sys.argv[2])
    else:
        sys.exit(__doc__)
