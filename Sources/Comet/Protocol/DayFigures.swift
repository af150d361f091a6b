import Postgres
import Quotes

/// The JSON of `/quotes`' `session` and `day` fields, from the rows of
/// `TickSQL.session` and `TickSQL.dayQuotes` (Schema/005_day_figures.sql).
enum DayFigures {
    /// `{"start":"...Z","time_zone":"UTC","opens":"00:00"}`
    static func session(_ r: PGResult) -> String {
        var w = JSONWriter()
        w.field("start", r.string(0, 0) ?? "")
        w.field("time_zone", r.string(0, 1) ?? "")
        w.field("opens", r.string(0, 2) ?? "")
        return w.json
    }

    /// `{"AAPL":{"reference":"186.74","reference_from":"previous close","open":..,
    /// "high":..,"low":..,"volume":90200}}`; symbols without ticks are left out,
    /// and so is any figure the day does not have yet.
    static func day(_ r: PGResult) -> String {
        var all = JSONWriter()
        for i in 0..<r.rowCount {
            guard let symbol = r.string(i, 0), r.string(i, 7) != nil else { continue }
            var w = JSONWriter()
            for (column, name) in [(2, "reference"), (3, "reference_from"), (4, "open"), (5, "high"), (6, "low")] {
                if let v = r.string(i, column) { w.field(name, v) }
            }
            w.field("volume", r.int64(i, 8) ?? 0)
            all.field(symbol, raw: w.json)
        }
        return all.json
    }
}
