// SPDX-License-Identifier: MIT
/*
 * drv_domain.c - the SMMUv3 driver's tables and domains: the Stream table
 * (linear or 2-level, smmuv3 2.1-2.3), STEs (2.4, 2.7), CDs (3.1, 3.4),
 * ASIDs, paging domains on core/pt, map/unmap and the TLBIs they gather
 * (5.5, 9.2), hitless attach, the static blocked and identity domains.
 * The choices it follows are in drv.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"
#include "ilib_pt.h"
#include "ilib_pt_walk.h"

static const struct iommu_domain_ops smmu_paging_ops;

/* ---- Stream table -------------------------------------------------------- */

/* An STE as "V, Config abort" (smmuv3 1.7, TV3). */
static void ste_init_abort(uint64_t *ste, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (unsigned int k = 1; k < SMMU_STE_DWORDS; k++)
			ilib_le64_store(&ste[i * SMMU_STE_DWORDS + k], 0);
		ilib_le64_store(&ste[i * SMMU_STE_DWORDS],
				SMMU_STE_DW0_V |
				    smmu_field_prep(SMMU_STE_DW0_CONFIG,
						    SMMU_STE_CFG_ABORT));
	}
}

/**
 * smmu_st_setup() - allocate the Stream table and program STRTAB_BASE*
 * @s: instance, SMMUEN off
 * Context: probe.  Return: 0; -ENOMEM, -EFAULT table memory; -EIO MMIO.
 */
int smmu_st_setup(struct smmu_drv *s)
{
	uint32_t cfg;
	void *va;
	int err;

	s->st_2lvl =
	    smmu_field_get(SMMU_IDR0_ST_LEVEL, s->idr0) == SMMU_ST_LEVEL_2LVL &&
	    s->sid_bits > SMMU_ST_LINEAR_MAX;
	if (s->st_2lvl) {
		unsigned int l1 = s->sid_bits - SMMU_ST_SPLIT;

		if (l1 > SMMU_ST_L1_MAX_LG2)
			l1 = SMMU_ST_L1_MAX_LG2;
		s->st_log2size = l1 + SMMU_ST_SPLIT;
		s->st_size = (size_t)SMMU_L1STD_SIZE << l1;
		s->l2_pa = calloc((size_t)1 << l1, sizeof(*s->l2_pa));
		if (!s->l2_pa)
			return -ENOMEM;
		cfg = (uint32_t)(smmu_field_prep(SMMU_STRTAB_CFG_FMT,
						 SMMU_STRTAB_FMT_2LVL) |
				 smmu_field_prep(SMMU_STRTAB_CFG_SPLIT,
						 SMMU_ST_SPLIT));
	} else {
		s->st_log2size = s->sid_bits;
		s->st_size = (size_t)SMMU_STE_SIZE << s->sid_bits;
		cfg = (uint32_t)smmu_field_prep(SMMU_STRTAB_CFG_FMT,
						SMMU_STRTAB_FMT_LINEAR);
	}
	cfg |=
	    (uint32_t)smmu_field_prep(SMMU_STRTAB_CFG_LOG2SIZE, s->st_log2size);
	if (s->st_size < 4096)
		s->st_size = 4096;
	err = ilib_table_alloc(s->host, "smmuv3", s->st_size, &s->st_pa, &va);
	if (err) {
		s->st_size = 0;
		return err;
	}
	s->st = va;
	if (!s->st_2lvl)
		ste_init_abort(s->st, (size_t)1 << s->sid_bits);
	if (ilib_mmio_write64(&s->bus, SMMU_STRTAB_BASE,
			      SMMU_STRTAB_BASE_RA |
				  (s->st_pa & SMMU_STRTAB_BASE_ADDR)) ||
	    ilib_mmio_write32(&s->bus, SMMU_STRTAB_BASE_CFG, cfg))
		return -EIO;
	return 0;
}

