import Foundation
import SSAToolkit
import Synchronization

/// The sandbox's mutable state: counters, issued tokens, seen assertion ids, and the directory's
/// records (which the admin route changes while it runs).
final class SandboxState: Sendable {
    let registeredKeys: JWKS
    private let storage = Mutex<(counts: [String: Int], tokens: [String: Date], jtis: Set<String>)>(([:], [:], []))
    private let records = Mutex<[SandboxRecords.Organisation]>(SandboxRecords.organisations)
    private let scimDelay = Mutex<Duration>(.zero)

    /// How long each SCIM answer waits before it is sent.
    var scimAnswerDelay: Duration { scimDelay.withLock { $0 } }
    func setSCIMDelay(_ delay: Duration) { scimDelay.withLock { $0 = delay } }

    /// The organisations as they are now.
    func organisations() -> [SandboxRecords.Organisation] { records.withLock { $0 } }

    /// Changes a software statement's `Active` and `Roles`; `nil` when there is no such software.
    func updateSoftware(_ id: String, active: Bool?, roles: [String]?) -> SandboxRecords.Software? {
        records.withLock { organisations in
            for o in organisations.indices {
                guard let s = organisations[o].software.firstIndex(where: { $0.id == id }) else { continue }
                if let active { organisations[o].software[s].active = active }
                if let roles { organisations[o].software[s].roles = roles }
                return organisations[o].software[s]
            }
            return nil
        }
    }

    /// Changes an organisation's status (the top-level one, or every domain's for a multi-domain
    /// organisation); `nil` when there is no such organisation.
    func updateOrganisation(_ id: String, status: String) -> SandboxRecords.Organisation? {
        records.withLock { organisations in
            guard let o = organisations.firstIndex(where: { $0.id == id }) else { return nil }
            if organisations[o].domainStatuses.isEmpty {
                organisations[o].status = status
            } else {
                organisations[o].domainStatuses = organisations[o].domainStatuses.map { ($0.domain, status) }
            }
            return organisations[o]
        }
    }

    init(registeredKeys: JWKS) { self.registeredKeys = registeredKeys }

    func count(_ endpoint: String) { storage.withLock { $0.counts[endpoint, default: 0] += 1 } }
    func counts() -> [String: Int] { storage.withLock { $0.counts } }

    /// Records `jti`; false when it was seen before (a replay).
    func firstUse(ofJTI jti: String) -> Bool { storage.withLock { $0.jtis.insert(jti).inserted } }

    func issueToken(lifetime: TimeInterval) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let token = Base64URL.encode(bytes)
        storage.withLock { $0.tokens[token] = Date().addingTimeInterval(lifetime) }
        return token
    }

    func revokeTokens() { storage.withLock { $0.tokens.removeAll() } }

    func isValid(token: String) -> Bool {
        storage.withLock { ($0.tokens[token] ?? .distantPast) > Date() }
    }
}
