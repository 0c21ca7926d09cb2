// swift-tools-version:6.1
//
// libFuzzer targets for every parser of ssa-toolkit that untrusted input reaches. A package of its
// own, so the library never depends on fuzzing code and the root Package.swift stays as it is.
// Build and run with `make fuzz` / `make fuzz-smoke` at the repository root (Fuzz/run-fuzzers.sh):
// the executables only link with the sanitizer and coverage flags that script passes.

import PackageDescription

let package = Package(
    name: "ssa-toolkit-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ssa-toolkit", path: ".."),
        // The same swift-certificates and swift-asn1 the library uses: `PEMDocument` and
        // `Certificate(pemDocument:)` are how the library reads a caller's `client_certificate`.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // The libFuzzer driver shared by both executables: target table, `LLVMFuzzerRunDriver`.
        .target(
            name: "FuzzSupport",
            path: "Sources/FuzzSupport"
        ),
        // Targets that use SSAToolkit's public API only.
        .executableTarget(
            name: "FuzzParsers",
            dependencies: [
                "FuzzSupport",
                .product(name: "SSAToolkit", package: "ssa-toolkit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Sources/FuzzParsers"
        ),
        // Targets for parsers that are internal to SSAToolkit (`@testable import`, which debug
        // builds allow): the SCIM organisation record reader.
        .executableTarget(
            name: "FuzzInternals",
            dependencies: [
                "FuzzSupport",
                .product(name: "SSAToolkit", package: "ssa-toolkit"),
            ],
            path: "Sources/FuzzInternals"
        ),
    ]
)
