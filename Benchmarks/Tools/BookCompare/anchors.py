#!/usr/bin/env python3
"""The anchors book-compare measures in the same run (prints one JSON object):

  dbn_decode_ns     databento-dbn's DBNDecoder (Rust, via PyO3) decoding the whole CME MBO file
                    (already decompressed), ns per record, best of REPS
  nautilus_apply_ns NautilusTrader's L3 OrderBook.apply_delta over the same file's deltas
                    (DatabentoDataLoader, T/F skipped as Nautilus does), ns per delta, best of REPS;
                    null when nautilus_trader is not importable (it needs Python >= 3.12)
  json_loads_ns     Python's json.loads of each Binance spot capture line, ns per line, best of REPS

usage: anchors.py MBO_DBN_ZST BINANCE_GZ REPS
"""
import gzip
import json
import sys
import time

import databento_dbn
import zstandard

mbo_path, binance_path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = {"python": sys.version.split()[0], "databento_dbn": getattr(databento_dbn, "__version__", "?")}

raw = zstandard.ZstdDecompressor().stream_reader(open(mbo_path, "rb")).read()
best = None
for _ in range(reps):
    start = time.perf_counter_ns()
    decoder = databento_dbn.DBNDecoder(has_metadata=True)
    decoder.write(raw)
    records = decoder.decode()
    elapsed = time.perf_counter_ns() - start
    best = elapsed if best is None else min(best, elapsed)
out["dbn_records"] = len(records) - 1
out["dbn_decode_ns"] = best / (len(records) - 1)

try:
    from nautilus_trader.adapters.databento.loaders import DatabentoDataLoader
    from nautilus_trader.model.book import OrderBook
    from nautilus_trader.model.enums import BookType
    from nautilus_trader.model.identifiers import InstrumentId
    import nautilus_trader

    instrument = InstrumentId.from_str("ESH4.GLBX")
    deltas = DatabentoDataLoader().from_dbn_file(mbo_path, instrument_id=instrument, price_precision=2)
    best = None
    for _ in range(reps):
        book = OrderBook(instrument, BookType.L3_MBO)
        apply = book.apply_delta
        start = time.perf_counter_ns()
        for d in deltas:
            apply(d)
        elapsed = time.perf_counter_ns() - start
        best = elapsed if best is None else min(best, elapsed)
    out["nautilus"] = nautilus_trader.__version__
    out["nautilus_deltas"] = len(deltas)
    out["nautilus_apply_ns"] = best / len(deltas)
    bids = book.bids()
    out["nautilus_best_bid"] = [str(bids[0].price), str(bids[0].size())] if bids else None
except ImportError as e:
    out["nautilus_apply_ns"] = None
    out["nautilus_error"] = str(e)

lines = [l.split(b" ", 1)[1] for l in gzip.open(binance_path).read().split(b"\n") if l]
best = None
for _ in range(reps):
    loads = json.loads
    start = time.perf_counter_ns()
    for l in lines:
        loads(l)
    elapsed = time.perf_counter_ns() - start
    best = elapsed if best is None else min(best, elapsed)
out["json_lines"] = len(lines)
out["json_loads_ns"] = best / len(lines)
print(json.dumps(out))
