import Foundation

/// A dynamic client registration request (RFC 7591), as the TPP posted it: a request JWT signed
/// with a key from the SSA's `software_jwks_endpoint`, or plain JSON metadata.
///
/// Parsing only frames the request; nothing in it is trusted until ``RegistrationDecider``
/// has verified the signature (for a JWT) and every rule.
public struct RegistrationRequest: Sendable {
    /// How the request arrived.
    public enum Form: Sendable {
        /// A compact JWS; the metadata is its payload, not yet verified.
        case signed(CompactJWS)
        /// A JSON object, unsigned.
        case plain
    }

    /// How the request arrived.
    public var form: Form
    /// The registration metadata (the JWT's claims, or the JSON object).
    public var metadata: [String: JSONValue]

    /// Frames `text`: a JSON object when it starts with `{`, otherwise a compact JWS.
    ///
    /// - Throws: ``RegistrationRequestError`` saying what is malformed.
    public init(parsing text: String, limits: JOSELimits = JOSELimits()) throws(RegistrationRequestError) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { throw RegistrationRequestError("the registration request is empty") }
        if trimmed.hasPrefix("{") {
            do {
                metadata = try StrictJSONParser(maximumDepth: limits.maximumJSONDepth, maximumBytes: limits.maximumTokenBytes).parseObject(Array(trimmed.utf8))
            } catch {
                throw RegistrationRequestError("the registration request is not a JSON object: \(error.reason)")
            }
            form = .plain
        } else {
            do {
                let jws = try CompactJWS(parsing: trimmed, limits: limits)
                metadata = jws.payload
                form = .signed(jws)
            } catch {
                throw RegistrationRequestError("the registration request is neither JSON metadata nor a compact JWS: \(error.reason)")
            }
        }
    }

    /// A plain (unsigned) request from metadata already parsed.
    public init(metadata: [String: JSONValue]) {
        self.metadata = metadata
        self.form = .plain
    }

    /// Whether the request is a signed JWT.
    public var isSigned: Bool {
        if case .signed = form { return true }
        return false
    }

    /// `software_statement`: the SSA embedded in the request.
    public var softwareStatement: String? { metadata["software_statement"]?.stringValue }
    /// `redirect_uris`.
    public var redirectURIs: [String]? { metadata["redirect_uris"]?.stringArrayValue }
    /// `token_endpoint_auth_method`.
    public var tokenEndpointAuthMethod: String? { metadata["token_endpoint_auth_method"]?.stringValue }
    /// `tls_client_auth_subject_dn`.
    public var tlsClientAuthSubjectDN: String? { metadata["tls_client_auth_subject_dn"]?.stringValue }
    /// `scope`, split on spaces.
    public var scopes: [String]? { metadata["scope"]?.stringValue.map { $0.split(separator: " ").map(String.init) } }
    /// `grant_types`.
    public var grantTypes: [String]? { metadata["grant_types"]?.stringArrayValue }
    /// `response_types`.
    public var responseTypes: [String]? { metadata["response_types"]?.stringArrayValue }
    /// `application_type`.
    public var applicationType: String? { metadata["application_type"]?.stringValue }

    /// The metadata members naming signing algorithms the client will use.
    public static let algorithmMembers = ["token_endpoint_auth_signing_alg", "id_token_signed_response_alg", "request_object_signing_alg", "userinfo_signed_response_alg"]
}

/// A registration request that cannot be read.
public struct RegistrationRequestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String
    /// An error.
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
