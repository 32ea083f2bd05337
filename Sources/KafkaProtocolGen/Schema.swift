/// The model of one API's schema file (see `Sources/KafkaProtocol/Schemas/README.md`).
///
/// Invariants the parser establishes: struct names are unique within an API; every struct a field
/// names is defined (inline or by a top-level `struct` block); tagged fields lie within the
/// flexible versions and their tags are unique within a struct.
public struct ApiSchema: Equatable, Sendable {
    /// The API's name, e.g. `Produce`: the Swift namespace and the schema file's name.
    public var name: String
    public var key: Int16
    /// The versions the broker advertises.
    public var versions: ClosedRange<Int16>
    /// The versions the codec reads and writes (``versions`` unless the schema widens them).
    public var codecVersions: ClosedRange<Int16>
    /// The first flexible version, nil if the API has none.
    public var firstFlexibleVersion: Int16?
    /// The comment lines above `api`, without their `#`.
    public var doc: [String]
    public var request: StructSchema
    public var response: StructSchema
    /// Every named struct of the API (inline and shared), in the order they first appear.
    public var structs: [StructSchema]

    /// Whether any version the codec handles is flexible.
    public var hasFlexibleCodecVersions: Bool {
        guard let first = firstFlexibleVersion else { return false }
        return codecVersions.upperBound >= first
    }

    /// The flexible versions as a range (open), nil if the API has none.
    public var flexibleRange: VersionRange? { firstFlexibleVersion.map { VersionRange($0) } }

    public func structNamed(_ name: String) -> StructSchema? {
        if name == request.name { return request }
        if name == response.name { return response }
        return structs.first { $0.name == name }
    }
}

/// A struct: the request or response body, or one named in a field's type.
public struct StructSchema: Equatable, Sendable {
    public var name: String
    /// The doc of the field that introduced it (the first such field for a shared struct).
    public var doc: String
    public var fields: [FieldSchema]

    public init(name: String, doc: String, fields: [FieldSchema]) {
        self.name = name
        self.doc = doc
        self.fields = fields
    }
}

/// One field of a struct.
public struct FieldSchema: Equatable, Sendable {
    /// The protocol's snake_case name.
    public var name: String
    public var type: FieldType
    public var versions: VersionRange
    /// The versions in which the field may be null; nil if never.
    public var nullableVersions: VersionRange?
    /// The tag of a tagged field.
    public var tag: UInt32?
    /// The default as written in the schema (`-1`, `true`, `"text"`, `null`), nil for the type's own.
    public var defaultValue: String?
    /// A wrapper type for an integer (or integer array element), e.g. `BrokerId`.
    public var swiftWrapper: String?
    public var doc: String

    public init(
        name: String, type: FieldType, versions: VersionRange = .all, nullableVersions: VersionRange? = nil,
        tag: UInt32? = nil, defaultValue: String? = nil, swiftWrapper: String? = nil, doc: String = ""
    ) {
        self.name = name
        self.type = type
        self.versions = versions
        self.nullableVersions = nullableVersions
        self.tag = tag
        self.defaultValue = defaultValue
        self.swiftWrapper = swiftWrapper
        self.doc = doc
    }

    /// Whether the field is nullable in any version.
    public var isNullable: Bool { nullableVersions != nil || type == .records }
}

/// A field's type on the wire.
public indirect enum FieldType: Equatable, Sendable, CustomStringConvertible {
    case bool, int8, int16, int32, int64, uint16, float64, string, bytes, records, uuid
    /// An int16 error code (Swift `ErrorCode`).
    case error
    /// An int16 API key (Swift `ApiKey`).
    case apiKey
    case array(FieldType)
    /// A struct, by name.
    case structure(String)

    static let primitives: [String: FieldType] = [
        "bool": .bool, "int8": .int8, "int16": .int16, "int32": .int32, "int64": .int64, "uint16": .uint16,
        "float64": .float64, "string": .string, "bytes": .bytes, "records": .records, "uuid": .uuid,
        "error": .error, "apikey": .apiKey,
    ]

    public var description: String {
        switch self {
        case .array(let element): return "[\(element)]"
        case .structure(let name): return name
        case .apiKey: return "apikey"
        default: return Self.primitives.first { $0.value == self }!.key
        }
    }

    /// Whether the type is an integer (the only kind `as Wrapper` applies to).
    public var isInteger: Bool { [.int8, .int16, .int32, .int64, .uint16].contains(self) }

    /// The struct this type names, directly or as array element.
    public var structName: String? {
        switch self {
        case .structure(let name): return name
        case .array(let element): return element.structName
        default: return nil
        }
    }
}

/// The model of a data schema file: a versioned record that is not an API message, such as the
/// keys and values of `__consumer_offsets` (see `Sources/GroupCoordinator/Schemas/README.md`).
/// It becomes one top-level `public struct <name>: KafkaCodable`, with its named structs nested in it.
///
/// The version is not part of the struct's bytes: the caller reads or writes it (these records
/// start with an int16 version) and passes it to the codec. Data records are never flexible.
public struct DataSchema: Equatable, Sendable {
    /// The record's name: the Swift type and the schema file's name.
    public var name: String
    /// Every version the codec reads and writes.
    public var versions: ClosedRange<Int16>
    /// The comment lines above `data`, without their `#`.
    public var doc: [String]
    /// The record's own fields (the struct named ``name``).
    public var root: StructSchema
    /// Every named struct of the record, in the order they first appear.
    public var structs: [StructSchema]

    public init(name: String, versions: ClosedRange<Int16>, doc: [String], root: StructSchema, structs: [StructSchema]) {
        self.name = name
        self.versions = versions
        self.doc = doc
        self.root = root
        self.structs = structs
    }

    /// The same facts in the shape the struct and field emitters read: the record is the "request"
    /// body, an API of key -1 that is never flexible and whose codec versions are ``versions``.
    var emitterView: ApiSchema {
        ApiSchema(
            name: name, key: -1, versions: versions, codecVersions: versions, firstFlexibleVersion: nil, doc: doc,
            request: root, response: StructSchema(name: "Response", doc: "", fields: []), structs: structs)
    }
}

/// What one schema file declares.
public enum SchemaFile: Equatable, Sendable {
    case api(ApiSchema)
    case data(DataSchema)

    public var name: String {
        switch self {
        case .api(let api): api.name
        case .data(let data): data.name
        }
    }
}
