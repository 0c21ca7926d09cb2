import Foundation
import X509

/// A distinguished name reduced to what makes two spellings of it equal, so that
/// `tls_client_auth_subject_dn` can be compared with a certificate's subject as names, not strings.
///
/// Tools spell the same name differently: RFC 4514 (`CN=x,OU=y,O=z,C=GB`, most specific first),
/// OpenSSL's default (`C = GB, O = z, OU = y, CN = x`, DER order), OpenSSL's slash form
/// (`/C=GB/O=z/OU=y/CN=x`), Java (`OID.2.5.4.97=...`), and `organizationIdentifier=` against
/// `2.5.4.97=`. This type parses every one of those into attribute OIDs and values, and matches:
///
/// - attribute types by OID (`CN`, `commonName` and `2.5.4.3` are one type);
/// - values after RFC 4514 unescaping (`\,`, `\2C`, quoted values, `#`-hex DER strings), with
///   insignificant ASCII white space removed, then compared byte for byte (never by Swift's
///   canonical equivalence). Case is ignored, by ASCII folding only, for attributes whose
///   matching rule is `caseIgnoreMatch` (O, C, L, ST, ...), but never for the attributes that
///   carry Open Banking identifiers: CN (software id), OU (organisation id),
///   organizationIdentifier, serialNumber and UID;
/// - multi-valued RDNs as sets;
/// - the RDN sequence in either order, since RFC 4514 strings list it reversed.
public struct ComparableDistinguishedName: Sendable, Hashable, CustomStringConvertible {
    /// One attribute: its OID in dotted form and its normalised value.
    public struct Attribute: Sendable, Hashable, Comparable {
        /// Dotted OID, e.g. `2.5.4.3`.
        public var oid: String
        /// The value, unescaped, white space folded, ASCII lower-cased where the type ignores case.
        public var value: String

        /// A normalised attribute.
        public init(oid: String, value: String) {
            self.oid = oid
            self.value = ComparableDistinguishedName.normalise(value, oid: oid)
        }

        /// Equal when the OIDs and the normalised values have the same bytes.
        public static func == (lhs: Attribute, rhs: Attribute) -> Bool {
            lhs.oid.isByteIdentical(to: rhs.oid) && lhs.value.isByteIdentical(to: rhs.value)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(Array(oid.utf8))
            hasher.combine(Array(value.utf8))
        }

        public static func < (lhs: Attribute, rhs: Attribute) -> Bool {
            if !lhs.oid.isByteIdentical(to: rhs.oid) { return lhs.oid.utf8.lexicographicallyPrecedes(rhs.oid.utf8) }
            return lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
        }
    }

    /// The RDNs in the order they were written (attributes of each sorted).
    public var rdns: [[Attribute]]

    /// Parses a textual DN in RFC 4514, RFC 1779, OpenSSL or slash form.
    ///
    /// - Throws: ``DistinguishedNameError`` naming what cannot be read.
    public init(parsing text: String) throws(DistinguishedNameError) {
        var parser = DNTextParser(text)
        rdns = try parser.parse()
    }

    /// The subject or issuer name of a certificate, as encoded (DER order).
    public init(_ name: DistinguishedName) {
        rdns = name.map { rdn in
            rdn.map { attribute in
                let raw = String(attribute.value) ?? String(describing: attribute.value)
                return Attribute(oid: String(describing: attribute.type), value: raw)
            }.sorted()
        }
    }

    /// Whether both name the same entity (RDN order either way round).
    public func matches(_ other: ComparableDistinguishedName) -> Bool {
        !rdns.isEmpty && (rdns == other.rdns || rdns == other.rdns.reversed())
    }

    /// RFC 4514-like rendering of the normalised form (most specific RDN first).
    public var description: String {
        rdns.reversed().map { rdn in
            rdn.map { "\(Self.shortNames[$0.oid] ?? $0.oid)=\($0.value)" }.joined(separator: "+")
        }.joined(separator: ",")
    }

    // MARK: - Attribute types

