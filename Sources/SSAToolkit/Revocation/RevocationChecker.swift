import Crypto
import Foundation
import Synchronization

/// Which sources are asked, in order (`revocationCheck`).
public enum RevocationSources: String, Sendable, CaseIterable {
    /// OCSP, and the CRL when no OCSP answer can be had (the default).
    case ocspThenCRL = "ocsp-then-crl"
    /// OCSP only.
    case ocsp
    /// The CRL only.
    case crl
    /// No revocation check.
    case off
}

/// Asks whether certificates are revoked, and remembers the answers: each certificate's answer by
/// its SHA-256 until the earlier of its `nextUpdate` and ``maximumLifetime`` (one lookup in flight
/// per certificate however many decisions wait), and each CRL by its URL until its
/// `nextUpdate` (one fetch in flight per URL). A warm check makes no network call.
public actor RevocationChecker {
    /// The sources asked.
    public let sources: RevocationSources
    /// The longest an answer is used, whatever its `nextUpdate` says.
    public let maximumLifetime: TimeInterval
    private let ocsp: OCSPClient
    /// CRLs can be large: their own transport, bounded at 16 MiB.
    private let lists: HTTPSClient
    private let now: @Sendable () -> Date
    /// Answers by the SHA-256 of the certificate's DER, each with the instant it stops being
    /// used: read without entering the actor, so a warm check costs one lock and one lookup.
    private nonisolated let answers = Mutex<[[UInt8]: CachedAnswer]>([:])
    /// A cached answer, with what a check of it comes to written once (a warm check formats no
    /// date and builds no sentence).
    struct CachedAnswer: Sendable {
        var answer: RevocationAnswer
        var until: Date
        /// ``RevocationPolicy``'s outcome for the answer read from this cache.
        var outcome: RuleOutcome

        init(answer: RevocationAnswer, until: Date) {
            self.answer = answer
            self.until = until
            outcome = RevocationPolicy.outcome(answer, provenance: answer.provenance, cached: true)
        }
    }
    /// Certificates that name no source of the configured kinds, with why (it depends on the
    /// certificate alone): a warm check of one parses nothing and enters no actor.
    private nonisolated let unpublished = Mutex<[[UInt8]: RevocationError]>([:])
    private var lookups: [[UInt8]: Task<Result<RevocationAnswer, RevocationError>, Never>] = [:]
    private var verifiedLists: [String: (list: VerifiedCRL, until: Date)] = [:]
    private var fetches: [String: Task<Result<VerifiedCRL, RevocationError>, Never>] = [:]
    /// Network lookups made (OCSP requests and CRL fetches), for tests of the cache.
    public private(set) var networkLookups = 0
    private static let maximumEntries = 10_000

    /// A checker asking `sources`, whose HTTP calls keep to `timeouts`.
    public init(sources: RevocationSources = .ocspThenCRL, maximumLifetime: TimeInterval = 3600, timeouts: TransportConfiguration.Timeouts = .init(),
                skew: TimeInterval = 120, now: @escaping @Sendable () -> Date = { Date() }) {
        self.sources = sources
        self.maximumLifetime = maximumLifetime
        self.ocsp = OCSPClient(timeouts: timeouts, skew: skew)
        var configuration = TransportConfiguration()
        configuration.allowsPlainHTTP = true
        configuration.timeouts = timeouts
        configuration.maximumResponseBytes = 16 << 20
        self.lists = HTTPSClient(configuration: configuration)
        self.now = now
    }

    /// The revocation status of `leaf` (DER), issued by `issuer` (DER, the next certificate of
    /// its verified chain): from the cache while it holds, else from the sources in order.
    ///
    /// - Throws: ``RevocationError`` when no source gave a verified answer (the last failure).
    public func status(of leaf: [UInt8], issuer: [UInt8]) async throws(RevocationError) -> RevocationAnswer {
        let digest = Array(SHA256.hash(data: leaf))
        if let cached = cachedStatus(digest: digest) { return cached.answer }
        return try await status(of: leaf, digest: digest, issuer: issuer)
    }

    /// Why the certificate whose DER has SHA-256 `digest` is known to name no source, if it is.
    nonisolated func knownUnpublished(digest: [UInt8]) -> RevocationError? {
        unpublished.withLock { $0[digest] }
    }

    /// The answer cached for the certificate whose DER has SHA-256 `digest`, while it holds.
    nonisolated func cachedStatus(digest: [UInt8]) -> CachedAnswer? {
        let instant = now()
        let cached = answers.withLock { table in table[digest].flatMap { instant < $0.until ? $0 : nil } }
        if cached == nil { ToolkitMetrics.cache("revocation", "miss") } else { ToolkitMetrics.revocationCacheHits.increment() }
        return cached
    }

    /// Whether the certificate of DER `leaf` names a source of the configured kinds (an OCSP
    /// responder, a CRL distribution point); `nil` for one OpenSSL cannot read.
    nonisolated func namesSource(_ leaf: [UInt8]) -> Bool? {
        guard let certificate = try? OCSPClient.certificate(leaf, what: "the certificate") else { return nil }
        let ocsp = (sources == .ocspThenCRL || sources == .ocsp) && !OCSPClient.responders(of: certificate).isEmpty
        let crl = (sources == .ocspThenCRL || sources == .crl) && !VerifiedCRL.distributionPoints(of: certificate).isEmpty
        return ocsp || crl
    }

    /// ``status(of:issuer:)`` for a certificate whose DER's SHA-256 (`digest`) is known, once
    /// ``cachedStatus(digest:)`` (which counts the cache event) found nothing.
    func status(of leaf: [UInt8], digest key: [UInt8], issuer: [UInt8]) async throws(RevocationError) -> RevocationAnswer {
        let instant = now()
        // A lookup may have finished while this call waited to enter the actor.
        if let cached = answers.withLock({ $0[key] }), instant < cached.until { return cached.answer }
        let task: Task<Result<RevocationAnswer, RevocationError>, Never>
        if let running = lookups[key] {
            task = running
        } else {
            task = Task { await self.lookUp(leaf, issuer: issuer, at: instant) }
            lookups[key] = task
        }
        let result = await task.value
        lookups[key] = nil
        if case .failure(let error) = result, error.code == .unpublished {
            unpublished.withLock { table in
                if table.count >= Self.maximumEntries { table.removeAll() }
                table[key] = error
            }
        }
        let answer = try result.get()
        // A good (or unknown) answer is reused until the earlier of its nextUpdate and the
        // maximum; a revocation is kept until its nextUpdate (it does not come undone sooner).
        let capped = instant.addingTimeInterval(maximumLifetime)
        let until: Date
        if case .revoked = answer.status { until = answer.nextUpdate ?? capped } else { until = min(answer.nextUpdate ?? .distantFuture, capped) }
        answers.withLock { table in
            if table.count >= Self.maximumEntries { table = table.filter { $0.value.until > instant } }
            if table.count < Self.maximumEntries { table[key] = CachedAnswer(answer: answer, until: until) }
        }
        return answer
    }

    private func lookUp(_ leaf: [UInt8], issuer: [UInt8], at instant: Date) async -> Result<RevocationAnswer, RevocationError> {
        do throws(RevocationError) {
            var failure = RevocationError(.unpublished, "no revocation source is configured")
            if sources == .ocspThenCRL || sources == .ocsp {
                networkLookups += 1
                do throws(RevocationError) {
                    let answer = try await ocsp.status(of: leaf, issuer: issuer, at: instant)
                    ToolkitMetrics.revocationLookup("ocsp", answer.status.metricName)
                    return .success(answer)
                } catch {
                    ToolkitMetrics.revocationLookup("ocsp", "error")
                    // A believable answer was refused (bad signature, wrong certificate): no
                    // fallback hides that; an absent or unreachable responder falls back.
                    guard sources == .ocspThenCRL, error.code == .unpublished || error.code == .unreachable else { throw error }
                    failure = error
                }
            }
            if sources == .ocspThenCRL || sources == .crl {
                let leafCertificate = try OCSPClient.certificate(leaf, what: "the certificate")
                let issuerCertificate = try OCSPClient.certificate(issuer, what: "its issuer")
                let points = VerifiedCRL.distributionPoints(of: leafCertificate)
                guard !points.isEmpty else {
                    throw failure.code == .unpublished || sources == .crl
                        ? RevocationError(.unpublished, "the certificate names neither an OCSP responder nor a CRL distribution point")
                        : failure
                }
                for point in points {
                    do throws(RevocationError) {
                        let list = try await crl(point, issuer: issuerCertificate, at: instant)
                        let answer = list.answer(for: leafCertificate)
                        ToolkitMetrics.revocationLookup("crl", answer.status.metricName)
                        return .success(answer)
                    } catch {
                        ToolkitMetrics.revocationLookup("crl", "error")
                        failure = error
                    }
                }
            }
            throw failure
        } catch {
            return .failure(error)
        }
    }

    /// The CRL at `url`, verified with `issuer`: cached until its `nextUpdate` (at most
    /// ``maximumLifetime``), one fetch in flight per URL.
    private func crl(_ url: String, issuer: OwnedX509, at instant: Date) async throws(RevocationError) -> VerifiedCRL {
        if let cached = verifiedLists[url], instant < cached.until { return cached.list }
        let task: Task<Result<VerifiedCRL, RevocationError>, Never>
        if let running = fetches[url] {
            task = running
        } else {
            networkLookups += 1
            let transport = lists
            let skew = ocsp.skew
            let der = issuer.der
            task = Task {
                do throws(RevocationError) {
                    guard let location = URL(string: url), ["http", "https"].contains(location.scheme?.lowercased() ?? "") else {
                        throw RevocationError(.unpublished, "the CRL distribution point \(url.quotedForReport()) is not an http or https URL")
                    }
                    let response: HTTPResponse
                    do throws(TransportError) { response = try await transport.get(location) } catch {
                        throw RevocationError(.unreachable, "CRL \(url): \(error.reason)")
                    }
                    guard response.status == 200 else { throw RevocationError(.unreachable, "CRL \(url) answered HTTP \(response.status)", status: response.status) }
                    let issuer = try OCSPClient.certificate(der, what: "the issuer")
                    return .success(try VerifiedCRL(response.body, issuer: issuer, source: "CRL \(url)", now: instant, skew: skew))
                } catch {
                    return .failure(error)
                }
            }
            fetches[url] = task
        }
        let result = await task.value
        fetches[url] = nil
        let list = try result.get()
        if verifiedLists.count > 64 { verifiedLists = verifiedLists.filter { $0.value.until > instant } }
        verifiedLists[url] = (list, min(list.nextUpdate ?? .distantFuture, instant.addingTimeInterval(maximumLifetime)))
        return list
    }
}
