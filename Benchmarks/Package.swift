// swift-tools-version:6.1
//
// Benchmarks for ssa-toolkit (package-benchmark). A package of its own, so the library never
// depends on benchmark code. Run from the repository root with `make bench`.

import PackageDescription

let package = Package(
    name: "ssa-toolkit-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ssa-toolkit", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // The same swift-crypto the library uses, for the primitive-only benchmarks.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "SSAVerification",
            dependencies: [
                .product(name: "SSAToolkit", package: "ssa-toolkit"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            path: "Benchmarks/SSAVerification",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A plain loop over parse, policy or verify, for callgrind (not a benchmark).
        .executableTarget(
            name: "ParseProfile",
            dependencies: [.product(name: "SSAToolkit", package: "ssa-toolkit")],
            path: "Benchmarks/ParseProfile"
        ),
        .executableTarget(
            name: "DirectoryLookup",
            dependencies: [
                .product(name: "SSAToolkit", package: "ssa-toolkit"),
                .product(name: "DirectorySandbox", package: "ssa-toolkit"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/DirectoryLookup",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
