/// The catch-up of one subscribe that named a cursor (`ext.ticker.since`):
/// the same `ResumePlan` and `ServerContext.sendMissed` as streams and
/// WebSockets, with the client's outbox as the target. The missed ticks (from
/// the in-memory log, or read from PostgreSQL) or, when too many were missed,
/// a fresh snapshot, end up in the outbox in one piece; meanwhile the outbox
/// holds live ticks back (`BayeuxOutbox.startResume`).
final class BayeuxResume: ReplayTarget {
    var flow: StreamFlow
    private weak var client: BayeuxClient?
    private var snapshot: [EncodedTick] = []
    private var done = false
    /// Set when the resume gave up (too much missed, no history): the client
    /// got a snapshot instead, and this says why (for the log).
    private(set) var resetReason: String?
    /// Called once the ticks are in the outbox.
    private let finished: (BayeuxClient) -> Void

    init(client: BayeuxClient, plan: ResumePlan, cursor: Int64, finished: @escaping (BayeuxClient) -> Void) {
        self.client = client
        self.finished = finished
        // No output limit: the outbox bounds what a client may owe.
        flow = StreamFlow(since: plan.missedAfter ?? cursor, replaying: plan.needsDatabase, outputLimit: .max)
        client.outbox.startResume()
        client.resumes[ObjectIdentifier(self)] = self
    }

    var isClosed: Bool { done || flow.isClosed || client?.isGone != false }

    func send(_ event: ControlEvent) {
        switch event {
        case .snapshot(let ticks, _): snapshot += ticks
        case .reset(let reason, _): resetReason = reason
        default: break
        }
    }

    /// Called exactly once by `sendMissed`'s paths (log, replay, abandoned replay).
    func write(_ ticks: [EncodedTick]) {
        guard !done, let client else { return }
        done = true
        client.resumes[ObjectIdentifier(self)] = nil
        client.outbox.finishResume(snapshot + ticks)
        finished(client)
    }
}
