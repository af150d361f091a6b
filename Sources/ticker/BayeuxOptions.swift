import ArgumentParser
import Comet

/// `ticker serve`'s Bayeux (`/cometd`) options (docs/BAYEUX.md).
struct BayeuxOptions: ParsableArguments {
    @Option(name: .customLong("bayeux-publish-token"),
            help: "Let Bayeux clients that present this token in ext.ticker.publishToken publish ticks to /quotes/SYMBOL (inserted as the feed role). Without it, publishing is refused.")
    var publishToken: String?
    @Option(name: .customLong("bayeux-timeout"), help: "Seconds a Bayeux /meta/connect is held without ticks (advice.timeout).")
    var timeout: Double = 25
    @Option(name: .customLong("bayeux-max-clients-per-address"), help: "Bayeux clients per client address (0: no limit; raise it behind a proxy).")
    var maxClientsPerAddress = 1000
    @Option(name: .customLong("bayeux-max-subscriptions"), help: "Channels one Bayeux client may subscribe.")
    var maxSubscriptions = 100

    func validate() throws {
        try OptionCheck.number(timeout, "--bayeux-timeout", 1...300, "seconds")
        try OptionCheck.whole(maxClientsPerAddress, "--bayeux-max-clients-per-address", 0...1_000_000, "(0: no limit)")
        try OptionCheck.whole(maxSubscriptions, "--bayeux-max-subscriptions", 1...10_000)
        if let publishToken, publishToken.count < 16 {
            throw ValidationError("--bayeux-publish-token must be at least 16 characters (it is a password)")
        }
    }

    func apply(to config: inout BayeuxConfiguration, feedURL: String) {
        config.connectTimeoutSeconds = timeout
        config.maxClientsPerAddress = maxClientsPerAddress
        config.maxSubscriptionsPerClient = maxSubscriptions
        config.publishToken = publishToken
        if publishToken != nil { config.publishDatabaseURL = feedURL }
    }
}
