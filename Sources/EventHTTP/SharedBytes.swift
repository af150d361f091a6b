/// Immutable bytes at a fixed address, shared by reference: a frame rendered
/// once and written to many sockets straight from here (`writev`), with no
/// copy per subscriber. Freed with the last reference.
///
/// `@unchecked Sendable`: the bytes are written once, in `init`, and never again.
public final class SharedBytes: @unchecked Sendable {
    public let base: UnsafeRawPointer
    public let count: Int

    public init(_ bytes: some Collection<UInt8>) {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        var i = 0
        for b in bytes { p.storeBytes(of: b, toByteOffset: i, as: UInt8.self); i += 1 }
        base = UnsafeRawPointer(p)
        count = i
    }

    deinit { UnsafeMutableRawPointer(mutating: base).deallocate() }

    /// Bytes `range` as a pointer and length, valid while this object lives.
    public func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    public var all: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
