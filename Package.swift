// swift-tools-version:6.1
//
// ssa-toolkit: Open Banking software statement (SSA) validation for authorization servers.
// See docs/architecture.md for the layout and the contract between the pieces.

import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InferIsolatedConformances"),
]

let package = Package(
    name: "ssa-toolkit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SSAToolkit", targets: ["SSAToolkit"]),
        .library(name: "DirectorySandbox", targets: ["DirectorySandbox"]),
        .library(name: "DecisionService", targets: ["DecisionService"]),
        .library(name: "PostgresStateStore", targets: ["PostgresStateStore"]),
        .executable(name: "ssa-verify", targets: ["ssa-verify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // OpenSSL 3 (libssl-dev): PKCS#12 key stores, EVP keys, X509 helpers that are macros.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // libcurl (libcurl4-openssl-dev): HTTPS with mutual TLS; typed wrappers for the variadic API.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "SSAToolkit",
            dependencies: [
                "COpenSSL",
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SSAToolkitTestSupport",
            dependencies: [
                "SSAToolkit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The embedded Open Banking directory (JWKS, token, SCIM) for tests, the demo and
        // `ssa-verify sandbox`. Kept out of SSAToolkit so a hook importing the library pulls no server.
        .target(
            name: "DirectorySandbox",
            dependencies: [
                "SSAToolkit",
                "COpenSSL",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The replay store and audit chains several nodes share, on PostgreSQL (`stateStore`).
        // Its own target, so a hook importing SSAToolkit pulls no database driver.
        .target(
            name: "PostgresStateStore",
            dependencies: [
                "SSAToolkit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // `ssa-verify serve`: the decision over HTTP on 127.0.0.1 for hooks in other languages.
        .target(
            name: "DecisionService",
            dependencies: [
                "SSAToolkit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ssa-verify",
            dependencies: [
                "SSAToolkit",
                "DirectorySandbox",
                "DecisionService",
                "PostgresStateStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SSAToolkitTests",
            dependencies: [
                "SSAToolkit",
                "SSAToolkitTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DirectorySandboxTests",
            dependencies: ["DirectorySandbox", "DecisionService", "SSAToolkit", "SSAToolkitTestSupport", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ssa-verifyTests",
            dependencies: ["SSAToolkit", "SSAToolkitTestSupport", "DirectorySandbox", "PostgresStateStore"],
            swiftSettings: strictSettings
        ),
    ]
)
