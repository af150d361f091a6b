import CLibEvent
import Glibc

/// Writes `parts` to the bufferevent's socket at once (one `sendmsg` per 1,024
/// parts, IOV_MAX on Linux) and copies only what the socket does not take
/// into the output buffer, which arms write interest and the write timeout
/// until it drains. Order is kept: while anything is queued, new bytes queue
/// behind it. Errors (EAGAIN, a reset) leave the bytes to the buffer, which
/// reports them through the event callback.
///
/// Streams (`HTTPStreamWriter`) and WebSockets (`WebSocketStream`) both write through here.
func gatherWrite(_ bev: OpaquePointer, _ parts: UnsafeMutableBufferPointer<iovec>) {
    guard let out = bufferevent_get_output(bev) else { return }
    gatherWrite(to: bufferevent_getfd(bev), queueingIn: out, parts)
}

/// `gatherWrite` for a caller that keeps the socket and its bufferevent's
/// output buffer at hand (`HTTPStreamWriter`).
func gatherWrite(to fd: Int32, queueingIn out: OpaquePointer, _ parts: UnsafeMutableBufferPointer<iovec>) {
    var offset = 0
    while offset < parts.count {
        let batch = UnsafeMutableBufferPointer(rebasing: parts[offset..<min(parts.count, offset + 1024)])
        var sent = 0
        if evbuffer_get_length(out) == 0 {
            var message = msghdr()
            message.msg_iov = batch.baseAddress
            message.msg_iovlen = batch.count
            let r = sendmsg(fd, &message, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            if r > 0 { sent = r }
        }
        queue(batch, skipping: sent, into: out)
        offset += batch.count
    }
}

/// Copies what the socket did not take into the output buffer in one
/// reservation (one buffer callback, which arms write interest once) rather
/// than one `evbuffer_add` per frame: a burst leaves hundreds of frames behind.
private func queue(_ parts: UnsafeMutableBufferPointer<iovec>, skipping sent: Int, into out: OpaquePointer) {
    var skip = sent
    var total = 0
    for part in parts { total += part.iov_len }
    total -= sent
    guard total > 0 else { return }
    var extents = (iovec(), iovec())
    let count = withUnsafeMutablePointer(to: &extents) {
        $0.withMemoryRebound(to: iovec.self, capacity: 2) { evbuffer_reserve_space(out, total, $0, 2) }
    }
    guard count > 0 else { return }
    withUnsafeMutablePointer(to: &extents) {
        $0.withMemoryRebound(to: iovec.self, capacity: 2) { vec in
            var e = 0, filled = 0
            for part in parts {
                var from = part.iov_base!, left = part.iov_len
                if skip >= left { skip -= left; continue }
                from += skip; left -= skip; skip = 0
                while left > 0 {
                    if filled == vec[e].iov_len { e += 1; filled = 0 } // this extent is full
                    let n = min(vec[e].iov_len - filled, left)
                    (vec[e].iov_base! + filled).copyMemory(from: from, byteCount: n)
                    filled += n; from += n; left -= n
                }
            }
            // Commit exactly what was written: the extents may hold more.
            var used = 0
            for i in 0..<Int(count) {
                let take = min(vec[i].iov_len, total - used)
                vec[i].iov_len = take
                used += take
            }
            evbuffer_commit_space(out, vec, count)
        }
    }
}
