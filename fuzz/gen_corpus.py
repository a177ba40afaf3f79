#!/usr/bin/env python3
# gen_corpus.py - writes the seed corpora of the fuzz targets into
# fuzz/corpus/<target>/: valid programming sequences, so that the fuzzer
# starts deep; and the hand-made reproducers of fuzz/regress/<target>/
# (findings made before the targets existed; libFuzzer's own findings are
# copied there as they are).  The stream encoding is the one of
# fuzz/ops.h; the VT-d, virtio, SMMUv3 and AMD-Vi layouts are written from
# the spec sheets (as the vendor tests' guests are), not from the plugins'
# headers.  Run from anywhere:
#   python3 fuzz/gen_corpus.py
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- the operation stream (fuzz/ops.h) -----------------------------------
MMIO_WR, MMIO_RD, MEM_WR, MEM_WR64, MEM_FILL, NOTIFY, XLATE, DMA_RD, \
    DMA_WR, MMIO_WR32, STATS, MMIO_HI = range(12)
A_WRITE, A_PASID, A_PRIV, A_EXEC, A_TRANSLATED = 1, 2, 4, 8, 16
SZ = {1: 0, 2: 1, 4: 2, 8: 3}


class Stream:
    def __init__(self, variant):
        self.b = bytearray([variant])

    def wr(self, off, size, val):
        self.b += struct.pack('<BHBQ', MMIO_WR, off, SZ[size], val)

    def wr32(self, off, val):
        self.b += struct.pack('<BHI', MMIO_WR32, off, val & 0xffffffff)

    def rd(self, off, size=4):
        self.b += struct.pack('<BHB', MMIO_RD, off, SZ[size])

    def mem(self, pa, data):
        data = bytes(data)
        while data:
            chunk, data = data[:255], data[255:]
            self.b += struct.pack('<BIB', MEM_WR, pa, len(chunk)) + chunk
            pa += len(chunk)

    def mem64(self, pa, val):
        self.b += struct.pack('<BIQ', MEM_WR64, pa, val)

    def fill(self, pa, length, byte=0):
        self.b += struct.pack('<BIHB', MEM_FILL, pa, length, byte)

    def notify(self, q):
        self.b += struct.pack('<BB', NOTIFY, q)

    def dma(self, op, dev, iova, length, attr=0, pasid=0):
        self.b += struct.pack('<BBBIQH', op, dev, attr, pasid, iova, length)

    def stats(self):
        self.b += bytes([STATS])

    def hi(self, h):
        self.b += struct.pack('<BH', MMIO_HI, h)


def save(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data.encode() if isinstance(data, str) else bytes(data))


# ---- virtio-iommu (virtio 1.2: 4.2 virtio-mmio, 2.7 split ring, 5.13) ----
MAGIC, STATUS, QSEL, QNUM, QREADY, QNOTIFY = 0x000, 0x070, 0x030, 0x038, \
    0x044, 0x050
DFSEL, DF, GFSEL, GF = 0x014, 0x010, 0x024, 0x020
QDESC, QDRV, QDEV = 0x080, 0x090, 0x0a0
CFG = 0x100
ACK, DRV, DRV_OK, FEAT_OK = 1, 2, 4, 8
RQ = dict(desc=0x1000, avail=0x3000, used=0x4000)
EQ = dict(desc=0x6000, avail=0x7000, used=0x8000)
REQ_RD, REQ_WR, EVT_BUF, DATA = 0x10000, 0x11000, 0x20000, 0x80000
T_ATTACH, T_DETACH, T_MAP, T_UNMAP, T_PROBE = 1, 2, 3, 4, 5
F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4


class VGuest:
    def __init__(self, s, num=16, features=0x130000077):
        self.s, self.num, self.idx = s, num, [0, 0]
        s.rd(MAGIC)
        s.wr32(STATUS, 0)
        s.wr32(STATUS, ACK)
        s.wr32(STATUS, ACK | DRV)
        for sel in (0, 1):
            s.wr32(DFSEL, sel)
            s.rd(DF)
            s.wr32(GFSEL, sel)
            s.wr32(GF, features >> (32 * sel))
        s.wr32(STATUS, ACK | DRV | FEAT_OK)
        s.rd(STATUS)
        for qi, q in enumerate((RQ, EQ)):
            s.wr32(QSEL, qi)
            s.wr32(QNUM, num)
            for reg, key in ((QDESC, 'desc'), (QDRV, 'avail'),
                             (QDEV, 'used')):
                s.wr32(reg, q[key])
                s.wr32(reg + 4, 0)
            s.wr32(QREADY, 1)
        s.wr32(STATUS, ACK | DRV | FEAT_OK | DRV_OK)

    def desc(self, q, i, addr, length, flags, nxt):
        self.s.mem(q['desc'] + 16 * i,
                   struct.pack('<QIHH', addr, length, flags, nxt))

    def publish(self, qi, head):
        q = (RQ, EQ)[qi]
        slot = self.idx[qi] % self.num
        self.s.mem(q['avail'] + 4 + 2 * slot, struct.pack('<H', head))
        self.idx[qi] += 1
        self.s.mem(q['avail'] + 2, struct.pack('<H', self.idx[qi] & 0xffff))

    def req(self, rd, wrlen=4, kick_reg=True):
        self.s.mem(REQ_RD, rd)
        self.desc(RQ, 0, REQ_RD, len(rd), F_NEXT, 1)
        self.desc(RQ, 1, REQ_WR, wrlen, F_WRITE, 0)
        self.publish(0, 0)
        if kick_reg:
            self.s.wr32(QNOTIFY, 0)
        else:
            self.s.notify(0)
        self.s.rd(0x060)  # InterruptStatus
        self.s.wr32(0x064, 1)  # InterruptACK

    def post_events(self, n):
        for i in range(n):
            self.desc(EQ, i, EVT_BUF + 64 * i, 64, F_WRITE, 0)
            self.publish(1, i)
        self.s.notify(1)


def attach(dom, ep, flags=0):
    return struct.pack('<B3xIII', T_ATTACH, dom, ep, flags) + bytes(4)


def detach(dom, ep):
    return struct.pack('<B3xIII', T_DETACH, dom, ep, 0) + bytes(4)


def vmap(dom, vs, ve, ps, flags):
    return struct.pack('<B3xIQQQI', T_MAP, dom, vs, ve, ps, flags)


def vunmap(dom, vs, ve):
    return struct.pack('<B3xIQQ', T_UNMAP, dom, vs, ve) + bytes(4)


def probe(ep):
    return struct.pack('<B3xI', T_PROBE, ep) + bytes(64)