/* The STE of @sid, or NULL (no L2 array, or beyond the table). */
uint64_t *smmu_ste_ptr(struct smmu_drv *s, uint32_t sid)
{
	uint32_t l1;
	uint64_t *l2;

	if (s->st_log2size < 32 && sid >> s->st_log2size)
		return NULL;
	if (!s->st_2lvl)
		return s->st + (size_t)sid * SMMU_STE_DWORDS;
	l1 = sid >> SMMU_ST_SPLIT;
	pthread_mutex_lock(&s->st_lock);
	l2 = s->l2_pa[l1] ? ilib_table_ptr(s->host, s->l2_pa[l1],
					   SMMU_STE_SIZE << SMMU_ST_SPLIT)
			  : NULL;
	pthread_mutex_unlock(&s->st_lock);
	if (!l2)
		return NULL;
	return l2 +
	       (size_t)(sid & ((1u << SMMU_ST_SPLIT) - 1)) * SMMU_STE_DWORDS;
}

/**
 * smmu_st_l2_alloc() - make sure @sid has an STE (2-level: its L2 array)
 * The array is filled with abort STEs before the L1STD (Span 9) points
 * at it, then the L1STD is invalidated (CFGI_STE with Leaf 0).
 * Context: dev_lock held for writing.
 * Return: 0; -ERANGE @sid beyond the table; -ENOMEM; -EFAULT; queue errors.
 */
int smmu_st_l2_alloc(struct smmu_drv *s, uint32_t sid)
{
	size_t size = (size_t)SMMU_STE_SIZE << SMMU_ST_SPLIT;
	uint32_t l1 = sid >> SMMU_ST_SPLIT;
	struct smmu_cmd c[1];
	uint64_t pa;
	void *va;
	int err;

	if (s->st_log2size < 32 && sid >> s->st_log2size)
		return -ERANGE;
	if (!s->st_2lvl || s->l2_pa[l1])
		return 0;
	err = ilib_table_alloc(s->host, "smmuv3", size, &pa, &va);
	if (err)
		return err;
	ste_init_abort(va, (size_t)1 << SMMU_ST_SPLIT);
	pthread_mutex_lock(&s->st_lock);
	s->l2_pa[l1] = pa;
	pthread_mutex_unlock(&s->st_lock);
	/* smmuv3 2.3: Span = SPLIT + 1 covers the 2^SPLIT STEs. */
	ilib_le64_store(&s->st[l1], (pa & SMMU_L1STD_L2PTR) |
					smmu_field_prep(SMMU_L1STD_SPAN,
							SMMU_ST_SPLIT + 1));
	c[0] = smmu_cmd_cfgi_ste(sid, false);
	return smmu_submit(s, c, 1);
}

/*
 * The STE of @dom over the current one @cur (drv.h): DW1 is the same for
 * every kind; DW2 and DW3 are stage 2's, kept as they are for the other
 * kinds (which ignore them), so that a change between a stage-2 STE and
 * any other is one store of DW0 after words the old STE does not use.
 * smmuv3 2.4, 2.5, 2.7.
 */
