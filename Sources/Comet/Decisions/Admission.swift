/// Whether a new long-lived response (a stream or a parked poll) may be taken:
/// a total cap under the open-file limit, and optionally a cap per client
/// address. A plain value: the server admits and releases, this counts.
struct Admission {
    let maxTotal: Int
    /// 0: no per-address limit (behind a proxy every client shares its address).
    let maxPerAddress: Int
    private(set) var total = 0
    private var perAddress: [String: Int] = [:]

    init(maxTotal: Int, maxPerAddress: Int) {
        self.maxTotal = maxTotal
        self.maxPerAddress = maxPerAddress
    }

    /// Why a new response from `peer` cannot be taken now, or nil.
    func refusal(peer: String) -> String? {
        if total >= maxTotal { return "the server is at its connection limit; retry shortly" }
        if maxPerAddress > 0, perAddress[peer, default: 0] >= maxPerAddress {
            return "too many connections from your address (at most \(maxPerAddress)); close some and retry"
        }
        return nil
    }

    mutating func admit(peer: String) {
        total += 1
        perAddress[peer, default: 0] += 1
    }

    mutating func release(peer: String) {
        total = max(total - 1, 0)
        if let n = perAddress[peer] { perAddress[peer] = n > 1 ? n - 1 : nil }
    }

    /// Forgets everything (shutdown: every response ends at once).
    mutating func releaseAll() {
        total = 0
        perAddress.removeAll()
    }

    func count(of peer: String) -> Int { perAddress[peer, default: 0] }
}
