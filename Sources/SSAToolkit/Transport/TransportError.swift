/// Why an HTTPS exchange failed. Every case is a reason to be *undecided*, never to accept.
///
/// Compare by ``code``; ``reason`` carries curl's message or the server's OAuth error.
public typealias TransportError = CodedFailure<TransportFailure>
