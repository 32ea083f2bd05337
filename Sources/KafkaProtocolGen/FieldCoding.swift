/// The Swift a field turns into: its type, its default, and the expressions that read and write
/// it. Each is a pure function of the field and the API, so the generated code follows from the
/// schema alone.
///
/// String, bytes and array fields take their compact form (KIP-482) in flexible versions. How the
/// generated code knows it is in one is `FlexibleMode`: never (the API has no flexible codec
/// version), by the local `flexible` (decided per version), or always (inside a tagged field,
/// which exists only in flexible versions).
enum FlexibleMode {
    case never, variable, always
}

struct FieldCoding {
    let field: FieldSchema
    let api: ApiSchema

    var property: String { SwiftNames.property(field.name) }

    // MARK: Types

    /// The Swift type of an element (or of the whole field when it is not an array).
    func baseType(_ type: FieldType) -> String {
        switch type {
        case .bool: return "Bool"
        case .int8: return field.swiftWrapper ?? "Int8"
        case .int16: return field.swiftWrapper ?? "Int16"
        case .int32: return field.swiftWrapper ?? "Int32"
        case .int64: return field.swiftWrapper ?? "Int64"
        case .uint16: return field.swiftWrapper ?? "UInt16"
        case .float64: return "Double"
        case .string: return "String"
        case .bytes, .records: return "ByteBuffer"
        case .uuid: return "Uuid"
        case .error: return "ErrorCode"
        case .apiKey: return "ApiKey"
        case .array(let element): return "[\(baseType(element))]"
        case .structure(let name): return name
        }
    }

    var swiftType: String { baseType(field.type) + (field.isNullable ? "?" : "") }

    /// The Swift expression of the field's default value.
    var defaultExpression: String {
        if let text = field.defaultValue {
            if text == "null" { return "nil" }
            if field.swiftWrapper != nil || field.type == .error || field.type == .apiKey {
                return "\(baseType(field.type))(rawValue: \(text))"
            }
            return text
        }
        if field.isNullable { return "nil" }
        switch field.type {
        case .bool: return "false"
        case .int8, .int16, .int32, .int64, .uint16:
            return field.swiftWrapper.map { "\($0)(rawValue: 0)" } ?? "0"
        case .float64: return "0"
        case .string: return "\"\""
        case .bytes, .records: return "ByteBuffer()"
        case .uuid: return "Uuid.zero"
        case .error: return ".none"
        case .apiKey: return "ApiKey(rawValue: 0)"
        case .array: return "[]"
        case .structure(let name): return "\(name)()"
        }
    }

    // MARK: Reading

    /// The expression that reads the field from `buffer` (a `try` expression).
    func readExpression(buffer: String, mode: FlexibleMode) -> String {
        let label = "\"\(field.name)\""
        let nullable = nullableCondition
        switch field.type {
        case .array(.structure(let name)):
            return choose(nullable,
                nullable: "try \(buffer).\(arrayReader(nullable: true, mode: mode))(of: \(name).self, version: version\(flexArg(mode)), \(label))",
                plain: "try \(buffer).\(arrayReader(nullable: false, mode: mode))(of: \(name).self, version: version\(flexArg(mode)), \(label))")
        case .array(let element):
            let closure = "{ (b: inout ByteBuffer) throws(KafkaProtocolError) in\n    \(readElement(element, buffer: "b", mode: mode))\n}"
            return choose(nullable,
                nullable: "try \(buffer).\(arrayReader(nullable: true, mode: mode))(\(label)\(flexArg(mode))) \(closure)",
                plain: "try \(buffer).\(arrayReader(nullable: false, mode: mode))(\(label)\(flexArg(mode))) \(closure)")
        case .string, .bytes, .records:
            let noun = field.type == .string ? "String" : "Bytes"
            return choose(nullable,
                nullable: "try \(buffer).\(lengthReader(noun, nullable: true, mode: mode))(\(label)\(flexArg(mode)))",
                plain: "try \(buffer).\(lengthReader(noun, nullable: false, mode: mode))(\(label)\(flexArg(mode)))")
        default:
            return readElement(field.type, buffer: buffer, mode: mode, label: label)
        }
    }

