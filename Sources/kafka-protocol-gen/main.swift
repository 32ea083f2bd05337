import Foundation
import KafkaProtocolGen

/// `kafka-protocol-gen [--check]`: regenerates the protocol codecs from the message schemas
/// (see Sources/KafkaProtocol/Schemas/README.md). With `--check` it writes nothing and exits 1
/// if any generated file differs from what the schemas make.
let arguments = CommandLine.arguments.dropFirst()
guard arguments.allSatisfy({ $0 == "--check" }) else {
    FileHandle.standardError.write(Data("usage: kafka-protocol-gen [--check]\n".utf8))
    exit(2)
}
guard let root = ProtocolGenerator.findRoot(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) else {
    FileHandle.standardError.write(Data("kafka-protocol-gen: no Package.swift here or above\n".utf8))
    exit(2)
}
let generator = ProtocolGenerator(root: root)
do {
    if arguments.contains("--check") {
        let different = try generator.differences()
        for path in different { print("differs from its schema: \(path)") }
        exit(different.isEmpty ? 0 : 1)
    }
    let written = try generator.write()
    print("kafka-protocol-gen: \(try generator.schemas().count) API and \(try generator.dataSchemas().count) data schemas, \(written.count) files written")
    for path in written { print("  \(path)") }
} catch {
    FileHandle.standardError.write(Data("kafka-protocol-gen: \(error)\n".utf8))
    exit(1)
}
