// SPDX-License-Identifier: MIT
/*
 * fmt_x86_64.c - x86-64 paging as VT-d's first stage walks it (vtd.md
 * 5.2): the entries of pt_x86.h, instantiated as PT_FMT_X86_64.
 */
#define PTF_OPS	 pt_fmt_x86_64
#define PTF_ID	 PT_FMT_X86_64
#define PTF_NAME "x86_64"
#include "pt_x86.h"