    /// Reads one value of a non-nullable type (an array element, or a fixed-size field).
    private func readElement(_ type: FieldType, buffer: String, mode: FlexibleMode, label: String? = nil) -> String {
        let label = label ?? "\"\(field.name)[]\""
        func wrapped(_ read: String) -> String {
            field.swiftWrapper.map { "\($0)(rawValue: \(read))" } ?? read
        }
        switch type {
        case .bool: return "try \(buffer).readBoolean(\(label))"
        case .int8: return wrapped("try \(buffer).readInt8(\(label))")
        case .int16: return wrapped("try \(buffer).readInt16(\(label))")
        case .int32: return wrapped("try \(buffer).readInt32(\(label))")
        case .int64: return wrapped("try \(buffer).readInt64(\(label))")
        case .uint16: return wrapped("try \(buffer).readUInt16(\(label))")
        case .float64: return "try \(buffer).readFloat64(\(label))"
        case .uuid: return "try \(buffer).readUuid(\(label))"
        case .error: return "try \(buffer).readErrorCode(\(label))"
        case .apiKey: return "ApiKey(rawValue: try \(buffer).readInt16(\(label)))"
        case .string: return "try \(buffer).\(lengthReader("String", nullable: false, mode: mode))(\(label)\(flexArg(mode)))"
        case .bytes, .records: return "try \(buffer).\(lengthReader("Bytes", nullable: false, mode: mode))(\(label)\(flexArg(mode)))"
        case .structure(let name): return "try \(name)(from: &\(buffer), version: version)"
        case .array: return "[]"  // arrays of arrays are rejected by the parser
        }
    }

    private func lengthReader(_ noun: String, nullable: Bool, mode: FlexibleMode) -> String {
        switch (mode, nullable) {
        case (.always, false): return "readCompact\(noun)"
        case (.always, true): return "readCompactNullable\(noun)"
        case (_, false): return noun == "String" ? "readKafkaString" : "readKafkaBytes"
        case (_, true): return "readNullable\(noun)"
        }
    }

    private func arrayReader(nullable: Bool, mode: FlexibleMode) -> String {
        switch (mode, nullable) {
        case (.always, false): return "readCompactArray"
        case (.always, true): return "readCompactNullableArray"
        case (_, false): return "readArray"
        case (_, true): return "readNullableArray"
        }
    }

    private func flexArg(_ mode: FlexibleMode) -> String { mode == .variable ? ", flexible: flexible" : "" }

    // MARK: Writing

    /// The statement that writes `value` (the field's value) into `buffer`.
    func writeStatement(value: String, buffer: String, mode: FlexibleMode, recordsWriter: String?) -> String {
        let nullable = nullableCondition
        switch field.type {
        case .records:
            if let recordsWriter { return "\(recordsWriter)(&\(buffer), \(value))" }
            return "\(buffer).\(lengthWriter("Bytes", nullable: true, mode: mode))(\(value)\(flexArg(mode)))"
        case .array(.structure) where recordsWriter == nil:
            return choose(nullable,
                nullable: "\(buffer).\(arrayWriter(nullable: true, mode: mode))(\(value), version: version\(flexArg(mode)))",
                plain: "\(buffer).\(arrayWriter(nullable: false, mode: mode))(\(value)\(field.isNullable ? " ?? []" : ""), version: version\(flexArg(mode)))",
                statement: true)
        case .array(let element):
            let closure = "{ b, element in \(writeElement(element, value: "element", buffer: "b", mode: mode, recordsWriter: recordsWriter)) }"
            return choose(nullable,
                nullable: "\(buffer).\(arrayWriter(nullable: true, mode: mode))(\(value)\(flexArg(mode))) \(closure)",
                plain: "\(buffer).\(arrayWriter(nullable: false, mode: mode))(\(value)\(field.isNullable ? " ?? []" : "")\(flexArg(mode))) \(closure)",
                statement: true)
        case .string, .bytes:
            let noun = field.type == .string ? "String" : "Bytes"
            let empty = field.type == .string ? "\"\"" : "ByteBuffer()"
            return choose(nullable,
                nullable: "\(buffer).\(lengthWriter(noun, nullable: true, mode: mode))(\(value)\(flexArg(mode)))",
                plain: "\(buffer).\(lengthWriter(noun, nullable: false, mode: mode))(\(value)\(field.isNullable ? " ?? \(empty)" : "")\(flexArg(mode)))",
                statement: true)
        default:
            return writeElement(field.type, value: value, buffer: buffer, mode: mode, recordsWriter: recordsWriter)
        }
    }

