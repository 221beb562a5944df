//! Dates as certvault uses them: RFC 3339 UTC in the vault, days left to expiry, the month of
//! overlap a re-issued certificate gets. All arithmetic is the `time` crate's.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The Unix time of an RFC 3339 timestamp.
pub fn parse_rfc3339(rfc3339: &str) -> Option<i64> {
    OffsetDateTime::parse(rfc3339, &Rfc3339).ok().map(|t| t.unix_timestamp())
}

/// Whole days from `now` to `rfc3339` (rounded down: 23 hours left is day 0).
pub fn days_until(rfc3339: &str, now: i64) -> Option<i64> {
    parse_rfc3339(rfc3339).map(|t| (t - now).div_euclid(86_400))
}

/// Calendar days from today (UTC) to `day` (`YYYY-MM-DD`).
pub fn days_until_day(day: &str, now: i64) -> Option<i64> {
    let day = Date::parse(day, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    let today = OffsetDateTime::from_unix_timestamp(now).ok()?.date();
    Some((day - today).whole_days())
}

/// Days left before a vault entry's certificate expires (negative once it has).
pub fn days_left_of(entry: &vault_format::Entry, now: i64) -> i64 {
    days_until(&entry.certificate.not_after, now).unwrap_or(0)
}

/// `2029-02-24T04:16:18Z` → `2029-02-24 04:16 UTC`: easier to read than RFC 3339.
pub fn human_date(rfc3339: &str) -> String {
    match OffsetDateTime::parse(rfc3339, &Rfc3339) {
        Ok(t) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
            t.format(&format).unwrap_or_else(|_| rfc3339.to_string())
        }
        Err(_) => rfc3339.to_string(),
    }
}

/// The date (YYYY-MM-DD) one calendar month after `rfc3339`, clamped to the month's end (the
/// old certificate of a re-issue keeps working about a month).
pub fn one_month_after(rfc3339: &str) -> String {
    let date_text = rfc3339.get(..10).unwrap_or(rfc3339);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(date) = Date::parse(date_text, &format) else { return date_text.to_string() };
    let (year, month) = match date.month() {
        Month::December => (date.year() + 1, Month::January),
        m => (date.year(), m.next()),
    };
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day)
        .ok()
        .and_then(|d| d.format(&format).ok())
        .unwrap_or_else(|| date_text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_month_after_clamps_to_the_end_of_the_month() {
        assert_eq!(one_month_after("2026-01-31T00:00:00Z"), "2026-02-28");
        assert_eq!(one_month_after("2028-01-31T00:00:00Z"), "2028-02-29");
        assert_eq!(one_month_after("2026-12-15T10:00:00Z"), "2027-01-15");
        assert_eq!(one_month_after("2026-03-31"), "2026-04-30");
    }

    #[test]
    fn human_dates_are_utc_minutes() {
        assert_eq!(human_date("2029-02-24T04:16:18Z"), "2029-02-24 04:16 UTC");
        assert_eq!(human_date("2029-02-24T13:16:18+09:00"), "2029-02-24 04:16 UTC");
        assert_eq!(human_date("not a date"), "not a date");
    }

    #[test]
    fn days_round_down() {
        let now = parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(days_until("2026-01-01T23:00:00Z", now), Some(0));
        assert_eq!(days_until("2026-01-03T00:00:00Z", now), Some(2));
        assert_eq!(days_until("2025-12-31T12:00:00Z", now), Some(-1));
        assert_eq!(days_until_day("2026-01-31", now), Some(30));
    }
}
