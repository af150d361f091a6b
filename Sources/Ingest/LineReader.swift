import Glibc

/// Reads a file descriptor in large chunks and hands out whole lines as
/// slices of its buffer, without building a String per line.
struct LineReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private let chunkSize: Int

    init(fd: Int32, chunkSize: Int = 1 << 20) {
        self.fd = fd
        self.chunkSize = chunkSize
    }

    /// The next line without its `\n` (and `\r`), or nil at the end of input.
    /// - Parameter wouldBlock: called before a read that may wait for input, so a
    ///   live pipe's partial batch can be flushed first.
    mutating func next(beforeWaiting wouldBlock: () -> Void = {}) -> ArraySlice<UInt8>? {
        while true {
            if let nl = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer[start..<nl]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                start = nl + 1
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                var line = buffer[start...]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            var fds = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&fds, 1, 0) == 0 { wouldBlock() }
            let old = buffer.count
            buffer.reserveCapacity(old + chunkSize)
            buffer.append(contentsOf: repeatElement(0, count: chunkSize))
            let n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + old, chunkSize) }
            if n < 0 && errno == EINTR { buffer.removeSubrange(old...); continue }
            buffer.removeSubrange((old + max(n, 0))...)
            if n <= 0 { eof = true }
        }
    }
}
