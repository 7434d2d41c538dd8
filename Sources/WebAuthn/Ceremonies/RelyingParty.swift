import Crypto

/// The Relying Party's identity as the ceremonies check it: RP ID and the origins allowed to
/// use it (L3 §5.1.3: origins are compared exactly; related origins are listed explicitly).
public struct RelyingParty: Sendable {
    public var id: String
    public var origins: [String]
    /// Allowed `topOrigin` values when an RP page is embedded cross-origin (iframe).
    public var topOrigins: [String]
    /// Cross-origin (iframe) ceremonies are refused unless the bank opts in.
    public var allowCrossOrigin: Bool
    /// Accept any `https://*.{id}` origin as well (off by default: list origins explicitly).
    public var allowSubdomainOrigins: Bool
    let rpIDHash: [UInt8]

    public init(id: String, origins: [String], topOrigins: [String] = [], allowCrossOrigin: Bool = false, allowSubdomainOrigins: Bool = false) {
        self.id = id
        self.origins = origins
        self.topOrigins = topOrigins
        self.allowCrossOrigin = allowCrossOrigin
        self.allowSubdomainOrigins = allowSubdomainOrigins
        rpIDHash = Array(SHA256.hash(data: Array(id.utf8)))
    }

    func accepts(origin: String) -> Bool {
        if origins.contains(origin) { return true }
        guard allowSubdomainOrigins else { return false }
        // https://<labels>.<listed host[:port]>, same scheme and port as a listed origin.
        let scheme = "https://"
        guard origin.hasPrefix(scheme) else { return false }
        let candidate = origin.dropFirst(scheme.count)
        return origins.contains { listed in
            guard listed.hasPrefix(scheme) else { return false }
            let suffix = "." + listed.dropFirst(scheme.count)
            guard candidate.hasSuffix(suffix) else { return false }
            let labels = candidate.dropLast(suffix.count)
            return !labels.isEmpty && !labels.contains("/") && !labels.contains(":") && !labels.contains("@")
        }
    }
}
