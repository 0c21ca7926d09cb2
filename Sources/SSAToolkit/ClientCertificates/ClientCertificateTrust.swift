import Crypto
import Foundation
import SwiftASN1
import Synchronization
import X509

/// Whom a caller's TLS client certificate must chain to before the registration rules look at
/// its subject.
///
/// A certificate with the right subject proves nothing by itself: anyone can make a
/// self-signed one. By default the chain is verified against the loaded trust store (the
/// directory's anchors: the scheme's issuing CAs sign the TPPs' transport certificates too).
/// ``verifiedByProxy`` is for deployments whose TLS-terminating proxy already verified the chain
/// against the same anchors: the proxy then carries that duty, and must refuse every handshake
/// whose chain does not verify and strip any certificate header a client sends.
public enum ClientCertificateTrust: Sendable {
    /// Verify the chain against these anchors (intermediates from the store help build it).
    case trustStore(TrustStore)
    /// The proxy in front verified the chain; only the subject and validity are checked here.
    case verifiedByProxy

    /// Parses `pem` (the leaf first; any further certificates are treated as untrusted
    /// intermediates) and verifies it at `now`.
    ///
    /// A chain that verified is remembered in `cache` (by the PEM text, up to 16 KiB) with the
    /// time window in which every certificate of the chain is valid (the leaf's own window when
    /// the proxy verified the chain): verifying the same chain against the same anchors at
    /// another instant inside that window gives the same answer, so a TPP's repeated calls skip
    /// the parsing and the chain's signature checks. Failures are never remembered.
    func verify(pem: String, at now: Date, cache: VerifiedCertificateCache? = nil) async -> Result<PresentedCertificate, RuleFailure> {
        guard pem.utf8.count <= 64 * 1024 else { return .failure(RuleFailure("the client certificate is larger than 64 KiB")) }
        // The exact bytes are the key: no digest to compute on the warm path, and no two
        // presentations can share an entry unless they are the same text. Only ordinary sizes
        // are remembered (a leaf and a few intermediates), so the cache stays small.
        let key: String? = cache != nil && pem.utf8.count <= VerifiedCertificateCache.largestKey ? pem : nil
        if let cache, let key, let known = cache.lookup(key, at: now) { return .success(known) }
        let certificates: [Certificate]
        do {
            certificates = try PEMDocument.parseMultiple(pemString: pem).map { try Certificate(pemDocument: $0) }
        } catch {
            return .failure(RuleFailure("the client certificate is not a PEM X.509 certificate"))
        }
        guard let leaf = certificates.first else { return .failure(RuleFailure("the client certificate is not a PEM X.509 certificate")) }
        // Validity at the decision's instant, said plainly before any chain is built (the chain
        // verifier would refuse it too, in its own words).
        let subject = leaf.subject.description.escapedForTerminal(limit: 400)
        guard leaf.notValidBefore <= now else { return .failure(RuleFailure("the client certificate \(subject) is not valid before \(NumericDate.format(leaf.notValidBefore))")) }
        guard now <= leaf.notValidAfter else { return .failure(RuleFailure("the client certificate \(subject) expired at \(NumericDate.format(leaf.notValidAfter))")) }
        switch self {
        case .verifiedByProxy:
            // The issuer, for the revocation check, is the forwarded certificate that names the
            // leaf's issuer as its subject (a wrong one makes the revocation answer fail, closed).
            let issuer = certificates.dropFirst().prefix(8).first { $0.subject == leaf.issuer }
            let presented = PresentedCertificate(certificate: leaf, chain: "chain verified by the TLS-terminating proxy (clientCertificateVerification=proxy)", issuer: issuer, cacheKey: key)
            if let cache, let key { cache.store(key, presented, validFrom: leaf.notValidBefore, until: leaf.notValidAfter) }
            return .success(presented)
        case .trustStore(let store):
            var verifier = Verifier(rootCertificates: CertificateStore(store.anchors)) {
                RFC5280Policy(validationTime: now)
            }
            let intermediates = CertificateStore(store.intermediates + certificates.dropFirst().prefix(8))
            switch await verifier.validate(leaf: leaf, intermediates: intermediates) {
            case .validCertificate(let chain):
                let anchor = chain.last.map { $0.subject.description.escapedForTerminal(limit: 200) } ?? "the trust store"
                let presented = PresentedCertificate(certificate: leaf, chain: "chains to \(anchor) in \(store.location.path.escapedForTerminal(limit: 200))",
                                                     issuer: chain.count >= 2 ? chain[1] : nil, cacheKey: key)
                if let cache, let key {
                    cache.store(key, presented, validFrom: chain.map(\.notValidBefore).max() ?? now, until: chain.map(\.notValidAfter).min() ?? now)
                }
                return .success(presented)
            case .couldNotValidate(let failures):
                let reason = failures.first.map { String(describing: $0.policyFailureReason).escapedForTerminal(limit: 300) } ?? "no chain to an anchor could be built"
                return .failure(RuleFailure("the client certificate \(subject) does not chain to the trust store: \(reason)"))
            }
        }
    }
}

