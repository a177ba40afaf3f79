/* SPDX-License-Identifier: MIT */
/*
 * ilib_mmio.h - a driver's register access through its bus, and waiting
 * for the hardware.
 *
 * A driver reaches its hardware only through struct iommu_bus (the
 * plugin's own model, or whatever the VMM bound instead), so a register
 * read can fail, and a status bit it waits for may never come (a model in
 * another process, a broken unit).  Every wait is therefore a bounded
 * number of polls, spinning first and then yielding the CPU, ending in
 * -ETIMEDOUT: the driver never hangs on the hardware.
 */
#ifndef ILIB_MMIO_H
#define ILIB_MMIO_H

#include <stdint.h>

#include "iommu/plugin.h"

#pragma GCC visibility push(hidden)

/* Polls that spin before each further poll yields the CPU. */
#define ILIB_POLL_SPIN 64u

/**
 * ilib_mmio_read32() - read a 32-bit register
 * @bus: the driver's bus
 * @off: register offset
 * @val: the value (0 on failure)
 *
 * Return: 0; -EINVAL bad arguments; the bus's error.
 */
int ilib_mmio_read32(const struct iommu_bus *bus, uint64_t off, uint32_t *val);

/**
 * ilib_mmio_read64() - read a 64-bit register
 * @bus: the driver's bus
 * @off: register offset
 * @val: the value (0 on failure)
 *
 * Return: 0; -EINVAL bad arguments; the bus's error.
 */
int ilib_mmio_read64(const struct iommu_bus *bus, uint64_t off, uint64_t *val);

/**
 * ilib_mmio_write32() - write a 32-bit register
 * @bus: the driver's bus
 * @off: register offset
 * @val: the value
 *
 * Return: 0; -EINVAL bad arguments; the bus's error.
 */
int ilib_mmio_write32(const struct iommu_bus *bus, uint64_t off, uint32_t val);

/**
 * ilib_mmio_write64() - write a 64-bit register
 * @bus: the driver's bus
 * @off: register offset
 * @val: the value
 *
 * Return: 0; -EINVAL bad arguments; the bus's error.
 */
int ilib_mmio_write64(const struct iommu_bus *bus, uint64_t off, uint64_t val);

/**
 * ilib_poll_pause() - what a wait does between polls
 * @i: polls done so far (from 0)
 *
 * Nothing for the first ILIB_POLL_SPIN + 1 polls (a model answers within
 * the write that started the command), then sched_yield(), so that a
 * hardware thread on the same CPU can make progress.  For waits that are
 * not on one register (a queue's completion word in memory).
 */
void ilib_poll_pause(uint64_t i);

/**
 * ilib_spin_lock() - take a lock word (0: free, 1: held)
 * @lock: the word
 *
 * A compare-and-swap to take it, a release store to give it back
 * (ilib_spin_unlock()): one atomic operation each way, where a pthread
 * mutex costs more and two library calls.  For locks whose holders run
 * bounded work; a waiter spins a little, then yields (ilib_poll_pause()),
 * in case the holder was preempted.
 */
static inline void ilib_spin_lock(unsigned int *lock)
{
	for (uint64_t i = 0;; i++) {
		unsigned int free_ = 0;

		if (!__atomic_load_n(lock, __ATOMIC_RELAXED) &&
		    __atomic_compare_exchange_n(lock, &free_, 1, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		ilib_poll_pause(i);
	}
}

static inline void ilib_spin_unlock(unsigned int *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/**
 * ilib_mmio_poll() - wait until (register & @mask) == @want
 * @bus: the driver's bus
 * @off: register offset
 * @size: 4 or 8
 * @mask: bits to look at
 * @want: their awaited value (bits outside @mask ignored)
 * @polls: reads at most, >= 1
 * @last: if not NULL, the last value read (for the caller's log)
 *
 * Return: 0; -EINVAL bad arguments; -EIO a read failed; -ETIMEDOUT
 * @polls reads never matched.
 */
int ilib_mmio_poll(const struct iommu_bus *bus, uint64_t off, unsigned int size,
		   uint64_t mask, uint64_t want, uint64_t polls,
		   uint64_t *last);

/*
 * Device models: a 4- or 8-byte access at @offset to the 64-bit register
 * at @offset & ~7 (the register files of VT-d, SMMUv3 and AMD-Vi take
 * either half of a 64-bit register with a 4-byte access).
 */

/* What the access reads of the register's value @reg. */
static inline uint64_t ilib_reg64_read_part(uint64_t reg, uint64_t offset,
					    unsigned int size)
{
	return size == 8 ? reg : (uint32_t)(reg >> ((offset & 4) * 8));
}

/* The bits the access writes (*@mask) and their new value (*@v). */
static inline void ilib_reg64_write_part(uint64_t offset, unsigned int size,
					 uint64_t val, uint64_t *v,
					 uint64_t *mask)
{
	unsigned int sh = size == 8 ? 0 : (unsigned int)(offset & 4) * 8;

	*mask = size == 8 ? ~0ull : 0xffffffffull << sh;
	*v = size == 8 ? val : (val & 0xffffffffull) << sh;
}

#pragma GCC visibility pop

#endif /* ILIB_MMIO_H */
