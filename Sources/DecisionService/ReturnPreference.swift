import HTTPTypes
import SSAToolkit

/// The `Prefer: return=minimal` preference (RFC 7240): a caller on the token endpoint's hot path
/// (the Janssen Update Token script) asks for the decision without the sentences of the checks
/// that passed or were skipped. Honoured by `POST /v1/token-decisions`, which then answers
/// `Preference-Applied: return=minimal`; every other preference, and this one elsewhere, is
/// ignored as RFC 7240 allows.
enum ReturnPreference {
    static let prefer = HTTPField.Name("Prefer")!
    static let applied = HTTPField.Name("Preference-Applied")!
    /// The header fields of an answer that applied `return=minimal`, built once.
    static let minimalAnswerHeaders: HTTPFields = {
        var headers = DecisionService.answerHeaders
        headers.append(HTTPField(name: applied, value: "return=minimal"))
        return headers
    }()

    /// The checks the caller wants explained: ``CheckDetails/failures`` when one of its `Prefer`
    /// fields holds `return=minimal` (names and values compared without ASCII case, a quoted
    /// value unquoted, parameters after `;` ignored), ``CheckDetails/all`` otherwise.
    static func checkDetails(_ headers: HTTPFields) -> CheckDetails {
        // The usual case, one field as the Janssen script sends it, is one comparison of that
        // field's own value: this runs on every token call, and the fields' subscript would
        // join every value into a new string first. Several Prefer fields are read joined by
        // ", " (RFC 9110 section 5.3), as the subscript joins them.
        var found: String?
        for field in headers where field.name == prefer {
            if found != nil { return headers[prefer].map(preferences) ?? .all }
            found = field.value
        }
        guard let field = found else { return .all }
        if field.isByteIdentical(to: "return=minimal") { return .failures }
        return preferences(field)
    }

    /// ``checkDetails(_:)`` for any other `Prefer` value: each comma-separated preference read.
    static func preferences(_ field: String) -> CheckDetails {
        for preference in field.split(separator: ",") {
            let token = preference.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            let parts = token.split(separator: "=", maxSplits: 1).map { String($0).trimmingASCIIWhitespace() }
            guard parts.count == 2 else { continue }
            var value = parts[1]
            if value.utf8.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            if parts[0].isByteIdenticalIgnoringASCIICase(to: "return"), value.isByteIdenticalIgnoringASCIICase(to: "minimal") { return .failures }
        }
        return .all
    }
}
