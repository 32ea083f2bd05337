import Glibc

extension LogSegment {
    /// Sets the modification time of the segment's `.log` and index files to `milliseconds`
    /// (Kafka's `lastModified_=`): the cleaner gives a cleaned segment the time of the segments it
    /// replaces, because the delete horizon of later cleanings is measured from it.
    public func setLastModified(_ milliseconds: Int64) throws {
        let seconds = milliseconds / 1000
        let time = timespec(tv_sec: Int(seconds), tv_nsec: Int((milliseconds - seconds * 1000) * 1_000_000))
        for path in filePaths {
            let times = [time, time]
            guard utimensat(AT_FDCWD, path, times, 0) == 0 else {
                throw StorageError.io(path: path, operation: "utimensat", message: String(cString: strerror(errno)))
            }
        }
    }
}
