// SPDX-License-Identifier: MIT
/*
 * fmt_amdv2.c - AMD-Vi guest (v2) tables (amdvi.md 4.1): x86-64 long-mode
 * entries (pt_x86.h) reached through the GCR3 table, 4 levels (DTE.GPM
 * 00) or 5 (GPM 01); 4K / 2M / 1G pages as Linux's v2 tables have them.
 */
#define PTF_OPS	 pt_fmt_amdv2
#define PTF_ID	 PT_FMT_AMDV2
#define PTF_NAME "amdv2"
#include "pt_x86.h"