static void ste_encode(const struct smmu_dev *dev, struct smmu_domain *dom,
		       const uint64_t *cur, uint64_t ste[SMMU_STE_DWORDS])
{
	memset(ste, 0, SMMU_STE_SIZE);
	ste[2] = cur[2];
	ste[3] = cur[3];
	ste[1] = smmu_field_prep(SMMU_STE_DW1_S1CIR, SMMU_CACHE_WBRA) |
		 smmu_field_prep(SMMU_STE_DW1_S1COR, SMMU_CACHE_WBRA) |
		 smmu_field_prep(SMMU_STE_DW1_S1CSH, SMMU_SH_ISH) |
		 smmu_field_prep(SMMU_STE_DW1_SHCFG, SMMU_SH_INCOMING) |
		 smmu_field_prep(SMMU_STE_DW1_STRW, SMMU_STRW_NSEL1) |
		 smmu_field_prep(SMMU_STE_DW1_INSTCFG, SMMU_INSTCFG_DATA);
	ste[0] = SMMU_STE_DW0_V;
	if (dev->cdt) {
		/* The device's CD table (drv.h): CD 0 is the primary domain's
		 * (S1DSS 0b10), or none for identity (S1DSS bypass). */
		ste[1] |= smmu_field_prep(SMMU_STE_DW1_S1DSS,
					  dom->kind == SMMU_DOM_IDENTITY
					      ? SMMU_S1DSS_BYPASS
					      : SMMU_S1DSS_SSID0);
		ste[0] |=
		    smmu_field_prep(SMMU_STE_DW0_CONFIG, SMMU_STE_CFG_S1) |
		    smmu_field_prep(SMMU_STE_DW0_S1FMT,
				    dev->cdt_2lvl ? SMMU_S1FMT_64K_L2
						  : SMMU_S1FMT_LINEAR) |
		    smmu_field_prep(SMMU_STE_DW0_S1CDMAX, dev->ssid_bits) |
		    (dev->cdt_pa & SMMU_STE_DW0_S1CTXPTR);
		return;
	}
	/* S1DSS is unused without substreams: kept, so that leaving the
	 * CD table changes one used word (DW0). */
	ste[1] |= cur[1] & SMMU_STE_DW1_S1DSS;
	if (dom->kind == SMMU_DOM_IDENTITY) {
		ste[0] |=
		    smmu_field_prep(SMMU_STE_DW0_CONFIG, SMMU_STE_CFG_BYPASS);
		return;
	}
	if (dom->s2) {
		ste[0] |= smmu_field_prep(SMMU_STE_DW0_CONFIG, SMMU_STE_CFG_S2);
		ste[2] =
		    dom->vtcr | smmu_field_prep(SMMU_STE_DW2_S2VMID, dom->vmid);
		ste[3] = dom->pt.root_pa & SMMU_STE_DW3_S2TTB;
		return;
	}
	ste[0] |= smmu_field_prep(SMMU_STE_DW0_CONFIG, SMMU_STE_CFG_S1) |
		  smmu_field_prep(SMMU_STE_DW0_S1FMT, SMMU_S1FMT_LINEAR) |
		  (dom->cd_pa & SMMU_STE_DW0_S1CTXPTR);
}

static bool ste_is_s2(uint64_t dw0)
{
	return (dw0 & SMMU_STE_DW0_V) &&
	       smmu_field_get(SMMU_STE_DW0_CONFIG, dw0) == SMMU_STE_CFG_S2;
}

/*
 * From one stage-2 STE to another (drv.h): S2VMID and S2TTB live in two
 * doublewords, so the change goes through the swap VMID, one used word
 * at a time: {old VMID, old TTB} -> {swap, old TTB} -> {swap, new TTB}
 * -> {new VMID, new TTB}, each step made visible by CFGI_STE + CMD_SYNC,
 * the last one with TLBI_S12_VMALL of the swap VMID, so no entry tagged
 * with it outlives the change.  Context: dev_lock held for writing.
 */
static int ste_swap_s2(struct smmu_drv *s, uint32_t sid, uint64_t *e,
		       const uint64_t *to)
{
	uint64_t mid = (to[2] & ~SMMU_STE_DW2_S2VMID) |
		       smmu_field_prep(SMMU_STE_DW2_S2VMID, s->vmid_last);
	struct smmu_cmd c[2];
	int ret;

	c[0] = smmu_cmd_cfgi_ste(sid, true);
	c[1] = smmu_cmd_tlbi_s12_vmall((uint16_t)s->vmid_last);
	ilib_le64_store(&e[2], mid);
	ret = smmu_submit(s, c, 1);
	if (ret)
		return ret;
	ilib_le64_store(&e[3], to[3]);
	ret = smmu_submit(s, c, 1);
	if (ret)
		return ret;
	ilib_le64_store(&e[2], to[2]);
	return smmu_submit(s, c, 2);
}

/**
 * smmu_write_ste() - point a device's STE at @dom with no window
 * @s: instance
 * @dev: a probed device (with its CD table while it has PASIDs)
 * @dom: the domain (paging, blocked or identity)
 *
 * The words the old STE does not use are written first, then DW0 in one
 * store; CFGI_STE + CMD_SYNC make it visible.  Between two stage-2 STEs
 * the change goes through the swap VMID (ste_swap_s2()).
 * Context: dev_lock held for writing.  Return: 0; -ENODEV no STE; queue
 * errors (the entry is then put back as it was).
 */
