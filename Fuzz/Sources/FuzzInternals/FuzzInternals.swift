import FuzzSupport

/// Targets for parsers SSAToolkit keeps internal. Debug builds compile the library with
/// testability, so `@testable import` reaches them exactly as the library's own tests do.
let allTargets: [FuzzTarget] = [
    FuzzTarget("scim", "SCIM organisation answer: StrictJSONParser with the SCIM client's bounds, TPPDirectoryClient.parseOrganisation (internal), the record's queries", body: SCIMTarget.run),
]

// As in FuzzParsers: the process's entry, since libFuzzer's `fuzzer_no_main` brings no `main`.
// (Two files, not one: SwiftPM compiles a one-file executable as a script, whose top-level code
// would be a second `FuzzInternals_main`.)
@_cdecl("FuzzInternals_main")
func fuzzInternalsMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.main(program: "FuzzInternals", targets: allTargets, argc: argc, argv: argv)
}
