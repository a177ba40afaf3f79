// SPDX-License-Identifier: MIT
/*
 * mmio.c - register access and bounded waits (see ilib_mmio.h).
 */
#include <errno.h>
#include <sched.h>

#include "ilib_mmio.h"

static bool bus_ok(const struct iommu_bus *bus)
{
	return bus && bus->ops && bus->ops->mmio_read && bus->ops->mmio_write;
}

int ilib_mmio_read32(const struct iommu_bus *bus, uint64_t off, uint32_t *val)
{
	uint64_t x = 0;
	int err;

	if (!val)
		return -EINVAL;
	*val = 0;
	if (!bus_ok(bus))
		return -EINVAL;
	err = bus->ops->mmio_read(bus->opaque, off, 4, &x);
	*val = err ? 0 : (uint32_t)x;
	return err;
}

int ilib_mmio_read64(const struct iommu_bus *bus, uint64_t off, uint64_t *val)
{
	int err;

	if (!val)
		return -EINVAL;
	*val = 0;
	if (!bus_ok(bus))
		return -EINVAL;
	err = bus->ops->mmio_read(bus->opaque, off, 8, val);
	if (err)
		*val = 0;
	return err;
}

int ilib_mmio_write32(const struct iommu_bus *bus, uint64_t off, uint32_t val)
{
	if (!bus_ok(bus))
		return -EINVAL;
	return bus->ops->mmio_write(bus->opaque, off, 4, val);
}

int ilib_mmio_write64(const struct iommu_bus *bus, uint64_t off, uint64_t val)
{
	if (!bus_ok(bus))
		return -EINVAL;
	return bus->ops->mmio_write(bus->opaque, off, 8, val);
}

void ilib_poll_pause(uint64_t i)
{
	if (i > ILIB_POLL_SPIN)
		sched_yield();
}

int ilib_mmio_poll(const struct iommu_bus *bus, uint64_t off, unsigned int size,
		   uint64_t mask, uint64_t want, uint64_t polls, uint64_t *last)
{
	uint64_t val = 0;

	if (last)
		*last = 0;
	if (!bus_ok(bus) || (size != 4 && size != 8) || !polls)
		return -EINVAL;
	for (uint64_t i = 0; i < polls; i++) {
		val = 0;
		if (bus->ops->mmio_read(bus->opaque, off, size, &val))
			return -EIO;
		if (size == 4)
			val = (uint32_t)val;
		if (last)
			*last = val;
		if ((val & mask) == (want & mask))
			return 0;
		ilib_poll_pause(i);
	}
	return -ETIMEDOUT;
}
