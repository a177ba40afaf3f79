// SPDX-License-Identifier: MIT
/*
 * test_vectors.c - the guest driver's encoders against the sheet's test
 * vectors (amdvi 9), so that the tests below program what the sheet says.
 */
#include <criterion/criterion.h>

#include "ag.h"

Test(vectors, t1_pte_4k)
{
	cr_assert_eq(enc_pte(0x12345000, true, true, false),
		     0x6000000012345001ull);
	cr_assert_eq(enc_pte(0x12345000, true, true, true),
		     0x7000000012345001ull); /* T1b */
}

Test(vectors, t2_pte_2m_nextlevel0)
{
	cr_assert_eq(enc_pte(0x40000000, true, true, false),
		     0x6000000040000001ull);
	cr_assert_eq(enc_pte(0x40000000, true, true, true),
		     0x7000000040000001ull);
}

Test(vectors, t2b_t3_t4_nextlevel7)
{
	cr_assert_eq(enc_pte7(0x40000000, 21, true, true),
		     0x60000000400FFE01ull);
	cr_assert_eq(enc_pte7(0x40000000, 22, true, true),
		     0x60000000401FFE01ull);
	cr_assert_eq(enc_pte7(0x12344000, 13, true, true),
		     0x6000000012344E01ull);
}

Test(vectors, t5_pde)
{
	cr_assert_eq(enc_pde(0x5000, 2), 0x6000000000005401ull);
}

Test(vectors, t6_indices)
{
	const uint64_t iova = 0x12345678;

	cr_assert_eq((iova >> 30) & 0x1ff, 0x000);
	cr_assert_eq((iova >> 21) & 0x1ff, 0x091);
	cr_assert_eq((iova >> 12) & 0x1ff, 0x145);
	cr_assert_eq(iova & 0xfff, 0x678);
}

Test(vectors, t7_dte_v1)
{
	uint64_t d[4];

	enc_dte_v1(d, 3, 0x1234000, true, true, 1);
	cr_assert_eq(d[0], 0x6000000001234603ull);
	cr_assert_eq(d[1], 1);
	cr_assert_eq(d[2], 0);
	cr_assert_eq(d[3], 0);
}

Test(vectors, t8_t9_dte_identity_blocked)
{
	uint64_t d[4];

	enc_dte_v1(d, 0, 0, true, true, 2);
	cr_assert_eq(d[0], 0x6000000000000003ull);
	cr_assert_eq(d[1], 2);
	enc_dte_v1(d, 0, 0, false, false, 0);
	cr_assert_eq(d[0], 0x3ull);
	cr_assert_eq(d[1], 0);
}

Test(vectors, t10_dte_v2)
{
	uint64_t d[4];

	enc_dte_gcr3(d, 0x123456000ull, 1, true, true, true, 5);
	cr_assert_eq(d[0], 0x79C0000000000003ull);
	cr_assert_eq(d[1], 0x00001000468A0005ull);
	cr_assert_eq(d[2], 0);
}

Test(vectors, t11_dte_interrupt_fields)
{
	uint64_t d[4];

	enc_dte_v1(d, 0, 0, false, false, 0);
	enc_dte_irq(d, 9, 2, 0x7654300);
	cr_assert_eq(d[2], 0x2000000007654313ull);
	cr_assert_eq(d[0], 0x3ull, "qword 0 untouched");
}

/* T11's qword 2 (interrupt remapping on, IntCtl 10b) is a legal DTE: the
 * request is translated as qwords 0 and 1 say, with no event. */
Test(vectors, t11_dte_is_legal_for_dma)
{
	struct ag g;
	uint64_t d[4], root;

	ag_create(&g, NULL);
	ag_init(&g, 8, 10, 0);
	root = ag_page(&g);
	ag_map_v1(&g, root, 3, 0x5000, AG_DATA, 1, true, true);
	enc_dte_v1(d, 3, root, true, true, 1);
	enc_dte_irq(d, 9, 2, 0x7654300);
	ag_set_dte(&g, DEV_A, d);
	ag_expect(&g, DEV_A, IOMMU_NO_PASID, 0x5010, IOMMU_ACCESS_WRITE,
		  AG_DATA + 0x10);
	cr_assert_eq(ag_evt_count(&g), 0);
	ag_destroy(&g);
}