int smmu_write_ste(struct smmu_drv *s, struct smmu_dev *dev,
		   struct smmu_domain *dom)
{
	uint32_t sid = dev->sid;
	uint64_t *e = smmu_ste_ptr(s, sid), ste[SMMU_STE_DWORDS];
	uint64_t cur[SMMU_STE_DWORDS];
	struct smmu_cmd c;
	int ret;

	if (!e)
		return -ENODEV;
	for (unsigned int k = 0; k < SMMU_STE_DWORDS; k++)
		cur[k] = ilib_le64_load(&e[k]);
	ste_encode(dev, dom, cur, ste);
	if (ste_is_s2(cur[0]) && ste_is_s2(ste[0]) &&
	    (cur[2] != ste[2] || cur[3] != ste[3])) {
		ret = ste_swap_s2(s, sid, e, ste);
		if (ret && ste_swap_s2(s, sid, e, cur))
			slog(s, IOMMU_LOG_ERR,
			     "STE of 0x%x: the old domain is not back", sid);
		return ret;
	}
	for (unsigned int k = 1; k < SMMU_STE_DWORDS; k++)
		if (cur[k] != ste[k])
			ilib_le64_store(&e[k], ste[k]);
	ilib_le64_store(&e[0], ste[0]);
	c = smmu_cmd_cfgi_ste(sid, true);
	ret = smmu_submit(s, &c, 1);
	if (ret) {
		ilib_le64_store(&e[0], cur[0]);
		smmu_submit(s, &c, 1);
	}
	return ret;
}

/* ---- CDs ----------------------------------------------------------------- */

/* smmuv3 3.4: the CD of a paging domain, or the blocking CD (EPD0/1). */
static void cd_write(struct smmu_drv *s, struct smmu_domain *dom)
{
	uint64_t cd[SMMU_CD_DWORDS] = {0};
	unsigned int tg = s->granule_lg2 == 16	 ? SMMU_TG0_64K
			  : s->granule_lg2 == 14 ? SMMU_TG0_16K
						 : SMMU_TG0_4K;

	cd[0] = SMMU_CD_DW0_V | SMMU_CD_DW0_EPD1 | SMMU_CD_DW0_AA64 |
		SMMU_CD_DW0_R | SMMU_CD_DW0_A | SMMU_CD_DW0_ASET |
		smmu_field_prep(SMMU_CD_DW0_IPS, s->ias_oas_code) |
		smmu_field_prep(SMMU_CD_DW0_ASID, dom->asid);
	if (dom->kind == SMMU_DOM_PAGING) {
		cd[0] |= smmu_field_prep(SMMU_CD_DW0_T0SZ, 64 - SMMU_VA_BITS) |
			 smmu_field_prep(SMMU_CD_DW0_TG0, tg) |
			 smmu_field_prep(SMMU_CD_DW0_IR0, SMMU_CACHE_WBRA) |
			 smmu_field_prep(SMMU_CD_DW0_OR0, SMMU_CACHE_WBRA) |
			 smmu_field_prep(SMMU_CD_DW0_SH0, SMMU_SH_ISH);
		cd[1] = dom->pt.root_pa & SMMU_CD_DW1_TTB0;
		cd[2] = s->ds ? SMMU_CD_DW2_DS : 0; /* FEAT_LPA2 layout */
		cd[3] = SMMU_MAIR_LINUX;
	} else {
		cd[0] |= SMMU_CD_DW0_EPD0; /* blocking: nothing is walked */
	}
	/* Not yet referenced by any STE: V last anyway. */
	for (int k = SMMU_CD_DWORDS - 1; k >= 0; k--)
		ilib_le64_store(&dom->cd[k], cd[k]);
}

static int cd_alloc(struct smmu_drv *s, struct smmu_domain *dom)
{
	void *va;
	int err = ilib_table_alloc(s->host, "smmuv3", 4096, &dom->cd_pa, &va);

	if (err)
		return err;
	dom->cd = va;
	cd_write(s, dom);
	return 0;
}

/* ---- static domains ------------------------------------------------------ */

int smmu_domain_init_static(struct smmu_drv *s)
{
	s->blocked.s = s;
	s->blocked.kind = SMMU_DOM_BLOCKED;
	s->blocked.asid = SMMU_ASID_BLOCKED;
	s->identity.s = s;
	s->identity.kind = SMMU_DOM_IDENTITY;
	return cd_alloc(s, &s->blocked);
}

