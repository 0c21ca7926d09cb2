import Foundation

/// Token lifetimes: defaults, then per grant type, then per role (a role's rule applies when the
/// granted scopes include one of its scopes; with several, the shortest lifetime wins).
public struct LifetimeRules: Sendable, Hashable {
    /// One set of lifetimes; `nil` members are not set at that level. A refresh lifetime of 0
    /// means no refresh token.
    public struct Values: Sendable, Hashable {
        public var accessToken: Int?
        public var idToken: Int?
        public var refreshToken: Int?
    }

    /// Defaults: access and id tokens 300 s, refresh tokens 90 days.
    public var defaults = Values(accessToken: 300, idToken: 300, refreshToken: 7_776_000)
    /// By grant type; `client_credentials` gets no refresh token by default.
    public var grantTypes: [String: Values] = ["client_credentials": Values(refreshToken: 0)]
    /// By role.
    public var roles: [String: Values] = [:]

    /// The defaults.
    public init() {}

    /// Parses `access_token=300,id_token=300;client_credentials:refresh_token=0;PISP:access_token=120`:
    /// entries separated by `;`, each an optional `SELECTOR:` (a grant type, or a role in upper
    /// case) and `name=seconds` pairs separated by `,`. Seconds from 1 to 31536000 (0 allowed for
    /// refresh_token: none issued).
    public init(parsing text: String) throws(ConfigurationError) {
        for entry in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            var selector: String?
            var pairs = Substring(entry)
            if let colon = entry.firstIndex(of: ":"), !entry[..<colon].contains("=") {
                selector = String(entry[..<colon])
                pairs = entry[entry.index(after: colon)...]
            }
            var values = Values()
            for pair in pairs.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let seconds = Int(parts[1]) else {
                    throw ConfigurationError(property: "tokenLifetimes", "\"\(pair)\" is not NAME=SECONDS")
                }
                let minimum = parts[0] == "refresh_token" ? 0 : 1
                guard (minimum...31_536_000).contains(seconds) else {
                    throw ConfigurationError(property: "tokenLifetimes", "\(parts[0])=\(seconds) is outside \(minimum) to 31536000 seconds")
                }
                switch parts[0] {
                case "access_token": values.accessToken = seconds
                case "id_token": values.idToken = seconds
                case "refresh_token": values.refreshToken = seconds
                default: throw ConfigurationError(property: "tokenLifetimes", "\"\(parts[0])\" is not access_token, id_token or refresh_token")
                }
            }
            guard let selector else {
                defaults = Self.merge(defaults, values)
                continue
            }
            guard Identifier.problem(with: selector.replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: ".", with: "_")) == nil else {
                throw ConfigurationError(property: "tokenLifetimes", "selector \"\(selector)\" is not a grant type or role")
            }
            if selector == selector.uppercased(), !selector.contains("_") || selector.hasPrefix("CD_") {
                roles[selector] = Self.merge(roles[selector] ?? Values(), values)
            } else {
                grantTypes[selector] = Self.merge(grantTypes[selector] ?? Values(), values)
            }
        }
    }

    static func merge(_ base: Values, _ over: Values) -> Values {
        Values(accessToken: over.accessToken ?? base.accessToken, idToken: over.idToken ?? base.idToken, refreshToken: over.refreshToken ?? base.refreshToken)
    }

    /// The lifetimes for a grant type and the roles whose scopes the token carries.
    public func lifetimes(grantType: String, roles applicable: [String]) -> TokenLifetimes {
        var values = defaults
        if let byGrant = grantTypes.first(where: { $0.key.isByteIdentical(to: grantType) })?.value { values = Self.merge(values, byGrant) }
        var access = values.accessToken ?? 300
        var id = values.idToken ?? 300
        var refresh = values.refreshToken ?? 0
        for role in applicable {
            guard let rule = roles.first(where: { $0.key.isByteIdentical(to: role) })?.value else { continue }
            if let value = rule.accessToken { access = min(access, value) }
            if let value = rule.idToken { id = min(id, value) }
            if let value = rule.refreshToken { refresh = min(refresh, value) }
        }
        return TokenLifetimes(accessToken: access, idToken: id, refreshToken: refresh > 0 ? refresh : nil)
    }
}

/// Token lifetimes in seconds; `refreshToken` `nil` means no refresh token is issued.
public struct TokenLifetimes: Sendable, Hashable {
    /// Access token lifetime.
    public var accessToken: Int
    /// ID token lifetime.
    public var idToken: Int
    /// Refresh token lifetime, or `nil` for none.
    public var refreshToken: Int?

    /// Lifetimes.
    public init(accessToken: Int, idToken: Int, refreshToken: Int?) {
        self.accessToken = accessToken
        self.idToken = idToken
        self.refreshToken = refreshToken
    }
}
