import Glibc

/// Unbuffered writes to a file descriptor (stderr), looping over partial writes.
enum FileHandleWriter {
    static func write(_ string: String, to descriptor: Int32) {
        var bytes = Array(string.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}