void smmu_domain_fini_static(struct smmu_drv *s)
{
	if (s->blocked.cd)
		ilib_table_free(s->host, s->blocked.cd_pa, 4096);
	s->blocked.cd = NULL;
}

void smmu_free_tables(struct smmu_drv *s)
{
	if (s->st_2lvl && s->l2_pa) {
		for (size_t i = 0;
		     i < (size_t)1 << (s->st_log2size - SMMU_ST_SPLIT); i++)
			if (s->l2_pa[i])
				ilib_table_free(s->host, s->l2_pa[i],
						SMMU_STE_SIZE << SMMU_ST_SPLIT);
	}
	free(s->l2_pa);
	s->l2_pa = NULL;
	if (s->st_size)
		ilib_table_free(s->host, s->st_pa, s->st_size);
	s->st_size = 0;
	if (s->cmdq_size)
		ilib_table_free(s->host, s->cmdq_pa, s->cmdq_size);
	s->cmdq_size = 0;
	if (s->evtq_size)
		ilib_table_free(s->host, s->evtq_pa, s->evtq_size);
	s->evtq_size = 0;
}

/* ---- invalidation -------------------------------------------------------- */

/* One TLBI by address for @dom: TLBI_NH_VA (ASID) or TLBI_S2_IPA (VMID). */
static struct smmu_cmd tlbi_addr(const struct smmu_domain *dom, uint64_t addr,
				 bool leaf, unsigned int tg, unsigned int num,
				 unsigned int scale)
{
	if (dom->s2)
		return smmu_cmd_tlbi_s2_ipa(dom->vmid, addr, leaf, tg, num,
					    scale);
	return smmu_cmd_tlbi_va(dom->asid, addr, leaf, tg, num, scale);
}

/* Everything @dom cached: TLBI_NH_ASID or TLBI_S12_VMALL. */
static struct smmu_cmd tlbi_all(const struct smmu_domain *dom)
{
	return dom->s2 ? smmu_cmd_tlbi_s12_vmall(dom->vmid)
		       : smmu_cmd_tlbi_asid(dom->asid);
}

/*
 * The TLBIs for [start, last] of @dom (drv.h): range commands with RIL,
 * else one per granule up to the threshold, else the whole ASID.  *@c is
 * @buf (room for SMMU_MAX_BATCH) or, for many per-granule commands, an
 * array the caller frees.  Returns how many; 0 on -ENOMEM.
 */
static __attribute__((noinline)) size_t
tlbi_cmds(struct smmu_domain *dom, uint64_t start, uint64_t last, bool leaf,
	  struct smmu_cmd *buf, struct smmu_cmd **c)
{
	struct smmu_drv *s = dom->s;
	unsigned int g = s->granule_lg2;
	unsigned int tg = (g - 10) / 2; /* smmuv3 5.5: 12->1, 14->2, 16->3 */
	uint64_t addr = start & ~((1ull << g) - 1);
	uint64_t pages = ((last >> g) - (start >> g)) + 1;
	size_t n = 0;

	*c = buf;
	if (s->ril) {
		while (pages && n < SMMU_MAX_BATCH) {
			unsigned int scale =
			    (unsigned int)__builtin_ctzll(pages);
			uint64_t num =
			    (pages >> scale) & SMMU_CMD_TLBI_RANGE_NUM_MAX;

			if (num == 1 && scale == 0)
				buf[n++] = tlbi_addr(dom, addr, leaf,
						     SMMU_TLBI_TG_NONE, 0, 0);
			else
				buf[n++] =
				    tlbi_addr(dom, addr, leaf, tg,
					      (unsigned int)num - 1, scale);
			pages -= num << scale;
			addr += (num << scale) << g;
		}
		if (!pages)
			return n;
	} else if (pages <= s->inval_threshold) {
		if (pages > SMMU_MAX_BATCH) {
			*c = malloc(pages * sizeof(**c));
			if (!*c) {
				*c = buf;
				goto all;
			}
		}
		for (uint64_t i = 0; i < pages; i++)
			(*c)[n++] = tlbi_addr(dom, addr + (i << g), leaf,
					      SMMU_TLBI_TG_NONE, 0, 0);
		return n;
	}
all:
	buf[0] = tlbi_all(dom);
	return 1;
}