def virtio_seeds():
    # 1: attach, map, DMA through it, unmap, fault, detach (queue_max 256)
    s = Stream(2)
    g = VGuest(s)
    g.req(attach(1, 0x8))
    g.req(vmap(1, 0x10000, 0x1ffff, DATA, 3))
    s.dma(XLATE, 0, 0x10000, 0x1000)
    s.dma(XLATE, 0, 0x10800, 0x100, A_WRITE)
    s.dma(DMA_WR, 0, 0x10010, 64)
    s.dma(DMA_RD, 0, 0x10000, 4096)
    s.dma(XLATE, 0, 0x10000, 16, A_PASID | A_PRIV, pasid=1)
    s.dma(XLATE, 0, 0x10000, 16, A_EXEC | A_TRANSLATED)
    g.req(vunmap(1, 0x10000, 0x1ffff))
    s.dma(XLATE, 0, 0x10000, 16)
    g.req(detach(1, 0x8))
    s.stats()
    save('fuzz_virtio', 'map_dma_unmap', s.b)
    # 2: events: post buffers, fault on an unmapped domain, probe
    s = Stream(2)
    g = VGuest(s)
    g.post_events(4)
    g.req(attach(2, 0x10), kick_reg=False)
    s.dma(DMA_RD, 1, 0x5000, 8)
    s.dma(XLATE, 1, 0x6000, 8, A_WRITE)
    g.req(probe(0x10), wrlen=512 + 4)
    g.req(vmap(2, 0x0, 0xfff, DATA, 1 | 4))
    s.dma(DMA_WR, 1, 0x0, 8)
    s.stats()
    save('fuzz_virtio', 'events_probe', s.b)
    # 3: indirect descriptors, bypass config, a second domain
    s = Stream(2)
    g = VGuest(s)
    s.mem(REQ_RD, attach(3, 0x18))
    s.mem(0x12000, struct.pack('<QIHH', REQ_RD, 20, F_NEXT, 1) +
          struct.pack('<QIHH', REQ_WR, 4, F_WRITE, 0))
    g.desc(RQ, 0, 0x12000, 32, F_INDIRECT, 0)
    g.publish(0, 0)
    s.notify(0)
    s.wr(CFG + 36, 1, 1)  # config bypass
    s.dma(XLATE, 3, 0x1234, 4)
    s.wr(CFG + 36, 1, 0)
    s.dma(XLATE, 3, 0x1234, 4)
    g.req(attach(4, 0x20, 1))  # ATTACH_F_BYPASS
    s.dma(DMA_RD, 3, 0x2000, 16)
    save('fuzz_virtio', 'indirect_bypass', s.b)
    # 4: queue_max 8, a batch of requests in one notify
    s = Stream(0)
    g = VGuest(s, num=8)
    reqs = [attach(5, 0x8), vmap(5, 0x0, 0xffff, DATA, 3),
            vunmap(5, 0x0, 0xfff)]
    for i, r in enumerate(reqs):
        s.mem(REQ_RD + 64 * i, r)
        g.desc(RQ, 2 * i, REQ_RD + 64 * i, len(r), F_NEXT, 2 * i + 1)
        g.desc(RQ, 2 * i + 1, REQ_WR + 16 * i, 4, F_WRITE, 0)
        g.publish(0, 2 * i)
    s.wr32(QNOTIFY, 0)
    s.dma(XLATE, 0, 0x1000, 0x1000)
    s.dma(XLATE, 0, 0x0, 0x1000)
    s.wr32(STATUS, 0)  # reset
    s.rd(STATUS)
    save('fuzz_virtio', 'batch_reset', s.b)


# ---- VT-d (VT-d 4.x: 9.1-9.6 tables, 6.5.2 queued invalidation, 7) ------
GCMD, GSTS, RTADDR, CCMD, FSTS, FECTL = 0x18, 0x1c, 0x20, 0x28, 0x34, 0x38
IQH, IQT, IQA, ICS, IECTL, IQERCD = 0x80, 0x88, 0x90, 0x9c, 0xa0, 0xb0
IVA, IOTLB, FRCD0 = 0xf0, 0xf8, 0x220
TE, SRTP, QIE = 1 << 31, 1 << 30, 1 << 26
ROOT, CTXT, SL4, PDIR, PTBL, FL4, IQ, WSTAT, VDATA = \
    0x1000, 0x2000, 0x10000, 0x30000, 0x31000, 0x40000, 0x60000, 0x70000, \
    0x80000
SID_A, SID_E = 0x10, 0x20  # 00:02.0, 00:04.0: device indexes 0 and 4


def sl_tables(s, root, iova, leaf_pa, flags=3, base=None):
    """A 4-level second-stage (or first-stage) path for @iova."""
    nxt = base or root + 0x1000
    table = root
    for level in (4, 3, 2):
        idx = (iova >> (12 + 9 * (level - 1))) & 0x1ff
        s.mem64(table + 8 * idx, nxt | flags)
        table, nxt = nxt, nxt + 0x1000
    s.mem64(table + 8 * ((iova >> 12) & 0x1ff), leaf_pa | flags)


def vtd_gcmd(s, val):
    s.wr32(GCMD, val)
    s.rd(GSTS)