/// Client certificates whose chain verified against the trust store, by their PEM text, each
/// with the window in which every certificate of its chain is valid. Bounded: at most
/// `capacity` entries of at most ``largestKey`` bytes; when full, it starts over.
final class VerifiedCertificateCache: Sendable {
    private struct Entry {
        var presented: PresentedCertificate
        var validFrom: Date
        var until: Date
        /// Registered subject DNs (as sent) known to name this certificate's subject; a few at most.
        var matchedSubjectDNs: [String] = []
    }
    /// A PEM text's bytes as a key. Equal only when every byte is; hashed over its length and
    /// its last 128 bytes (the end of the last signature, different for every certificate), so
    /// a lookup costs a short hash and one comparison, not a hash of the whole text.
    private struct Key: Hashable {
        var text: String
        func hash(into hasher: inout Hasher) {
            let utf8 = text.utf8
            hasher.combine(utf8.count)
            if utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0.suffix(128)))) }) == nil {
                for byte in utf8.suffix(128) { hasher.combine(byte) }
            }
        }
        /// Byte for byte (never Unicode equivalence), compared with memcmp when both are contiguous.
        static func == (a: Key, b: Key) -> Bool {
            guard a.text.utf8.count == b.text.utf8.count else { return false }
            if a.text.utf8.isEmpty { return true }
            let fast = a.text.utf8.withContiguousStorageIfAvailable { left in
                // The same storage (the parser's PEMTextMemo hands out one string per text) is equal at once.
                b.text.utf8.withContiguousStorageIfAvailable { right in left.baseAddress == right.baseAddress || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
            }
            return (fast ?? nil) ?? a.text.utf8.elementsEqual(b.text.utf8)
        }
    }
    private let entries = Mutex<[Key: Entry]>([:])
    private let capacity: Int

    /// The longest PEM text remembered (longer ones are verified every time).
    static let largestKey = 16 * 1024

    init(capacity: Int = 4096) { self.capacity = capacity }

    /// The certificate stored under `key`, with the registered subject DNs known to name it
    /// (one lookup serves both), when valid at `now`.
    func lookup(_ key: String, at now: Date) -> PresentedCertificate? {
        entries.withLock { table in
            guard let entry = table[Key(text: key)], entry.validFrom <= now, now <= entry.until else { return nil }
            var presented = entry.presented
            presented.knownSubjectDNs = entry.matchedSubjectDNs
            return presented
        }
    }

    /// Remembers that `subjectDN` names the certificate stored under `key`.
    func noteMatch(_ key: String, subjectDN: String) {
        entries.withLock { table in
            guard var entry = table[Key(text: key)], entry.matchedSubjectDNs.count < 4, subjectDN.utf8.count <= 1024 else { return }
            entry.matchedSubjectDNs.append(subjectDN)
            table[Key(text: key)] = entry
        }
    }

    func store(_ key: String, _ presented: PresentedCertificate, validFrom: Date, until: Date) {
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[Key(text: key)] = Entry(presented: presented, validFrom: validFrom, until: until)
        }
    }
}