/*
 * Invalidate [start, last] of @dom (all: the whole ASID) and sync.
 * @leaf: no table page was unlinked (TLBI Leaf = 1).
 */
static int flush_range(struct smmu_domain *dom, uint64_t start, uint64_t last,
		       bool all, bool leaf)
{
	struct smmu_cmd buf[SMMU_MAX_BATCH] = {{{0, 0}}}, *c = buf;
	size_t n;
	int ret;

	if (all) {
		buf[0] = tlbi_all(dom);
		n = 1;
	} else {
		n = tlbi_cmds(dom, start, last, leaf, buf, &c);
	}
	ret = smmu_submit(dom->s, c, n);
	if (c != buf)
		free(c);
	if (ret == -EIO && !all) {
		/* A command was refused (logged): the whole ASID once. */
		buf[0] = tlbi_all(dom);
		ret = smmu_submit(dom->s, buf, 1);
	}
	return ret;
}

/* ---- paging domain ops --------------------------------------------------- */

/* The flush of map_pages: ranges whose empty tables became leaves. */
static int smmu_map_flush(void *d, uint64_t first, uint64_t last)
{
	struct smmu_domain *dom = d;

	return flush_range(dom, first, last, false, false);
}

/**
 * smmu_drv_map_pages() - write leaves through core/pt
 * Context: lock-free; concurrent on disjoint ranges.
 * Return: 0; -EINVAL, -ERANGE, -EEXIST, -ENOMEM, -EFAULT from pt_map();
 * a queue error when an empty table had to be replaced.
 */
static int smmu_drv_map_pages(void *d, uint64_t iova, uint64_t paddr,
			      uint64_t pgsize, uint64_t pgcount,
			      unsigned int prot, uint64_t *mapped)
{
	struct smmu_domain *dom = d;

	if (!dom)
		return -EINVAL;
	return ilib_pt_map_pages(&dom->pt, dom->s->host, iova, paddr, pgsize,
				 pgcount, prot, mapped, smmu_map_flush, dom);
}

static uint64_t smmu_drv_unmap_pages(void *d, uint64_t iova, uint64_t pgsize,
				     uint64_t pgcount,
				     struct iommu_iotlb_gather *g)
{
	struct smmu_domain *dom = d;

	if (!dom)
		return 0;
	return ilib_pt_unmap_pages(&dom->pt, dom->s->host, iova, pgsize,
				   pgcount, g);
}

/**
 * smmu_drv_iotlb_sync() - invalidate the gathered range, one CMD_SYNC
 * Context: takes cmdq_lock.  Return: 0; -EIO, -ETIMEDOUT from the queue.
 */
static int smmu_drv_iotlb_sync(void *d, struct iommu_iotlb_gather *g)
{
	struct smmu_domain *dom = d;

	if (!dom || !g)
		return -EINVAL;
	if (g->start > g->end)
		return 0;
	return flush_range(dom, g->start, g->end, false,
			   !(g->pending & ILIB_G_TABLES));
}

static int smmu_drv_flush_iotlb_all(void *d)
{
	struct smmu_domain *dom = d;

	if (!dom)
		return -EINVAL;
	return flush_range(dom, 0, UINT64_MAX, true, false);
}

static int smmu_drv_iova_to_phys(void *d, uint64_t iova, uint64_t *phys)
{
	struct smmu_domain *dom = d;
	int ret;

	if (!dom || !phys)
		return -EINVAL;
	ret = pt_iova_to_phys(&dom->pt, iova, phys);
	return ret == -ERANGE ? -ENOENT : ret;
}

/**
 * smmu_drv_attach_dev() - move @info's device onto @d with no window
 * Context: the core serializes attach per group; takes dev_lock (write),
 * cmdq_lock.
 * Return: 0; -EINVAL bad arguments; -EBUSY PASIDs are attached (rule 8);
 * -ENODEV no STE; -EIO, -ETIMEDOUT the CFGI_STE failed (the old STE is
 * back).
 */
