import Foundation
import FuzzSupport
import SSAToolkit
import SwiftASN1
import X509

/// A textual distinguished name (`tls_client_auth_subject_dn`, from a registration request or a
/// token decision call).
enum DistinguishedNameTarget {
    static func run(_ bytes: [UInt8]) {
        check(String(decoding: bytes, as: UTF8.self))
    }

    static func check(_ text: String) {
        let name: ComparableDistinguishedName
        do { name = try ComparableDistinguishedName(parsing: text) } catch {
            _ = error.reason.escapedForTerminal()
            return
        }
        guard name.matches(name) else { FuzzDriver.violated("a parsed DN does not match itself", input: Array(text.utf8)) }
        _ = name.description
        _ = name.hashValue
        if let subject = Fixtures.transportSubject { _ = name.matches(subject) }
    }
}

/// A caller's `client_certificate`, read as `ClientCertificateTrust` reads it (the leaf first,
/// any others as intermediates), then compared by subject as the registration rules do.
enum ClientCertificate {
    static func check(_ pem: String, registeredDN: String?) {
        guard pem.utf8.count <= 64 * 1024 else { return }
        guard let documents = try? PEMDocument.parseMultiple(pemString: pem) else { return }
        let certificates = documents.compactMap { try? Certificate(pemDocument: $0) }
        guard let leaf = certificates.first else { return }
        let subject = ComparableDistinguishedName(leaf.subject)
        _ = ComparableDistinguishedName.registrationForm(of: leaf.subject)
        _ = subject.description
        if let registeredDN, let registered = try? ComparableDistinguishedName(parsing: registeredDN) {
            _ = registered.matches(subject)
        }
    }
}

/// The body of `POST /v1/decisions`. `RegistrationDecider.input(from:)` (DecisionService) is internal, so its framing is
/// repeated here with the same bounds and rules (a 256 KiB JSON object, depth 32, three known
/// members), then the input goes through the public parsers `RegistrationDecider` runs
/// before it asks the network anything: the request, the SSA, the caller's certificate.
enum RegistrationBodyTarget {
    static let parser = StrictJSONParser(maximumDepth: 32, maximumBytes: 256 * 1024)
    static let known: Set<String> = ["registration_request", "software_statement", "client_certificate"]

    static func run(_ bytes: [UInt8]) {
        let object: [String: JSONValue]
        do { object = try parser.parseObject(bytes) } catch { return }
        if object.keys.contains(where: { !known.contains($0) }) { return }
        var input = RegistrationInput()
        switch object["registration_request"] {
        case nil, .null?: break
        case .string(let text)?: input.request = text
        case .object(let metadata)?: input.request = JSONValue.object(metadata).serialized()
        case .some: return
        }
        for (member, path) in [("software_statement", \RegistrationInput.softwareStatement), ("client_certificate", \RegistrationInput.clientCertificatePEM)] {
            switch object[member] {
            case nil, .null?: break
            case .string(let text)?: input[keyPath: path] = text
            case .some: return
            }
        }
        guard input.request != nil || input.softwareStatement != nil else { return }
        decide(input)
    }

    /// The parsing half of `RegistrationDecider.decide`.
    static func decide(_ input: RegistrationInput) {
        var request: RegistrationRequest?
        if let text = input.request {
            do { request = try RegistrationRequest(parsing: text) } catch {
                _ = error.reason.escapedForTerminal()
                return
            }
        }
        if let request {
            _ = (request.isSigned, request.redirectURIs, request.tokenEndpointAuthMethod, request.scopes, request.grantTypes, request.responseTypes, request.applicationType)
            for uri in request.redirectURIs ?? [] { _ = HTTPSURL.problem(with: uri, allowFragment: false) }
            for member in RegistrationRequest.algorithmMembers { _ = request.metadata[member]?.stringValue.flatMap(JWSAlgorithm.init(rawValue:)) }
            if case .signed(let jws) = request.form {
                _ = SoftwareStatementClaims(jws.payload).softwareJWKSEndpoint.map { HTTPSURL.problem(with: $0, allowFragment: false) }
            }
        }
        let embedded = request?.softwareStatement
        let given = input.softwareStatement?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let ssa = embedded ?? given { JWSTarget.check(ssa) }
        if let dn = request?.tlsClientAuthSubjectDN { DistinguishedNameTarget.check(dn) }
        if let pem = input.clientCertificatePEM { ClientCertificate.check(pem, registeredDN: request?.tlsClientAuthSubjectDN) }
    }
}

/// The body of `POST /v1/token-decisions`: parsed exactly as `DecisionService.decideToken`
/// does (public API), then the members `TokenDecider` parses further.
enum TokenBodyTarget {
    static let parser = StrictJSONParser(maximumDepth: 32, maximumBytes: 256 * 1024)

    static func run(_ bytes: [UInt8]) {
        let request: TokenRequest
        do {
            request = try TokenRequest(json: try parser.parseObject(bytes))
        } catch let error as TokenRequestError {
            _ = error.reason.escapedForTerminal()
            return
        } catch {
            return
        }
        _ = (request.isRefresh, request.requestedIntentID, request.scopes, request.userID, request.acr)
        _ = Identifier.problem(with: request.clientID)
        if let dn = request.registeredSubjectDN { DistinguishedNameTarget.check(dn) }
        if let pem = request.clientCertificatePEM { ClientCertificate.check(pem, registeredDN: request.registeredSubjectDN) }
    }
}
