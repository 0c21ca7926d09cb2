import SSAToolkit

/// A decider the service answers for at one route: how the call's JSON body becomes the
/// decider's input. Everything else (reading the body, deciding, closing, encoding) is the one
/// route, ``DecisionService/decide(_:with:)``.
protocol ServedDecider: Decider {
    /// The call as the decider's input, or why it is malformed (answered 400 `invalid_request`);
    /// `checkDetails` is what the caller's `Prefer` header asked for.
    static func input(from bytes: [UInt8], checkDetails: CheckDetails) -> Result<Input, DecisionServiceError>
    /// Whether the route honours `Prefer: return=minimal` (``ReturnPreference``).
    static var honoursMinimalReturn: Bool { get }
}

extension RegistrationDecider: ServedDecider {
    /// Registration answers every check's sentence: it is not on a hot path.
    static var honoursMinimalReturn: Bool { false }

    /// The call's JSON object as a registration input.
    static func input(from bytes: [UInt8], checkDetails: CheckDetails) -> Result<RegistrationInput, DecisionServiceError> {
        let object: [String: JSONValue]
        do {
            object = try StrictJSONParser(maximumDepth: 32, maximumBytes: DecisionService.maximumBodyBytes).parseObject(bytes)
        } catch {
            return .failure(DecisionServiceError("the body is not a JSON object: \(error.reason)"))
        }
        let known: Set<String> = ["registration_request", "software_statement", "client_certificate"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            return .failure(DecisionServiceError("unknown member \"\(unknown.prefix(64))\" (expected registration_request, software_statement, client_certificate)"))
        }
        var input = RegistrationInput()
        switch object["registration_request"] {
        case nil, .null?: break
        case .string(let text)?: input.request = text
        case .object(let metadata)?: input.request = JSONValue.object(metadata).serialized()
        case let other?: return .failure(DecisionServiceError("registration_request must be a string (JWT) or an object (metadata), not \(other.typeDescription)"))
        }
        for (member, path) in [("software_statement", \RegistrationInput.softwareStatement), ("client_certificate", \RegistrationInput.clientCertificatePEM)] {
            switch object[member] {
            case nil, .null?: break
            case .string(let text)?: input[keyPath: path] = text
            case let other?: return .failure(DecisionServiceError("\(member) must be a string, not \(other.typeDescription)"))
            }
        }
        guard input.request != nil || input.softwareStatement != nil else {
            return .failure(DecisionServiceError("give registration_request, software_statement or both"))
        }
        return .success(input)
    }
}

extension TokenDecider: ServedDecider {
    /// Token decisions leave out the sentences of passing checks when asked.
    static var honoursMinimalReturn: Bool { true }

    /// The call's JSON object as a token request.
    static func input(from bytes: [UInt8], checkDetails: CheckDetails) -> Result<TokenRequest, DecisionServiceError> {
        do {
            var request = try TokenRequest.read(bytes, parser: StrictJSONParser(maximumDepth: 32, maximumBytes: DecisionService.maximumBodyBytes))
            request.checkDetails = checkDetails
            return .success(request)
        } catch let error as JSONParseError {
            return .failure(DecisionServiceError("the body is not a JSON object: \(error.reason)"))
        } catch let error as TokenRequestError {
            return .failure(DecisionServiceError(error.reason))
        } catch {
            return .failure(DecisionServiceError("the body cannot be read"))
        }
    }
}