static int smmu_drv_attach_dev(void *d, struct iommu_dev_info *info)
{
	struct smmu_domain *dom = d;
	struct smmu_dev *dev = smmu_dev_of(info);
	struct smmu_drv *s;
	int ret = 0;

	if (!dom || !dev)
		return -EINVAL;
	s = dom->s;
	pthread_rwlock_wrlock(&s->dev_lock);
	if (dev->domain != dom && dev->cdt) {
		ret = -EBUSY; /* rule 8 (the core checks it first) */
	} else if (dev->domain != dom) {
		ret = smmu_write_ste(s, dev, dom);
		if (!ret) {
			if (dev->domain)
				dev->domain->nr_devs--;
			dom->nr_devs++;
			dev->domain = dom;
		}
	}
	pthread_rwlock_unlock(&s->dev_lock);
	return ret;
}

/* ---- domain allocation --------------------------------------------------- */

static void smmu_drv_domain_free(void *d)
{
	struct smmu_domain *dom = d;
	struct smmu_cmd c;

	if (!dom || dom->kind != SMMU_DOM_PAGING)
		return;
	/* No STE or CD points at the domain any more (the core detached
	 * every device): drop what its ASID or VMID cached before either is
	 * reused. */
	c = tlbi_all(dom);
	if (smmu_submit(dom->s, &c, 1))
		slog(dom->s, IOMMU_LOG_WARN,
		     "%s %u not invalidated at free: kept out of use",
		     dom->s2 ? "VMID" : "ASID",
		     dom->s2 ? dom->vmid : dom->asid);
	else if (dom->s2)
		ilib_ids_free(&dom->s->vmids, dom->vmid);
	else
		ilib_ids_free(&dom->s->asids, dom->asid);
	pt_destroy(&dom->pt);
	if (dom->cd)
		ilib_table_free(dom->s->host, dom->cd_pa, 4096);
	free(dom);
}

/*
 * STE DW2 of a stage-2 domain but S2VMID (smmuv3 2.4, 2.7, 4.4): the
 * start level core/pt chose (concatenated tables included) as S2SL0,
 * S2T0SZ from the IPA size, WB-RA ISH walks, S2TG, S2PS the output size
 * code, AArch64 tables, S2PTW and S2R (faults are recorded) as Linux.
 */
static uint64_t s2_vtcr(const struct smmu_drv *s, const struct pt *pt)
{
	unsigned int start = 4 - pt->cfg.levels; /* Arm start level */
	unsigned int sl0 = s->granule_lg2 == 12 ? 2 - start : 3 - start;
	unsigned int tg = s->granule_lg2 == 16	 ? SMMU_TG0_64K
			  : s->granule_lg2 == 14 ? SMMU_TG0_16K
						 : SMMU_TG0_4K;

	return smmu_field_prep(SMMU_STE_DW2_S2T0SZ, 64 - pt->cfg.ia_bits) |
	       smmu_field_prep(SMMU_STE_DW2_S2SL0, sl0) |
	       smmu_field_prep(SMMU_STE_DW2_S2IR0, SMMU_CACHE_WBRA) |
	       smmu_field_prep(SMMU_STE_DW2_S2OR0, SMMU_CACHE_WBRA) |
	       smmu_field_prep(SMMU_STE_DW2_S2SH0, SMMU_SH_ISH) |
	       smmu_field_prep(SMMU_STE_DW2_S2TG, tg) |
	       smmu_field_prep(SMMU_STE_DW2_S2PS, s->ias_oas_code) |
	       SMMU_STE_DW2_S2AA64 | SMMU_STE_DW2_S2PTW | SMMU_STE_DW2_S2R;
}

/**
 * smmu_drv_domain_alloc_paging() - a stage-1 (ASID, CD) or stage-2
 * (VMID) paging domain, as the [smmuv3] key paging_stage says
 * @flags: PASID is honoured on stage 1 (every stage-1 domain can sit in
 *     a CD-table slot); NEST_PARENT and DIRTY_TRACKING are not (yet), nor
 *     PASID on stage 2: -EOPNOTSUPP
 * Return: 0; -EINVAL bad arguments; -EOPNOTSUPP a flag; -ENOSPC no ASID
 * or VMID left; -ENOMEM; -EFAULT table memory.
 */
