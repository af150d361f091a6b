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
    var offset = 0
    while offset < parts.count {
        let batch = UnsafeMutableBufferPointer(rebasing: parts[offset..<min(parts.count, offset + 1024)])
        var sent = 0
        if evbuffer_get_length(out) == 0 {
            var message = msghdr()
            message.msg_iov = batch.baseAddress
            message.msg_iovlen = batch.count
            let r = sendmsg(bufferevent_getfd(bev), &message, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            if r > 0 { sent = r }
        }
        for part in batch {
            if sent >= part.iov_len { sent -= part.iov_len; continue }
            evbuffer_add(out, part.iov_base! + sent, part.iov_len - sent)
            sent = 0
        }
        offset += batch.count
    }
}
