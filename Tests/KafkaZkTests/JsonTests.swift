import Testing
import KafkaZk

@Suite("Json: the parser and writer of Kafka's znode JSON")
struct JsonTests {
    /// The error `text` is rejected with, or nil when it parses.
    private func parseError(_ text: String) -> JsonError? {
        do {
            _ = try Json.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func scalars() throws {
        #expect(try Json.parse("null") == .null)
        #expect(try Json.parse("true") == .bool(true))
        #expect(try Json.parse("false") == .bool(false))
        #expect(try Json.parse("0") == .int(0))
        #expect(try Json.parse("-17") == .int(-17))
        #expect(try Json.parse("\"\"") == .string(""))
        #expect(try Json.parse(" \t\r\n42 \n") == .int(42), "whitespace around a value is allowed")
        #expect(try Json.parse("null").isNull)
        #expect(!(try Json.parse("0").isNull))
    }

    @Test func numbers() throws {
        #expect(try Json.parse("9223372036854775807") == .int(.max))
        #expect(try Json.parse("-9223372036854775808") == .int(.min))
        #expect(try Json.parse("1795293281540") == .int(1_795_293_281_540))
        #expect(try Json.parse("1.5") == .double(1.5))
        #expect(try Json.parse("-2.5e3") == .double(-2500))
        #expect(try Json.parse("1E2") == .double(100))
        #expect(try Json.parse("6.02e-23") == .double(6.02e-23))

        #expect(Json.int(.max).serialized == "9223372036854775807")
        #expect(Json.int(.min).serialized == "-9223372036854775808")
        #expect(Json.int(-1).serialized == "-1")
        for value in [0.1, -2.5, 1e20, 6.02e-23, 3.0, 123456.789] {
            let written = Json.double(value).serialized
            #expect(try Json.parse(written) == .double(value), "\(value) written as \(written)")
        }

        // Integral doubles read as integers (Kafka's Jackson reads 1.0 where an int is wanted).
        #expect(Json.double(3.0).intValue == 3)
        #expect(Json.double(3.5).intValue == nil)
        #expect(Json.double(1e300).intValue == nil)
        #expect(Json.string("3").intValue == nil)
        #expect(Json.int(-3).intValue == -3)
    }

    @Test func nestedRoundTrip() throws {
        let text = #"{"a":[1,{"b":null,"c":[]}],"d":{"e":true,"f":false,"g":{}},"h":-7,"i":2.5,"j":"x","k":[[["deep"]]]}"#
        let json = try Json.parse(text)
        #expect(json.serialized == text)
        #expect(json.bytes == Array(text.utf8))
        #expect(try Json.parse(json.bytes) == json)

        #expect(json["a"]?.arrayValue?.count == 2)
        #expect(json["a"]?.arrayValue?[1]["b"] == .null)
        #expect(json["d"]?["e"] == .bool(true))
        #expect(json["h"]?.intValue == -7)
        #expect(json["j"]?.stringValue == "x")
        #expect(json["missing"] == nil)
        #expect(json["a"]?["b"] == nil, "an array has no keys")
        #expect(Json.int(1)["a"] == nil)
    }

    @Test func writingIsCompactAndParsingIgnoresWhitespace() throws {
        let json = try Json.parse(" {\n  \"a\" : [ 1 , 2 ] ,\t\"b\" : { } \r\n} ")
        #expect(json.serialized == #"{"a":[1,2],"b":{}}"#)
    }

    @Test func objectKeysKeepTheirOrder() throws {
        let json = Json.object([("zebra", .int(1)), ("apple", .int(2)), ("mango", .int(3))])
        #expect(json.serialized == #"{"zebra":1,"apple":2,"mango":3}"#)
        let parsed = try Json.parse(#"{"zebra":1,"apple":2,"mango":3}"#)
        #expect(parsed.objectValue?.map(\.0) == ["zebra", "apple", "mango"])
        #expect(parsed == json)
        #expect(parsed != Json.object([("apple", .int(2)), ("zebra", .int(1)), ("mango", .int(3))]),
                "objects with the same members in another order are different values")

        let duplicated = try Json.parse(#"{"a":1,"a":2}"#)
        #expect(duplicated["a"] == .int(1), "lookups take the first of duplicated keys")
        #expect(duplicated.serialized == #"{"a":1,"a":2}"#)
    }

    @Test func stringEscapes() throws {
        #expect(try Json.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        let tricky = Json.string("quote\" backslash\\ slash/ \u{08}\u{0C}\n\r\t \u{01}\u{1F} end")
        #expect(tricky.serialized == #""quote\" backslash\\ slash/ \b\f\n\r\t \u0001\u001f end""#)
        #expect(try Json.parse(tricky.serialized) == tricky)
        let key = Json.object([("a\"b", .string("c"))])
        #expect(key.serialized == #"{"a\"b":"c"}"#)
        #expect(try Json.parse(key.serialized) == key)
    }

    @Test func unicode() throws {
        #expect(try Json.parse(#""\u00e9\u4E2D\u0041""#) == .string("é中A"))
        #expect(try Json.parse(#""\ud83d\ude00""#) == .string("😀"), "a surrogate pair is one scalar")
        #expect(try Json.parse(#""x\uD834\uDD1Ey""#) == .string("x𝄞y"))
        #expect(try Json.parse(Array("\"é中😀\"".utf8)) == .string("é中😀"), "raw UTF-8 passes through")

        let text = Json.string("topic-é中😀")
        #expect(text.bytes == Array("\"topic-é中😀\"".utf8), "non-ASCII is written as UTF-8, not escaped")
        #expect(try Json.parse(text.bytes) == text)

        for lone in [#""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\ud800\u0041""#, #""\ud800\ud800""#] {
            #expect(parseError(lone) != nil, "\(lone) is not a valid scalar")
        }
    }

    @Test func malformedInputIsRejected() throws {
        #expect(parseError(#"{"a":1}x"#)?.message == "unexpected trailing data")
        #expect(parseError("1 2")?.offset == 2)
        #expect(parseError("{}{}") != nil)
        #expect(parseError(#""abc"#)?.message == "unterminated string")
        #expect(parseError(#"{"a":"b"#)?.message == "unterminated string")
        #expect(parseError(#""abc\"#) != nil)
        #expect(parseError(#""\x""#)?.message == "invalid escape")
        #expect(parseError(#""\u12""#) != nil)
        #expect(parseError(#""\u12G4""#) != nil)
        #expect(parseError("\"a\nb\"")?.message == "control character in string")
        for text in ["", " ", "tru", "nul", "falsey", "-", "+", ".", "e", "[1,]", "[1 2]", "[", "]",
                     "{", #"{"a" 1}"#, "{a:1}", #"{"a":1,}"#, #"{"a":1"#, "[1,2", "'a'", "NaN", "Infinity"] {
            #expect(parseError(text) != nil, "'\(text)' is not JSON")
        }
        let error = try #require(parseError("[1, x]"))
        #expect(error.offset == 4)
        #expect(error.description == "invalid JSON at byte 4: invalid value")
    }

    @Test func deepNestingIsRejected() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try Json.parse(deepest).serialized == deepest)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(parseError(tooDeep)?.message == "nested too deeply")
        #expect(parseError(String(repeating: #"{"a":"#, count: 100_000))?.message == "nested too deeply",
                "a hostile znode cannot exhaust the stack")
    }
}
