/// Emits one struct of an API: stored properties, a memberwise initialiser with defaults, the
/// decoding initialiser and the writer, each field behind the version condition the schema gives.
struct StructEmitter {
    let api: ApiSchema
    let structure: StructSchema
    /// Whether the struct contains a `records` field, directly or in a nested struct.
    let carriesRecords: Bool
    /// Every struct of the API that carries records.
    let carryingRecords: Set<String>
    /// Whether this is the root struct of a data record, which declares and checks its versions.
    var isDataRoot = false
    /// Structs emitted inside this one (a data record's named structs).
    var nested: [StructEmitter] = []
    /// Whether this is the request or response body (which checks the version first).
    var isBody: Bool { !isDataRoot && (structure.name == "Request" || structure.name == "Response") }

    var codec: ClosedRange<Int16> { api.codecVersions }
    var flexibleMode: FlexibleMode { api.hasFlexibleCodecVersions ? .variable : .never }
    var plainFields: [FieldSchema] { structure.fields.filter { $0.tag == nil } }
    var taggedFields: [FieldSchema] { structure.fields.filter { $0.tag != nil } }

    func emit(into out: inout SwiftWriter) {
        out.doc(docText)
        out.block("public struct \(structure.name): KafkaCodable") { out in
            if isDataRoot {
                out.line("/// The versions this codec reads and writes.")
                out.line("public static let versions: ClosedRange<Int16> = \(codec.lowerBound)...\(codec.upperBound)")
                out.line()
            }
            for field in structure.fields {
                out.doc(fieldDoc(field))
                out.line("public var \(SwiftNames.property(field.name)): \(FieldCoding(field: field, api: api).swiftType)")
            }
            if api.hasFlexibleCodecVersions {
                out.line("/// Tagged fields this codec does not know, kept so that they round-trip (flexible versions).")
                out.line("public var taggedFields: TaggedFields")
            }
            if !structure.fields.isEmpty || api.hasFlexibleCodecVersions { out.line() }
            emitMemberwiseInit(into: &out)
            out.line()
            emitDecoder(into: &out)
            out.line()
            emitWriter(into: &out)
            for inner in nested {
                out.line()
                inner.emit(into: &out)
            }
        }
    }

    private var docText: String {
        switch structure.name {
        case "Request": return "The \(api.name) request body."
        case "Response": return "The \(api.name) response body."
        default: return structure.doc.isEmpty ? structure.name : structure.doc
        }
    }

    /// The field's doc line, then the versions it exists and is nullable in.
    private func fieldDoc(_ field: FieldSchema) -> String {
        var facts: [String] = []
        if field.versions != .all { facts.append(field.versions.description) }
        if let nullable = field.nullableVersions, field.type != .records {
            facts.append(nullable == .all ? "nullable" : "nullable \(nullable)")
        }
        if let tag = field.tag { facts.append("tag \(tag)") }
        if let value = field.defaultValue { facts.append("default \(value)") }
        return facts.isEmpty ? field.doc : "\(field.doc) (\(facts.joined(separator: "; ")))"
    }

    private func emitMemberwiseInit(into out: inout SwiftWriter) {
        var parameters = structure.fields.map { field in
            let coding = FieldCoding(field: field, api: api)
            return "\(SwiftNames.bareProperty(field.name)): \(coding.swiftType) = \(coding.defaultExpression)"
        }
        if api.hasFlexibleCodecVersions { parameters.append("taggedFields: TaggedFields = .empty") }
        if parameters.isEmpty {
            out.line("public init() {}")
        } else if parameters.count <= 3 {
            out.block("public init(\(parameters.joined(separator: ", ")))") { out in assignments(&out) }
        } else {
            out.line("public init(")
            for (index, parameter) in parameters.enumerated() {
                out.line("    \(parameter)\(index == parameters.count - 1 ? "" : ",")")
            }
            out.block(")") { out in assignments(&out) }
        }
    }

    private func assignments(_ out: inout SwiftWriter) {
        for field in structure.fields {
            out.line("self.\(SwiftNames.bareProperty(field.name)) = \(SwiftNames.property(field.name))")
        }
        if api.hasFlexibleCodecVersions { out.line("self.taggedFields = taggedFields") }
    }

    // MARK: Decoding

    private func emitDecoder(into out: inout SwiftWriter) {
        out.block("public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError)") { out in
            if isBody { out.line("try \(api.name).checkVersion(version)") }
            if isDataRoot {
                out.block("guard Self.versions.contains(version) else") { out in
                    out.line("throw .malformed(\"\(structure.name) has no version \\(version); this codec knows \(codec.lowerBound)–\(codec.upperBound)\")")
                }
            }
            if api.hasFlexibleCodecVersions { out.line("let flexible = \(api.name).isFlexible(version)") }
            for field in plainFields {
                let coding = FieldCoding(field: field, api: api)
                let target = "self.\(SwiftNames.bareProperty(field.name))"
                let read = coding.readExpression(buffer: "buffer", mode: flexibleMode)
                switch field.versions.condition(within: codec) {
                case nil:
                    out.line("\(target) = \(read)")
                case "false":
                    out.line("\(target) = \(coding.defaultExpression)")
                case let condition?:
                    if read.contains("\n") {
                        out.ifElse(condition, { $0.line("\(target) = \(read)") }, else: { $0.line("\(target) = \(coding.defaultExpression)") })
                    } else {
                        out.line("\(target) = \(condition) ? \(read) : \(coding.defaultExpression)")
                    }
                }
            }
            if api.hasFlexibleCodecVersions { emitTaggedDecoder(into: &out) }
        }
    }

