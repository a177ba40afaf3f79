#!/usr/bin/env python3
# gen_corpus.py - writes the seed corpora of the fuzz targets into
# fuzz/corpus/<target>/: valid programming sequences, so that the fuzzer
# starts deep; and the hand-made reproducers of fuzz/regress/<target>/
# (findings made before the targets existed; libFuzzer's own findings are
# copied there as they are).  The stream encoding is the one of fuzz/ops.h; the VT-d and
# virtio layouts are written from the spec sheets (as the vendor tests'
# guests are), not from the plugins' headers.  Run from anywhere:
#   python3 fuzz/gen_corpus.py
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- the operation stream (fuzz/ops.h) -----------------------------------
MMIO_WR, MMIO_RD, MEM_WR, MEM_WR64, MEM_FILL, NOTIFY, XLATE, DMA_RD, \
    DMA_WR, MMIO_WR32, STATS = range(11)
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
    walk_seeds()
    ini_seeds()