    private func writeElement(_ type: FieldType, value: String, buffer: String, mode: FlexibleMode, recordsWriter: String?) -> String {
        let raw = field.swiftWrapper != nil ? "\(value).rawValue" : value
        switch type {
        case .bool: return "\(buffer).writeBoolean(\(value))"
        case .int8: return "\(buffer).writeInt8(\(raw))"
        case .int16: return "\(buffer).writeInt16(\(raw))"
        case .int32: return "\(buffer).writeInt32(\(raw))"
        case .int64: return "\(buffer).writeInt64(\(raw))"
        case .uint16: return "\(buffer).writeUInt16(\(raw))"
        case .float64: return "\(buffer).writeFloat64(\(value))"
        case .uuid: return "\(buffer).writeUuid(\(value))"
        case .error: return "\(buffer).writeErrorCode(\(value))"
        case .apiKey: return "\(buffer).writeInt16(\(value).rawValue)"
        case .string: return "\(buffer).\(lengthWriter("String", nullable: false, mode: mode))(\(value)\(flexArg(mode)))"
        case .bytes, .records: return "\(buffer).\(lengthWriter("Bytes", nullable: false, mode: mode))(\(value)\(flexArg(mode)))"
        case .structure:
            if let recordsWriter { return "\(value).write(into: &\(buffer), version: version, records: \(recordsWriter))" }
            return "\(value).write(into: &\(buffer), version: version)"
        case .array: return ""
        }
    }

    private func lengthWriter(_ noun: String, nullable: Bool, mode: FlexibleMode) -> String {
        switch (mode, nullable) {
        case (.always, false): return "writeCompact\(noun)"
        case (.always, true): return "writeCompactNullable\(noun)"
        case (_, false): return noun == "String" ? "writeKafkaString" : "writeKafkaBytes"
        case (_, true): return "writeNullable\(noun)"
        }
    }

    private func arrayWriter(nullable: Bool, mode: FlexibleMode) -> String {
        switch (mode, nullable) {
        case (.always, false): return "writeCompactArray"
        case (.always, true): return "writeCompactNullableArray"
        case (_, false): return "writeArray"
        case (_, true): return "writeNullableArray"
        }
    }

    // MARK: Nullability by version

    /// Nullable in: every version the field exists in (`.always`), none, or those meeting a condition.
    enum Nullability { case never, always, when(String) }

    var nullableCondition: Nullability {
        guard let nullable = field.nullableVersions else { return .never }
        guard let present = field.versions.clamped(to: api.codecVersions) else { return .always }
        let range = present.lowerBound...present.upperBound
        guard let condition = nullable.condition(within: range) else { return .always }
        return condition == "false" ? .never : .when(condition)
    }

    /// Picks the nullable or the plain form, or both behind the version condition.
    private func choose(_ nullability: Nullability, nullable: String, plain: String, statement: Bool = false) -> String {
        switch nullability {
        case .never: return plain
        case .always: return nullable
        case .when(let condition):
            return statement
                ? "if \(condition) { \(nullable) } else { \(plain) }"
                : "(\(condition)) ? \(nullable) : \(plain)"
        }
    }
}