    /// Tagged fields arrive in one section at the end of the struct; known tags go to locals
    /// (a closure cannot capture `self` before it is initialised), unknown ones are kept.
    private func emitTaggedDecoder(into out: inout SwiftWriter) {
        for field in taggedFields {
            let coding = FieldCoding(field: field, api: api)
            out.line("var \(local(field)): \(coding.swiftType) = \(coding.defaultExpression)")
        }
        if taggedFields.isEmpty {
            out.line("self.taggedFields = flexible ? try buffer.readTaggedFields() : .empty")
            return
        }
        out.ifElse("flexible", { out in
            out.closure("self.taggedFields = try buffer.readTaggedFields { (tag: UInt32, field: inout ByteBuffer) throws(KafkaProtocolError) in") { out in
                out.line("switch tag {")
                for field in taggedFields {
                    let coding = FieldCoding(field: field, api: api)
                    let guardText = field.versions.condition(within: codec).map { " where \($0)" } ?? ""
                    out.line("case \(field.tag!)\(guardText):")
                    let read = coding.readExpression(buffer: "field", mode: .always).split(separator: "\n").joined(separator: "\n    ")
                    out.line("    \(local(field)) = \(read)")
                }
                out.line("default:")
                out.line("    return false")
                out.line("}")
                out.line("return true")
            }
        }, else: { $0.line("self.taggedFields = .empty") })
        for field in taggedFields {
            out.line("self.\(SwiftNames.bareProperty(field.name)) = \(local(field))")
        }
    }

    private func local(_ field: FieldSchema) -> String { "tagged" + SwiftNames.bareProperty(field.name).prefix(1).uppercased() + SwiftNames.bareProperty(field.name).dropFirst() }

    // MARK: Writing

    private func emitWriter(into out: inout SwiftWriter) {
        if carriesRecords {
            out.block("public func write(into buffer: inout ByteBuffer, version: Int16)") { out in
                let flexArg = api.hasFlexibleCodecVersions ? ", flexible: \(api.name).isFlexible(version)" : ""
                out.line("write(into: &buffer, version: version) { b, records in b.writeNullableBytes(records\(flexArg)) }")
            }
            out.line()
            out.doc("""
                Writes the struct, leaving each `records` field to `writeRecords`, which is called once per \
                such field in write order (depth first) with the field's value and must write the whole \
                field, size included. This is where hand-written record senders plug in: the Fetch \
                response's splice path writes only the size and sends the bytes from the segment file.
                """)
            out.block("public func write(into buffer: inout ByteBuffer, version: Int16, records writeRecords: (inout ByteBuffer, ByteBuffer?) -> Void)") { out in
                emitWriterBody(into: &out, recordsWriter: "writeRecords")
            }
        } else {
            if structure.fields.isEmpty && !api.hasFlexibleCodecVersions {
                out.line("public func write(into buffer: inout ByteBuffer, version: Int16) {}")
            } else {
                out.block("public func write(into buffer: inout ByteBuffer, version: Int16)") { out in
                    emitWriterBody(into: &out, recordsWriter: nil)
                }
            }
        }
    }

    private func emitWriterBody(into out: inout SwiftWriter, recordsWriter: String?) {
        if api.hasFlexibleCodecVersions { out.line("let flexible = \(api.name).isFlexible(version)") }
        for field in plainFields {
            let coding = FieldCoding(field: field, api: api)
            let value = "self.\(SwiftNames.bareProperty(field.name))"
            let passesRecords = field.type == .records || (field.type.structName.map(carryingRecords.contains) ?? false)
            let write = coding.writeStatement(
                value: value, buffer: "buffer", mode: flexibleMode, recordsWriter: passesRecords ? recordsWriter : nil)
            switch field.versions.condition(within: codec) {
            case nil: out.line(write)
            case "false": break
            case let condition?: out.line("if \(condition) { \(write) }")
            }
        }
        guard api.hasFlexibleCodecVersions else { return }
        if taggedFields.isEmpty {
            out.line("if flexible { buffer.writeTaggedFields(self.taggedFields) }")
            return
        }
        out.block("if flexible") { out in
            out.line("var known: [TaggedField] = []")
            for field in taggedFields {
                let coding = FieldCoding(field: field, api: api)
                let value = "self.\(SwiftNames.bareProperty(field.name))"
                var condition = "\(value) != \(coding.defaultExpression)"
                if let versions = field.versions.condition(within: codec), versions != "false" {
                    condition = "\(versions) && \(condition)"
                }
                let write = coding.writeStatement(value: value, buffer: "b", mode: .always, recordsWriter: nil)
                out.block("if \(condition)") { $0.line("known.append(TaggedField(tag: \(field.tag!)) { b in \(write) })") }
            }
            out.line("buffer.writeTaggedFields(self.taggedFields, known: known)")
        }
    }
}