int smmu_drv_domain_alloc_paging(void *inst, struct iommu_dev_info *dev,
				 unsigned int flags,
				 struct iommu_domain_info *info, void **out)
{
	struct smmu_drv *s = inst;
	struct smmu_domain *dom;
	struct pt_cfg cfg = {0};
	uint32_t id;
	int ret;

	(void)dev; /* one SMMU: every device gets the same geometry */
	if (!s || !info || !out)
		return -EINVAL;
	if (flags & ~(s->s2 ? 0u : IOMMU_ALLOC_PASID))
		return -EOPNOTSUPP;
	memset(info, 0, sizeof(*info));
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -ENOMEM;
	dom->s = s;
	dom->kind = SMMU_DOM_PAGING;
	dom->s2 = s->s2;
	if (dom->s2)
		ret = ilib_ids_alloc(&s->vmids, SMMU_VMID_FIRST,
				     s->vmid_last - 1, &id);
	else
		ret = ilib_ids_alloc(&s->asids, SMMU_ASID_FIRST,
				     s->asid_last - 1, &id);
	if (ret)
		goto err_free;
	if (dom->s2)
		dom->vmid = (uint16_t)id;
	else
		dom->asid = (uint16_t)id;
	cfg.fmt = dom->s2 ? PT_FMT_LPAE_S2 : PT_FMT_LPAE_S1;
	cfg.granule_lg2 = s->granule_lg2;
	cfg.ia_bits = dom->s2 ? s->s2_ia : SMMU_VA_BITS;
	cfg.oa_bits = s->oas_bits;
	cfg.pgsize_bitmap = s->pgsizes;
	cfg.features = dom->s2 ? 0 : PT_FEAT_NG | (s->ds ? PT_FEAT_DS : 0);
	ret = pt_init(&dom->pt, s->host, &cfg);
	if (ret)
		goto err_id;
	if (dom->s2) {
		dom->vtcr = s2_vtcr(s, &dom->pt);
	} else {
		ret = cd_alloc(s, dom);
		if (ret)
			goto err_pt;
	}
	info->ops = &smmu_paging_ops;
	info->pgsize_bitmap = dom->pt.pgsizes;
	info->aperture_start = 0;
	info->aperture_last = (1ull << cfg.ia_bits) - 1;
	*out = dom;
	return 0;

err_pt:
	pt_destroy(&dom->pt);
err_id:
	if (dom->s2)
		ilib_ids_free(&s->vmids, id);
	else
		ilib_ids_free(&s->asids, id);
err_free:
	free(dom);
	return ret;
}

/* ---- ops tables ---------------------------------------------------------- */

ILIB_PT_WALK_OP(smmu_drv_walk, struct smmu_domain, pt)

static const struct iommu_domain_ops smmu_paging_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = smmu_drv_attach_dev,
    .set_dev_pasid = smmu_drv_set_dev_pasid,
    .map_pages = smmu_drv_map_pages,
    .unmap_pages = smmu_drv_unmap_pages,
    .iotlb_sync = smmu_drv_iotlb_sync,
    .flush_iotlb_all = smmu_drv_flush_iotlb_all,
    .iova_to_phys = smmu_drv_iova_to_phys,
    .free = smmu_drv_domain_free,
    .walk = smmu_drv_walk,
};

/* Static domains: their ops get the instance; the core never maps,
 * unmaps or frees them. */
static int smmu_blocked_attach_dev(void *inst, struct iommu_dev_info *info)
{
	return inst ? smmu_drv_attach_dev(&((struct smmu_drv *)inst)->blocked,
					  info)
		    : -EINVAL;
}

static int smmu_identity_attach_dev(void *inst, struct iommu_dev_info *info)
{
	return inst ? smmu_drv_attach_dev(&((struct smmu_drv *)inst)->identity,
					  info)
		    : -EINVAL;
}

const struct iommu_domain_ops smmu_blocked_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = smmu_blocked_attach_dev,
    .set_dev_pasid = smmu_blocked_set_dev_pasid,
};

const struct iommu_domain_ops smmu_identity_ops = {
    .size = IOMMU_TABLE_SIZE(iommu_domain_ops),
    .attach_dev = smmu_identity_attach_dev,
};