def vtd_qi(s, descs, dw):
    size = 32 if dw else 16
    s.wr(IQT, 8, 0)
    s.wr(IQA, 8, IQ | (dw << 11))
    for i, d in enumerate(descs):
        s.mem(IQ + size * i, b''.join(struct.pack('<Q', q)
                                      for q in d[:size // 8]))
    return len(descs) * size


def vtd_wait(data):
    return (0x5 | 1 << 5 | data << 32, WSTAT, 0, 0)


def vtd_dmas(s, dev, iova, pasid_attr=0, pasid=0):
    s.dma(XLATE, dev, iova, 0x1000, pasid_attr, pasid)
    s.dma(XLATE, dev, iova + 0x10, 8, A_WRITE | pasid_attr, pasid)
    s.dma(DMA_RD, dev, iova, 256, pasid_attr, pasid)
    s.dma(DMA_WR, dev, iova + 0x100, 64, pasid_attr, pasid)
    s.dma(XLATE, dev, iova, 8, A_EXEC | A_PRIV | pasid_attr, pasid)
    s.dma(XLATE, dev, iova, 8, A_TRANSLATED | pasid_attr, pasid)


def vtd_faults(s):
    s.dma(XLATE, 0, 0x7fff0000, 8)            # not mapped
    s.dma(XLATE, 2, 0x1000, 8, A_WRITE)       # no context
    s.rd(FSTS)
    s.rd(FRCD0, 8)
    s.rd(FRCD0 + 8, 8)
    s.wr(FRCD0 + 8, 8, 1 << 63)               # clear F
    s.wr32(FSTS, 0x7d)
    s.wr32(FECTL, 0)                          # unmask
    s.dma(XLATE, 1, 0x3000, 8)
    s.rd(FECTL)


def vtd_seeds():
    # 1: legacy mode, register-based invalidation, DMA, faults
    s = Stream(0x01)
    s.mem64(ROOT, CTXT | 1)                   # bus 0
    s.mem64(CTXT + 16 * 0x10, SL4 | 1)        # 00:02.0: TT 0, P
    s.mem64(CTXT + 16 * 0x10 + 8, 2 | 1 << 8)  # AW 4-level, DID 1
    s.mem64(CTXT + 16 * 0x18, 0 | 2 << 2 | 1)  # 00:03.0: pass-through
    s.mem64(CTXT + 16 * 0x18 + 8, 2 | 2 << 8)
    sl_tables(s, SL4, 0x10000, VDATA)
    s.wr(RTADDR, 8, ROOT)
    vtd_gcmd(s, SRTP)
    s.wr(CCMD, 8, 1 << 63 | 1 << 61)          # global context inval
    s.rd(CCMD, 8)
    s.wr(IOTLB, 8, 1 << 63 | 1 << 60)         # global IOTLB inval
    s.rd(IOTLB, 8)
    vtd_gcmd(s, TE)
    vtd_dmas(s, 0, 0x10000)
    s.dma(XLATE, 1, 0x5000, 8)
    s.wr(IVA, 8, 0x10000)
    s.wr(IOTLB, 8, 1 << 63 | 3 << 60 | 1 << 32)  # page-selective, DID 1
    vtd_faults(s)
    save('fuzz_vtd', 'legacy_regs', s.b)
    # 2: legacy mode with the invalidation queue (128-bit descriptors)
    s = Stream(0x01)
    s.mem64(ROOT, CTXT | 1)
    s.mem64(CTXT + 16 * 0x10, SL4 | 1)
    s.mem64(CTXT + 16 * 0x10 + 8, 2 | 1 << 8)
    sl_tables(s, SL4, 0x200000, VDATA)
    s.wr(RTADDR, 8, ROOT)
    vtd_gcmd(s, SRTP)
    tail = vtd_qi(s, [(0x1 | 1 << 4, 0, 0, 0), (0x2 | 1 << 4, 0, 0, 0),
                      (0x2 | 3 << 4 | 1 << 16, 0x200000, 0, 0),
                      vtd_wait(7)], 0)
    vtd_gcmd(s, QIE)
    s.wr(IQT, 8, tail)
    s.rd(IQH, 8)
    s.rd(ICS)
    vtd_gcmd(s, QIE | TE)
    vtd_dmas(s, 0, 0x200000)
    s.mem(IQ + tail, struct.pack('<QQ', 0x2 | 2 << 4 | 1 << 16, 0))
    s.wr(IQT, 8, tail + 16)
    s.wr(IQT, 8, 0xff0)                       # beyond the queue: IQE
    s.rd(FSTS)
    s.rd(IQERCD, 8)
    s.wr32(FSTS, 1 << 4)
    vtd_faults(s)
    save('fuzz_vtd', 'legacy_queue', s.b)
    # 3: scalable mode: SL PASID entry for RID_PASID, FL for PASID 1
    s = Stream(0x01)
    s.mem64(ROOT, CTXT | 1)                   # SM root: lower table
    for sid, pdir in ((SID_A, PDIR), (SID_E, PDIR + 0x8000)):
        s.mem64(CTXT + 32 * sid, pdir | 1 << 3 | 1)  # PASIDE, P; PDTS 0
        s.mem64(CTXT + 32 * sid + 8, 0)       # RID_PASID 0
        s.mem64(pdir, (pdir + 0x1000) | 1)    # directory[0]
    pe = PDIR + 0x1000                        # A's PASID table, entry 0
    s.mem64(pe, SL4 | 2 << 6 | 2 << 2 | 1)    # SL, AW 4-level, P
    s.mem64(pe + 8, 1)                        # DID 1
    pe = PDIR + 0x9000 + 64 * 1               # E's table, PASID 1
    s.mem64(pe, 1 << 6 | 1)                   # FL, P
    s.mem64(pe + 8, 2)                        # DID 2
    s.mem64(pe + 16, FL4 | 1 << 5)            # FLPTR, NXE, 4-level
    pe = PDIR + 0x9000                        # E's RID_PASID: pass-through
    s.mem64(pe, 4 << 6 | 1)
    s.mem64(pe + 8, 3)
    sl_tables(s, SL4, 0x10000, VDATA)
    sl_tables(s, FL4, 0x400000, VDATA + 0x1000, flags=0x27)
    s.wr(RTADDR, 8, ROOT | 1 << 10)           # TTM scalable
    vtd_gcmd(s, SRTP)
    tail = vtd_qi(s, [(0x1 | 1 << 4, 0, 0, 0), (0x7 | 3 << 4, 0, 0, 0),
                      (0x2 | 1 << 4, 0, 0, 0),
                      (0x6 | 1 << 4 | 2 << 16 | 1 << 32, 0, 0, 0),
                      vtd_wait(9)], 1)
    vtd_gcmd(s, QIE)
    s.wr(IQT, 8, tail)
    vtd_gcmd(s, QIE | TE)
    vtd_dmas(s, 0, 0x10000)
    vtd_dmas(s, 4, 0x400000, A_PASID, 1)
    s.dma(XLATE, 4, 0x400000, 8, A_PASID | A_PRIV | A_WRITE, 1)
    s.dma(XLATE, 4, 0x1000, 8)
    s.dma(XLATE, 4, 0x400000, 8, A_PASID, 2)  # PASID entry not present
    vtd_faults(s)
    save('fuzz_vtd', 'scalable_sl_fl', s.b)


# ---- SMMUv3 (spec/smmuv3.md: 1 registers, 2 STE, 3 CD, 4 tables, 5, 6) --
S_CR0, S_CR0ACK, S_CR2, S_GBPA, S_IRQ_CTRL = 0x20, 0x24, 0x2c, 0x44, 0x50
S_GERROR, S_GERRORN, S_GERR_CFG0 = 0x60, 0x64, 0x68
S_STRTAB, S_STRTAB_CFG, S_CMDQ_BASE, S_CMDQ_PROD, S_CMDQ_CONS = \
    0x80, 0x88, 0x90, 0x98, 0x9c
S_EVTQ_BASE, S_EVTQ_CFG0, S_EVTQ_PROD, S_EVTQ_CONS = 0xa0, 0xb0, 0xa8, 0xac
SMMUEN, EVENTQEN, CMDQEN, ATSCHK = 1, 4, 8, 16
# guest RAM layout (1 MiB)
S_ST, S_L1ST, S_L2ST0, S_L2ST1 = 0x10000, 0x14000, 0x18000, 0x1c000
S_CMDQ, S_EVTQ, S_CD, S_CDTAB, S_L1CD, S_L2CD = \
    0x20000, 0x21000, 0x22000, 0x23000, 0x23800, 0x24000
S_PT4K, S_PT16K, S_PT64K, S_S2PT = 0x30000, 0x34000, 0x40000, 0x70000
S_DATA = 0x80000
S_MAIR = 0xf404ff44
S1_PAGE = 0xf47            # page, AttrIndx 1, AP RW, ISH, AF, nG
S1_BLOCK = 0xf45
S2_PAGE, S2_BLOCK = 0x7ff, 0x7fd   # MemAttr WB, S2AP RW, ISH, AF


def s_cd(t0sz, tg0, ttb0, asid, ips=5, extra=0):
    """A stage-1 CD (spec 3.1, 3.4): IR0 = OR0 = WB, ISH, EPD1, V, AA64,
    R, A, ASET."""
    dw0 = t0sz | tg0 << 6 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 30 | \
        1 << 31 | ips << 32 | 1 << 41 | 1 << 45 | 1 << 46 | 1 << 47 | \
        asid << 48 | extra
    return struct.pack('<8Q', dw0, ttb0, 0, S_MAIR, 0, 0, 0, 0)


def s_ste_s1(ctx, cdmax=0, fmt=0, dss=0, eats=0, dw1_extra=0):
    """Stage-1 STE (spec 2.4, 2.7): Config 5."""
    dw0 = ctx | fmt << 4 | 5 << 1 | 1 | cdmax << 59
    dw1 = dss | 1 << 2 | 1 << 4 | 3 << 6 | eats << 28 | dw1_extra
    return struct.pack('<8Q', dw0, dw1, 0, 0, 0, 0, 0, 0)


def s_ste_s2(s2ttb, config=6, ctx=0, vmid=1, t0sz=25, sl0=1):
    """Stage-2 (Config 6) or nested (7) STE: 4K, S2PS 48, AA64, PTW, R."""
    dw0 = ctx | config << 1 | 1
    dw1 = 1 << 2 | 1 << 4 | 3 << 6
    dw2 = vmid | t0sz << 32 | sl0 << 38 | 1 << 40 | 1 << 42 | 3 << 44 | \
        5 << 48 | 1 << 51 | 1 << 54 | 1 << 58
    return struct.pack('<8Q', dw0, dw1, dw2, s2ttb, 0, 0, 0, 0)


def s_ste_simple(config):
    return struct.pack('<8Q', config << 1 | 1, 0, 0, 0, 0, 0, 0, 0)


def s_pt(s, g, start, va, tables, leaf):
    """A walk of granule 2^g from level @start to 3 for @va: tables[i] is
    the table at level start + i, the last entry is @leaf."""
    stride = g - 3
    for i, level in enumerate(range(start, 4)):
        idx = (va >> (g + (3 - level) * stride)) & ((1 << stride) - 1)
        val = tables[i + 1] | 3 if level < 3 else leaf
        s.mem64(tables[i] + 8 * idx, val)


class SGuest:
    """The guest side of the queues."""
    def __init__(self, s, cmdq_log2=5, evtq_log2=3):
        self.s, self.prod, self.cmdq_log2 = s, 0, cmdq_log2
        self.evtq_log2, self.cons = evtq_log2, 0

    def base(self, strtab, cfg):
        self.s.wr(S_STRTAB, 8, strtab | 1 << 62)
        self.s.wr32(S_STRTAB_CFG, cfg)

    def queues(self):
        s = self.s
        s.wr(S_CMDQ_BASE, 8, S_CMDQ | 1 << 62 | self.cmdq_log2)
        s.wr32(S_CMDQ_PROD, 0)
        s.wr32(S_CMDQ_CONS, 0)
        s.wr(S_EVTQ_BASE, 8, S_EVTQ | 1 << 62 | self.evtq_log2)
        s.hi(1)
        s.wr32(S_EVTQ_PROD, 0)
        s.wr32(S_EVTQ_CONS, 0)
        s.hi(0)
        s.wr32(S_IRQ_CTRL, 0x5)           # GERROR, EVENTQ
        s.wr32(S_CR2, 2)                  # RECINVSID
        s.wr32(S_CR0, CMDQEN | EVENTQEN)
        s.rd(S_CR0ACK)

    def cmds(self, cmds):
        n = 1 << self.cmdq_log2
        for dw0, dw1 in cmds:
            idx = self.prod & (n - 1)
            self.s.mem(S_CMDQ + 16 * idx, struct.pack('<QQ', dw0, dw1))
            self.prod = (self.prod + 1) & (2 * n - 1)
        self.s.wr32(S_CMDQ_PROD, self.prod)
        self.s.rd(S_CMDQ_CONS)

    def sync(self, cmds=()):
        self.cmds(list(cmds) + [(0x46, 0)])

    def enable(self, extra=0):
        self.s.wr32(S_CR0, SMMUEN | CMDQEN | EVENTQEN | extra)
        self.s.rd(S_CR0ACK)

    def events(self, n):
        """Read EVENTQ_PROD and consume @n records."""
        s = self.s
        s.hi(1)
        s.rd(S_EVTQ_PROD)
        self.cons = (self.cons + n) & ((2 << self.evtq_log2) - 1)
        s.wr32(S_EVTQ_CONS, self.cons)
        s.hi(0)


CFGI_ALL = (0x04, 31)
TLBI_NSNH_ALL = (0x30, 0)


def cfgi_ste(sid):
    return (0x03 | sid << 32, 1)


def cfgi_cd(sid, ssid):
    return (0x05 | ssid << 12 | sid << 32, 1)


def tlbi_nh_va(asid, va, vmid=0):
    return (0x12 | vmid << 32 | asid << 48, va | 1)


def s_dmas(s, dev, va, attr=0, pasid=0):
    s.dma(XLATE, dev, va, 0x1000, attr, pasid)
    s.dma(XLATE, dev, va + 0x10, 8, A_WRITE | attr, pasid)
    s.dma(DMA_RD, dev, va, 256, attr, pasid)
    s.dma(DMA_WR, dev, va + 0x100, 64, attr, pasid)
    s.dma(XLATE, dev, va, 8, A_EXEC | A_PRIV | attr, pasid)


def s_faults(s, g):
    s.dma(XLATE, 0, 0x8000000000, 8)            # F_TRANSLATION
    s.dma(XLATE, 1, 0x7fff0000, 8, A_WRITE)
    s.dma(XLATE, 0, 0x12345000, 8, A_TRANSLATED)  # ATS, not allowed
    s.dma(XLATE, 7, 0x1000, 8)                  # SID 7: STE V = 0
    s.dma(XLATE, 200, 0x1000, 8)                # beyond the table
    s.rd(S_GERROR)
    g.events(5)
    s.stats()


def smmu_tables(s):
    """4K (T0SZ 16, start L0), 16K (T0SZ 17, start L1) and 64K (T0SZ 16,
    start L1) stage-1 tables; blocks of 1 GiB and 2 MiB in the 4K one."""
    t4 = [S_PT4K + 0x1000 * i for i in range(4)]
    s_pt(s, 12, 0, 0x12345000, t4, S_DATA | S1_PAGE)
    s.mem64(t4[1] + 8 * 1, 0x0 | S1_BLOCK)       # VA 1G: 1 GiB block
    s.mem64(t4[2] + 8 * 1, 0x0 | S1_BLOCK)       # VA 2M: 2 MiB block
    # read-only page with DBM (dirty-bit modifier), and AF clear
    s.mem64(t4[3] + 8 * 0x146, (S_DATA + 0x1000) | S1_PAGE | 0x80 | 1 << 51)
    s.mem64(t4[3] + 8 * 0x147, (S_DATA + 0x2000) | (S1_PAGE & ~0x400))
    t16 = [S_PT16K + 0x4000 * i for i in range(3)]
    s_pt(s, 14, 1, 0x12344000, t16, (S_DATA + 0x4000) | S1_PAGE)
    t64 = [S_PT64K + 0x10000 * i for i in range(3)]
    s_pt(s, 16, 1, 0x12340000, t64, (S_DATA + 0x10000) | S1_PAGE)


def smmu_s2(s):
    """Stage 2, 4K, S2T0SZ 25 (start L1): IPA 0..2M identity (a 2 MiB
    block) and IPA 0x200000 -> S_DATA + 0x3000 (a page)."""
    l1, l2, l3 = S_S2PT, S_S2PT + 0x1000, S_S2PT + 0x2000
    s.mem64(l1, l2 | 3)
    s.mem64(l2, 0 | S2_BLOCK)
    s.mem64(l2 + 8, l3 | 3)
    s.mem64(l3, (S_DATA + 0x3000) | S2_PAGE)


def smmu_seeds():
    # 1: linear Stream table; SID 8: one CD, 4K; SID 0x10: 16K; SID 0x18:
    # linear CD table (S1CDMax 4, S1DSS 2); SID 0x20 bypass
    for variant, name in ((0x00, 's1_linear'), (0x02, 's1_linear_1lvl'),
                          (0x24, 's1_linear_small')):
        s = Stream(variant)
        g = SGuest(s)
        smmu_tables(s)
        s.mem(S_CD, s_cd(16, 0, S_PT4K, 1, extra=3 << 42))  # HA, HD
        s.mem(S_CD + 0x40, s_cd(17, 2, S_PT16K, 2))
        for i in (0, 1, 3):
            s.mem(S_CDTAB + 64 * i, s_cd(16, 0, S_PT4K, 10 + i))
        s.mem(S_ST + 64 * 0x08, s_ste_s1(S_CD))
        s.mem(S_ST + 64 * 0x10, s_ste_s1(S_CD + 0x40))
        s.mem(S_ST + 64 * 0x18, s_ste_s1(S_CDTAB, cdmax=4, dss=2))
        s.mem(S_ST + 64 * 0x20, s_ste_simple(4))
        s.mem(S_ST + 64 * 0x3f, s_ste_simple(0))
        g.base(S_ST, 8)                          # linear, LOG2SIZE 8
        g.queues()
        g.sync([CFGI_ALL, TLBI_NSNH_ALL])
        g.enable()
        s_dmas(s, 0, 0x12345000)
        s_dmas(s, 0, 0x40080000)                 # 1 GiB block
        s_dmas(s, 0, 0x280000)                   # 2 MiB block
        s.dma(DMA_WR, 0, 0x12346000, 16)         # DBM: dirty
        s.dma(DMA_RD, 0, 0x12347000, 16)         # AF update
        s_dmas(s, 1, 0x12344000)
        s_dmas(s, 2, 0x12345000)                 # no SSID: CD 0
        s_dmas(s, 2, 0x12345000, A_PASID, 1)
        s_dmas(s, 2, 0x12345000, A_PASID, 3)
        s.dma(XLATE, 2, 0x12345000, 8, A_PASID, 0)    # SSID 0 with DSS 2
        s.dma(XLATE, 2, 0x12345000, 8, A_PASID, 2)    # CD V = 0
        s.dma(XLATE, 2, 0x12345000, 8, A_PASID, 17)   # beyond S1CDMax
        s_dmas(s, 4, 0x80000)                    # bypass
        s_dmas(s, 3, 0x1000)                     # abort
        # change a leaf: stale until TLBI_NH_VA + SYNC
        s.mem64(S_PT4K + 0x3000 + 8 * 0x145, (S_DATA + 0x5000) | S1_PAGE)
        s.dma(XLATE, 0, 0x12345000, 8)
        g.sync([tlbi_nh_va(1, 0x12345000)])
        s.dma(XLATE, 0, 0x12345000, 8)
        # change the CD: CFGI_CD + SYNC, TLBI by ASID
        s.mem(S_CD, s_cd(16, 0, S_PT4K, 5))
        g.sync([cfgi_cd(0x08, 0), (0x11 | 1 << 48, 0), cfgi_ste(0x08)])
        s.dma(XLATE, 0, 0x12345000, 8)
        s_faults(s, g)
        save('fuzz_smmuv3', name, s.b)
    # 2: 2-level Stream table (SPLIT 8), SID 0x100 with 64K tables, SID
    # 0x18 with a 2-level CD table (S1Fmt 1, S1CDMax 8)
    s = Stream(0x00)
    g = SGuest(s)
    smmu_tables(s)
    s.mem64(S_L1ST, S_L2ST0 | 9)                 # L1STD: span 9
    s.mem64(S_L1ST + 8, S_L2ST1 | 9)
    s.mem(S_CD, s_cd(16, 1, S_PT64K, 3))
    s.mem(S_CD + 0x40, s_cd(16, 0, S_PT4K, 4))
    s.mem(S_L2ST1, s_ste_s1(S_CD))               # SID 0x100
    s.mem(S_L2ST0 + 64 * 0x08, s_ste_s1(S_CD + 0x40, dss=1))
    s.mem64(S_L1CD, S_L2CD | 1)                  # L1CD 0
    for i in (0, 1, 5, 63):
        s.mem(S_L2CD + 64 * i, s_cd(16, 0, S_PT4K, 20 + i))
    s.mem(S_L2ST0 + 64 * 0x18, s_ste_s1(S_L1CD, cdmax=8, fmt=1, dss=0))
    g.base(S_L1ST, 16 | 8 << 6 | 1 << 16)        # 2-level, SPLIT 8
    g.queues()
    g.sync([CFGI_ALL])
    g.enable()
    s_dmas(s, 3, 0x12340000)
    s_dmas(s, 0, 0x12345000)
    s_dmas(s, 0, 0x12345000, A_PASID, 1)         # SSID to a 1-CD STE
    s_dmas(s, 2, 0x12345000, A_PASID, 5)
    s_dmas(s, 2, 0x12345000, A_PASID, 63)
    s.dma(XLATE, 2, 0x12345000, 8, A_PASID, 64)  # L1CD 1 not valid
    s.dma(XLATE, 2, 0x12345000, 8)               # DSS 0: terminate
    s.mem64(S_L1ST + 8, 0)                       # span 0
    g.sync([(0x04 | 0x100 << 32, 7)])            # CFGI_STE_RANGE
    s.dma(XLATE, 3, 0x12340000, 8)
    g.sync([(0x06 | 0x18 << 32, 0)])             # CFGI_CD_ALL
    s_faults(s, g)
    save('fuzz_smmuv3', 's1_2level_64k', s.b)
    # 3: stage 2 (SID 0x20) and nested (SID 0x08: the CD and stage-1
    # tables through stage 2), TLBI_S2_IPA, TLBI_S12_VMALL
    s = Stream(0x00)
    g = SGuest(s)
    smmu_tables(s)
    smmu_s2(s)
    s.mem(S_CD, s_cd(16, 0, S_PT4K, 1))
    s.mem(S_ST + 64 * 0x20, s_ste_s2(S_S2PT))
    s.mem(S_ST + 64 * 0x08, s_ste_s2(S_S2PT, config=7, ctx=S_CD, vmid=2))
    s.mem(S_ST + 64 * 0x10, s_ste_s2(S_S2PT, t0sz=40))   # illegal
    g.base(S_ST, 8)
    g.queues()
    g.sync([CFGI_ALL])
    g.enable()
    s_dmas(s, 4, 0x80000)
    s_dmas(s, 4, 0x200000)
    s.dma(XLATE, 4, 0x400000, 8)                 # S2 fault
    s_dmas(s, 0, 0x12345000)
    s_dmas(s, 1, 0x1000)
    s.mem64(S_S2PT + 0x2000, (S_DATA + 0x6000) | S2_PAGE)
    g.sync([(0x2a | 1 << 32, 0x200000 | 1), (0x28 | 2 << 32, 0)])
    s.dma(XLATE, 4, 0x200000, 8)
    s_faults(s, g)
    save('fuzz_smmuv3', 's2_nested', s.b)
    # 4: tiny queues (variant bit 7): wrap, overflow and its ack, command
    # errors and GERRORN, GBPA, SMMUEN off, ATS with ATSCHK, MSIs
    s = Stream(0x80)
    g = SGuest(s, cmdq_log2=2, evtq_log2=1)
    s.dma(XLATE, 0, 0x1000, 8)                   # SMMUEN 0: bypass
    s.wr32(S_GBPA, 1 << 31 | 1 << 20)            # ABORT
    s.dma(XLATE, 0, 0x1000, 8)
    s.wr32(S_GBPA, 1 << 31)
    smmu_tables(s)
    s.mem(S_CD, s_cd(16, 0, S_PT4K, 1))
    s.mem(S_ST + 64 * 0x08, s_ste_s1(S_CD, eats=1))
    s.mem(S_ST + 64 * 0x10, s_ste_simple(4))
    g.base(S_ST, 8)
    s.wr(S_GERR_CFG0, 8, 0xfee00000)
    s.wr(S_EVTQ_CFG0, 8, 0xfee00000)
    s.wr32(S_EVTQ_CFG0 + 8, 0x41)
    g.queues()
    for _ in range(3):
        g.sync([CFGI_ALL, TLBI_NSNH_ALL])
    g.sync([(0x46 | 1 << 12 | 0x55 << 32, 0xfee00000)])  # SIG_IRQ
    g.enable(ATSCHK)
    s_dmas(s, 0, 0x12345000)
    s.dma(XLATE, 0, 0x80000, 8, A_TRANSLATED)    # EATS 1
    s.dma(XLATE, 1, 0x80000, 8, A_TRANSLATED)    # bypass: forbidden
    for i in range(6):                           # overflow
        s.dma(XLATE, 0, 0x8000000000 + 0x1000 * i, 8)
    s.hi(1)
    s.rd(S_EVTQ_PROD)
    s.wr32(S_EVTQ_CONS, 1 << 31 | 2)             # ack OVFLG
    s.hi(0)
    g.cmds([(0xff, 0)])                          # CERROR_ILL
    s.rd(S_CMDQ_CONS)
    s.rd(S_GERROR)
    s.wr32(S_GERRORN, 1)
    g.sync()
    g.cmds([(0x12 | 1 << 12, 0x1000 | 1 << 10)])  # range TLBI
    s.wr32(S_CR0, 0)
    s.rd(S_CR0ACK)
    s.stats()
    save('fuzz_smmuv3', 'queues_errors', s.b)


# ---- AMD-Vi (spec/amdvi.md: 1 registers, 2 DTE, 3 v1, 4 v2 / GCR3, 5, 6)
A_DTB, A_CMDB, A_EVTB, A_CTRL, A_EXB, A_EXL = 0x0, 0x8, 0x10, 0x18, 0x20, \
    0x28
A_MSI_LO, A_MSI_DATA = 0x15c, 0x164
A_CMDH, A_CMDT, A_EVTH, A_EVTT, A_STATUS = 0x2000, 0x2008, 0x2010, 0x2018, \
    0x2020
IOMMUEN, EVTLOGEN, EVTINTEN, COMWAITINTEN, CMDBUFEN, GTEN = \
    1, 4, 8, 16, 1 << 12, 1 << 16
# guest RAM layout (1 MiB)
A_DT, A_CMD, A_EVT, A_SEM = 0x10000, 0x20000, 0x21000, 0x22000
A_V1, A_V1B, A_GCR3, A_V2, A_DATA = 0x30000, 0x38000, 0x40000, 0x41000, \
    0x80000
IR_IW = 3 << 61
V2_TBL, V2_LEAF = 0x27, 0x67   # P, RW, US, A (+ D)


def a_dte(mode=0, root=0, domid=0, ir_iw=True, gcr3=None, glx=0,
          giov=False, extra0=0, extra1=0):
    q0 = 1 | 2 | mode << 9 | root | extra0      # V, TV
    if ir_iw:
        q0 |= IR_IW
    q1 = domid | extra1
    if gcr3 is not None:
        q0 |= 1 << 55 | glx << 56 | ((gcr3 >> 12) & 7) << 58
        q1 |= ((gcr3 >> 15) & 0xffff) << 16 | ((gcr3 >> 31) & 0x1fffff) << 43
        if giov:
            q0 |= 1 << 54
    return struct.pack('<4Q', q0, q1, 0, 0)


def a_v1(s, tables, top, iova, leaf, stop=1):
    """A v1 path from level @top down to level @stop: tables[i] is the
    table of level top - i; @leaf is written at level @stop."""
    for i, level in enumerate(range(top, stop - 1, -1)):
        idx = (iova >> (12 + 9 * (level - 1))) & 0x1ff
        if level == stop:
            s.mem64(tables[i] + 8 * idx, leaf)
        else:
            s.mem64(tables[i] + 8 * idx,
                    tables[i + 1] | (level - 1) << 9 | IR_IW | 1)


def a_v2(s, tables, iova, leaf):
    for i, level in enumerate((4, 3, 2, 1)):
        idx = (iova >> (12 + 9 * (level - 1))) & 0x1ff
        s.mem64(tables[i] + 8 * idx,
                leaf if level == 1 else tables[i + 1] | V2_TBL)


class AGuest:
    def __init__(self, s, cmd_len=8):
        self.s, self.tail, self.cmd_len = s, 0, cmd_len
        self.head = 0

    def start(self, ctrl_extra=GTEN, dt_size=3):
        s = self.s
        s.rd(0x30, 8)                                  # EFR
        s.wr(A_DTB, 8, A_DT | dt_size)
        s.wr(A_CMDB, 8, A_CMD | self.cmd_len << 56)
        s.wr(A_EVTB, 8, A_EVT | 8 << 56)
        for r in (A_CMDH, A_CMDT, A_EVTH, A_EVTT):
            s.wr(r, 8, 0)
        s.wr32(A_MSI_LO, 0xfee00000)
        s.wr32(A_MSI_DATA, 0x31)
        s.wr(A_CTRL, 8, IOMMUEN | EVTLOGEN | EVTINTEN | COMWAITINTEN |
             CMDBUFEN | ctrl_extra)
        s.rd(A_STATUS)

    def cmds(self, cmds, wait=True, seq=1):
        if wait:
            cmds = list(cmds) + [(A_SEM | 1 | 2 | 1 << 60, seq)]
        n = 16 << self.cmd_len
        for q0, q1 in cmds:
            self.s.mem(A_CMD + self.tail, struct.pack('<QQ', q0, q1))
            self.tail = (self.tail + 16) % n
        self.s.wr(A_CMDT, 8, self.tail)
        self.s.rd(A_CMDH, 8)
        self.s.rd(A_STATUS)
        self.s.wr32(A_STATUS, 0x7)                     # RW1C

    def events(self):
        s = self.s
        s.rd(A_EVTT, 8)
        self.head = (self.head + 0x40) % 0x1000
        s.wr(A_EVTH, 8, self.head)
        s.wr32(A_STATUS, 0x3)


def inv_dte(devid):
    return (devid | 2 << 60, 0)


def inv_pages(domid, addr=0x7ffffffffffff000, s=1, pasid=0, gn=0):
    return (pasid | domid << 32 | 3 << 60, s | 1 << 1 | gn << 2 | addr)


INV_ALL = (8 << 60, 0)


def a_dmas(s, dev, iova, attr=0, pasid=0):
    s.dma(XLATE, dev, iova, 0x1000, attr, pasid)
    s.dma(XLATE, dev, iova + 0x10, 8, A_WRITE | attr, pasid)
    s.dma(DMA_RD, dev, iova, 256, attr, pasid)
    s.dma(DMA_WR, dev, iova + 0x100, 64, attr, pasid)
    s.dma(XLATE, dev, iova, 8, A_EXEC | A_PRIV | attr, pasid)


def a_faults(s, g):
    s.dma(XLATE, 0, 0x7fff0000, 8)                 # not present
    s.dma(XLATE, 0, 1 << 40, 8)                    # beyond Mode 3
    s.dma(XLATE, 4, 0x1000, 8, A_WRITE)            # V = 0: untranslated
    s.dma(XLATE, 0, 0xfee00000, 4, A_WRITE)        # MSI window
    s.dma(XLATE, 0, 0x1000, 8, A_TRANSLATED)
    g.events()
    s.stats()


def amdvi_seeds():
    # 1: v1 tables: Mode 3 (device 00:01.0), Mode 6 with a skipped level
    # and large pages (00:02.0), Mode 0 identity (01:00.0)
    for variant, name in ((0x00, 'v1_modes'), (0x24, 'v1_small_ad')):
        s = Stream(variant)
        g = AGuest(s)
        t = [A_V1 + 0x1000 * i for i in range(3)]
        a_v1(s, t, 3, 0x12345000, A_DATA | IR_IW | 1)
        s.mem64(t[1] + 8 * 1, 0x0 | IR_IW | 1)               # 2 MiB page
        # 8 KiB NextLevel-7 page in two level-1 slots; a read-only page
        for i in (0x146, 0x147):
            s.mem64(t[2] + 8 * i, (A_DATA + 0x4000) | 7 << 9 | IR_IW | 1)
        s.mem64(t[2] + 8 * 0x148, (A_DATA + 0x6000) | 1 << 61 | 1)
        # Mode 6, level 6 -> level 4 -> skip to level 2 -> level 1
        b = [A_V1B + 0x1000 * i for i in range(4)]
        s.mem64(b[0], b[1] | 4 << 9 | IR_IW | 1)
        s.mem64(b[1], b[2] | 2 << 9 | IR_IW | 1)             # skip 3
        s.mem64(b[2] + 8 * 0x91, b[3] | 1 << 9 | IR_IW | 1)
        s.mem64(b[3] + 8 * 0x145, (A_DATA + 0x7000) | IR_IW | 1)
        s.mem(A_DT + 32 * 0x08, a_dte(3, A_V1, 1, extra0=3 << 7))
        s.mem(A_DT + 32 * 0x10, a_dte(6, A_V1B, 2))
        s.mem(A_DT + 32 * 0x100, a_dte(0, 0, 4))
        s.mem(A_DT + 32 * 0x85, a_dte(7, 0, 5))              # illegal
        g.start()
        g.cmds([INV_ALL])
        a_dmas(s, 0, 0x12345000)
        a_dmas(s, 0, 0x280000)
        a_dmas(s, 0, 0x12346000)
        s.dma(DMA_WR, 0, 0x12348000, 8)                      # read-only
        a_dmas(s, 1, 0x12345000)
        s.dma(XLATE, 1, 0x40012345000, 8)                    # skipped bits
        a_dmas(s, 3, 0x80000)
        s.dma(XLATE, 4, 0x1000, 8)
        s.mem64(t[2] + 8 * 0x145, (A_DATA + 0x9000) | IR_IW | 1)
        s.dma(XLATE, 0, 0x12345000, 8)
        g.cmds([inv_pages(1, 0x12345000, s=0)], seq=2)
        s.dma(XLATE, 0, 0x12345000, 8)
        s.mem(A_DT + 32 * 0x08, a_dte(0, 0, 1, ir_iw=False))
        g.cmds([inv_dte(0x08), inv_pages(1)], seq=3)
        s.dma(XLATE, 0, 0x12345000, 8)
        # exclusion range
        s.wr(A_EXB, 8, 0x90000 | 3)
        s.wr(A_EXL, 8, 0x90000)
        s.dma(XLATE, 0, 0x90010, 8, A_WRITE)
        a_faults(s, g)
        save('fuzz_amdvi', name, s.b)
    # 2: v2: GCR3 table (GLX 0) for 00:03.0, PASIDs 0 (GIoV) and 1, PRIV,
    # EXEC; the GCR3 table of 00:01.0 with GLX 1
    s = Stream(0x00)
    g = AGuest(s)
    t = [A_V2 + 0x1000 * i for i in range(4)]
    a_v2(s, t, 0x400000, (A_DATA + 0x1000) | V2_LEAF)
    a_v2(s, t, 0x401000, (A_DATA + 0x2000) | 0x25 | 1 << 63)  # RO, NX
    s.mem64(t[2] + 8 * 3, (A_DATA & ~0x1fffff) | 0xe7)      # 2 MiB
    s.mem64(A_GCR3 + 8 * 0, t[0] | 1)
    s.mem64(A_GCR3 + 8 * 1, t[0] | 1)
    s.mem64(A_GCR3 + 0x1000 + 8 * 1, (A_GCR3 + 0x2000) | 1)  # GLX 1
    s.mem64(A_GCR3 + 0x2000 + 8 * 2, t[0] | 1)
    s.mem(A_DT + 32 * 0x18, a_dte(0, 0, 3, gcr3=A_GCR3, giov=True))
    s.mem(A_DT + 32 * 0x08, a_dte(0, 0, 6, gcr3=A_GCR3 + 0x1000, glx=1))
    g.start()
    g.cmds([INV_ALL])
    a_dmas(s, 2, 0x400000)                         # GIoV: PASID 0
    a_dmas(s, 2, 0x400000, A_PASID, 1)
    a_dmas(s, 2, 0x401000, A_PASID, 1)
    a_dmas(s, 2, 0x600000, A_PASID, 1)
    s.dma(XLATE, 2, 0x400000, 8, A_PASID, 2)       # no GCR3 entry
    a_dmas(s, 0, 0x400000, A_PASID, 0x202)
    s.dma(XLATE, 0, 0x400000, 8)
    s.mem64(t[3] + 8 * 0, (A_DATA + 0x3000) | V2_LEAF)
    g.cmds([inv_pages(3, 0x400000, s=0, pasid=1, gn=1)], seq=2)
    s.dma(XLATE, 2, 0x400000, 8, A_PASID, 1)
    s.wr(A_CTRL, 8, IOMMUEN | EVTLOGEN | CMDBUFEN)   # GTEn off
    s.dma(XLATE, 2, 0x400000, 8, A_PASID, 1)
    a_faults(s, g)
    save('fuzz_amdvi', 'v2_gcr3', s.b)
    # 3: command errors and event-log overflow: an illegal opcode halts the
    # buffer until CmdBufEn toggles; 300 faults fill the 256-entry log
    s = Stream(0x40)
    g = AGuest(s)
    s.mem(A_DT + 32 * 0x08, a_dte(3, A_V1, 1))
    g.start(dt_size=0)
    g.cmds([(0xf << 60, 0)])                         # illegal
    s.rd(A_STATUS)
    s.wr(A_CTRL, 8, IOMMUEN | EVTLOGEN | EVTINTEN)
    s.wr(A_CMDH, 8, g.tail)
    s.wr(A_CTRL, 8, IOMMUEN | EVTLOGEN | EVTINTEN | CMDBUFEN)
    g.cmds([(0x6 | 4 << 24 | 6 << 60, 0x1000),       # PREFETCH
            (0x08 | 4 << 60, 0x5000), (0x08 | 5 << 60, 0),
            (0x08 | 7 << 60, 0)], seq=5)
    s.dma(XLATE, 3, 0x1000, 8)                       # 01:00.0 > Size
    for i in range(300):
        s.dma(XLATE, 0, 0x100000 + 0x1000 * i, 4)
    s.rd(A_STATUS)
    s.wr(A_CTRL, 8, IOMMUEN | EVTINTEN | CMDBUFEN)   # restart logging
    s.wr32(A_STATUS, 1)
    s.wr(A_CTRL, 8, IOMMUEN | EVTLOGEN | EVTINTEN | CMDBUFEN)
    s.wr(A_CMDT, 8, 0x1ff0)                          # past the ring
    s.wr(A_CTRL, 8, 0)
    s.dma(XLATE, 0, 0x1000, 8)
    s.stats()
    save('fuzz_amdvi', 'cmd_errors_overflow', s.b)


# ---- the driver against hostile hardware (fuzz/fuzz_drv.c header) -------
def drv_seeds():
    """Per backend (byte 0 bits 1:0: vtd, smmuv3, amdvi, virtio): the
    honest run; -EIO, a stuck register (reads 0), all ones, and a write
    the hardware drops at a few points of the run (probe, map, unmap);
    spurious interrupts; garbage in the table range; lying translations."""
    names = ('vtd', 'smmuv3', 'amdvi', 'virtio')
    for b, name in enumerate(names):
        save('fuzz_drv', name + '_honest', bytes([b]))
        for v, tag in ((4, 'identity'), (8, 'deferred'), (16, 'other')):
            save('fuzz_drv', '%s_%s' % (name, tag), bytes([b | v]))
        for at in (2, 20, 45, 70):
            pre = bytes([b]) + bytes(at)
            save('fuzz_drv', '%s_eio_%d' % (name, at), pre + b'\x06')
            save('fuzz_drv', '%s_zero_%d' % (name, at),
                 pre + (b'\x05' + bytes(8)) * 40)
            save('fuzz_drv', '%s_ones_%d' % (name, at), pre + b'\x07' * 40)
            save('fuzz_drv', '%s_flip_%d' % (name, at),
                 pre + b'\x04' + struct.pack('<Q', 1 << 63 | 0xff))
        save('fuzz_drv', name + '_irqs',
             bytes([b]) + b'\x40\x00\x40\x01\x40\x02\x40\x03' * 30)
        garbage = b''
        for i in range(60):
            garbage += b'\x80' + struct.pack('<IQ', 0x40 * i,
                                             0xffffffffffffffff)
        save('fuzz_drv', name + '_garbage', bytes([b]) + garbage)
        # translations lie: skip the probe with honest bytes, then every
        # translation answers beyond RAM
        lies = bytes([b]) + bytes(60) + \
            (b'\x04' + struct.pack('<QHB', 0xfffffffffffff000, 0xffff, 3) +
             b'\x07\x00\x10') * 8
        save('fuzz_drv', name + '_xlate_lies', lies)


# ---- the walker (fuzz/fuzz_walk.c header) --------------------------------
def walk_seed(fmt, gran, levels, ia, oa, flags, root, walks, tables):
    hdr = struct.pack('<BBBBBBBBIQII', fmt - 1, gran, 0, levels, 0, ia, oa, 0,
                      flags, 0, 0, root)
    hdr += bytes([len(walks)])
    for va, acc in walks:
        hdr += struct.pack('<QB', va, acc)
    for pa, val in tables:
        hdr += struct.pack('<IQ', pa, val)
    return hdr


def walk_seeds():
    va = 0x40201000
    walks = [(va, 1), (va + 8, 3), (va, 0), (0xdead000, 1), (va, 5 | 8)]
    # x86-style formats: vtdss (1), x86_64 (2), amdv2 (4); 4 levels
    for fmt, name, flags in ((1, 'vtdss', 0x3), (2, 'x86_64', 0x7),
                             (4, 'amdv2', 0x7)):
        t = []
        for i, level in enumerate((4, 3, 2)):
            idx = (va >> (12 + 9 * (level - 1))) & 0x1ff
            t.append((0x1000 * i + 8 * idx, 0x1000 * (i + 1) | flags))
        t.append((0x3000 + 8 * ((va >> 12) & 0x1ff), 0x10000 | flags))
        save('fuzz_walk', name, walk_seed(fmt, 0, 4, 48, 48, 0x3, 0, walks,
                                          t))
        # a 2 MiB leaf at level 2 (PS, bit 7)
        t2 = t[:2] + [(0x2000 + 8 * ((va >> 21) & 0x1ff),
                       0x200000 | 0x80 | flags)]
        save('fuzz_walk', name + '_2m',
             walk_seed(fmt, 0, 4, 48, 48, 0, 0, walks, t2))
    # amdv1 (3): PTE NextLevel in bits 11:9, IR 61, IW 62, PR 0
    t = []
    for i, level in enumerate((4, 3, 2)):
        idx = (va >> (12 + 9 * (level - 1))) & 0x1ff
        t.append((0x1000 * i + 8 * idx,
                  0x1000 * (i + 1) | (level - 1) << 9 | 3 << 61 | 1))
    t.append((0x3000 + 8 * ((va >> 12) & 0x1ff), 0x10000 | 3 << 61 | 1))
    save('fuzz_walk', 'amdv1', walk_seed(3, 0, 4, 48, 48, 0x3, 0, walks, t))
    # lpae_s1 (5) and lpae_s2 (6), 4K granule, 4 levels: table 0b11,
    # page 0b11 with AF (bit 10)
    for fmt, name in ((5, 'lpae_s1'), (6, 'lpae_s2')):
        t = []
        for i, level in enumerate((3, 2, 1)):
            idx = (va >> (12 + 9 * level)) & 0x1ff
            t.append((0x1000 * i + 8 * idx, 0x1000 * (i + 1) | 3))
        t.append((0x3000 + 8 * ((va >> 12) & 0x1ff),
                  0x10000 | 1 << 10 | 0xc0 | 3))
        save('fuzz_walk', name,
             walk_seed(fmt, 0, 4, 48, 48, 0x1, 0, walks, t))
    # lpae_s1 at a 64K granule, 2 levels (42-bit input): the 64 KiB
    # tables at 0 and 64K fit the target's RAM
    va64 = 0x40010000
    t = [(8 * ((va64 >> 29) & 0x1fff), 0x10000 | 3),
         (0x10000 + 8 * ((va64 >> 16) & 0x1fff), 0x30000 | 1 << 10 | 1 << 6 | 3)]
    save('fuzz_walk', 'lpae_s1_64k',
         walk_seed(5, 2, 2, 42, 48, 0, 0, [(va64, 1), (va64, 2)], t))


# ---- INI text -------------------------------------------------------------
INI_BASE = """[iommu]
backend = %s
default_domain = %s
invalidation = %s
[memory]
ram_size = 16M
table_base = 0x800000
table_size = 0x400000
[device.a]
id = %s
[device.b]
id = %s
group = g1
alias = a
"""


def ini_seeds():
    seeds = {
        'virtio': INI_BASE % ('virtio', 'dma', 'strict', '0x8', '0x10') +
        '[virtio]\nqueue_max = 64\nprobe_size = 16\n'
        'request_queue_size = 16\nevent_queue_size = 8\n',
        'vtd_sm': INI_BASE % ('vtd', 'dma', 'deferred', '00:02.0',
                              '00:03.0') +
        '[device.c]\nid = 00:04.0\nfeatures = aux, sva\npasid_bits = 20\n'
        '[vtd]\naw = 48\nscalable_mode = yes\nstage = first\n'
        'queue_order = 1\niotlb_entries = 64\n',
        'vtd_legacy': INI_BASE % ('vtd', 'identity', 'strict', '00:02.0',
                                  '01:00.1') +
        '[vtd]\ntranslation = legacy\ncaching_mode = yes\naw = 39\n',
        'smmuv3': INI_BASE % ('smmuv3', 'dma', 'strict', '1', '2') +
        '[smmuv3]\n',
        'amdvi': INI_BASE % ('amdvi', 'dma', 'strict', '00:02.0',
                             '00:03.0') + '[amdvi]\n',
        'bad_key': INI_BASE % ('virtio', 'dma', 'strict', '0x8', '0x8') +
        '[virtio]\nqueue_max = 99999\nnope = 1\n',
        'plugin_path': '[iommu]\nbackend = nope\nplugin = ./x.so\n'
        'plugin_dir = /nonexistent\ndefault_domain = dma\n'
        'invalidation = strict\n[memory]\ntable_base = 0\n'
        'table_size = 4K\n',
    }
    for name, text in seeds.items():
        # odd length: model only; even: with the driver (fuzz_ini.c)
        save('fuzz_ini', name + '_drv',
             text if len(text) % 2 == 0 else text + '\n')
        save('fuzz_ini', name + '_nodrv',
             text if len(text) % 2 == 1 else text + '\n')


# ---- reproducers of past findings (fuzz/regress/<target>/) --------------
def save_regress(target, name, data):
    d = os.path.join(HERE, 'regress', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(bytes(data))


def regress():
    # Issue 10, finding 1 (outside fuzzing): queue_max 32768, one
    # descriptor whose next is itself, avail.idx 32768 with every ring
    # slot 0, one QueueNotify.  Served 32768 chains of up to 32768 reads
    # each (2^30) before the model bounded the work per notify.
    s = Stream(3)
    num, desc, avail, used = 32768, 0x0, 0x80000, 0x90000
    s.wr32(STATUS, 0)
    s.wr32(STATUS, ACK)
    s.wr32(STATUS, ACK | DRV)
    for sel in (0, 1):
        s.wr32(GFSEL, sel)
        s.wr32(GF, 0x130000077 >> (32 * sel))
    s.wr32(STATUS, ACK | DRV | FEAT_OK)
    s.wr32(QSEL, 0)
    s.wr32(QNUM, num)
    s.wr32(QDESC, desc)
    s.wr32(QDRV, avail)
    s.wr32(QDEV, used)
    s.wr32(QREADY, 1)
    s.wr32(STATUS, ACK | DRV | FEAT_OK | DRV_OK)
    s.mem(desc, struct.pack('<QIHH', 0x10000, 16, F_NEXT, 0))
    s.mem(avail, struct.pack('<HH', 0, num & 0xffff))
    s.wr32(QNOTIFY, 0)
    s.rd(STATUS)
    save_regress('fuzz_virtio', 'issue10-selfloop-notify', s.b)


if __name__ == '__main__':
    regress()
    virtio_seeds()
    vtd_seeds()
    smmu_seeds()
    amdvi_seeds()
    drv_seeds()
    walk_seeds()
    ini_seeds()
