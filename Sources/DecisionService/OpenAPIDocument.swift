/// The decision service's HTTP contract: an OpenAPI 3.1 document, served at `GET /openapi.json`
/// and printed by `ssa-verify openapi`.
///
/// The single source of truth for what `ssa-verify serve` accepts and answers: every route, every
/// request body (unknown members refused where the server refuses them), every response and
/// error body. It is a Swift literal rather than a resource so the installed binary stays one
/// file. `Tests/ssa-verifyTests/OpenAPIContractTests.swift` runs schemathesis against a live
/// service with it (`integrations/openapi/run-schemathesis.sh`), so a change to the service that
/// the document does not follow fails the tests.
public enum OpenAPIDocument {
    /// The document, JSON (UTF-8): its head, then ``paths``, then ``components``, each a literal
    /// of its own so no file holds all of it.
    public static let json = head + paths + components

    static let head = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "ssa-toolkit decision service",
        "version": "0.1.0",
        "description": "`ssa-verify serve`: Open Banking registration and token decisions over HTTP on 127.0.0.1 (or a Unix-domain socket), for authorization-server hooks written in other languages. Register a client only on HTTP 200 with `verdict` `accept`; issue tokens only on HTTP 200 with `verdict` `allow`. Every call is refused before it is read when it carries more than one `Host` header (400, RFC 9112) or when its `Host` header does not name the listening address (421); every POST when its `Content-Type` is not `application/json` (415); and, when the service was started with `--auth-token`, every call but `GET /healthz` and `GET /openapi.json` without `Authorization: Bearer <token>` (401). Bodies are at most 262144 bytes (413), one JSON object without duplicate members, nested at most 32 deep (400 otherwise)."
      },
      "servers": [{ "url": "http://127.0.0.1:8085", "description": "the default `ssa-verify serve` address" }],
    """# + "\n"
}