    /// Names (lower-cased) to OIDs: RFC 4514's table, X.520 long names, and common extras.
    static let oidsByName: [String: String] = [
        "cn": "2.5.4.3", "commonname": "2.5.4.3",
        "sn": "2.5.4.4", "surname": "2.5.4.4",
        "serialnumber": "2.5.4.5",
        "c": "2.5.4.6", "countryname": "2.5.4.6",
        "l": "2.5.4.7", "localityname": "2.5.4.7",
        "st": "2.5.4.8", "s": "2.5.4.8", "stateorprovincename": "2.5.4.8",
        "street": "2.5.4.9", "streetaddress": "2.5.4.9",
        "o": "2.5.4.10", "organizationname": "2.5.4.10",
        "ou": "2.5.4.11", "organizationalunitname": "2.5.4.11",
        "title": "2.5.4.12",
        "postalcode": "2.5.4.17",
        "gn": "2.5.4.42", "givenname": "2.5.4.42",
        "organizationidentifier": "2.5.4.97", "orgid": "2.5.4.97",
        "dc": "0.9.2342.19200300.100.1.25", "domaincomponent": "0.9.2342.19200300.100.1.25",
        "uid": "0.9.2342.19200300.100.1.1", "userid": "0.9.2342.19200300.100.1.1",
        "e": "1.2.840.113549.1.9.1", "email": "1.2.840.113549.1.9.1", "emailaddress": "1.2.840.113549.1.9.1",
        "jurisdictioncountryname": "1.3.6.1.4.1.311.60.2.1.3", "jurisdictionc": "1.3.6.1.4.1.311.60.2.1.3",
        "businesscategory": "2.5.4.15",
    ]

    static let shortNames: [String: String] = [
        "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET", "2.5.4.10": "O",
        "2.5.4.11": "OU", "2.5.4.97": "organizationIdentifier", "0.9.2342.19200300.100.1.25": "DC",
        "0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "emailAddress", "2.5.4.5": "serialNumber",
    ]

    /// Attribute types compared with their case: the ones that carry identifiers.
    static let caseExactOIDs: Set<String> = ["2.5.4.3", "2.5.4.11", "2.5.4.97", "2.5.4.5", "0.9.2342.19200300.100.1.1"]

    /// RFC 4518 in brief: trim, fold runs of ASCII white space to one space; ignore case (ASCII
    /// only, so no look-alike folds into a letter) unless the type carries an identifier.
    static func normalise(_ value: String, oid: String) -> String {
        let folded = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        return caseExactOIDs.contains(where: { $0.isByteIdentical(to: oid) }) ? folded : folded.asciiLowercased
    }

    /// The form in which a certificate's subject is registered as `tls_client_auth_subject_dn`:
    /// RFC 4514 (most specific RDN first) as swift-certificates renders it from the DER, so the
    /// value registered is the certificate's own, never the caller's spelling.
    public static func registrationForm(of subject: DistinguishedName) -> String {
        subject.description
    }
}

/// A distinguished name that cannot be read.
public struct DistinguishedNameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, naming the offending part.
    public var reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A small parser for textual DNs. Bounded: 4 KiB of text, 64 attributes.
private struct DNTextParser {
    let bytes: [UInt8]
    var index = 0
    let slashForm: Bool
    let text: String

    init(_ text: String) {
        self.text = text
        let trimmed = text.trimmingASCIIWhitespace()
        bytes = Array(trimmed.utf8)
        slashForm = trimmed.hasPrefix("/")
    }

