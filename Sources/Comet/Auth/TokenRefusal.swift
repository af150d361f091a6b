/// Why a request was refused: the `reason` of the 401/403 body, the counter
/// label of `ticker_auth_refusals_total`, and one line for people. No message
/// ever contains the token.
struct TokenRefusal: Error, Equatable {
    enum Reason: String, CaseIterable {
        case missing, malformed
        case badSignature = "bad-signature"
        case algorithm, expired
        case notYetValid = "not-yet-valid"
        case notEntitled = "not-entitled"
    }

    let reason: Reason
    let message: String
    /// The symbols refused (403 only).
    var symbols: [String] = []

    /// 401 for the token, 403 for what it does not allow.
    var status: Int { reason == .notEntitled ? 403 : 401 }

    static let missing = TokenRefusal(reason: .missing,
        message: "this server needs a token: send Authorization: Bearer <token>, ?token=<token> or the ticker_token cookie")

    /// JSONP with only the cookie: any website's `<script>` sends the cookie,
    /// so a callback answer needs the token in the URL or the header.
    static let cookieWithJSONP = TokenRefusal(reason: .missing,
        message: "JSONP (callback=) does not use the ticker_token cookie: send ?token=<token> or Authorization: Bearer <token>")

    static func malformed(_ why: String) -> TokenRefusal {
        TokenRefusal(reason: .malformed, message: "the token is malformed: \(why)")
    }
}