Test(vectors, t12_inv_pages_range)
{
	uint64_t c[2];

	enc_inv_range(c, 1, 0, false, 0x100000, 0x10000);
	cr_assert_eq((uint32_t)c[0], 0);
	cr_assert_eq((uint32_t)(c[0] >> 32), 0x30000001u);
	cr_assert_eq((uint32_t)c[1], 0x00107003u);
	cr_assert_eq((uint32_t)(c[1] >> 32), 0);
	enc_inv_pages(c, 1, 0, false, false, true, 0x107000);
	cr_assert_eq((uint32_t)c[1], 0x00107001u);
}

Test(vectors, t13_inv_all_pages)
{
	uint64_t c[2];

	enc_inv_range(c, 1, 0, false, 0, 1ull << 63);
	cr_assert_eq((uint32_t)(c[0] >> 32), 0x30000001u);
	cr_assert_eq(c[1], 0x7FFFFFFFFFFFF003ull);
}

Test(vectors, t14_unaligned_range)
{
	uint64_t c[2];

	enc_inv_range(c, 1, 0, false, 0x3000, 0x2000);
	cr_assert_eq(c[1] & ~0xfffull, 0x3000);
	cr_assert_eq(c[1] & 1, 1);
}

Test(vectors, t15_completion_wait)
{
	uint64_t c[2];

	enc_cw(c, true, false, 0x10000040, 1);
	cr_assert_eq(c[0], 0x1000000010000041ull);
	cr_assert_eq(c[1], 1);
}

Test(vectors, t16_t17_inv_dte_all)
{
	uint64_t c[2];

	enc_inv_dte(c, 0x0010);
	cr_assert_eq(c[0], 0x2000000000000010ull);
	cr_assert_eq(c[1], 0);
	enc_inv_all(c);
	cr_assert_eq(c[0], 0x8000000000000000ull);
	cr_assert_eq(c[1], 0);
}

Test(vectors, t19_gcr3_indices)
{
	cr_assert_eq(gcr3_index(0x1234, 0), 0x034);
	cr_assert_eq(gcr3_index(0x1234, 1), 0x009);
	cr_assert_eq(gcr3_index(0x1234, 2), 0x000);
}

Test(vectors, t20_t21_bases)
{
	cr_assert_eq(enc_ring(0x20000000, 9), 0x0900000020000000ull);
	cr_assert_eq(enc_dtb(0x40000000, 0x1ff), 0x00000000400001FFull);
}

/* T18: the model's IO_PAGE_FAULT for a write, not present. */
Test(vectors, t18_page_fault_record)
{
	struct ag g;
	struct ag_ev e;

	ag_create(&g, NULL);
	ag_init(&g, 8, 8, 0);
	ag_v1_dev(&g, DEV_A, 3, 1);
	ag_expect_fault(&g, DEV_A, IOMMU_NO_PASID, 0xDEAD000,
			IOMMU_ACCESS_WRITE);
	cr_assert(ag_evt_pop(&g, &e));
	cr_assert_eq((uint32_t)e.raw[0], 0x00000010u);
	cr_assert_eq((uint32_t)(e.raw[0] >> 32), 0x20200001u);
	cr_assert_eq((uint32_t)e.raw[1], 0x0DEAD000u);
	cr_assert_eq((uint32_t)(e.raw[1] >> 32), 0);
	ag_destroy(&g);
}

/* T22: the largest IOVA of each mode translates, the next faults. */
Test(vectors, t22_mode_limits)
{
	static const uint64_t max[] = {0,
				       0x1FFFFFull,
				       0x3FFFFFFFull,
				       0x7FFFFFFFFFull,
				       0xFFFFFFFFFFFFull,
				       0x1FFFFFFFFFFFFFFull};
	struct ag g;

	ag_create(&g, NULL);
	ag_init(&g, 8, 10, 0);
	for (unsigned int m = 1; m <= 5; m++) {
		uint64_t root = ag_v1_dev(&g, DEV_A, m, m);

		ag_flush_dte(&g, DEV_A);
		ag_map_v1(&g, root, m, max[m] & ~0xfffull, AG_DATA, 1, true,
			  true);
		ag_expect(&g, DEV_A, IOMMU_NO_PASID, max[m] & ~0xfffull,
			  IOMMU_ACCESS_READ, AG_DATA);
		ag_expect_fault(&g, DEV_A, IOMMU_NO_PASID, max[m] + 1,
				IOMMU_ACCESS_READ);
		ag_evt_expect(&g, EV_PF, DEV_A, 0, max[m] + 1);
	}
	ag_destroy(&g);
}
