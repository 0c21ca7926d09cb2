import Foundation
import SSAToolkit

/// Renders verdicts for people: the verdict first, then one aligned line per check; colour only
/// when standard output is a terminal and `NO_COLOR` is unset.
struct TextReport {
    struct Style {
        var colour: Bool
        static var forStandardOutput: Style {
            Style(colour: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        }
    }

    var style: Style

    /// Every value a report echoes passes through here: control characters escaped (no escape
    /// sequence from a token reaches the terminal) and long values cut.
    func safe(_ text: String?, limit: Int = 1_000) -> String {
        (text ?? "").escapedForTerminal(limit: limit)
    }

    func paint(_ text: String, _ code: String) -> String {
        style.colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// A refusal's or an undecided verdict's lines: the word (red, or yellow when undecided)
    /// with the error code, then the description under it.
    private func refusal(_ word: String, undecided: Bool, error: String?, description: String?) -> [String] {
        [paint(word, undecided ? "1;33" : "1;31") + "  " + safe(error), String(repeating: " ", count: word.count + 2) + safe(description)]
    }

    /// The verdict's lines, a blank line, then one line per check.
    private func report(_ head: [String], _ checks: [Check]) -> String {
        (head + [""] + checkLines(checks)).joined(separator: "\n")
    }

    func render(_ result: SoftwareStatementVerification) -> String {
        var lines: [String] = []
        switch result.verdict {
        case .valid:
            lines.append(paint("VALID", "1;32") + "  " + subject(result))
            if let alg = result.algorithm {
                lines.append("       signed \(alg.rawValue) by \(result.keyID.map { "kid \(safe($0, limit: 64))" } ?? "the only fitting key")")
            }
        case .rejected:
            lines += refusal("REJECTED", undecided: false, error: result.error?.rawValue, description: result.errorDescription)
            if result.claims != nil { lines.append("          " + subject(result)) }
        case .undecided:
            lines += refusal("UNDECIDED", undecided: true, error: result.error?.rawValue, description: result.errorDescription)
        }
        return report(lines, result.checks)
    }

    func render(_ decision: RegistrationDecision) -> String {
        var lines: [String] = []
        let who = decision.softwareStatement.map { subject($0) } ?? ""
        switch decision.verdict {
        case .accept:
            lines.append(paint("ACCEPT", "1;32") + "  " + who)
            if let client = decision.client {
                lines.append("        client \(safe(client.clientID, limit: 200)), \(safe(client.tokenEndpointAuthMethod, limit: 64)), scope \(safe(client.scopes.joined(separator: " ")))")
                lines.append("        redirect \(safe(client.redirectURIs.joined(separator: " ")))")
                if let dn = client.tlsClientAuthSubjectDN { lines.append("        subject \(safe(dn, limit: 400))") }
            }
        case .reject:
            lines += refusal("REJECT", undecided: false, error: decision.error?.rawValue, description: decision.errorDescription)
            if !who.isEmpty { lines.append("        " + who) }
        case .undecided:
            lines += refusal("UNDECIDED", undecided: true, error: decision.error?.rawValue, description: decision.errorDescription)
        }
        return report(lines, decision.checks)
    }

    func render(_ decision: TokenDecision) -> String {
        var lines: [String] = []
        switch decision.verdict {
        case .allow:
            lines.append(paint("ALLOW", "1;32") + "  software \(safe(decision.softwareID, limit: 128)) (org \(safe(decision.organisationID, limit: 128))), client \(safe(decision.clientID, limit: 128))")
            lines.append("       scope \(safe(decision.grantedScopes.joined(separator: " ")))\(decision.removedScopes.isEmpty ? "" : "; removed \(safe(decision.removedScopes.joined(separator: " ")))")")
            if let intent = decision.intentID { lines.append("       openbanking_intent_id \(safe(intent, limit: 128))") }
            if let lifetimes = decision.lifetimes {
                lines.append("       lifetimes: access \(lifetimes.accessToken) s, id_token \(lifetimes.idToken) s, \(lifetimes.refreshToken.map { "refresh \($0) s" } ?? "no refresh token")")
            }
        case .deny:
            lines += refusal("DENY", undecided: false, error: decision.error?.rawValue, description: decision.errorDescription)
        case .undecided:
            lines += refusal("UNDECIDED", undecided: true, error: decision.error?.rawValue, description: decision.errorDescription)
        }
        return report(lines, decision.checks)
    }

    func checkLines(_ checks: [Check]) -> [String] {
        let width = checks.map(\.name.rawValue.count).max() ?? 0
        return checks.map { check in
            let mark: String
            switch check.outcome {
            case .pass: mark = paint("pass", "32")
            case .fail: mark = paint("FAIL", "1;31")
            case .skip: mark = paint("skip", "2")
            }
            let name = check.name.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            return "  \(mark)  \(name)  \(safe(check.detail))"
        }
    }

    private func subject(_ result: SoftwareStatementVerification) -> String {
        result.claims.map { subject($0) } ?? ""
    }

    private func subject(_ claims: SoftwareStatementClaims) -> String {
        var text = "software statement \(safe(claims.softwareID ?? "?", limit: 128))"
        if let name = claims.softwareClientName { text += " \"\(safe(name, limit: 128))\"" }
        var org = "org \(safe(claims.organisationID ?? "?", limit: 128))"
        if let orgName = claims.organisationName { org += ", \(safe(orgName, limit: 128))" }
        text += " (\(org))"
        if let roles = claims.softwareRoles { text += ", roles \(safe(roles.joined(separator: " "), limit: 200))" }
        return text
    }
}
