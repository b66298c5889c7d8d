#!/usr/bin/env python3
"""Independent decodes of the market data in ../shared/data, for TernMarketData's tests.

DBN through Databento's own decoder (PyPI databento-dbn; zstd from PyPI zstandard), ITCH through PyPI itchfeed once the
sample's zero length prefixes are filled in, Binance and Bybit through Python's json module with
decimal.Decimal. Each file is replayed into a slow, obviously-correct reference book (dicts and
lists) with the same documented semantics Tern implements, and the books are written out at
checkpoints: the record count, the top 10 levels per side (price, size, order count), the level
counts, resting orders, and for L3 books the queue (order ids, front first) of the best 3 levels.

usage: feed-references.py DATA_DIR OUT.json
"""
import gzip
import io
import json
import sys
import zipfile
from collections import OrderedDict
from decimal import Decimal

import databento_dbn
import itch.parser
import zstandard


def dec(value):
    return format(Decimal(value).normalize(), "f")


def checkpoints(total):
    return sorted({c for c in (1, 1000, total // 3, total) if 0 < c <= total})


# ---------------------------------------------------------------- reference books


class L3:
    """Orders by id; per side, price -> OrderedDict(order id -> size) in queue order."""

    def __init__(self):
        self.orders = {}
        self.sides = {"B": {}, "A": {}}

    def add(self, oid, side, price, size):
        if oid in self.orders or size <= 0:
            return False
        self.orders[oid] = [side, price, size]
        self.sides[side].setdefault(price, OrderedDict())[oid] = size
        return True

    def _drop(self, oid):
        side, price, _ = self.orders.pop(oid)
        level = self.sides[side][price]
        del level[oid]
        if not level:
            del self.sides[side][price]

    def reduce(self, oid, amount):
        if oid not in self.orders:
            return False
        side, price, size = self.orders[oid]
        if amount < size:
            self.orders[oid][2] = size - amount
            self.sides[side][price][oid] = size - amount
        else:
            self._drop(oid)
        return True

    def delete(self, oid):
        if oid not in self.orders:
            return False
        self._drop(oid)
        return True

    def modify(self, oid, price, size):
        if oid not in self.orders:
            return False
        side, old_price, old_size = self.orders[oid]
        if size <= 0:
            self._drop(oid)
        elif price == old_price and size <= old_size:
            self.orders[oid][2] = size
            self.sides[side][price][oid] = size
        else:
            self._drop(oid)
            self.add(oid, side, price, size)
        return True

    def clear(self):
        self.__init__()

    def snapshot(self, scale_price, scale_size, depth=10):
        out = {"orders": len(self.orders)}
        for side, key, reverse in (("B", "bids", True), ("A", "asks", False)):
            prices = sorted(self.sides[side], reverse=reverse)
            out[key.rstrip("s") + "_levels"] = len(prices)
            out[key] = [[scale_price(p), scale_size(sum(self.sides[side][p].values())), len(self.sides[side][p])] for p in prices[:depth]]
            out[key + "_queues"] = [[str(o) for o in self.sides[side][p]] for p in prices[:3]]
        return out


class L2:
    def __init__(self):
        self.sides = {"B": {}, "A": {}}

    def set(self, side, price, size):
        if size == 0:
            self.sides[side].pop(price, None)
        else:
            self.sides[side][price] = size

    def clear(self):
        self.__init__()

    def snapshot(self, depth=10):
        out = {}
        for side, key, reverse in (("B", "bids", True), ("A", "asks", False)):
            prices = sorted(self.sides[side], reverse=reverse)
            out[key.rstrip("s") + "_levels"] = len(prices)
            out[key] = [[dec(p), dec(self.sides[side][p]), None] for p in prices[:depth]]
        return out


# ---------------------------------------------------------------- DBN


def char(field):
    """databento-dbn returns action and side as enums (newer) or one-character strings (older)."""
    if isinstance(field, str):
        return field
    value = field.value
    return value if isinstance(value, str) else chr(value)


def read_zstd(path):
    with open(path, "rb") as f:
        return zstandard.ZstdDecompressor().stream_reader(f).read()


def dbn(path):
    decoder = databento_dbn.DBNDecoder(has_metadata=True)
    decoder.write(read_zstd(path))
    records = decoder.decode()
    metadata, records = records[0], records[1:]
    symbols = {}
    for raw_symbol, intervals in metadata.mappings.items():
        for interval in intervals:
            symbols[int(interval["symbol"])] = raw_symbol
    total = len(records)
    marks = checkpoints(total)
    by_type = {}
    books = {}
    out = {"records": total, "checkpoints": {}}
    unknown = 0
    undef = 2**63 - 1
    price = lambda p: dec(Decimal(p) / Decimal(10**9))
    size = lambda s: str(s)
    for n, r in enumerate(records, 1):
        sym = symbols.get(r.instrument_id, str(r.instrument_id))
        if isinstance(r, databento_dbn.MBOMsg):
            a, side = char(r.action), char(r.side)
            by_type["mbo." + a] = by_type.get("mbo." + a, 0) + 1
            book = books.setdefault(sym, L3())
            if a == "A":
                if side in "BA" and r.price != undef:
                    book.add(r.order_id, side, r.price, r.size)
            elif a == "C":
                if not book.reduce(r.order_id, r.size):
                    unknown += 1
            elif a == "M":
                if r.price != undef and not book.modify(r.order_id, r.price, r.size) and side in "BA":
                    book.add(r.order_id, side, r.price, r.size)
            elif a == "R":
                book.clear()
        elif isinstance(r, databento_dbn.MBP1Msg):
            by_type["mbp-1." + char(r.action)] = by_type.get("mbp-1." + char(r.action), 0) + 1
            book = books.setdefault(sym, L2())
            book.clear()
            if r.bid_px_00 != undef and r.bid_sz_00 > 0:
                book.set("B", Decimal(r.bid_px_00) / Decimal(10**9), Decimal(r.bid_sz_00))
            if r.ask_px_00 != undef and r.ask_sz_00 > 0:
                book.set("A", Decimal(r.ask_px_00) / Decimal(10**9), Decimal(r.ask_sz_00))
            book.counts = {"B": r.bid_ct_00, "A": r.ask_ct_00}
        elif isinstance(r, databento_dbn.TradeMsg):
            by_type["trades"] = by_type.get("trades", 0) + 1
        if n in marks:
            snap = {}
            for s, b in books.items():
                if isinstance(b, L3):
                    snap[s] = b.snapshot(price, size)
                else:
                    snap[s] = b.snapshot()
                    for key, side in (("bids", "B"), ("asks", "A")):
                        for level in snap[s][key]:
                            level[2] = b.counts[side]
            out["checkpoints"][str(n)] = snap
    out["by_type"] = by_type
    out["unknown_order_references"] = unknown
    return out


# ---------------------------------------------------------------- ITCH

LENGTHS = {b"S": 12, b"R": 39, b"H": 25, b"Y": 20, b"L": 26, b"V": 35, b"W": 12, b"K": 28, b"J": 35, b"h": 21,
           b"A": 36, b"F": 40, b"E": 31, b"C": 36, b"X": 23, b"D": 19, b"U": 35, b"P": 44, b"Q": 40, b"B": 19,
           b"I": 50, b"N": 20, b"O": 48}


def fill_prefixes(data):
    """The RITCH sample leaves every BinaryFILE length prefix zero; itchfeed needs them."""
    out = bytearray(data)
    pos = 0
    while pos < len(out):
        length = LENGTHS[bytes(out[pos + 2:pos + 3])]
        out[pos:pos + 2] = length.to_bytes(2, "big")
        pos += 2 + length
    return bytes(out)


def itch_ref(path):
    data = fill_prefixes(gzip.open(path).read())
    messages = list(itch.parser.MessageParser().parse_file(io.BytesIO(data)))
    total = len(messages)
    marks = checkpoints(total)
    by_type = {}
    books = {}
    symbols = {}
    unknown = 0
    price = lambda p: dec(Decimal(p) / Decimal(10**4))
    size = lambda s: str(s)
    out = {"records": total, "checkpoints": {}}
    for n, m in enumerate(messages, 1):
        t = m.message_type.decode()
        by_type[t] = by_type.get(t, 0) + 1
        loc = m.stock_locate
        if t == "R":
            symbols[loc] = m.stock.decode().strip()
            books.setdefault(loc, L3())
        elif t in "AF":
            symbols.setdefault(loc, m.stock.decode().strip())
            side = "B" if m.buy_sell_indicator == b"B" else "A"
            books.setdefault(loc, L3()).add(m.order_reference_number, side, m.price, m.shares)
        elif t in "EC":
            if loc not in books or not books[loc].reduce(m.order_reference_number, m.executed_shares):
                unknown += 1
        elif t == "X":
            if loc not in books or not books[loc].reduce(m.order_reference_number, m.cancelled_shares):
                unknown += 1
        elif t == "D":
            if loc not in books or not books[loc].delete(m.order_reference_number):
                unknown += 1
        elif t == "U":
            book = books.get(loc)
            if book is None or m.order_reference_number not in book.orders:
                unknown += 1
            else:
                side = book.orders[m.order_reference_number][0]
                book.delete(m.order_reference_number)
                book.add(m.new_order_reference_number, side, m.price, m.shares)
        if n in marks:
            out["checkpoints"][str(n)] = {symbols.get(l, "locate %d" % l): b.snapshot(price, size) for l, b in books.items()}
    out["by_type"] = by_type
    out["unknown_order_references"] = unknown
    return out


# ---------------------------------------------------------------- Binance


def binance(path):
    lines = [l for l in gzip.open(path).read().decode().split("\n") if l]
    total = len(lines)
    marks = checkpoints(total)
    by_type = {}
    book = L2()
    state = "awaiting snapshot"
    pending = []
    last = None
    gaps = 0
    futures = None
    symbol = None
    out = {"records": total, "checkpoints": {}}

    def write(d):
        nonlocal last
        for p, q in d["b"]:
            book.set("B", Decimal(p), Decimal(q))
        for p, q in d["a"]:
            book.set("A", Decimal(p), Decimal(q))
        last = d["u"]

    def chains(d):
        return d["pu"] == last if "pu" in d else d["U"] == last + 1

    for n, line in enumerate(lines, 1):
        obj = json.loads(line.split(" ", 1)[1])
        if "lastUpdateId" in obj:
            by_type["snapshot"] = by_type.get("snapshot", 0) + 1
            book.clear()
            for p, q in obj["bids"]:
                book.set("B", Decimal(p), Decimal(q))
            for p, q in obj["asks"]:
                book.set("A", Decimal(p), Decimal(q))
            L = last = obj["lastUpdateId"]
            synced, stale = False, False
            for d in pending:
                if (d["u"] < L) if futures else (d["u"] <= L):
                    continue
                if not synced:
                    ok = (d["U"] <= L <= d["u"]) if futures else (d["U"] <= L + 1 <= d["u"])
                    if not ok:
                        stale = True
                        break
                    synced = True
                elif not chains(d):
                    stale = True
                    break
                write(d)
            pending = []
            state = "resyncing" if stale else "synced"
        else:
            stream, d = obj["stream"], obj["data"]
            kind = stream.split("@", 1)[1]
            symbol = d.get("s", symbol)
            if kind == "trade":
                by_type["trade"] = by_type.get("trade", 0) + 1
            elif kind == "bookTicker":
                by_type["bookTicker"] = by_type.get("bookTicker", 0) + 1
            elif kind.startswith("depth"):
                by_type["depthUpdate"] = by_type.get("depthUpdate", 0) + 1
                if futures is None:
                    futures = "pu" in d
                if state == "synced":
                    if "pu" not in d and d["u"] <= last:
                        pass
                    elif chains(d):
                        write(d)
                    else:
                        gaps += 1
                        state = "resyncing"
                        pending = [d]
                else:
                    pending.append(d)
        if n in marks:
            snap = book.snapshot()
            snap["state"] = state
            out["checkpoints"][str(n)] = {symbol: snap}
    out["by_type"] = by_type
    out["gaps"] = gaps
    return out


# ---------------------------------------------------------------- Bybit


def bybit(path):
    archive = zipfile.ZipFile(path)
    lines = [l for l in archive.read(archive.infolist()[0]).decode().split("\n") if l]
    total = len(lines)
    marks = checkpoints(total)
    by_type = {}
    book = L2()
    last = None
    gaps = 0
    synced = False
    out = {"records": total, "checkpoints": {}}
    for n, line in enumerate(lines, 1):
        obj = json.loads(line)
        d = obj["data"]
        by_type[obj["type"]] = by_type.get(obj["type"], 0) + 1
        apply = True
        if obj["type"] == "snapshot":
            book.clear()
            synced = True
        elif not synced:
            apply = False
        elif d["u"] != last + 1:
            gaps += 1
            synced = False
            apply = False
        if apply:
            for p, q in d["b"]:
                book.set("B", Decimal(p), Decimal(q))
            for p, q in d["a"]:
                book.set("A", Decimal(p), Decimal(q))
            last = d["u"]
        if n in marks:
            snap = book.snapshot()
            snap["state"] = "synced" if synced else "resyncing"
            out["checkpoints"][str(n)] = {obj["topic"].rsplit(".", 1)[1]: snap}
    out["by_type"] = by_type
    out["gaps"] = gaps
    return out


def main():
    data, target = sys.argv[1], sys.argv[2]
    files = {
        "cme-es-databento/esh4-glbx-mdp3-20231225.mbo.dbn.zst": ("dbn", dbn),
        "cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.mbp-1.dbn.zst": ("dbn", dbn),
        "cme-es-databento/esu4-glbx-mdp3-20240701T2358-0002.trades.dbn.zst": ("dbn", dbn),
        "itch50-ritch-sample/ex20101224.TEST_ITCH_50.gz": ("itch", itch_ref),
        "binance-btcusdt-20240808/spot_btcusdt_20240808.jsonl.gz": ("binance", binance),
        "binance-btcusdt-20240808/usdm_btcusdt_20240808.jsonl.gz": ("binance", binance),
        "bybit-xrpusdt-ob500-20241201/xrpusdt-ob500.data.zip": ("bybit", bybit),
    }
    result = {}
    for name, (fmt, fn) in files.items():
        entry = fn(f"{data}/{name}")
        entry["format"] = fmt
        result[name] = entry
        print(f"{name}: {entry['records']} records", file=sys.stderr)
    result["_versions"] = {"databento-dbn": databento_dbn.__version__ if hasattr(databento_dbn, "__version__") else "?"}
    with open(target, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
