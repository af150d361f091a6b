/// A subscriber's registration in a second hub (a mixed long poll's delayed
/// symbols): hands what it gets to its owner.
final class ForwardingSubscriber: TickSubscriber {
    unowned let owner: TickSubscriber

    init(symbols: [String], to owner: TickSubscriber) {
        self.owner = owner
        super.init(symbols: symbols)
    }

    override func accept(_ tick: EncodedTick) { owner.accept(tick) }
    override func deliver() { owner.deliver() }
}
