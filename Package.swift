// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sitegen",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sitegen", targets: ["sitegen"]),
        .library(name: "SiteGen", targets: ["SiteGen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
    ],
    targets: [
        // libcmark-gfm from the system (Debian: libcmark-gfm-dev, libcmark-gfm-extensions-dev).
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // Tiny C shims for system calls Swift cannot reach directly (atomic directory swap).
        .target(name: "CSiteGenSupport"),
        .target(
            name: "SiteGen",
            dependencies: [
                "CCmarkGFM",
                "CSiteGenSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // Benchmark corpus generator (`sitegen bench corpus`); not part of the build pipeline.
        .target(name: "SiteGenBench"),
        .executableTarget(
            name: "sitegen",
            dependencies: [
                "SiteGen",
                "SiteGenBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SiteGenTests",
            dependencies: ["SiteGen", "sitegen"],
            resources: [.copy("Golden")]
        ),
    ]
)
