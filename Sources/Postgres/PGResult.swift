import CLibPQ

/// Owner of one `PGresult*`: cleared in `deinit`, read only through this type.
public final class PGResult {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    public var rowCount: Int { Int(PQntuples(handle)) }
    public var columnCount: Int { Int(PQnfields(handle)) }

    public func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    /// The text of a field, or nil for SQL NULL.
    public func string(_ row: Int, _ column: Int) -> String? {
        if isNull(row, column) { return nil }
        return String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
    }

    public func int64(_ row: Int, _ column: Int) -> Int64? {
        if isNull(row, column) { return nil }
        return strtoll(PQgetvalue(handle, Int32(row), Int32(column)), nil, 10)
    }

    public func columnName(_ column: Int) -> String { String(cString: PQfname(handle, Int32(column))) }

    /// The error when the result is a failure, or nil.
    public var errorIfFailed: PGError? { error }

    /// The status of the result, and the error when it failed.
    var error: PGError? {
        switch PQresultStatus(handle) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return nil
        default:
            let state = PQresultErrorField(handle, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            return PGError(String(cString: PQresultErrorMessage(handle)), sqlState: state)
        }
    }

    var isCopyIn: Bool { PQresultStatus(handle) == PGRES_COPY_IN }

    /// Number of rows a command touched (`INSERT 0 5` → 5).
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }
}

import Glibc
