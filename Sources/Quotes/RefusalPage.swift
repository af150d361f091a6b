/// A 401 or 403 on a page a person opens in a browser (`/board`): the
/// refusal's one line as a short HTML page, where JSON would show as code.
/// No script, and a policy that allows none.
public enum RefusalPage {
    public static func html(status: Int, message: String) -> String {
        let title = status == 403 ? "Not allowed" : "Sign-in needed"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>\(title) · CometTicker</title></head>
            <body><p>\(BoardPage.escape(message))</p></body>
            </html>\n
            """
    }

    /// Besides Content-Type: never cached, nothing may run.
    public static let headers: [(name: String, value: String)] = [
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'none'"),
    ]
}
