import EventHTTP
import Quotes

/// Something the hub hands ticks to: a stream or a parked long poll.
///
/// The hub calls `accept` for every tick of a subscribed symbol during one
/// wake-up, then `deliver` once, so each subscriber gets one write per wake-up.
/// A subscriber of exactly one symbol (the common case) is instead handed the
/// wake-up's ticks of that symbol at once, `deliver(_:)`, as a list shared by
/// every subscriber of the symbol.
class TickSubscriber {
    /// The symbols it follows; only the hub changes them (`TickHub.subscribe`),
    /// so the registry always matches.
    var symbols: [String]
    /// Set by the hub while the subscriber has ticks waiting for `deliver`.
    var isQueued = false
    /// The client's address, for the per-address connection limit.
    var peer = ""
    /// The hub it is registered in (the live one, or the delayed one); set by
    /// `ServerContext.track`.
    weak var home: TickHub?
    /// Ends it with `token-expired` when its token's `exp` passes.
    var expiry: LoopEvent?
    /// Unregisters what else it registered (a mixed subscriber's delayed leg);
    /// run once by `ServerContext.untrack`.
    var onDetach: (() -> Void)?

    init(symbols: [String]) { self.symbols = symbols }

    func accept(_ tick: EncodedTick) {}
    func deliver() {}

    /// The wake-up's ticks of its one symbol, in id order. The same as
    /// `accept` for each, then `deliver`; streams override it to write the
    /// shared list as it is, with no per-subscriber copy.
    func deliver(_ ticks: [EncodedTick]) {
        for t in ticks { accept(t) }
        deliver()
    }
}
