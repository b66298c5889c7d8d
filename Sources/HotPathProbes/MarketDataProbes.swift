// Market-data probes: the book update paths and the DBN record path, called as a client does.

public import TernCore
public import TernMarketData

/// `L2Book.set` (insert, change or delete a level).
@inline(never)
public func probeL2Set(_ book: L2Book, _ side: BookSide, _ price: Price, _ size: Quantity) -> L2UpdateResult {
    book.set(side, price: price, size: size)
}

/// `L3Book.add`.
@inline(never)
public func probeL3Add(_ book: L3Book, _ id: UInt64, _ side: BookSide, _ price: Price, _ size: Quantity) -> L3UpdateResult {
    book.add(id: id, side: side, price: price, size: size)
}

/// `L3Book.cancel` (partial or full).
@inline(never)
public func probeL3Cancel(_ book: L3Book, _ id: UInt64, _ size: Quantity) -> L3UpdateResult {
    book.cancel(id: id, size: size)
}

/// `L3Book.execute`.
@inline(never)
public func probeL3Execute(_ book: L3Book, _ id: UInt64, _ size: Quantity) -> L3UpdateResult {
    book.execute(id: id, size: size)
}

/// `L3Book.modify` (priority kept or lost).
@inline(never)
public func probeL3Modify(_ book: L3Book, _ id: UInt64, _ price: Price, _ size: Quantity) -> L3UpdateResult {
    book.modify(id: id, price: price, size: size)
}

/// `L3Book.delete`.
@inline(never)
public func probeL3Delete(_ book: L3Book, _ id: UInt64) -> L3UpdateResult {
    book.delete(id: id)
}

/// `L3Book.replace` (ITCH U).
@inline(never)
public func probeL3Replace(_ book: L3Book, _ id: UInt64, _ newID: UInt64, _ price: Price, _ size: Quantity) -> L3UpdateResult {
    book.replace(id: id, newID: newID, price: price, size: size)
}

/// `DBNBook.apply` of an MBO record (Databento's book semantics).
@inline(never)
public func probeDBNApplyMBO(_ record: DBNMBO, _ book: L3Book) -> DBNBook.Outcome {
    DBNBook.apply(record, to: book)
}

/// `DBNBook.apply` of an MBP-1 record.
@inline(never)
public func probeDBNApplyMBP1(_ record: DBNMBP1, _ book: L2Book) {
    DBNBook.apply(record, to: book)
}

/// `DBNDecoder.next` (one record, zero copy).
@inline(never)
public func probeDBNNext(_ decoder: inout DBNDecoder) throws(FeedError) -> DBNRecord? {
    try decoder.next()
}
