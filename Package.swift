// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sitegen",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sitegen", targets: ["sitegen"]),
        .library(name: "SiteGen", targets: ["SiteGen"]),
        .library(name: "SiteGenPreview", targets: ["SiteGenPreview"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        // Already in Hummingbird's graph; named here because the preview uses them directly.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.14.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        // libcmark-gfm from the system (Debian: libcmark-gfm-dev, libcmark-gfm-extensions-dev).
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // gperftools' tcmalloc (Debian: libgoogle-perftools-dev), the sitegen executable's malloc. glibc's
        // malloc grows each thread's arena a page at a time (one mprotect(2) per article at 10k articles)
        // and its locking shows in a build's profile; with tcmalloc a 10k-article build takes ~5% less CPU.
        // Linked into the executable only: the SiteGen library leaves the allocator to its host.
        .systemLibrary(
            name: "CTCMalloc",
            pkgConfig: "libtcmalloc_minimal",
            providers: [.apt(["libgoogle-perftools-dev"])]
        ),
        // Tiny C shims for system calls Swift cannot reach directly (atomic directory swap).
        .target(name: "CSiteGenSupport"),
        .target(
            name: "SiteGen",
            dependencies: [
                "CCmarkGFM",
                "CSiteGenSupport",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Benchmark corpus generator (`sitegen bench corpus`); not part of the build pipeline.
        .target(name: "SiteGenBench"),
        // The preview server (`sitegen serve`): HTTP, file watching, live reload. Kept out of the core
        // so that SiteGen stays free of networking.
        .target(
            name: "SiteGenPreview",
            dependencies: [
                "SiteGen",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "sitegen",
            dependencies: [
                "SiteGen",
                "SiteGenBench",
                "SiteGenPreview",
                "CTCMalloc",
                "CSiteGenSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SiteGenTests",
            dependencies: [
                "SiteGen", "SiteGenPreview", "SiteGenBench", "sitegen",
                // Only for the differential test of sitegen's own Mustache renderer.
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Golden")]
        ),
    ]
)
