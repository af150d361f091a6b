/// The bookkeeping of a stream that ended.
extension ServerContext {
    /// The counts of a stream (plain or mixed) that ended, however it ended
    /// (its client left, its token expired): one place for both.
    func countStreamEnd(_ sub: TickSubscriber) {
        if let s = sub as? StreamSubscriber {
            metrics.streamsOpen[s.format, default: 1] -= 1
            metrics.conflatedTicks += s.conflations
        } else if let m = sub as? MixedStream, let o = m.streamOutput {
            metrics.streamsOpen[o.format, default: 1] -= 1
            metrics.conflatedTicks += m.conflations
        }
    }
}