    mutating func parse() throws(DistinguishedNameError) -> [[ComparableDistinguishedName.Attribute]] {
        guard !bytes.isEmpty else { throw DistinguishedNameError("the distinguished name is empty") }
        guard bytes.count <= 4096 else { throw DistinguishedNameError("the distinguished name is longer than 4096 bytes") }
        if slashForm { index = 1 }
        var rdns: [[ComparableDistinguishedName.Attribute]] = []
        var current: [ComparableDistinguishedName.Attribute] = []
        var count = 0
        while true {
            skipSpaces()
            let oid = try attributeType()
            skipSpaces()
            guard peek == UInt8(ascii: "=") else { throw DistinguishedNameError("expected \"=\" after attribute type \(oid) in \"\(text.prefix(80))\"") }
            index += 1
            skipSpaces()
            let value = try attributeValue()
            current.append(.init(oid: oid, value: value))
            count += 1
            guard count <= 64 else { throw DistinguishedNameError("the distinguished name has more than 64 attributes") }
            skipSpaces()
            guard let separator = peek else { break }
            index += 1
            switch separator {
            case UInt8(ascii: "+"):
                continue
            case UInt8(ascii: ",") where !slashForm, UInt8(ascii: ";") where !slashForm:
                rdns.append(current.sorted())
                current = []
            case UInt8(ascii: "/") where slashForm:
                rdns.append(current.sorted())
                current = []
            default:
                throw DistinguishedNameError("unexpected \"\(Character(Unicode.Scalar(separator)))\" in \"\(text.prefix(80))\"")
            }
        }
        rdns.append(current.sorted())
        return rdns
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpaces() {
        while let b = peek, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { index += 1 }
    }

    mutating func attributeType() throws(DistinguishedNameError) -> String {
        let start = index
        while let b = peek, b != UInt8(ascii: "="), b != UInt8(ascii: " ") { index += 1 }
        var name = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !name.isEmpty else { throw DistinguishedNameError("an attribute type is missing in \"\(text.prefix(80))\"") }
        if name.asciiLowercased.hasPrefix("oid.") { name = String(name.dropFirst(4)) }
        if let first = name.first, first.isNumber {
            let arcs = name.split(separator: ".", omittingEmptySubsequences: false)
            guard arcs.count >= 2, arcs.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
                throw DistinguishedNameError("attribute type \"\(name)\" is not a dotted OID")
            }
            return name
        }
        guard let oid = ComparableDistinguishedName.oidsByName[name.asciiLowercased] else {
            throw DistinguishedNameError("unknown attribute type \"\(name)\" (write it as a dotted OID)")
        }
        return oid
    }

    mutating func attributeValue() throws(DistinguishedNameError) -> String {
        if peek == UInt8(ascii: "#") { return try hexValue() }
        if peek == UInt8(ascii: "\"") && !slashForm { return try quotedValue() }
        var out: [UInt8] = []
        var trailingUnescapedSpaces = 0
        while let b = peek {
            if b == UInt8(ascii: "+") || (!slashForm && (b == UInt8(ascii: ",") || b == UInt8(ascii: ";"))) || (slashForm && b == UInt8(ascii: "/")) { break }
            index += 1
            if b == UInt8(ascii: "\\") {
                out.append(try escaped())
                trailingUnescapedSpaces = 0
            } else {
                out.append(b)
                trailingUnescapedSpaces = b == UInt8(ascii: " ") ? trailingUnescapedSpaces + 1 : 0
            }
        }
        out.removeLast(trailingUnescapedSpaces)
        guard let value = String(validating: out, as: UTF8.self) else { throw DistinguishedNameError("an attribute value is not UTF-8") }
        return value
    }

    mutating func escaped() throws(DistinguishedNameError) -> UInt8 {
        guard let next = peek else { throw DistinguishedNameError("the distinguished name ends with a lone backslash") }
        if let high = Self.hexDigit(next), index + 1 < bytes.count, let low = Self.hexDigit(bytes[index + 1]) {
            index += 2
            return high << 4 | low
        }
        index += 1
        return next
    }

    mutating func quotedValue() throws(DistinguishedNameError) -> String {
        index += 1
        var out: [UInt8] = []
        while let b = peek {
            index += 1
            if b == UInt8(ascii: "\"") {
                return String(decoding: out, as: UTF8.self)
            }
            out.append(b == UInt8(ascii: "\\") ? try escaped() : b)
        }
        throw DistinguishedNameError("a quoted value is not closed in \"\(text.prefix(80))\"")
    }

    /// `#` followed by the DER encoding of a string type (UTF8String, PrintableString,
    /// IA5String, TeletexString treated as Latin-1 is refused).
    mutating func hexValue() throws(DistinguishedNameError) -> String {
        index += 1
        var der: [UInt8] = []
        while let high = peek.flatMap(Self.hexDigit), index + 1 < bytes.count, let low = Self.hexDigit(bytes[index + 1]) {
            der.append(high << 4 | low)
            index += 2
        }
        guard der.count >= 2, [0x0C, 0x13, 0x16].contains(der[0]), Int(der[1]) == der.count - 2, der[1] < 0x80,
              let value = String(validating: der[2...], as: UTF8.self) else {
            throw DistinguishedNameError("a #-encoded value is not a short DER UTF8String, PrintableString or IA5String")
        }
        return value
    }

    static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
